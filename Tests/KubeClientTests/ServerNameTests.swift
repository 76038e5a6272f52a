import Foundation
import KubeModel
import KubeSim
import Testing

@testable import KubeClient

/// `tls-server-name`: the certificate is verified against (and SNI names) the server name while
/// the connection goes to the server URL's address.
@Suite struct ServerNameTests {
    /// All of 127.0.0.0/8 is loopback on Linux; macOS configures only 127.0.0.1.
    static let hasSecondLoopbackAddress: Bool = {
        #if os(Linux)
            return true
        #else
            return false
        #endif
    }()

    @Test func urlHostBecomesTheServerNameAndTheConnectionKeepsTheRealAddress() throws {
        let explicitPort = try #require(
            try ServerNameOverride(url: "https://127.0.0.2:6443/api/v1/pods?limit=5", serverName: "kubernetes"))
        #expect(explicitPort.url == "https://kubernetes:6443/api/v1/pods?limit=5")
        #expect(explicitPort.connectTo == "kubernetes:6443:127.0.0.2:6443")

        let defaultPort = try #require(
            try ServerNameOverride(url: "https://api.example.com/rancher/k8s/api", serverName: "kube.internal"))
        #expect(defaultPort.url == "https://kube.internal/rancher/k8s/api")
        #expect(defaultPort.connectTo == "kube.internal:443:api.example.com:443")

        let ipv6 = try #require(try ServerNameOverride(url: "https://[fd00::1]:6443/version", serverName: "kubernetes"))
        #expect(ipv6.url == "https://kubernetes:6443/version")
        #expect(ipv6.connectTo == "kubernetes:6443:[fd00::1]:6443")

        let ipv6Name = try #require(try ServerNameOverride(url: "https://10.0.0.1:6443/version", serverName: "::1"))
        #expect(ipv6Name.url == "https://[::1]:6443/version")
        #expect(ipv6Name.connectTo == "[::1]:6443:10.0.0.1:6443")
    }

    @Test func nothingToOverride() throws {
        #expect(try ServerNameOverride(url: "https://10.0.0.1:6443/api", serverName: nil) == nil)
        #expect(try ServerNameOverride(url: "https://10.0.0.1:6443/api", serverName: "") == nil)
        #expect(
            try ServerNameOverride(url: "http://10.0.0.1:8080/api", serverName: "kubernetes") == nil,
            "TLS settings do not apply to plain HTTP")
        #expect(throws: TransportError.self) {
            try ServerNameOverride(url: "https://10.0.0.1:6443/api", serverName: "not a host")
        }
    }

    /// The simulated cluster listens on 127.0.0.2, which its certificate does not name (it names
    /// localhost, kubernetes, kubernetes.default, 127.0.0.1 and ::1).
    @Test(.enabled(if: hasSecondLoopbackAddress, "needs 127.0.0.2 as a loopback address"))
    func certificateIsVerifiedAgainstTheServerName() async throws {
        _ = testMetrics
        var simConfiguration = KubeSim.Configuration()
        simConfiguration.host = "127.0.0.2"
        simConfiguration.tls = true
        simConfiguration.nodes = [NodeGroup(pool: "default", count: 1)]
        simConfiguration.timing.timeScale = 0.01
        let sim = try KubeSim(simConfiguration)
        defer { sim.shutdown() }
        #expect(sim.url.hasPrefix("https://127.0.0.2:"))

        func client(serverName: String?) throws -> KubeClient {
            var text = sim.kubeconfig()
            if let serverName {
                text = text.replacingOccurrences(
                    of: "    server: \(sim.url)\n", with: "    server: \(sim.url)\n    tls-server-name: \(serverName)\n")
            }
            let kubeconfig = try Kubeconfig.parse(Array(text.utf8), path: "test-kubeconfig")
            let configuration = try ClientConfiguration.fromKubeconfig(kubeconfig, environment: [:])
            #expect(configuration.tls.serverName == serverName)
            return try KubeClient(configuration: configuration, options: ClientFixture.fastOptions)
        }

        let named = try client(serverName: "kubernetes")
        let namespace = try await named.get(.namespaces, name: "default")
        #expect(namespace[path: ["metadata", "name"]] == "default")
        // Watches take the same route.
        let list = try await named.list(configMap, namespace: "default")
        let events = try await named.watch(
            configMap, namespace: "default",
            options: WatchOptions(resourceVersion: list[path: ["metadata", "resourceVersion"]]?.stringValue))
        _ = try await named.create(configMap, namespace: "default", configMapObject("by-server-name"))
        var iterator = events.makeAsyncIterator()
        let event = try await iterator.next()
        #expect(event?.object?[path: ["metadata", "name"]] == "by-server-name")
        events.cancel()

        try await expectVerificationFailure(try client(serverName: nil), naming: "127.0.0.2")
        try await expectVerificationFailure(try client(serverName: "wrong.example"), naming: "wrong.example")
    }

    private func expectVerificationFailure(_ client: KubeClient, naming host: String) async throws {
        do {
            _ = try await client.get(.namespaces, name: "default")
            Issue.record("the certificate does not name \(host); the request must fail")
        } catch {
            guard case .transport(.curl(let code, let message), let request) = error else {
                Issue.record("expected a TLS verification error, got \(error)")
                return
            }
            #expect(code == 60, "CURLE_PEER_FAILED_VERIFICATION, got \(code): \(message)")
            #expect(message.contains(host), "the error names the host that was checked: \(message)")
            #expect(request == "GET /api/v1/namespaces/default")
        }
    }
}
