import ArgumentParser
import Foundation
import KubeSim

/// The `roost` command line: the operator's entry points and the simulated cluster.
@main
struct Roost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost",
        abstract: "Warm pools of sandboxed worker pods for agent runtimes, placed where they start fastest.",
        version: RoostVersion.current,
        subcommands: [RunCommand.self, DemoCommand.self, SimCommand.self, CRDsCommand.self, VersionCommand.self])
}

enum RoostVersion {
    static let current = "0.1.0"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("roost \(RoostVersion.current)")
    }
}
