import KubeModel

/// An HTTP request as the API layer sees it, independent of the transport.
public struct APIRequest: Sendable {
    public var method: String
    /// Path without the query, percent-decoded per segment later.
    public var path: String
    public var query: [String: [String]]
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The authenticated user, or nil when anonymous.
    public var user: String?

    public init(method: String, uri: String, headers: [String: String], body: [UInt8], user: String? = nil) {
        self.method = method
        self.headers = headers
        self.body = body
        self.user = user
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = Self.parseQuery(String(uri[uri.index(after: mark)...]))
        } else {
            path = uri
            query = [:]
        }
    }

    /// The first value of a query parameter.
    public func parameter(_ name: String) -> String? { query[name]?.first }

    /// A boolean query parameter: "true"/"1" are true, as Go's strconv.ParseBool reads them.
    public func flag(_ name: String) -> Bool {
        guard let value = parameter(name)?.lowercased() else { return false }
        return value == "true" || value == "1" || value == "t"
    }

    public var contentType: String {
        let raw = headers["content-type"] ?? ""
        let base = raw.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return base.trimmingCharacters(in: " ").lowercased()
    }

    static func parseQuery(_ query: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(String(parts[0]), plusAsSpace: true)
            let value = parts.count > 1 ? percentDecode(String(parts[1]), plusAsSpace: true) : ""
            result[key, default: []].append(value)
        }
        return result
    }

    /// Decodes `%XX` escapes (and `+` as space in query strings). Invalid escapes are kept as written.
    static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String {
        guard text.contains("%") || (plusAsSpace && text.contains("+")) else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else if plusAsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
                index += 1
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}

/// A response as the API layer produces it; the HTTP layer writes it.
public enum APIResponse: Sendable {
    case full(status: Int, contentType: String, body: [UInt8], headers: [(String, String)])
    /// Start a watch stream: the HTTP layer writes the response head and registers the sink.
    case watch(WatchRequest)

    static func json(_ value: JSONValue, status: Int = 200) -> APIResponse {
        .full(status: status, contentType: "application/json", body: value.encoded(), headers: [])
    }

    static func bytes(_ body: [UInt8], status: Int = 200) -> APIResponse {
        .full(status: status, contentType: "application/json", body: body, headers: [])
    }

    static func error(_ error: APIError) -> APIResponse {
        var headers: [(String, String)] = []
        if let retry = error.retryAfterSeconds { headers.append(("Retry-After", String(retry))) }
        return .full(status: error.code, contentType: "application/json", body: error.status.encoded(), headers: headers)
    }
}

/// Everything the HTTP layer needs to run one watch stream.
public struct WatchRequest: Sendable {
    public var resource: ResourceType
    public var filter: ObjectFilter
    public var start: ObjectStore.WatchStart
    /// Seconds until the server ends the stream.
    public var timeoutSeconds: Double
    public var bookmarks: Bool
    /// When set, every event object is converted before it is written (`as=Table`).
    public var transform: (@Sendable ([UInt8], WatchEventType) -> [UInt8])?
}

/// Where a resource request points, parsed from its URL path
/// (`k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`).
struct ResourcePath: Equatable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// The deprecated `/watch/` path prefix was used.
    var watchPrefix: Bool
}
