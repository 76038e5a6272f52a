import Foundation
import KubeModel
import Testing

@testable import KubeClient

@Suite("Exec credential plugin")
struct ExecCredentialProviderTests {
    static let v1 = "client.authentication.k8s.io/v1"

    /// Writes a plugin script that appends a line to `runs` on every run, then runs `body`.
    func plugin(_ dir: ConfigTempDirectory, _ body: String) throws -> String {
        try dir.write(
            "plugin.sh",
            """
            #!/bin/sh
            echo run >> "\(dir.url("runs"))"
            \(body)
            """, executable: true)
    }

    func runs(_ dir: ConfigTempDirectory) -> Int {
        guard let text = try? String(contentsOfFile: dir.url("runs"), encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").count
    }

    func provider(
        _ command: String, args: [String] = [], env: [Kubeconfig.EnvVar] = [], hint: String? = nil,
        cluster: ExecClusterInfo? = nil, provideClusterInfo: Bool = false, timeout: Duration = .seconds(30),
        clock: ConfigTestClock = ConfigTestClock(), base: Credentials = Credentials()
    ) -> ExecCredentialProvider {
        ExecCredentialProvider(
            config: Kubeconfig.ExecConfig(
                apiVersion: Self.v1, command: command, args: args, env: env, installHint: hint,
                provideClusterInfo: provideClusterInfo),
            userName: "dev", cluster: cluster, base: base, environment: ["PATH": "/usr/bin:/bin"], timeout: timeout,
            now: clock.closure)
    }

    static func credential(token: String, expires: String? = nil) -> String {
        let expiry = expires.map { ",\"expirationTimestamp\":\"\($0)\"" } ?? ""
        return #"{"apiVersion":"\#(v1)","kind":"ExecCredential","status":{"token":"\#(token)"\#(expiry)}}"#
    }

    @Test func tokenIsCachedUntilShortlyBeforeExpiry() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        // Expires at 1_700_000_100 (ConfigTestClock starts at 1_700_000_000).
        let script = try plugin(dir, "echo '\(Self.credential(token: "t1", expires: "2023-11-14T22:15:00Z"))'")
        let clock = ConfigTestClock()
        let exec = provider(script, clock: clock)
        #expect(try await exec.credentials().bearerToken == "t1")
        #expect(try await exec.credentials().bearerToken == "t1")
        #expect(runs(dir) == 1)
        clock.advance(85)  // 15 s before expiry: still cached
        _ = try await exec.credentials()
        #expect(runs(dir) == 1)
        clock.advance(6)  // 9 s before expiry: inside the 10 s leeway
        _ = try await exec.credentials()
        #expect(runs(dir) == 2)
    }

    @Test func expiredCredentialRerunsNextCall() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let script = try plugin(dir, "echo '\(Self.credential(token: "old", expires: "2001-01-01T00:00:00.5Z"))'")
        let exec = provider(script)
        #expect(try await exec.credentials().bearerToken == "old")
        #expect(try await exec.credentials().bearerToken == "old")
        #expect(runs(dir) == 2)
    }

    @Test func concurrentCallersShareOneRun() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let script = try plugin(dir, "sleep 0.5\necho '\(Self.credential(token: "shared"))'")
        let exec = provider(script)
        async let first = exec.credentials()
        async let second = exec.credentials()
        let (a, b) = try await (first, second)
        #expect(a.bearerToken == "shared" && b.bearerToken == "shared")
        #expect(runs(dir) == 1)
    }

    @Test func invalidateForcesRerun() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let script = try plugin(dir, "echo '\(Self.credential(token: "forever"))'")
        let exec = provider(script)
        _ = try await exec.credentials()
        _ = try await exec.credentials()
        #expect(runs(dir) == 1)
        await exec.invalidate()
        _ = try await exec.credentials()
        #expect(runs(dir) == 2)
    }

    @Test func nonZeroExitReportsStderrAndHint() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let script = try plugin(dir, "echo 'login expired, run sso-login' >&2\nexit 3")
        let exec = provider(script, hint: "Install sso-login from the wiki")
        let error = await #expect(throws: ConfigurationError.self) { try await exec.credentials() }
        #expect(error?.kind == .execPlugin)
        #expect(error?.message.contains("status 3") == true)
        #expect(error?.message.contains("login expired, run sso-login") == true)
        #expect(error?.message.contains("Install sso-login from the wiki") == true)
        #expect(error?.message.contains("user \"dev\"") == true)
        // Failures are not cached.
        _ = await #expect(throws: ConfigurationError.self) { try await exec.credentials() }
        #expect(runs(dir) == 2)
    }

    @Test func badOutputIsRejected() async throws {
        let cases: [(String, String)] = [
            ("echo 'not json'", "not a JSON ExecCredential"),
            (
                #"echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}}'"#,
                "apiVersion"
            ),
            (#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod","status":{"token":"x"}}'"#, "kind"),
            (#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}'"#, "no status"),
            (#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}'"#, "neither"),
            (
                #"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientKeyData":"k"}}'"#,
                "only one"
            ),
            (
                #"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x","expirationTimestamp":"soon"}}'"#,
                "RFC 3339"
            ),
        ]
        for (body, expected) in cases {
            let dir = try ConfigTempDirectory()
            defer { dir.cleanup() }
            let exec = provider(try plugin(dir, body))
            let error = await #expect(throws: ConfigurationError.self, "\(expected)") { try await exec.credentials() }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should mention \(expected)")
        }
    }

    @Test func environmentArgsAndClusterInfo() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        // Echo back what the plugin saw: token = "$1-$FOO", the exec info saved to a file.
        let script = try plugin(
            dir,
            """
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.url("info"))"
            printf '{"apiVersion":"\(Self.v1)","kind":"ExecCredential","status":{"token":"%s-%s","clientCertificateData":"CERT","clientKeyData":"KEY"}}' "$1" "$FOO"
            """)
        let cluster = ExecClusterInfo(
            server: "https://x:6443", tlsServerName: "api", certificateAuthorityData: Array("CA".utf8),
            config: ["audience": "roost"])
        let exec = provider(
            script, args: ["arg1"], env: [.init(name: "FOO", value: "bar")], cluster: cluster, provideClusterInfo: true)
        let credentials = try await exec.credentials()
        #expect(credentials.bearerToken == "arg1-bar")
        #expect(credentials.clientCertificatePEM == Array("CERT".utf8))
        #expect(credentials.clientKeyPEM == Array("KEY".utf8))
        let info = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.url("info")))))
        #expect(info["apiVersion"] == .string(Self.v1))
        #expect(info["kind"] == "ExecCredential")
        #expect(info[path: ["spec", "interactive"]] == false)
        #expect(info[path: ["spec", "cluster", "server"]] == "https://x:6443")
        #expect(info[path: ["spec", "cluster", "tls-server-name"]] == "api")
        #expect(info[path: ["spec", "cluster", "certificate-authority-data"]] == .string(configBase64("CA")))
        #expect(info[path: ["spec", "cluster", "config", "audience"]] == "roost")
    }

    @Test func clusterInfoOnlyWhenRequested() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let script = try plugin(
            dir, "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"\(dir.url("info"))\"\necho '\(Self.credential(token: "t"))'")
        let exec = provider(script, cluster: ExecClusterInfo(server: "https://x"))
        _ = try await exec.credentials()
        let info = try String(contentsOfFile: dir.url("info"), encoding: .utf8)
        #expect(info == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#)
    }

    @Test func commandFoundOnPathOrNot() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let missing = provider("roost-no-such-plugin", hint: "brew install it")
        let error = await #expect(throws: ConfigurationError.self) { try await missing.credentials() }
        #expect(error?.message.contains("not found") == true)
        #expect(error?.message.contains("brew install it") == true)

        try dir.write("bin/roost-test-plugin", "#!/bin/sh\necho '\(Self.credential(token: "via-path"))'\n", executable: true)
        let found = ExecCredentialProvider(
            config: .init(apiVersion: Self.v1, command: "roost-test-plugin"), userName: "dev",
            environment: ["PATH": "/usr/bin:\(dir.url("bin"))"])
        #expect(try await found.credentials().bearerToken == "via-path")
    }

    @Test func timeoutKillsThePlugin() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let exec = provider(try plugin(dir, "exec sleep 20"), timeout: .milliseconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: ConfigurationError.self) { try await exec.credentials() }
        #expect(error?.message.contains("did not finish") == true)
        // Well under the plugin's own 20 s: it was killed (generous bound for a loaded CI machine).
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func staticClientCertificateIsKeptForTokenOutput() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let exec = provider(
            try plugin(dir, "echo '\(Self.credential(token: "t"))'"),
            base: Credentials(clientCertificatePEM: [1], clientKeyPEM: [2]))
        #expect(try await exec.credentials() == Credentials(bearerToken: "t", clientCertificatePEM: [1], clientKeyPEM: [2]))
    }

    @Test func kubeconfigExecUserBuildsProvider() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        try dir.write("bin/plugin", "#!/bin/sh\necho '\(Self.credential(token: "from-kubeconfig"))'\n", executable: true)
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://x:6443"}}]
            users:
            - name: u
              user:
                exec: {apiVersion: \(Self.v1), command: ./bin/plugin, interactiveMode: Never}
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """)
        let config = try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        #expect(try await config.credentials.credentials().bearerToken == "from-kubeconfig")
    }
}
