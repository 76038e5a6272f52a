import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Testing

@testable import KubeRuntime

@Suite struct RuntimeServiceTests {
    @Test func informerServiceStopsOnGracefulShutdownAndReportsReadiness() async throws {
        let cluster = try CacheTestCluster()
        defer { cluster.shutdown() }
        let informer = Informer<CoreV1.Pod>(
            client: cluster.client, resource: .pods, configuration: ReflectorConfiguration(namespace: "default"),
            transform: { pod in
                var slim = pod
                slim.metadata.annotations = [:]
                return slim
            })
        let checks = HealthChecks()
        checks.addInformer("pods", informer)
        #expect(checks.evaluate(ready: true).healthy == false)
        var annotated = cluster.pod("annotated")
        annotated.set(path: ["metadata", "annotations"], to: ["big": "value"])
        _ = try await cluster.client.create(.pods, namespace: "default", annotated)

        let group = ServiceGroup(
            configuration: .init(services: [informer.service(name: "pods")], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        #expect(await waitUntil { checks.evaluate(ready: true).healthy })
        #expect(
            informer.store.get(namespace: "default", name: "annotated")?.metadata.annotations.isEmpty == true, "transform applied"
        )

        cluster.sim.store.terminateAllWatches()
        cluster.sim.faults.addFailures(.init(remaining: 1000, code: 500, verbs: ["watch"]))
        #expect(await waitUntil { !checks.evaluate(ready: true).healthy }, "a broken watch makes the informer unready")
        #expect(checks.evaluate(ready: true).report.contains("[-]informer-pods failed"))
        cluster.sim.faults.reset()
        #expect(await waitUntil { checks.evaluate(ready: true).healthy })

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await waitUntil { cluster.sim.store.watcherCount == 0 }, "the watch is closed on shutdown")
    }
}
