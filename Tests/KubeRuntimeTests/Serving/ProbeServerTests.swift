import Foundation
import KubeClient
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

@testable import KubeRuntime

@Suite struct ProbeServerTests {
    @Test func probesAndMetricsUntilGracefulShutdown() async throws {
        let registry = PrometheusCollectorRegistry()
        let adds: Prometheus.Counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(subsystem: "workqueue", metricName: "adds", unitName: "total", helpText: "Adds."),
            labels: [("name", "pods")])
        adds.increment(by: Int64(3))
        let checks = HealthChecks()
        let synced = Atomic<Bool>(false)
        checks.addLivenessCheck("ping") { nil }
        checks.addReadinessCheck("informer-pods") { synced.load(ordering: .relaxed) ? nil : "cache not synced" }
        let server = try ProbeServer(address: "127.0.0.1:0", endpoints: [.metrics, .probes], registry: registry, checks: checks)
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        #expect(await waitUntil { server.boundPort != nil })
        let base = "http://127.0.0.1:\(server.boundPort ?? 0)"

        let notReady = try await transport.send(HTTPRequest(method: "GET", url: base + "/readyz"))
        #expect(notReady.head.status == 500)
        #expect(String(decoding: notReady.body, as: UTF8.self).contains("[-]informer-pods failed: cache not synced"))
        synced.store(true, ordering: .relaxed)
        let ready = try await transport.send(HTTPRequest(method: "GET", url: base + "/readyz"))
        #expect(ready.head.status == 200)
        let verbose = try await transport.send(HTTPRequest(method: "GET", url: base + "/readyz?verbose"))
        #expect(String(decoding: verbose.body, as: UTF8.self).contains("[+]informer-pods ok"))
        let alive = try await transport.send(HTTPRequest(method: "GET", url: base + "/healthz"))
        #expect(alive.head.status == 200)
        let metrics = try await transport.send(HTTPRequest(method: "GET", url: base + "/metrics"))
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"workqueue_adds_total{name="pods"} 3"#))
        let missing = try await transport.send(HTTPRequest(method: "GET", url: base + "/nothing"))
        #expect(missing.head.status == 404)

        await group.triggerGracefulShutdown()
        try await running.value
        await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: "GET", url: base + "/healthz", connectTimeout: 1))
        }
    }

    @Test func badAddressesAreRefused() {
        #expect(throws: ProbeServer.BindError.self) {
            try ProbeServer(address: "8080", endpoints: .probes, registry: nil, checks: HealthChecks())
        }
        #expect(throws: ProbeServer.BindError.self) {
            try ProbeServer(address: ":99999", endpoints: .probes, registry: nil, checks: HealthChecks())
        }
    }
}
