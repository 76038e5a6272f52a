import ArgumentParser
import Foundation
import Roost

/// `roost crds`: prints the AgentRuntime and AgentSession CustomResourceDefinitions, or writes
/// them as the files kept in `crds/`.
struct CRDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print Roost's CustomResourceDefinitions as YAML.",
        discussion: """
            Without --output-dir both definitions go to standard output as one multi-document YAML
            stream (pipe it to `kubectl apply -f -`). With --output-dir DIR they are written to
            DIR/roost.dev_agentruntimes.yaml and DIR/roost.dev_agentsessions.yaml.
            """)

    @Option(help: "Write one file per definition into this directory (created when missing).")
    var outputDir: String?

    func run() throws {
        guard let outputDir else {
            print(try RoostCRDs.yaml(), terminator: "")
            return
        }
        let directory = URL(fileURLWithPath: outputDir, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(description: "cannot create \(directory.path): \(error.localizedDescription)")
        }
        for definition in RoostCRDs.all {
            let file = directory.appendingPathComponent(definition.fileName)
            let yaml = try RoostCRDs.yaml(definition)
            do {
                try Data(yaml.utf8).write(to: file, options: .atomic)
            } catch {
                throw WriteError(description: "cannot write \(file.path): \(error.localizedDescription)")
            }
            print("wrote \(file.path)")
        }
    }

    /// A file or directory of --output-dir could not be written.
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }
}
