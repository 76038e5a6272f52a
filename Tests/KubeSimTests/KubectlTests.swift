import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// Real kubectl against the simulated cluster over HTTPS: what a user does by hand must work.
@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed"))
struct KubectlTests {
    @Test func crdRoundTripAndInvalidObjects() async throws {
        try await Kubectl.withCluster { kubectl, _ in
            let crd = fixturesDirectory.appendingPathComponent("widgets-crd.yaml").path
            #expect(
                try kubectl.run("apply", "-f", crd).output.contains(
                    "customresourcedefinition.apiextensions.k8s.io/widgets.example.roost.dev created"))
            let widget = kubectl.file(
                "w1.yaml", "apiVersion: example.roost.dev/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n")
            #expect(try kubectl.run("apply", "-f", widget).output.contains("widget.example.roost.dev/w1 created"))
            #expect(try kubectl.run("apply", "-f", widget).output.contains("unchanged"))
            let listed = try kubectl.run("get", "wd")
            #expect(listed.output.contains("NAME"))
            #expect(listed.output.contains("SIZE"))
            #expect(listed.output.contains("w1"))
            let json = try JSONValue.parse(try kubectl.run("get", "widget", "w1", "-o", "json").output)
            #expect(json[path: ["spec", "color"]] == "red")

            let changed = kubectl.file(
                "w1b.yaml", "apiVersion: example.roost.dev/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 5\n")
            #expect(try kubectl.run("apply", "-f", changed).output.contains("configured"))
            #expect(try kubectl.run("get", "widget", "w1", "-o", "jsonpath={.spec.size}").output == "5")

            let invalid = kubectl.file(
                "bad.yaml",
                "apiVersion: example.roost.dev/v1\nkind: Widget\nmetadata:\n  name: bad\nspec:\n  size: 50\n  color: pink\n")
            let rejected = try kubectl.run("apply", "-f", invalid, expectFailure: true)
            #expect(rejected.error.contains("The Widget \"bad\" is invalid"))
            #expect(rejected.error.contains("spec.size: Invalid value: 50: spec.size in body should be less than or equal to 10"))
            #expect(rejected.error.contains("spec.color: Unsupported value: \"pink\""))

            #expect(try kubectl.run("delete", "widget", "w1").output.contains("deleted"))
            #expect(try kubectl.run("get", "widgets", "-o", "name").output.isEmpty)
        }
    }

    @Test func watchSeesChanges() async throws {
        try await Kubectl.withCluster { kubectl, _ in
            let watcher = try kubectl.start("get", "configmaps", "-w", "-o", "name")
            defer { watcher.terminate() }
            Thread.sleep(forTimeInterval: 0.5)
            _ = try kubectl.run(
                "create", "-f",
                kubectl.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: b\n"))
            #expect(eventually { watcher.output.contains("configmap/watched") })
        }
    }

    @Test func patchTypesConflictsAndServerSideApply() async throws {
        try await Kubectl.withCluster { kubectl, _ in
            let pod = kubectl.file(
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers:\n  - name: main\n    image: nginx:1.25\n  - name: side\n    image: busybox:1.36\n"
            )
            _ = try kubectl.run("apply", "-f", pod)
            _ = try kubectl.run("patch", "pod", "web", "--type", "merge", "-p", #"{"metadata":{"labels":{"tier":"front"}}}"#)
            _ = try kubectl.run(
                "patch", "pod", "web", "--type", "json", "-p", #"[{"op":"replace","path":"/metadata/labels/app","value":"site"}]"#
            )
            _ = try kubectl.run(
                "patch", "pod", "web", "--type", "strategic", "-p",
                #"{"spec":{"containers":[{"name":"main","image":"nginx:1.26"}]}}"#)
            let json = try JSONValue.parse(try kubectl.run("get", "pod", "web", "-o", "json").output)
            #expect(json[path: ["metadata", "labels", "tier"]] == "front")
            #expect(json[path: ["metadata", "labels", "app"]] == "site")
            let containers = json[path: ["spec", "containers"]]?.arrayValue ?? []
            #expect(containers.map { $0["image"] } == ["nginx:1.26", "busybox:1.36"])

            let failedTest = try kubectl.run(
                "patch", "pod", "web", "--type", "json", "-p", #"[{"op":"test","path":"/metadata/labels/app","value":"nope"}]"#,
                expectFailure: true)
            #expect(failedTest.error.contains("invalid"))

            // A stale copy written back with replace: 409 Conflict.
            _ = try kubectl.run(
                "create", "-f",
                kubectl.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n"))
            let stale = kubectl.file("stale.json", try kubectl.run("get", "cm", "c", "-o", "json").output)
            _ = try kubectl.run("label", "cm", "c", "x=1")
            let conflict = try kubectl.run("replace", "-f", stale, expectFailure: true)
            #expect(
                conflict.error.contains(
                    "the object has been modified; please apply your changes to the latest version and try again"))

            let applied = kubectl.file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"1\"\n")
            #expect(try kubectl.run("apply", "--server-side", "-f", applied).output.contains("serverside-applied"))
            let other = kubectl.file("ssa2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"2\"\n")
            let ssaConflict = try kubectl.run("apply", "--server-side", "--field-manager=other", "-f", other, expectFailure: true)
            #expect(ssaConflict.error.contains("conflict"))
            _ = try kubectl.run("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other)
            #expect(try kubectl.run("get", "cm", "ssa", "-o", "jsonpath={.data.a}").output == "2")

            #expect(try kubectl.run("delete", "pod", "web", "--grace-period=0").output.contains("deleted"))
        }
    }

    @Test func expiredContinueTokenIs410() async throws {
        try await Kubectl.withCluster { kubectl, sim in
            for index in 0..<3 {
                _ = try kubectl.run(
                    "create", "-f",
                    kubectl.file("c\(index).yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\(index)\n"))
            }
            let page = try JSONValue.parse(
                try kubectl.run("get", "--raw", "/api/v1/namespaces/default/configmaps?limit=1").output)
            let token = try #require(page[path: ["metadata", "continue"]]?.stringValue)
            // The list's revision must fall behind the compaction: one more write, then compact.
            _ = try kubectl.run(
                "create", "-f", kubectl.file("later.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: later\n"))
            sim.store.compact()
            let expired = try kubectl.run(
                "get", "--raw", "/api/v1/namespaces/default/configmaps?limit=1&continue=\(token)", expectFailure: true)
            #expect(expired.error.contains("Expired") || expired.error.contains("too old"), "got: \(expired.error)")
        }
    }

    @Test func authenticationModesAndDeploymentManifests() async throws {
        try await Kubectl.withCluster { kubectl, _ in
            #expect(try kubectl.run("--context", "roost-sim-cert", "get", "nodes").output.contains("default-0"))
            let noAuth = try kubectl.run("--token", "wrong", "get", "nodes", expectFailure: true)
            #expect(noAuth.error.contains("Unauthorized") || noAuth.error.contains("must be logged in"), "got: \(noAuth.error)")

            let manifests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("manifests").path
            let applied = try kubectl.run("apply", "-k", manifests)
            #expect(applied.output.contains("deployment.apps/roost created"))
            #expect(applied.output.contains("clusterrole.rbac.authorization.k8s.io/roost created"))
            #expect(applied.output.contains("poddisruptionbudget.policy/roost created"))
            #expect(
                try kubectl.run("get", "deployment", "roost", "-n", "roost-system", "-o", "name").output
                    == "deployment.apps/roost")
            #expect(
                try kubectl.run("scale", "deployment", "roost", "-n", "roost-system", "--replicas=3").output.contains("scaled"))
            #expect(
                try kubectl.run("get", "deployment", "roost", "-n", "roost-system", "-o", "jsonpath={.spec.replicas}").output
                    == "3")
            let configMaps = try kubectl.run("get", "configmaps", "-n", "roost-system").output
            #expect(configMaps.contains("DATA"), "ConfigMaps print with their own columns")
        }
    }
}

/// Runs the kubectl binary against a simulated cluster.
struct Kubectl {
    static let path: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    let directory: URL
    let kubeconfig: String

    struct Result {
        var output: String
        var error: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A TLS cluster, its kubeconfig and a private kubectl cache directory.
    static func withCluster(_ body: @escaping @Sendable (Kubectl, KubeSim) throws -> Void) async throws {
        try await withSim(tls: true, timeScale: 0.01) { sim, _ in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-kubectl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try sim.writeKubeconfig(to: kubeconfig)
            try body(Kubectl(directory: directory, kubeconfig: kubeconfig), sim)
        }
    }

    func file(_ name: String, _ contents: String) -> String {
        let url = directory.appendingPathComponent(name)
        try? Data(contents.utf8).write(to: url)
        return url.path
    }

    private func process(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        guard let path = Kubectl.path else { throw Failure(description: "kubectl not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments =
            ["--kubeconfig", kubeconfig, "--cache-dir", directory.appendingPathComponent("cache").path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        environment["KUBECONFIG"] = kubeconfig
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, output, error)
    }

    /// Runs kubectl to completion; throws when its exit status is not what was expected.
    @discardableResult
    func run(_ arguments: String..., expectFailure: Bool = false) throws -> Result {
        let (process, output, error) = try process(arguments)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = Result(
            output: String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            error: String(decoding: errorData, as: UTF8.self))
        let failed = process.terminationStatus != 0
        if failed != expectFailure {
            throw Failure(
                description:
                    "kubectl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(result.output) \(result.error)"
            )
        }
        return result
    }

    /// Starts a long-running kubectl (e.g. `get -w`) whose output accumulates.
    func start(_ arguments: String...) throws -> Background {
        let (process, output, _) = try process(arguments)
        return Background(process: process, pipe: output)
    }

    final class Background: @unchecked Sendable {
        private let process: Process
        private let lock = NSLock()
        private var buffer = Data()

        init(process: Process, pipe: Pipe) {
            self.process = process
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self else { return }
                self.lock.lock()
                self.buffer.append(data)
                self.lock.unlock()
            }
        }

        var output: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: buffer, as: UTF8.self)
        }

        func terminate() {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
