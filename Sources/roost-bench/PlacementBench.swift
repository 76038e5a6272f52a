import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeSim
import Logging
import Roost
import RoostDemo
import Synchronization

/// `roost-bench placement`: Roost placing sessions in a simulated cluster. A runtime keeps
/// `--idle` warm workers on `--nodes` nodes; sessions are created at `--rate` per second for
/// `--duration` seconds, each deleted `--lifetime` seconds after it is bound so its worker goes
/// back to the pool. Reports created→bound latency as the creating client sees it (create sent
/// → bound status observed on a watch) and the API writes Roost made per claimed session.
struct PlacementBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement", abstract: "Measure session placement: created→bound latency and writes per claim.")

    @OptionGroup var report: ReportOptions

    @Option(help: "Nodes in the simulated cluster.")
    var nodes = 200

    @Option(help: "Idle workers kept warm (the runtime's minIdle).")
    var idle = 1_000

    @Option(help: "Sessions created per second.")
    var rate = 200

    @Option(help: "Seconds during which sessions are created.")
    var duration = 60.0

    @Option(help: "Seconds a session lives once bound.")
    var lifetime = 1.0

    func run() async throws {
        let out = Report(bench: "placement", jsonOnly: report.jsonOnly)
        var simConfiguration = KubeSim.Configuration()
        simConfiguration.nodes = [NodeGroup(pool: "bench", count: nodes)]
        simConfiguration.timing.timeScale = 0.05
        simConfiguration.historyLimit = 400_000
        let sim = try KubeSim(simConfiguration)
        defer { sim.shutdown() }
        try sim.api.createNamespaceIfMissing("bench")
        let client = try sim.adminClient(source: "roost-bench")
        for crd in RoostCRDs.all { _ = try await client.create(.customResourceDefinitions, crd.object) }
        let runtime: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime",
            "metadata": ["name": "bench", "namespace": "bench"],
            "spec": [
                "template": ["spec": ["containers": [["name": "agent", "image": "bench:1"]]]],
                "pool": ["minIdle": .int(Int64(idle)), "maxWorkers": .int(Int64(idle * 2)), "idleTimeout": "10m"],
            ],
        ]
        _ = try await client.create(ClusterWrites.agentRuntimes, namespace: "bench", runtime)

        var configuration = OperatorConfiguration()
        configuration.metricsBindAddress = nil
        configuration.healthProbeBindAddress = nil
        configuration.namespace = "bench"
        var logger = Logger(label: "roost")
        logger.logLevel = .error
        let roost = try RoostOperator(
            client: client, configuration: configuration, registry: nil, handlesSignals: false, logger: logger)
        let operatorTask = Task { try await roost.run() }
        defer { operatorTask.cancel() }

        out.note("warming \(idle) workers on \(nodes) nodes ...")
        let warmStart = Timestamp.monotonic()
        while true {
            let pods = try await client.list(
                CoreV1.Pod.self, .pods, namespace: "bench",
                options: ListOptions(labelSelector: "\(RoostLabel.state)=idle"))
            let ready = pods.items.filter { $0.status.conditions.contains { $0.type == "Ready" && $0.status == "True" } }
            if ready.count >= idle { break }
            guard Timestamp.monotonic() - warmStart < 300 else {
                throw ValidationError("the pool did not warm up: \(ready.count)/\(idle) idle workers Ready after 300 s")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        out.add("pool_warmup_s", Timestamp.monotonic() - warmStart, "s")

        let tracker = BoundTracker()
        let sessionInformer = Informer<AgentSession>(
            client: client, resource: ClusterWrites.agentSessions, configuration: ReflectorConfiguration(namespace: "bench"))
        sessionInformer.addHandler { delta in
            if case .deleted = delta { return }
            let session = delta.object
            if session.status.placement != nil { tracker.bound(session.metadata.name) }
        }
        let informerTask = Task { await sessionInformer.run() }
        defer { informerTask.cancel() }
        while !sessionInformer.hasSynced { try await Task.sleep(for: .milliseconds(10)) }
        let before = sim.stats.counts
        let auditStart = sim.stats.auditLog.last?.time ?? 0

        let total = Int(Double(rate) * duration)
        out.note("creating \(total) sessions at \(rate)/s ...")
        let start = Timestamp.monotonic()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { creators in
                    for index in 0..<total {
                        let due = start + Double(index) / Double(rate)
                        let wait = due - Timestamp.monotonic()
                        if wait > 0.001 { try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9))) }
                        let name = "s\(index)"
                        let session: JSONValue = [
                            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentSession",
                            "metadata": ["name": .string(name), "namespace": "bench"],
                            "spec": ["runtimeRef": ["name": "bench"], "triggerSource": "api"],
                        ]
                        tracker.created(name)
                        creators.addTask { _ = try await client.create(ClusterWrites.agentSessions, namespace: "bench", session) }
                        if index % 64 == 63 { try await creators.next() }
                    }
                    try await creators.waitForAll()
                }
            }
            group.addTask {
                // Deletes each session `lifetime` seconds after it was bound, returning its worker.
                while !Task.isCancelled {
                    for name in tracker.due(lifetime: lifetime) {
                        _ = try? await client.delete(ClusterWrites.agentSessions, namespace: "bench", name: name)
                    }
                    if tracker.allBoundAndDeleted(total: total) { return }
                    try await Task.sleep(for: .milliseconds(20))
                    if Timestamp.monotonic() - start > duration + 120 { return }
                }
            }
            try await group.waitForAll()
        }
        let after = sim.stats.counts
        // Request counts are keyed "verb resource[.group][/subresource]"; sum every key with the prefix.
        func delta(_ prefix: String) -> Int {
            after.filter { $0.key.hasPrefix(prefix) }.map { $0.value - (before[$0.key] ?? 0) }.reduce(0, +)
        }
        let latencies = tracker.latencies()
        let bound = latencies.count
        let claims = max(1, bound)
        // The claim path writes the session's finalizer, the worker and the session's status; the
        // release path returns the worker to idle and removes the finalizer, one write each per
        // deleted session. Pool refills and runtime status are reported on their own.
        let deleted = tracker.deletedCount
        let sessionWrites = delta("patch pods") + delta("patch agentsessions")
        let claimWrites = sessionWrites - 2 * deleted
        for key in after.keys.sorted() where !key.hasPrefix("get") && !key.hasPrefix("list") && !key.hasPrefix("watch") {
            let change = (after[key] ?? 0) - (before[key] ?? 0)
            if change > 0 { out.note("  requests \(key): \(change)") }
        }
        out.add("sessions_created", Double(total), "sessions")
        out.add("sessions_bound", Double(bound), "sessions")
        out.add("bound_p50_ms", Self.percentile(latencies, 0.50) * 1000, "ms")
        out.add("bound_p99_ms", Self.percentile(latencies, 0.99) * 1000, "ms")
        out.add("writes_per_claim", Double(claimWrites) / Double(claims), "writes")
        out.add("writes_per_session_lifecycle", Double(sessionWrites) / Double(claims), "writes")
        let conflicts = sim.stats.auditLog.filter { $0.time > auditStart && $0.code == 409 }
        for entry in Dictionary(grouping: conflicts, by: { "\($0.verb) \($0.resource)" }) {
            out.note("  409 conflicts \(entry.key): \(entry.value.count)")
        }
        out.add("write_conflicts", Double(conflicts.count), "writes")
        out.add("pool_pod_creates", Double(delta("create pods")), "pods")
        out.add("runtime_status_writes", Double(delta("patch agentruntimes")), "writes")
        out.add("events_per_session", Double(delta("create events")) / Double(claims), "writes")
        await roost.shutDown()
        _ = try? await operatorTask.value
        out.table()
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// Create and bound times of the benchmark's sessions.
final class BoundTracker: Sendable {
    private struct State {
        var createdAt: [String: Double] = [:]
        var boundAt: [String: Double] = [:]
        var deleteQueue: [(at: Double, name: String)] = []
        var deleted = 0
    }

    private let state = Mutex(State())

    func created(_ name: String) {
        state.withLock { $0.createdAt[name] = Timestamp.monotonic() }
    }

    func bound(_ name: String) {
        let now = Timestamp.monotonic()
        state.withLock { state in
            guard state.boundAt[name] == nil, state.createdAt[name] != nil else { return }
            state.boundAt[name] = now
            state.deleteQueue.append((now, name))
        }
    }

    func due(lifetime: Double) -> [String] {
        let now = Timestamp.monotonic()
        return state.withLock { state in
            let due = state.deleteQueue.prefix { now - $0.at >= lifetime }.map(\.name)
            state.deleteQueue.removeFirst(due.count)
            state.deleted += due.count
            return due
        }
    }

    var deletedCount: Int { state.withLock { $0.deleted } }

    func allBoundAndDeleted(total: Int) -> Bool {
        state.withLock { $0.boundAt.count >= total && $0.deleted >= total }
    }

    func latencies() -> [Double] {
        state.withLock { state in
            state.boundAt.compactMap { name, bound in state.createdAt[name].map { bound - $0 } }
        }
    }
}
