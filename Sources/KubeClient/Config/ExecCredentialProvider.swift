import Foundation
import KubeModel

/// The cluster details an exec plugin receives in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set
/// (`k8s.io/client-go/pkg/apis/clientauthentication` `Cluster`).
public struct ExecClusterInfo: Sendable, Equatable {
    /// The normalised API server URL.
    public var server: String
    /// The cluster's `tls-server-name`.
    public var tlsServerName: String?
    /// The cluster's `insecure-skip-tls-verify`.
    public var insecureSkipTLSVerify: Bool
    /// PEM CA bundle, sent base64-encoded as `certificate-authority-data`.
    public var certificateAuthorityData: [UInt8]?
    /// The cluster's `proxy-url`.
    public var proxyURL: String?
    /// The cluster's `disable-compression`.
    public var disableCompression: Bool
    /// The cluster's `client.authentication.k8s.io/exec` extension, sent as `config`.
    public var config: JSONValue?

    /// Creates cluster information for a plugin.
    public init(
        server: String, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool = false,
        certificateAuthorityData: [UInt8]? = nil, proxyURL: String? = nil, disableCompression: Bool = false,
        config: JSONValue? = nil
    ) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityData = certificateAuthorityData
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
        self.config = config
    }

    var json: JSONValue {
        var object: JSONObject = ["server": .string(server)]
        if let tlsServerName { object["tls-server-name"] = .string(tlsServerName) }
        if insecureSkipTLSVerify { object["insecure-skip-tls-verify"] = true }
        if let certificateAuthorityData {
            object["certificate-authority-data"] = .string(Data(certificateAuthorityData).base64EncodedString())
        }
        if let proxyURL { object["proxy-url"] = .string(proxyURL) }
        if disableCompression { object["disable-compression"] = true }
        if let config { object["config"] = config }
        return .object(object)
    }
}

/// Credentials from an exec credential plugin (`k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go`).
///
/// The command runs with its `args`, the process environment plus the kubeconfig's `env` (which wins),
/// `KUBERNETES_EXEC_INFO` set to `{"apiVersion":…,"kind":"ExecCredential","spec":{"interactive":false}}`
/// (with `spec.cluster` when `provideClusterInfo`), and standard input from /dev/null.
/// Its stdout must be an `ExecCredential` of the configured `apiVersion` whose `status` has a `token`
/// and/or `clientCertificateData` + `clientKeyData` (PEM text), and optionally an RFC 3339 `expirationTimestamp`.
///
/// The result is cached until `refreshLeeway` (10 s) before `expirationTimestamp` (forever when there is
/// none) or until ``invalidate()``. At most one plugin process runs at a time: concurrent callers share
/// the run in flight. A failed run is not cached; the next call runs the plugin again.
/// Differences from client-go: an exec result's certificate replaces the kubeconfig's static one (client-go
/// lets a kubeconfig `token` win over the plugin's); `interactiveMode: Always` fails, as there is no terminal.
public actor ExecCredentialProvider: CredentialProvider {
    /// The plugin configuration.
    public let config: Kubeconfig.ExecConfig
    /// The kubeconfig user the plugin belongs to, for messages.
    public let userName: String
    private let cluster: ExecClusterInfo?
    private let base: Credentials
    private let environment: [String: String]
    private let timeout: Duration
    private let refreshLeeway: TimeInterval
    private let now: @Sendable () -> Date

    private struct Cached: Sendable {
        var credentials: Credentials
        var expiration: Date?
    }
    private var cached: Cached?
    private var inFlight: Task<Result<Cached, ConfigurationError>, Never>?

    /// - Parameters:
    ///   - config: the kubeconfig `exec` entry.
    ///   - userName: the kubeconfig user, named in errors.
    ///   - cluster: passed to the plugin when `config.provideClusterInfo` is set.
    ///   - base: static credentials (a kubeconfig client certificate) used where the plugin supplies none.
    ///   - environment: the environment the plugin inherits (and whose `PATH` finds a bare command name).
    ///   - timeout: how long one run may take before it is killed (30 s by default).
    ///   - refreshLeeway: how long before `expirationTimestamp` the plugin is run again (10 s by default).
    ///   - now: the clock (injectable for tests).
    public init(
        config: Kubeconfig.ExecConfig, userName: String, cluster: ExecClusterInfo? = nil, base: Credentials = Credentials(),
        environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(30),
        refreshLeeway: Duration = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.userName = userName
        self.cluster = cluster
        self.base = base
        self.environment = environment
        self.timeout = timeout
        self.refreshLeeway = refreshLeeway.timeIntervalSeconds
        self.now = now
    }

    /// The cached plugin credentials, running the plugin first when none are cached or they expire within
    /// the leeway.
    /// - Throws: ``ConfigurationError`` `.execPlugin`: command not found (with `installHint`), non-zero exit
    ///   (with its stderr and `installHint`), timeout, or output that is not a valid `ExecCredential`.
    public func credentials() async throws(ConfigurationError) -> Credentials {
        if let cached, !isDue(cached) { return cached.credentials }
        let task: Task<Result<Cached, ConfigurationError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let run = PluginRun(
                config: config, userName: userName, cluster: cluster, base: base, environment: environment,
                timeout: timeout)
            task = Task { await run.execute() }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task {
            inFlight = nil
            if case .success(let fresh) = result { cached = fresh }
        }
        return try result.get().credentials
    }

    /// Drops the cached credentials so that the next call runs the plugin again.
    public func invalidate() async {
        cached = nil
    }

    private func isDue(_ cached: Cached) -> Bool {
        guard let expiration = cached.expiration else { return false }
        return now().addingTimeInterval(refreshLeeway) >= expiration
    }

    /// One plugin invocation, built from Sendable values so it can run outside the actor.
    private struct PluginRun: Sendable {
        let config: Kubeconfig.ExecConfig
        let userName: String
        let cluster: ExecClusterInfo?
        let base: Credentials
        let environment: [String: String]
        let timeout: Duration

        var who: String { "exec plugin \"\(config.command)\" of user \"\(userName)\"" }

        func failure(_ message: String) -> ConfigurationError {
            var text = "\(who): \(message)"
            if let hint = config.installHint { text += "\n\n\(hint)" }
            return ConfigurationError(.execPlugin, text)
        }

        func execute() async -> Result<Cached, ConfigurationError> {
            if config.interactiveMode == .always {
                return .failure(failure("requires interactiveMode Always, but Roost runs without a terminal"))
            }
            guard let executable = locate() else {
                return .failure(failure("executable not found on PATH"))
            }
            let outcome = await PluginProcess.run(
                executable: executable, arguments: config.args, environment: pluginEnvironment(), timeout: timeout)
            switch outcome {
            case .failedToStart(let reason):
                return .failure(failure("cannot start \(executable): \(reason)"))
            case .timedOut:
                configLogger.warning("exec plugin timed out", metadata: ["command": "\(config.command)", "user": "\(userName)"])
                return .failure(failure("did not finish within \(timeout.timeIntervalSeconds) s and was killed"))
            case .exited(let status, let stdout, let stderr):
                let stderrText = Self.excerpt(stderr)
                guard status == 0 else {
                    configLogger.warning(
                        "exec plugin failed",
                        metadata: [
                            "command": "\(config.command)", "user": "\(userName)", "status": "\(status)",
                            "stderr": "\(stderrText)",
                        ])
                    return .failure(failure("exited with status \(status); stderr: \(stderrText)"))
                }
                return Result { () throws(ConfigurationError) -> Cached in try decode(stdout) }
            }
        }

        /// The command's path: as given when it contains a `/`, else the first executable match on `PATH`.
        func locate() -> String? {
            if config.command.contains("/") { return config.command }
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
                let candidate = "\(directory)/\(config.command)"
                if access(candidate, X_OK) == 0 { return candidate }
            }
            return nil
        }

        /// The inherited environment, then the kubeconfig's `env`, then `KUBERNETES_EXEC_INFO`.
        func pluginEnvironment() -> [String: String] {
            var result = environment
            for variable in config.env { result[variable.name] = variable.value }
            var spec: JSONObject = ["interactive": false]
            if config.provideClusterInfo, let cluster { spec["cluster"] = cluster.json }
            let info: JSONValue = [
                "apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": .object(spec),
            ]
            result["KUBERNETES_EXEC_INFO"] = info.jsonString
            return result
        }

        /// Validates and decodes the plugin's `ExecCredential`.
        func decode(_ stdout: [UInt8]) throws(ConfigurationError) -> Cached {
            let value: JSONValue
            do {
                value = try JSONValue.parse(stdout)
            } catch {
                throw failure("stdout is not a JSON ExecCredential: \(error)")
            }
            guard case .object = value else { throw failure("stdout is not a JSON object") }
            guard value["kind"]?.stringValue == "ExecCredential" else {
                throw failure("stdout has kind \(Self.show(value["kind"])), expected \"ExecCredential\"")
            }
            guard value["apiVersion"]?.stringValue == config.apiVersion else {
                throw failure("stdout has apiVersion \(Self.show(value["apiVersion"])), expected \"\(config.apiVersion)\"")
            }
            guard case .object(let status)? = value["status"] else { throw failure("the ExecCredential has no status") }
            let token = try statusString(status, "token")
            let certificate = try statusString(status, "clientCertificateData")
            let key = try statusString(status, "clientKeyData")
            if (certificate == nil) != (key == nil) {
                throw failure("status has only one of clientCertificateData and clientKeyData")
            }
            if token == nil && certificate == nil {
                throw failure("status has neither a token nor clientCertificateData and clientKeyData")
            }
            var expiration: Date?
            if let timestamp = try statusString(status, "expirationTimestamp") {
                guard let date = Self.parseRFC3339(timestamp) else {
                    throw failure("status.expirationTimestamp \"\(timestamp)\" is not an RFC 3339 time")
                }
                expiration = date
            }
            var credentials = base
            if let token { credentials.bearerToken = token }
            if let certificate, let key {
                credentials.clientCertificatePEM = Array(certificate.utf8)
                credentials.clientKeyPEM = Array(key.utf8)
            }
            return Cached(credentials: credentials, expiration: expiration)
        }

        func statusString(_ status: JSONObject, _ key: String) throws(ConfigurationError) -> String? {
            guard let value = status[key], value != .null else { return nil }
            guard case .string(let string) = value else {
                throw failure("status.\(key) must be a string, got \(value.typeName)")
            }
            return string.isEmpty ? nil : string
        }

        static func show(_ value: JSONValue?) -> String { value.map(\.jsonString) ?? "(none)" }

        /// At most 4 KiB of `bytes` as text, trimmed.
        static func excerpt(_ bytes: [UInt8]) -> String {
            let limit = 4096
            var text = String(decoding: bytes.prefix(limit), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if bytes.count > limit { text += "…" }
            return text.isEmpty ? "(empty)" : text
        }

        static func parseRFC3339(_ text: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text)
        }
    }
}
