import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// HTTPS: the generated CA, bearer tokens, client certificates, 401 Status bodies, and HTTP/2
/// negotiated by ALPN — checked with curl, an independent TLS and HTTP/2 client.
@Suite(.enabled(if: Curl.path != nil, "curl is not installed"))
struct TLSTests {
    @Test func authenticationAndProtocols() async throws {
        try await withSim(tls: true, runKubelet: false) { sim, _ in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let material = try #require(sim.tlsMaterial)
            func write(_ name: String, _ text: String) throws -> String {
                let path = directory.appendingPathComponent(name).path
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                return path
            }
            let ca = try write("ca.crt", material.caCertificatePEM)
            let cert = try write("client.crt", material.clientCertificatePEM)
            let key = try write("client.key", material.clientKeyPEM)
            let url = "\(sim.url)/api/v1/namespaces/default/pods"

            let anonymous = try Curl.run(["--cacert", ca, url])
            #expect(anonymous.code == 401)
            #expect(
                anonymous.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized",
                    "reason": "Unauthorized", "code": 401,
                ])
            let wrongToken = try Curl.run(["--cacert", ca, "-H", "Authorization: Bearer nope", url])
            #expect(wrongToken.code == 401)

            let token = try Curl.run(["--cacert", ca, "--http2", "-H", "Authorization: Bearer \(sim.adminToken)", url])
            #expect(token.code == 200)
            #expect(token.httpVersion == "2", "HTTP/2 negotiated by ALPN")
            #expect(token.json["kind"] == "PodList")

            let http1 = try Curl.run(["--cacert", ca, "--http1.1", "-H", "Authorization: Bearer \(sim.adminToken)", url])
            #expect(http1.code == 200)
            #expect(http1.httpVersion == "1.1")

            let certificate = try Curl.run(["--cacert", ca, "--cert", cert, "--key", key, url])
            #expect(certificate.code == 200)

            let version = try Curl.run(["--cacert", ca, "\(sim.url)/version"])
            #expect(version.code == 200, "version is public, as system:public-info-viewer allows")

            // A token added at runtime (what a rotated token file would hold) is accepted at once.
            sim.authenticator.setToken("rotated", user: "robot")
            #expect(try Curl.run(["--cacert", ca, "-H", "Authorization: Bearer rotated", url]).code == 200)

            // A watch over HTTP/2 streams events.
            let watch = try Curl.run([
                "--cacert", ca, "--http2", "-H", "Authorization: Bearer \(sim.adminToken)", "--max-time", "15",
                "\(sim.url)/api/v1/namespaces?watch=true&timeoutSeconds=1",
            ])
            let lines = watch.body.split(separator: UInt8(ascii: "\n"))
            #expect(lines.count == 4, "one ADDED per initial namespace")
        }
    }
}

enum Curl {
    static let path: String? = ["/usr/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Result {
        var code: Int
        var httpVersion: String
        var body: [UInt8]
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    }

    /// Runs curl with `-s` and reports the status code and HTTP version it saw.
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/curl")
        let marker = "\n--roost-curl--"
        process.arguments = ["-s", "-w", "\(marker)%{http_code} %{http_version}"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: marker, options: .backwards) else {
            return Result(code: 0, httpVersion: "", body: Array(data))
        }
        let trailer = text[range.upperBound...].split(separator: " ")
        return Result(
            code: Int(trailer.first ?? "") ?? 0, httpVersion: trailer.count > 1 ? String(trailer[1]) : "",
            body: Array(text[..<range.lowerBound].utf8))
    }
}
