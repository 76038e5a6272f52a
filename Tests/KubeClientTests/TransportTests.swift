import Foundation
import KubeModel
import KubeSim
import Testing

@testable import KubeClient

/// The libcurl transport against the simulated cluster over real HTTP and HTTPS.
@Suite struct TransportTests {
    static func sim(tls: Bool = false) throws -> KubeSim {
        var configuration = KubeSim.Configuration()
        configuration.tls = tls
        configuration.nodes = [NodeGroup(pool: "default", count: 1)]
        configuration.timing.timeScale = 0.01
        return try KubeSim(configuration)
    }

    static func tls(_ sim: KubeSim) -> TransportTLS {
        TransportTLS(caCertificatePEM: sim.tlsMaterial.map { Array($0.caCertificatePEM.utf8) })
    }

    @Test func plainRequestAndHTTP2OverTLS() async throws {
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        let plain = try Self.sim()
        defer { plain.shutdown() }
        let version = try await transport.send(HTTPRequest(method: "GET", url: plain.url + "/version"))
        #expect(version.head.status == 200)
        #expect(version.head.httpVersion == "1.1")
        #expect(try JSONValue.parse(version.body)["gitVersion"] != nil)

        let secure = try Self.sim(tls: true)
        defer { secure.shutdown() }
        let headers = [(name: "Authorization", value: "Bearer \(secure.adminToken)")]
        let pods = try await transport.send(
            HTTPRequest(method: "GET", url: secure.url + "/api/v1/pods", headers: headers, tls: Self.tls(secure)))
        #expect(pods.head.status == 200)
        #expect(pods.head.httpVersion == "2")
        #expect(pods.head.headers["content-type"] == "application/json")

        // Many concurrent requests multiplexed over one HTTP/2 connection.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await transport.send(
                        HTTPRequest(
                            method: "GET", url: secure.url + "/api/v1/namespaces", headers: headers, tls: Self.tls(secure))
                    ).head.status
                }
            }
            for try await status in group { #expect(status == 200) }
        }

        let unauthenticated = try await transport.send(
            HTTPRequest(method: "GET", url: secure.url + "/api/v1/pods", tls: Self.tls(secure)))
        #expect(unauthenticated.head.status == 401)

        let material = try #require(secure.tlsMaterial)
        var certificate = Self.tls(secure)
        certificate.clientCertificatePEM = Array(material.clientCertificatePEM.utf8)
        certificate.clientKeyPEM = Array(material.clientKeyPEM.utf8)
        let byCertificate = try await transport.send(
            HTTPRequest(method: "GET", url: secure.url + "/api/v1/pods", tls: certificate))
        #expect(byCertificate.head.status == 200)

        // Without the CA the server certificate is not trusted.
        await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: "GET", url: secure.url + "/version"))
        }
    }

    @Test func bodiesAndMethods() async throws {
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        let sim = try Self.sim()
        defer { sim.shutdown() }
        let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["k": "v"]]
        let created = try await transport.send(
            HTTPRequest(
                method: "POST", url: sim.url + "/api/v1/namespaces/default/configmaps",
                headers: [(name: "Content-Type", value: "application/json")], body: body.encoded()))
        #expect(created.head.status == 201)
        let patched = try await transport.send(
            HTTPRequest(
                method: "PATCH", url: sim.url + "/api/v1/namespaces/default/configmaps/c",
                headers: [(name: "Content-Type", value: "application/merge-patch+json")],
                body: Array(#"{"data":{"k":"w"}}"#.utf8)))
        #expect(patched.head.status == 200)
        #expect(try JSONValue.parse(patched.body)[path: ["data", "k"]] == "w")
        let deleted = try await transport.send(
            HTTPRequest(method: "DELETE", url: sim.url + "/api/v1/namespaces/default/configmaps/c"))
        #expect(deleted.head.status == 200)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 2_000_000)
        let large: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"],
            "data": ["k": .string(String(decoding: big, as: UTF8.self))],
        ]
        let largeCreated = try await transport.send(
            HTTPRequest(
                method: "POST", url: sim.url + "/api/v1/namespaces/default/configmaps",
                headers: [(name: "Content-Type", value: "application/json")], body: large.encoded()))
        #expect(largeCreated.head.status == 201)
        #expect(largeCreated.body.count > 2_000_000)
    }

    @Test func streamingWatchAndIdleTimeout() async throws {
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        let sim = try Self.sim()
        defer { sim.shutdown() }
        let (head, stream) = try await transport.stream(
            HTTPRequest(method: "GET", url: sim.url + "/api/v1/namespaces?watch=true", totalTimeout: nil, idleTimeout: 1))
        #expect(head.status == 200)
        var received: [UInt8] = []
        var iterator = stream.makeAsyncIterator()
        while received.filter({ $0 == UInt8(ascii: "\n") }).count < 4 {
            guard let chunk = try await iterator.next() else { break }
            received += chunk
        }
        #expect(received.filter { $0 == UInt8(ascii: "\n") }.count == 4)

        // The server keeps the stream open but sends nothing: the idle timeout ends it.
        sim.faults.stallWatches = true
        let start = Date()
        await #expect(throws: TransportError.idle(seconds: 1)) {
            while try await iterator.next() != nil {}
        }
        #expect(Date().timeIntervalSince(start) < 3)
        sim.faults.stallWatches = false
    }

    @Test func cancellationStopsATransferPromptly() async throws {
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        let sim = try Self.sim()
        defer { sim.shutdown() }
        sim.faults.stallRequests(1)
        let task = Task {
            try await transport.send(HTTPRequest(method: "GET", url: sim.url + "/api/v1/pods", totalTimeout: nil))
        }
        try await Task.sleep(for: .milliseconds(200))
        let start = Date()
        task.cancel()
        let result = await task.result
        #expect(Date().timeIntervalSince(start) < 5, "cancellation ends the transfer without waiting for the server")
        #expect(throws: TransportError.cancelled) { try result.get() }

        let (_, stream) = try await transport.stream(
            HTTPRequest(method: "GET", url: sim.url + "/api/v1/namespaces?watch=true", totalTimeout: nil))
        let consumer = Task {
            var count = 0
            for try await chunk in stream { count += chunk.count }
            return count
        }
        try await Task.sleep(for: .milliseconds(200))
        consumer.cancel()
        let ended = await consumer.result
        #expect(throws: TransportError.cancelled) { try ended.get() }
        #expect(await eventuallyAsync { sim.store.watcherCount == 0 })
    }

    @Test func connectionFailuresAreTransportErrors() async throws {
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/version", connectTimeout: 2))
        }
        let sim = try Self.sim()
        defer { sim.shutdown() }
        sim.faults.stallRequests(1)
        await #expect(throws: TransportError.timedOut("no response within 0.3 s")) {
            try await transport.send(
                HTTPRequest(method: "GET", url: sim.url + "/version", totalTimeout: nil, responseTimeout: 0.3))
        }
    }
}

/// Polls `condition` every 20 ms for up to `timeout` seconds, without blocking a thread.
func eventuallyAsync(timeout: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
