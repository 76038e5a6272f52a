import Foundation
import KubeModel

/// Everything the transport needs to talk to one API server, resolved from a kubeconfig or from the
/// pod's service account (`k8s.io/client-go/tools/clientcmd/client_config.go` `ClientConfig`,
/// `k8s.io/client-go/rest/config.go` `InClusterConfig`).
public struct ClientConfiguration: Sendable {
    /// The API server base URL, e.g. `"https://127.0.0.1:6443"`: scheme `http` or `https`, no trailing slash
    /// (a path prefix, as behind Rancher, is kept).
    public var server: String
    /// How to verify the server.
    public var tls: TLSSettings
    /// What authenticates requests.
    public var credentials: any CredentialProvider
    /// The default namespace: the context's `namespace`, in a pod `$POD_NAMESPACE` or the service account's
    /// `namespace` file, else `"default"`.
    public var namespace: String
    /// Where this came from, for logs: `"kubeconfig /path (context ctx)"` or `"in-cluster"`.
    public var source: String

    /// Creates a configuration from resolved parts.
    public init(
        server: String, tls: TLSSettings = TLSSettings(), credentials: any CredentialProvider,
        namespace: String = "default", source: String
    ) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
    }

    /// Resolution order (SPEC): explicit kubeconfig path, else in-cluster (KUBERNETES_SERVICE_HOST/PORT + the
    /// service-account files under `inClusterDirectory`), else $KUBECONFIG (colon-separated list, merged first-wins like client-go),
    /// else ~/.kube/config. `context` overrides current-context.
    ///
    /// - Parameters:
    ///   - kubeconfigPath: a kubeconfig file that must exist (as `kubectl --kubeconfig`).
    ///   - context: the context to use instead of `current-context`. Giving one skips in-cluster detection.
    ///   - environment: where `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`, `POD_NAMESPACE`, `KUBECONFIG`,
    ///     `HOME` are looked up; also the environment exec plugins inherit.
    ///   - homeDirectory: overrides `$HOME` for `~/.kube/config`.
    ///   - inClusterDirectory: the service-account directory holding `token`, `ca.crt` and `namespace`.
    ///     In-cluster configuration is used when both service variables are set and `token` exists there.
    /// - Throws: ``ConfigurationError``: `.notConfigured` when no source applies or no context is chosen, and
    ///   the errors of ``Kubeconfig/load(path:)``, ``fromKubeconfig(_:context:environment:source:)`` and
    ///   ``inCluster(environment:directory:)``.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        inClusterDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws(ConfigurationError) -> ClientConfiguration {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            let kubeconfig = try Kubeconfig.load(path: kubeconfigPath)
            return try fromKubeconfig(kubeconfig, context: context, environment: environment)
        }
        if context == nil, isInCluster(environment: environment, directory: inClusterDirectory) {
            return try inCluster(environment: environment, directory: inClusterDirectory)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            let kubeconfig = try Kubeconfig.load(paths: paths)
            guard !kubeconfig.sources.isEmpty else {
                throw ConfigurationError(
                    .notConfigured, "no configuration: none of the files in $KUBECONFIG (\(list)) exists")
            }
            return try fromKubeconfig(kubeconfig, context: context, environment: environment)
        }
        let home = homeDirectory ?? environment["HOME"] ?? NSHomeDirectory()
        let defaultPath = ConfigFileAccess.resolve(".kube/config", against: home) ?? "~/.kube/config"
        if ConfigFileAccess.exists(defaultPath) {
            let kubeconfig = try Kubeconfig.load(path: defaultPath)
            return try fromKubeconfig(kubeconfig, context: context, environment: environment)
        }
        throw ConfigurationError(
            .notConfigured,
            "no configuration: not in a cluster (KUBERNETES_SERVICE_HOST/PORT and \(inClusterDirectory)/token), "
                + "$KUBECONFIG is not set, and \(defaultPath) does not exist")
    }

    /// Resolves one context of a (loaded, possibly merged) kubeconfig.
    ///
    /// - Server: must be `http://` or `https://`; a URL without a scheme gets `https://` (client-go's
    ///   `DefaultServerURL` with TLS); trailing slashes are dropped.
    /// - TLS: `certificate-authority-data` wins over `certificate-authority`, whose file is read now;
    ///   `insecure-skip-tls-verify` together with a CA is an error (client-go `transport.TLSConfigFor`), alone
    ///   it logs a warning.
    /// - Credentials: `exec` → ``ExecCredentialProvider``; `tokenFile` → ``TokenFileCredentialProvider``
    ///   (read once now so a missing file fails early; `token` is its fallback); else `token` and the client
    ///   certificate as ``StaticCredentialProvider``. `*-data` wins over the file; certificate and key files are
    ///   read once now. A certificate without a key (or the reverse) is an error.
    /// - Parameters:
    ///   - context: overrides `current-context`.
    ///   - environment: the environment exec plugins inherit.
    ///   - source: overrides the ``source`` description.
    /// - Throws: ``ConfigurationError``: `.notConfigured` (no context chosen), `.missingReference` (context,
    ///   cluster or user not defined; the message names it and the files), `.invalidValue` (server URL, CA with
    ///   insecure, half a key pair, no server), `.unreadableFile` (CA, certificate, key or token file),
    ///   `.unsupported` (`auth-provider`).
    public static func fromKubeconfig(
        _ kubeconfig: Kubeconfig, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, source: String? = nil
    ) throws(ConfigurationError) -> ClientConfiguration {
        let files = kubeconfig.sources.isEmpty ? "(no file)" : kubeconfig.sources.joined(separator: ":")
        guard let contextName = context ?? kubeconfig.currentContext, !contextName.isEmpty else {
            throw ConfigurationError(
                .notConfigured, "kubeconfig \(files): current-context is not set and no context was given")
        }
        guard let chosen = kubeconfig.contexts[contextName] else {
            let known = kubeconfig.contexts.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw ConfigurationError(
                .missingReference,
                "kubeconfig \(files): context \"\(contextName)\" is not defined (contexts: \(known.isEmpty ? "none" : known))"
            )
        }
        let origin = chosen.locationOfOrigin.isEmpty ? files : chosen.locationOfOrigin
        guard !chosen.cluster.isEmpty else {
            throw ConfigurationError(.missingReference, "kubeconfig \(origin): context \"\(contextName)\" names no cluster")
        }
        guard let cluster = kubeconfig.clusters[chosen.cluster] else {
            throw ConfigurationError(
                .missingReference,
                "kubeconfig \(files): context \"\(contextName)\" refers to cluster \"\(chosen.cluster)\", which is not defined")
        }
        var user = Kubeconfig.User()
        if !chosen.user.isEmpty {
            guard let found = kubeconfig.users[chosen.user] else {
                throw ConfigurationError(
                    .missingReference,
                    "kubeconfig \(files): context \"\(contextName)\" refers to user \"\(chosen.user)\", which is not defined")
            }
            user = found
        }

        let clusterWhere = "cluster \"\(chosen.cluster)\" (from \(cluster.locationOfOrigin))"
        guard let rawServer = cluster.server else {
            throw ConfigurationError(.invalidValue, "kubeconfig \(clusterWhere): server is not set")
        }
        let server = try normalizeServer(rawServer, where: clusterWhere)

        var ca = cluster.certificateAuthorityData
        if ca == nil, let path = cluster.certificateAuthority {
            ca = try ConfigFileAccess.readReferenced(path, what: "certificate-authority of \(clusterWhere)")
        }
        if cluster.insecureSkipTLSVerify {
            if ca != nil {
                throw ConfigurationError(
                    .invalidValue,
                    "kubeconfig \(clusterWhere): insecure-skip-tls-verify cannot be combined with a certificate authority")
            }
            configLogger.warning(
                "TLS VERIFICATION IS DISABLED: insecure-skip-tls-verify is set; the API server's identity is not checked",
                metadata: ["cluster": "\(chosen.cluster)", "server": "\(server)", "kubeconfig": "\(cluster.locationOfOrigin)"])
        }
        let tls = TLSSettings(
            caCertificatePEM: ca, insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)

        let credentials = try makeCredentials(
            user: user, userName: chosen.user, cluster: cluster, server: server, ca: ca, environment: environment)
        return ClientConfiguration(
            server: server, tls: tls, credentials: credentials, namespace: chosen.namespace ?? "default",
            source: source ?? "kubeconfig \(files) (context \(contextName))")
    }

    static func makeCredentials(
        user: Kubeconfig.User, userName: String, cluster: Kubeconfig.Cluster, server: String, ca: [UInt8]?,
        environment: [String: String]
    ) throws(ConfigurationError) -> any CredentialProvider {
        let userWhere = "user \"\(userName)\" (from \(user.locationOfOrigin))"
        if user.hasAuthProvider {
            throw ConfigurationError(
                .unsupported, "kubeconfig \(userWhere): auth-provider is not supported; use an exec plugin instead")
        }
        if user.hasBasicAuth {
            configLogger.warning(
                "kubeconfig user has username/password (basic auth), which Roost ignores",
                metadata: ["user": "\(userName)", "kubeconfig": "\(user.locationOfOrigin)"])
        }
        var certificate = user.clientCertificateData
        if certificate == nil, let path = user.clientCertificate {
            certificate = try ConfigFileAccess.readReferenced(path, what: "client-certificate of \(userWhere)")
        }
        var key = user.clientKeyData
        if key == nil, let path = user.clientKey {
            key = try ConfigFileAccess.readReferenced(path, what: "client-key of \(userWhere)")
        }
        if (certificate == nil) != (key == nil) {
            let missing = certificate == nil ? "client-certificate" : "client-key"
            throw ConfigurationError(
                .invalidValue, "kubeconfig \(userWhere): \(missing) is missing (a client certificate needs both)")
        }
        let base = Credentials(bearerToken: user.token, clientCertificatePEM: certificate, clientKeyPEM: key)

        if let exec = user.exec {
            let info = ExecClusterInfo(
                server: server, tlsServerName: cluster.tlsServerName, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
                certificateAuthorityData: ca, proxyURL: cluster.proxyURL, disableCompression: cluster.disableCompression,
                config: cluster.execExtension)
            return ExecCredentialProvider(
                config: exec, userName: userName, cluster: info, base: base, environment: environment)
        }
        if let tokenFile = user.tokenFile {
            let provider = TokenFileCredentialProvider(
                path: tokenFile, initialToken: user.token, clientCertificatePEM: certificate, clientKeyPEM: key)
            if user.token == nil {
                do {
                    _ = try provider.currentToken()
                } catch {
                    throw ConfigurationError(.unreadableFile, "kubeconfig \(userWhere): \(error.message)")
                }
            }
            return provider
        }
        return StaticCredentialProvider(base)
    }

    /// `raw` as an http(s) base URL without trailing slash.
    static func normalizeServer(_ raw: String, where place: String) throws(ConfigurationError) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "https://" + text }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(.invalidValue, "kubeconfig \(place): server \"\(raw)\" is not an http(s) URL")
        }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Whether in-cluster configuration applies: both service variables set and a token file present.
    public static func isInCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) -> Bool {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return false }
        return ConfigFileAccess.exists(ConfigFileAccess.resolve("token", against: directory) ?? "token")
    }

    /// The configuration of a pod's service account (`rest.InClusterConfig`): server
    /// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (an IPv6 host in brackets), the `token`
    /// file as a rotating ``TokenFileCredentialProvider``, `ca.crt` as the CA (when it cannot be read a warning
    /// is logged and the system trust store is used, as client-go does), and the namespace from
    /// `$POD_NAMESPACE`, else the `namespace` file, else `"default"`.
    /// - Parameters:
    ///   - tokenRefreshInterval: how often the token file is re-read (60 s).
    ///   - now: the clock for the token file provider (injectable for tests).
    /// - Throws: ``ConfigurationError`` `.notConfigured` when the service variables are missing,
    ///   `.unreadableFile` when the token cannot be read.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = "/var/run/secrets/kubernetes.io/serviceaccount",
        tokenRefreshInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ConfigurationError) -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw ConfigurationError(
                .notConfigured, "not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let server = "https://\(hostPart):\(port)"
        let tokenPath = ConfigFileAccess.resolve("token", against: directory) ?? "token"
        let provider = TokenFileCredentialProvider(path: tokenPath, refreshInterval: tokenRefreshInterval, now: now)
        do {
            _ = try provider.currentToken()
        } catch {
            throw ConfigurationError(.unreadableFile, "in-cluster configuration: \(error.message)")
        }
        var ca: [UInt8]?
        let caPath = ConfigFileAccess.resolve("ca.crt", against: directory) ?? "ca.crt"
        do {
            ca = try ConfigFileAccess.readAll(caPath)
        } catch {
            configLogger.warning(
                "in-cluster CA file unreadable; verifying the API server against the system trust store",
                metadata: ["path": "\(caPath)", "error": "\(error.reason)"])
        }
        var namespace = "default"
        if let podNamespace = environment["POD_NAMESPACE"], !podNamespace.isEmpty {
            namespace = podNamespace
        } else if let bytes = try? ConfigFileAccess.readAll(
            ConfigFileAccess.resolve("namespace", against: directory) ?? "namespace")
        {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        return ClientConfiguration(
            server: server, tls: TLSSettings(caCertificatePEM: ca), credentials: provider, namespace: namespace,
            source: "in-cluster")
    }
}
