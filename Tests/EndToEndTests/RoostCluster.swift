import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeSim
import Logging
import RoostDemo
import Synchronization
import Testing

@testable import Roost

/// A simulated cluster with Roost's CRDs, a client for the test's own actions, and Roost
/// operators started against it over real HTTP.
final class RoostCluster: Sendable {
    let sim: KubeSim
    let client: KubeClient
    let namespace = "agents"
    private let operators = Mutex<[(RoostOperator, Task<Void, any Error>)]>([])

    /// - Parameters:
    ///   - pools: node pools, `pool name → node count`.
    ///   - timeScale: the kubelet's time scale (0.05: a cold start takes 0.4 s, a warm one 25 ms).
    init(pools: [(String, Int)] = [("general", 3)], timeScale: Double = 0.05) async throws {
        var configuration = KubeSim.Configuration()
        configuration.nodes = pools.map { NodeGroup(pool: $0.0, count: $0.1) }
        configuration.timing.timeScale = timeScale
        sim = try KubeSim(configuration)
        try sim.api.createNamespaceIfMissing(namespace)
        client = try sim.adminClient(source: "end-to-end test")
        for crd in RoostCRDs.all {
            _ = try await client.create(.customResourceDefinitions, crd.object)
        }
    }

    /// Test defaults: no servers, quick reaps and resyncs.
    static func configuration(_ change: (inout OperatorConfiguration) -> Void = { _ in }) -> OperatorConfiguration {
        var configuration = OperatorConfiguration()
        configuration.metricsBindAddress = nil
        configuration.healthProbeBindAddress = nil
        configuration.reapInterval = GoDuration(seconds: 0.5)
        configuration.resyncPeriod = GoDuration(seconds: 2)
        change(&configuration)
        return configuration
    }

    /// Starts an operator in this process.
    @discardableResult
    func startOperator(_ configuration: OperatorConfiguration = RoostCluster.configuration()) throws -> RoostOperator {
        var logger = Logger(label: "roost-e2e")
        // ROOST_E2E_LOG_LEVEL=debug (or trace, info, …) shows what the operators did when a test fails.
        logger.logLevel =
            ProcessInfo.processInfo.environment["ROOST_E2E_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        logger[metadataKey: "sim"] = "\(sim.port)"
        let roost = try RoostOperator(
            client: client, configuration: configuration, registry: nil, handlesSignals: false, logger: logger)
        let task = Task { try await roost.run() }
        operators.withLock { $0.append((roost, task)) }
        return roost
    }

    /// Stops an operator abruptly (its task cancelled, as a killed process stops writing).
    func kill(_ roost: RoostOperator) async {
        let entry = operators.withLock { list -> (RoostOperator, Task<Void, any Error>)? in
            guard let index = list.firstIndex(where: { $0.0 === roost }) else { return nil }
            return list.remove(at: index)
        }
        guard let entry else { return }
        entry.1.cancel()
        _ = try? await entry.1.value
    }

    /// What every running operator knows of `runtime` (see ``RoostOperator/diagnostics(runtime:)``).
    func diagnostics(runtime: String) -> String {
        let id = ObjectName(namespace: namespace, name: runtime)
        return operators.withLock { list in list.map { $0.0.diagnostics(runtime: id) } }.joined(separator: "\n--\n")
    }

    func shutdown() async {
        let all = operators.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for (roost, task) in all {
            await roost.shutDown()
            _ = try? await task.value
        }
        sim.shutdown()
    }

    // MARK: Objects

    func createRuntime(_ name: String, spec: JSONValue) async throws {
        let object: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
        ]
        _ = try await client.create(ClusterWrites.agentRuntimes, namespace: namespace, object)
    }

    func createSession(_ name: String, runtime: String, trigger: String = "api", machine: String? = nil) async throws {
        var spec: JSONObject = ["runtimeRef": ["name": .string(runtime)], "triggerSource": .string(trigger)]
        if let machine { spec["machine"] = .string(machine) }
        let object: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentSession",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": .object(spec),
        ]
        _ = try await client.create(ClusterWrites.agentSessions, namespace: namespace, object)
    }

    func deleteSession(_ name: String) async throws {
        _ = try await client.delete(ClusterWrites.agentSessions, namespace: namespace, name: name)
    }

    func session(_ name: String) async throws -> AgentSession? {
        do {
            return try await client.get(AgentSession.self, ClusterWrites.agentSessions, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    func runtime(_ name: String) async throws -> AgentRuntime {
        try await client.get(AgentRuntime.self, ClusterWrites.agentRuntimes, namespace: namespace, name: name)
    }

    /// Roost's live worker pods, by name.
    func workers(runtime: String? = nil) async throws -> [CoreV1.Pod] {
        var selector = "\(RoostLabel.managedBy)=\(RoostLabel.managedByValue)"
        if let runtime { selector += ",\(RoostLabel.runtime)=\(runtime)" }
        return try await client.list(
            CoreV1.Pod.self, .pods, namespace: namespace, options: ListOptions(labelSelector: selector)
        ).items.filter { $0.metadata.deletionTimestamp == nil }.sorted { $0.metadata.name < $1.metadata.name }
    }

    /// Waits until the runtime's status, written by the operator from its caches, counts `idle`
    /// idle and `busy` busy workers and no others.
    func statusCounts(_ runtime: String, idle: Int, busy: Int) async throws -> Bool {
        try await eventually {
            let status = try await self.runtime(runtime).status
            return status.idle == idle && status.busy == busy && status.workers == idle + busy
        }
    }

    /// Events in the test namespace with `reason`, about the object named `involving` when given.
    /// Events are sent by their own queue after the write they follow, so callers poll for them.
    func events(reason: String, involving name: String? = nil) async throws -> [JSONValue] {
        let items = try await client.list(.events, namespace: namespace)["items"]?.arrayValue ?? []
        return items.filter {
            $0["reason"]?.stringValue == reason && (name == nil || $0["involvedObject"]?["name"]?.stringValue == name)
        }
    }

    /// A worker pod as raw JSON (to check fields the slim model skips, such as affinity).
    func podJSON(_ name: String) async throws -> JSONValue {
        try await client.get(.pods, namespace: namespace, name: name)
    }
}

/// Runs `body` against a fresh ``RoostCluster`` and waits for its operators and simulated
/// cluster to stop before returning (or rethrowing), so that no test's cluster keeps using the
/// machine while the next test runs.
func withRoostCluster(
    pools: [(String, Int)] = [("general", 3)], timeScale: Double = 0.05, _ body: (RoostCluster) async throws -> Void
) async throws {
    let cluster = try await RoostCluster(pools: pools, timeScale: timeScale)
    do {
        try await body(cluster)
    } catch {
        await cluster.shutdown()
        throw error
    }
    await cluster.shutdown()
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Timestamp.monotonic() + timeout
    while Timestamp.monotonic() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

extension CoreV1.Pod {
    var isReady: Bool { status.conditions.contains { $0.type == "Ready" && $0.status == "True" } }
    var state: String? { metadata.labels[RoostLabel.state] }
    var session: String? { metadata.annotations[RoostAnnotation.session] }
}

extension JSONValue {
    /// The element at `index` of an array; nil for other values or out of range.
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
