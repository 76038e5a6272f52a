/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL, e.g. `https://127.0.0.1:6443/api/v1/pods?limit=500`.
    public var url: String
    /// Header lines in order; names as given.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var tls: TransportTLS
    /// Seconds allowed to establish the connection (TCP + TLS).
    public var connectTimeout: Double
    /// Seconds allowed for the whole exchange; nil for none (watches).
    public var totalTimeout: Double?
    /// Seconds allowed until the response head arrives; nil for none.
    public var responseTimeout: Double?
    /// A streaming response ends with ``TransportError/idle(seconds:)`` when no byte arrives for
    /// this many seconds; nil disables the check.
    public var idleTimeout: Double?

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        tls: TransportTLS = TransportTLS(), connectTimeout: Double = 10, totalTimeout: Double? = 60,
        responseTimeout: Double? = nil, idleTimeout: Double? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
    }
}

/// TLS material for one request, PEM-encoded.
public struct TransportTLS: Sendable, Equatable {
    /// CA bundle to verify the server with; nil uses the system trust store.
    public var caCertificatePEM: [UInt8]?
    /// Skip server verification entirely (only when the kubeconfig asks for it).
    public var insecureSkipVerify: Bool
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// The name to send as SNI and verify the server certificate against instead of the URL's
    /// host, while still connecting to the URL's host and port: the kubeconfig cluster's
    /// `tls-server-name` (client-go `rest.TLSClientConfig.ServerName`). Nil or empty uses the
    /// URL's host; ignored for `http` URLs.
    public var serverName: String?

    public init(
        caCertificatePEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil, serverName: String? = nil
    ) {
        self.caCertificatePEM = caCertificatePEM
        self.insecureSkipVerify = insecureSkipVerify
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.serverName = serverName
    }
}

/// Status line and headers of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    /// "1.1" or "2".
    public var httpVersion: String
    /// Header names lowercased; repeated headers joined with ", ".
    public var headers: [String: String]

    public init(status: Int, httpVersion: String, headers: [String: String]) {
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
    }
}

/// A complete response.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]
}

/// Why a transfer failed below HTTP: no response, or the stream broke.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl reported an error (connection refused, DNS, TLS handshake, reset ...).
    case curl(code: Int, message: String)
    /// The connection or the whole request took longer than allowed.
    case timedOut(String)
    /// A streaming response delivered no byte for this many seconds.
    case idle(seconds: Double)
    /// The calling task was cancelled.
    case cancelled
    /// The transport was shut down.
    case shutDown
    /// A libcurl option could not be set (a build without a needed feature).
    case setup(String)

    public var description: String {
        switch self {
        case .curl(let code, let message): return "transport error (curl \(code)): \(message)"
        case .timedOut(let what): return "timed out: \(what)"
        case .idle(let seconds): return "no data for \(Int(seconds)) s: the connection is considered dead"
        case .cancelled: return "cancelled"
        case .shutDown: return "the HTTP transport is shut down"
        case .setup(let what): return "transport setup failed: \(what)"
        }
    }

    /// Whether the request may have reached the server (matters for retrying unsafe verbs).
    public var requestMayHaveBeenSent: Bool {
        switch self {
        case .curl(let code, _):
            // 6/7: could not resolve/connect; 35/58/60: TLS setup and certificate errors.
            return ![6, 7, 35, 58, 60].contains(code)
        case .timedOut, .idle: return true
        case .cancelled, .shutDown, .setup: return false
        }
    }
}
