import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeSim
import Logging
import RoostDemo
import Testing

@testable import Roost

/// Started before its CRDs are installed, Roost stays up and unready, says why, and starts
/// working once they appear — it never crash-loops.
@Suite(.timeLimit(.minutes(2))) struct MissingCRDsEndToEndTests {
    @Test func unreadyUntilTheCRDsAreInstalledThenWorks() async throws {
        var simConfiguration = KubeSim.Configuration()
        simConfiguration.nodes = [NodeGroup(pool: "general", count: 1)]
        simConfiguration.timing.timeScale = 0.05
        let sim = try KubeSim(simConfiguration)
        defer { sim.shutdown() }
        try sim.api.createNamespaceIfMissing("agents")
        let client = try sim.adminClient(source: "test")
        var configuration = RoostCluster.configuration()
        configuration.healthProbeBindAddress = OperatorConfiguration.BindAddress(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "roost-e2e")
        logger.logLevel = .critical
        let roost = try RoostOperator(
            client: client, configuration: configuration, registry: nil, handlesSignals: false, logger: logger)
        let running = Task { try await roost.run() }
        defer { running.cancel() }

        let transport = try CurlTransport()
        defer { transport.shutdown() }
        #expect(await eventually { roost.manager.probeServer?.boundPort != nil })
        let readyz = "http://127.0.0.1:\(roost.manager.probeServer?.boundPort ?? 0)/readyz"
        var report = ""
        #expect(
            try await eventually {
                let response = try await transport.send(HTTPRequest(method: "GET", url: readyz))
                report = String(decoding: response.body, as: UTF8.self)
                return response.head.status == 500 && report.contains("[-]crds failed")
            })
        #expect(report.contains("kubectl apply -f crds/"), "\(report)")
        let alive = try await transport.send(
            HTTPRequest(method: "GET", url: "http://127.0.0.1:\(roost.manager.probeServer?.boundPort ?? 0)/healthz"))
        #expect(alive.head.status == 200, "alive while waiting")

        for crd in RoostCRDs.all { _ = try await client.create(.customResourceDefinitions, crd.object) }
        let runtime: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": "coder", "namespace": "agents"],
            "spec": ["template": ["spec": ["containers": [["name": "a", "image": "coder:1"]]]], "pool": ["minIdle": 1]],
        ]
        _ = try await client.create(ClusterWrites.agentRuntimes, namespace: "agents", runtime)
        #expect(
            try await eventually(timeout: 60) {
                try await transport.send(HTTPRequest(method: "GET", url: readyz)).head.status == 200
            })
        #expect(
            try await eventually {
                try await client.list(CoreV1.Pod.self, .pods, namespace: "agents").items.count == 1
            })
        await roost.shutDown()
    }
}
