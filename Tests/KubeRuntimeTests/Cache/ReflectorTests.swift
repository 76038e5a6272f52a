import Foundation
import KubeClient
import KubeModel
import KubeSim
import MetricsTestKit
import Synchronization
import Testing

@testable import KubeRuntime

/// A simulated cluster and a client for reflector tests (plain HTTP, fast retries).
struct CacheTestCluster {
    let sim: KubeSim
    let client: KubeClient

    init(idleGrace: Double = 30) throws {
        var configuration = KubeSim.Configuration()
        configuration.nodes = [NodeGroup(pool: "default", count: 2)]
        configuration.runKubelet = false
        configuration.runScheduler = false
        configuration.historyLimit = 10_000
        configuration.api.bookmarkIntervalSeconds = 0.5
        sim = try KubeSim(configuration)
        var options = KubeClient.Options()
        options.retry = RetryPolicy(maxRetries: 2, baseDelay: 0.01, maxDelay: 0.1, jitter: 0)
        options.watchIdleGrace = idleGrace
        options.qps = nil
        let clientConfiguration = ClientConfiguration(
            server: sim.url, tls: TLSSettings(), credentials: StaticCredentialProvider(Credentials(bearerToken: sim.adminToken)),
            namespace: "default", source: "test")
        client = try KubeClient(configuration: clientConfiguration, options: options)
    }

    func pod(_ name: String, node: String = "", labels: JSONObject = [:]) -> JSONValue {
        var spec: JSONObject = ["containers": [["name": "c", "image": "busybox"]], "schedulerName": "none"]
        if !node.isEmpty { spec["nodeName"] = .string(node) }
        return [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": .object(labels)],
            "spec": .object(spec),
        ]
    }

    /// The server's pods as name → resourceVersion.
    func serverState() async throws -> [String: String] {
        let list = try await client.list(CoreV1.Pod.self, .pods, namespace: "default")
        return Dictionary(uniqueKeysWithValues: list.items.map { ($0.metadata.name, $0.metadata.resourceVersion) })
    }

    func shutdown() { sim.shutdown() }
}

/// Collects deltas from an informer handler.
final class DeltaLog: Sendable {
    private let deltas = Mutex<[Delta<CoreV1.Pod>]>([])

    func append(_ delta: Delta<CoreV1.Pod>) { deltas.withLock { $0.append(delta) } }

    var all: [Delta<CoreV1.Pod>] { deltas.withLock { $0 } }

    func deleted(_ name: String) -> Bool {
        all.contains { if case .deleted(let pod) = $0 { return pod.metadata.name == name } else { return false } }
    }
}

/// A flag a test opens to let a waiting handler go on.
final class Gate: Sendable {
    private let opened = Mutex(false)

    func open() { opened.withLock { $0 = true } }

    var isOpen: Bool { opened.withLock { $0 } }
}

func storeState(_ store: Store<CoreV1.Pod>) -> [String: String] {
    Dictionary(uniqueKeysWithValues: store.list().map { ($0.metadata.name, $0.metadata.resourceVersion) })
}

/// Polls an async condition every 20 ms until it holds or `timeout` seconds pass.
func waitUntil(timeout: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

@Suite struct ReflectorTests {
    @Test func paginatedListThenWatchWithIndexes() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        for index in 0..<7 {
            _ = try await cluster.client.create(
                .pods, namespace: "default", cluster.pod("p\(index)", node: index % 2 == 0 ? "default-0" : "default-1"))
        }
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.pageSize = 2
        let informer = Informer<CoreV1.Pod>(
            client: cluster.client, resource: .pods, configuration: configuration,
            indexers: ["node": { [$0.spec.nodeName] }])
        let log = DeltaLog()
        informer.addHandler { log.append($0) }
        cluster.sim.stats.reset()
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced })
        #expect(informer.store.count == 7)
        #expect((cluster.sim.stats.counts["list pods"] ?? 0) == 4, "seven pods in pages of two")
        #expect(informer.store.byIndex("node", "default-0").map(\.metadata.name) == ["p0", "p2", "p4", "p6"])
        #expect(log.all.count == 7)

        _ = try await cluster.client.patch(.pods, namespace: "default", name: "p1", .merge(["metadata": ["labels": ["x": "y"]]]))
        try await cluster.client.delete(.pods, namespace: "default", name: "p2", options: DeleteOptions(gracePeriodSeconds: 0))
        _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("p7", node: "default-1"))
        let expected = try await cluster.serverState()
        #expect(await waitUntil { storeState(informer.store) == expected })
        #expect(log.deleted("p2"))
        #expect(informer.store.get(namespace: "default", name: "p1")?.metadata.labels["x"] == "y")
        #expect(informer.store.byIndex("node", "default-0").map(\.metadata.name) == ["p0", "p4", "p6"])
    }

    @Test func syncedOnlyOnceTheHandlersHaveTheInitialList() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        for index in 0..<3 {
            _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("p\(index)"))
        }
        let informer = Informer<CoreV1.Pod>(
            client: cluster.client, resource: .pods, configuration: ReflectorConfiguration(namespace: "default"))
        let gate = Gate()
        let log = DeltaLog()
        informer.addHandler { delta in
            while !gate.isOpen && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            log.append(delta)
        }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.store.isReady })
        try await Task.sleep(for: .milliseconds(100))
        #expect(!informer.hasSynced, "the store holds the list, but the handler has not received it")
        gate.open()
        #expect(await waitUntil { informer.hasSynced })
        #expect(log.all.count == 3)
    }

    @Test func droppedWatchesConvergeToTheServersState() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.initialBackoff = 0.01
        configuration.maxBackoff = 0.1
        let informer = Informer<CoreV1.Pod>(client: cluster.client, resource: .pods, configuration: configuration)
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced })

        cluster.sim.faults.dropWatchesEverySeconds = 0.2
        for round in 0..<60 {
            let name = "q\(round % 12)"
            if round % 3 == 2 {
                _ = try? await cluster.client.delete(
                    .pods, namespace: "default", name: name, options: DeleteOptions(gracePeriodSeconds: 0))
            } else {
                do {
                    _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod(name))
                } catch {
                    _ = try await cluster.client.patch(
                        .pods, namespace: "default", name: name,
                        .merge(["metadata": ["labels": ["round": .string(String(round))]]]))
                }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        cluster.sim.faults.dropWatchesEverySeconds = 0
        let expected = try await cluster.serverState()
        #expect(await waitUntil { storeState(informer.store) == expected }, "the store converges to the server's exact state")
        #expect(informer.reflector.relistCount == 0, "a dropped watch resumes from its resourceVersion, no relist")
    }

    @Test func compactionForcesARelistThatDeliversMissedDeletes() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        for name in ["keep", "doomed"] { _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod(name)) }
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.initialBackoff = 0.01
        let informer = Informer<CoreV1.Pod>(client: cluster.client, resource: .pods, configuration: configuration)
        let log = DeltaLog()
        informer.addHandler { log.append($0) }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced && informer.reflector.isWatching })

        // The watch hears nothing while the object goes away and history is compacted.
        cluster.sim.faults.stallWatches = true
        try await cluster.client.delete(.pods, namespace: "default", name: "doomed")
        _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("newcomer"))
        cluster.sim.store.compact()
        cluster.sim.store.terminateAllWatches()
        cluster.sim.faults.stallWatches = false

        let expected = try await cluster.serverState()
        #expect(await waitUntil { storeState(informer.store) == expected })
        #expect(log.deleted("doomed"), "the relist delivers the delete that happened while disconnected")
        #expect(informer.reflector.relistCount >= 1)
    }

    @Test func failingListsBackOff() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        cluster.sim.faults.addFailures(.init(remaining: 1000, code: 500, verbs: ["list"]))
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.initialBackoff = 0.05
        let informer = Informer<CoreV1.Pod>(client: cluster.client, resource: .pods, configuration: configuration)
        cluster.sim.stats.reset()
        let start = Date()
        let task = Task { await informer.run() }
        #expect(await waitUntil(timeout: 30) { (cluster.sim.stats.counts["list pods"] ?? 0) >= 4 }, "it keeps trying")
        // Three waits of at least 0.05, 0.1 and 0.2 s separate the four attempts (jitter only adds).
        #expect(Date().timeIntervalSince(start) >= 0.35, "exponential backoff, not a tight loop")
        #expect(!informer.hasSynced)
        cluster.sim.faults.reset()
        #expect(await waitUntil { informer.hasSynced })
        task.cancel()
    }

    @Test func throttledListsAreRetriedAndTheStoreSizeIsExported() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        for index in 0..<3 { _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("t\(index)")) }
        // A 429 storm: the client honours Retry-After, the reflector backs off between attempts.
        cluster.sim.faults.addFailures(.init(remaining: 6, code: 429, retryAfterSeconds: 0, verbs: ["list"]))
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.initialBackoff = 0.02
        let metrics = TestMetrics()
        let informer = Informer<CoreV1.Pod>(
            client: cluster.client, resource: .pods, configuration: configuration, metricsFactory: metrics)
        cluster.sim.stats.reset()
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced })
        #expect(cluster.sim.stats.counts["list pods"] == 7, "six throttled attempts, then the list")
        #expect(try metrics.expectGauge("roost_informer_objects", [("resource", "pods")]).lastValue == 3)
    }

    @Test func stalledWatchIsReplaced() async throws {
        let cluster = try CacheTestCluster(idleGrace: 0.3)
        defer { cluster.shutdown() }
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.minWatchTimeoutSeconds = 1
        configuration.initialBackoff = 0.01
        let informer = Informer<CoreV1.Pod>(client: cluster.client, resource: .pods, configuration: configuration)
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced && informer.reflector.isWatching })
        cluster.sim.faults.stallWatches = true
        _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("during-stall"))
        #expect(await waitUntil { !informer.reflector.isWatching }, "the idle timeout notices the stall")
        cluster.sim.faults.stallWatches = false
        #expect(await waitUntil { informer.store.get(namespace: "default", name: "during-stall") != nil })
    }

    @Test func streamingListAndResyncFromCache() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        for index in 0..<4 { _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("s\(index)")) }
        var configuration = ReflectorConfiguration(namespace: "default")
        configuration.streamingList = true
        let informer = Informer<CoreV1.Pod>(client: cluster.client, resource: .pods, configuration: configuration)
        let log = DeltaLog()
        informer.addHandler { log.append($0) }
        cluster.sim.stats.reset()
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await waitUntil { informer.hasSynced })
        #expect(informer.store.count == 4)
        #expect(cluster.sim.stats.counts["list pods"] == nil, "a streaming list uses no LIST")
        _ = try await cluster.client.create(.pods, namespace: "default", cluster.pod("s4"))
        // The store is updated before the handlers run: wait for the handler to hear of s4 too.
        #expect(await waitUntil { informer.store.count == 5 && log.all.count == 5 })

        let before = cluster.sim.stats.counts
        let countBefore = log.all.count
        await informer.resync()
        #expect(log.all.count == countBefore + 5, "every cached object is re-delivered")
        #expect(cluster.sim.stats.counts["list pods"] == before["list pods"], "from the cache, not the API")
    }
}
