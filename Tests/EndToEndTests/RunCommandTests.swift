import Foundation
import KubeClient
import KubeModel
import KubeSim
import Roost
import RoostDemo
import Testing

/// The `roost` binary itself: start-up validation, graceful shutdown on SIGTERM, and the second
/// signal that exits at once.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RunCommandTests {
    /// The `roost` executable built beside the test bundle.
    static var binary: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("roost").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("roost")
    }

    /// A running `roost` process with its standard error collected.
    final class RoostProcess: @unchecked Sendable {
        let process = Process()
        private let errors = Pipe()
        private let lock = NSLock()
        private var collected = Data()
        private var exitTime: Date?

        init(arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = RunCommandTests.binary
            process.arguments = arguments
            var merged = ProcessInfo.processInfo.environment.filter {
                !$0.key.hasPrefix("ROOST_") && !$0.key.hasPrefix("KUBERNETES_")
            }
            merged.merge(environment) { $1 }
            process.environment = merged
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self else { return }
                self.lock.lock()
                self.collected.append(data)
                self.lock.unlock()
            }
            // Foundation calls this on its own thread the moment the child is reaped, so the time
            // does not depend on when a busy test task next polls.
            process.terminationHandler = { [weak self] _ in
                guard let self else { return }
                self.lock.lock()
                self.exitTime = Date()
                self.lock.unlock()
            }
            try process.run()
        }

        /// When the process exited, as seen by Foundation's termination handler.
        var exitedAt: Date? {
            lock.lock()
            defer { lock.unlock() }
            return exitTime
        }

        var stderr: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: collected, as: UTF8.self)
        }

        /// Waits up to `timeout` seconds for the exit; nil when still running.
        func waitForExit(timeout: Double) async -> Int32? {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return process.isRunning ? nil : process.terminationStatus
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }
    }

    @Test func invalidSettingsStopStartUpWithOneLineEach() async throws {
        let roost = try RoostProcess(
            arguments: ["run", "--kubeconfig", "/nonexistent/kubeconfig", "--resync-period", "soon"],
            environment: ["KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "0", "ROOST_REAP_INTERVAL": "5x"])
        let status = await roost.waitForExit(timeout: 20)
        #expect(status == 2)
        let lines = roost.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("KUBERNETES_SCHEDULE_AFFINITY_WEIGHT") && $0.contains("\"0\"") })
        #expect(lines.contains { $0.contains("ROOST_REAP_INTERVAL") && $0.contains("5x") })
        #expect(lines.contains { $0.contains("--resync-period") && $0.contains("soon") })
        #expect(!roost.stderr.contains("kubeconfig"), "the cluster configuration is not read before settings are valid")
    }

    @Test func aMissingKubeconfigIsOneClearLine() async throws {
        let roost = try RoostProcess(arguments: ["run", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(await roost.waitForExit(timeout: 20) == 2)
        #expect(roost.stderr.hasPrefix("roost: cannot load the cluster configuration"), "\(roost.stderr)")
        #expect(roost.stderr.contains("/nonexistent/kubeconfig"))
    }

    /// Starts a simulated cluster with Roost's CRDs and writes its kubeconfig.
    private func cluster() async throws -> (KubeSim, String, KubeClient) {
        var configuration = KubeSim.Configuration()
        configuration.nodes = [NodeGroup(pool: "general", count: 1)]
        let sim = try KubeSim(configuration)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-run-\(UUID().uuidString).kubeconfig")
            .path
        try sim.writeKubeconfig(to: path)
        let client = try sim.adminClient(source: "test")
        for crd in RoostCRDs.all { _ = try await client.create(.customResourceDefinitions, crd.object) }
        return (sim, path, client)
    }

    @Test func sigtermShutsDownGracefully() async throws {
        let (sim, kubeconfig, client) = try await cluster()
        defer { sim.shutdown() }
        let roost = try RoostProcess(
            arguments: [
                "run", "--kubeconfig", kubeconfig, "--metrics-bind-address", "127.0.0.1:0",
                "--health-probe-bind-address", "127.0.0.1:0", "--leader-elect", "--leader-election-namespace", "default",
            ],
            environment: ["ROOST_LOG_FORMAT": "json"])
        #expect(await eventually { roost.stderr.contains("leading") })
        roost.signal(SIGTERM)
        let status = await roost.waitForExit(timeout: 30)
        #expect(status == 0, "\(roost.stderr)")
        #expect(roost.stderr.contains("shutdown complete"))
        for line in roost.stderr.split(separator: "\n") {
            #expect((try? JSONValue.parse(String(line)))?["msg"] != nil, "every log line is a JSON object: \(line)")
        }
        let lease = try await client.get(.leases, namespace: "default", name: "roost-controller")
        #expect(lease["spec"]?["holderIdentity"]?.stringValue ?? "" == "", "the Lease is released on SIGTERM")
    }

    @Test func metricsCarryTheSpecNames() async throws {
        let (sim, kubeconfig, client) = try await cluster()
        defer { sim.shutdown() }
        try sim.api.createNamespaceIfMissing("agents")
        let metricsPort = try freePort()
        let roost = try RoostProcess(
            arguments: [
                "run", "--kubeconfig", kubeconfig, "--metrics-bind-address", "127.0.0.1:\(metricsPort)",
                "--health-probe-bind-address", "0", "--leader-elect", "--leader-election-namespace", "default",
            ],
            environment: ["ROOST_REAP_INTERVAL": "1s"])
        defer { roost.signal(SIGKILL) }
        let runtime: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": "coder", "namespace": "agents"],
            "spec": ["template": ["spec": ["containers": [["name": "a", "image": "coder:1"]]]], "pool": ["minIdle": 1]],
        ]
        _ = try await client.create(ClusterWrites.agentRuntimes, namespace: "agents", runtime)
        let session: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentSession", "metadata": ["name": "s1", "namespace": "agents"],
            "spec": ["runtimeRef": ["name": "coder"]],
        ]
        _ = try await client.create(ClusterWrites.agentSessions, namespace: "agents", session)
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        var text = ""
        let names = [
            "roost_placement_latency_seconds", "roost_claims_total", "roost_workers", "roost_pending_sessions",
            "roost_scheduling_cycle_duration_seconds", "roost_informer_objects", "workqueue_depth",
            "workqueue_adds_total", "controller_runtime_reconcile_total", "rest_client_requests_total",
            "rest_client_request_duration_seconds", "leader_election_master_status", "process_resident_memory_bytes",
            "process_cpu_seconds_total", "controller_runtime_active_workers",
        ]
        let found = await eventually(timeout: 30) {
            let response = try? await transport.send(
                HTTPRequest(method: "GET", url: "http://127.0.0.1:\(metricsPort)/metrics"))
            text = response.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            return names.allSatisfy { text.contains($0) }
        }
        #expect(found, "missing: \(names.filter { !text.contains($0) })")
        #expect(text.contains("leader_election_master_status{name=\"roost-controller\"} 1"))
    }

    @Test func secondSignalExitsAtOnce() async throws {
        let (sim, kubeconfig, _) = try await cluster()
        defer { sim.shutdown() }
        let roost = try RoostProcess(
            arguments: [
                "run", "--kubeconfig", kubeconfig, "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
                "--leader-elect", "--leader-election-namespace", "default", "--log-format", "text",
            ])
        #expect(await eventually { roost.stderr.contains("leading") })
        // Every request now takes 10 s: the Lease release makes the graceful shutdown slow.
        sim.faults.latencySeconds = 10
        roost.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        #expect(roost.process.isRunning, "the graceful shutdown is still releasing the Lease")
        let started = Date()
        roost.signal(SIGTERM)
        let status = await roost.waitForExit(timeout: 10)
        // 130 comes only from the second-signal path (a graceful exit is 0), and it came at once,
        // not after the graceful path's remaining ~3.7 s of Lease release.
        #expect(status == 130)
        let exitedAt = try #require(roost.exitedAt)
        #expect(exitedAt.timeIntervalSince(started) < 2.5)
        sim.faults.latencySeconds = 0
    }
}

/// A TCP port free on the loopback interface right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw CocoaError(.fileReadUnknown) }
    return Int(UInt16(bigEndian: address.sin_port))
}
