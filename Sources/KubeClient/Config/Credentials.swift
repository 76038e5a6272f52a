import Logging

/// The logger the configuration layer reports warnings on (insecure TLS, failed token file reads,
/// failing exec plugins).
let configLogger = Logger(label: "roost.kubeclient")

/// TLS settings for one API server, resolved from a kubeconfig cluster or from the in-cluster
/// service-account files (`k8s.io/client-go/rest/config.go` `TLSClientConfig`).
public struct TLSSettings: Sendable, Equatable {
    /// PEM-encoded CA bundle to verify the server with; nil means the system trust store.
    /// From `certificate-authority-data` (which wins, as in client-go) or the `certificate-authority` file.
    public var caCertificatePEM: [UInt8]?
    /// Skip server certificate verification. Only set when the kubeconfig says
    /// `insecure-skip-tls-verify: true`; loading such a configuration logs a warning.
    public var insecureSkipVerify: Bool
    /// The name to verify the server certificate against (and send as SNI) instead of the
    /// server URL's host: the cluster's `tls-server-name`.
    public var serverName: String?

    /// Creates TLS settings; the defaults verify against the system trust store.
    public init(caCertificatePEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.caCertificatePEM = caCertificatePEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// What authenticates one request: a bearer token, a client certificate, both, or neither (anonymous).
public struct Credentials: Sendable, Equatable {
    /// Sent as `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// PEM-encoded client certificate (chain) for mutual TLS; set together with ``clientKeyPEM``.
    public var clientCertificatePEM: [UInt8]?
    /// PEM-encoded private key of ``clientCertificatePEM``.
    public var clientKeyPEM: [UInt8]?

    /// Creates credentials; all fields default to nil (anonymous).
    public init(bearerToken: String? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
        self.bearerToken = bearerToken
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}

/// A source of ``Credentials`` that may change over time (rotated token files, exec plugins).
///
/// The transport calls ``credentials()`` before every request and ``invalidate()`` after a 401.
public protocol CredentialProvider: Sendable {
    /// The credentials to use now. Implementations refresh as needed: a token file is re-read when the last read is older than
    /// `tokenFileRefreshInterval` (default 60 s; a failed read keeps the last good token and logs it); an exec plugin is
    /// re-run shortly before `expirationTimestamp` (10 s early, or when expired) and its result cached until then.
    /// - Throws: ``ConfigurationError`` (`.tokenFile`, `.execPlugin`) when no usable credentials can be produced.
    func credentials() async throws(ConfigurationError) -> Credentials
    /// The server answered 401 with these credentials: drop cached exec credentials / re-read the token file on next use.
    func invalidate() async
}

/// Credentials that never change: a kubeconfig `token`, client certificate and key, or nothing.
public struct StaticCredentialProvider: CredentialProvider {
    /// The credentials returned by every call.
    public let value: Credentials

    /// Wraps fixed credentials.
    public init(_ credentials: Credentials) { value = credentials }

    /// Returns ``value``; never throws.
    public func credentials() async throws(ConfigurationError) -> Credentials { value }

    /// Does nothing: there is nothing to refresh.
    public func invalidate() async {}
}
