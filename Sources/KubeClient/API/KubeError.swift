import KubeModel

/// A failed API request: every non-2xx response (with its decoded Status), transport failures,
/// undecodable answers, bad configuration.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The server answered with a non-2xx status (or a watch ERROR event).
    case api(APIStatusError)
    /// No usable response: connection, TLS, timeout, idle stream, cancellation. `request`
    /// names the method and path.
    case transport(TransportError, request: String)
    /// A 2xx response whose body could not be decoded.
    case decoding(String)
    /// The client's configuration or credentials are unusable.
    case configuration(String)

    public var description: String {
        switch self {
        case .api(let status): return status.description
        case .transport(let error, let request): return "\(request): \(error)"
        case .decoding(let message): return "decoding the response failed: \(message)"
        case .configuration(let message): return "client configuration: \(message)"
        }
    }

    /// The HTTP status code of an API error.
    public var code: Int? {
        if case .api(let status) = self { return status.code }
        return nil
    }

    /// The Status reason of an API error (NotFound, Conflict, Expired, ...).
    public var reason: String? {
        if case .api(let status) = self { return status.reason }
        return nil
    }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 410 Gone / Expired: a resourceVersion or continue token older than the server's history.
    public var isExpired: Bool { code == 410 }
    public var isInvalid: Bool { code == 422 }
    /// 504 with cause ResourceVersionTooLarge: the requested resourceVersion is ahead of the server.
    public var isResourceVersionTooLarge: Bool {
        if case .api(let status) = self { return status.causes.contains { $0.reason == "ResourceVersionTooLarge" } }
        return false
    }
    public var isCancelled: Bool {
        if case .transport(.cancelled, _) = self { return true }
        return false
    }
}

/// A decoded `meta/v1 Status` of a failed request (`k8s.io/apimachinery/pkg/api/errors.StatusError`).
public struct APIStatusError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String
    }

    public var code: Int
    public var reason: String
    public var message: String
    /// `details.name`, `details.group`, `details.kind`.
    public var name: String
    public var group: String
    public var kind: String
    public var causes: [Cause]
    /// `details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?

    public var description: String {
        "\(code) \(reason.isEmpty ? "Failure" : reason): \(message)"
    }

    /// Decodes a Status body; a body that is not a Status (a proxy's HTML page) gives client-go's
    /// generic message for the code.
    public init(code: Int, body: [UInt8]) {
        let status = (try? JSONValue.parse(body)).flatMap { $0["kind"] == "Status" ? $0 : nil }
        self.init(code: code, status: status)
    }

    public init(code: Int, status: JSONValue?) {
        self.code = Int(status?["code"]?.intValue ?? Int64(code))
        reason = status?["reason"]?.stringValue ?? Self.defaultReason(code)
        message =
            status?["message"]?.stringValue
            ?? "the server responded with the status code \(code) but did not return more information"
        name = status?[path: ["details", "name"]]?.stringValue ?? ""
        group = status?[path: ["details", "group"]]?.stringValue ?? ""
        kind = status?[path: ["details", "kind"]]?.stringValue ?? ""
        causes = (status?[path: ["details", "causes"]]?.arrayValue ?? []).map { cause in
            Cause(
                reason: cause["reason"]?.stringValue ?? "", message: cause["message"]?.stringValue ?? "",
                field: cause["field"]?.stringValue ?? "")
        }
        retryAfterSeconds = status?[path: ["details", "retryAfterSeconds"]]?.intValue.map(Int.init)
    }

    /// The reason kube-apiserver would give a bare status code (`errors.NewGenericServerResponse`).
    static func defaultReason(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }
}
