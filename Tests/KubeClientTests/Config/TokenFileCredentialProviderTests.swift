import Foundation
import Testing

@testable import KubeClient

@Suite("Token file rotation")
struct TokenFileCredentialProviderTests {
    @Test func rereadsAfterIntervalAndKeepsLastGoodToken() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let clock = ConfigTestClock()
        let path = try dir.write("token", "one\n")
        let provider = TokenFileCredentialProvider(path: path, refreshInterval: .seconds(60), now: clock.closure)
        #expect(try await provider.credentials().bearerToken == "one")

        try dir.write("token", "two")
        clock.advance(30)
        #expect(try await provider.credentials().bearerToken == "one")  // still cached
        clock.advance(31)
        #expect(try await provider.credentials().bearerToken == "two")

        try dir.remove("token")
        clock.advance(61)
        #expect(try await provider.credentials().bearerToken == "two")  // last good token kept
        try dir.write("token", "")
        #expect(try await provider.credentials().bearerToken == "two")  // empty file is a failed read

        try dir.write("token", "three")
        #expect(try await provider.credentials().bearerToken == "three")  // a failed read retries next call
    }

    @Test func invalidateForcesReread() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let clock = ConfigTestClock()
        let path = try dir.write("token", "one")
        let provider = TokenFileCredentialProvider(
            path: path, clientCertificatePEM: [1], clientKeyPEM: [2], now: clock.closure)
        #expect(try await provider.credentials() == Credentials(bearerToken: "one", clientCertificatePEM: [1], clientKeyPEM: [2]))
        try dir.write("token", "two")
        await provider.invalidate()
        #expect(try await provider.credentials().bearerToken == "two")
    }

    @Test func missingFileWithoutFallbackThrows() async throws {
        let provider = TokenFileCredentialProvider(path: "/nonexistent/roost-token")
        let error = await #expect(throws: ConfigurationError.self) { try await provider.credentials() }
        #expect(error?.kind == .tokenFile)
        #expect(error?.message.contains("/nonexistent/roost-token") == true)
        let withFallback = TokenFileCredentialProvider(path: "/nonexistent/roost-token", initialToken: "static")
        #expect(try await withFallback.credentials().bearerToken == "static")
    }

    @Test func concurrentCallersAreSafe() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let path = try dir.write("token", "shared")
        let provider = TokenFileCredentialProvider(path: path, refreshInterval: .zero)
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<50 { group.addTask { try await provider.credentials().bearerToken } }
            for try await token in group { #expect(token == "shared") }
        }
    }
}
