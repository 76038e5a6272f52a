import KubeModel

/// A resource the client talks to, described by group, version, plural and scope — enough to
/// build every URL, so custom resources need no special code
/// (`k8s.io/apimachinery/pkg/runtime/schema.GroupVersionResource` plus the scope a RESTMapper knows).
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public var group: String
    public var version: String
    public var plural: String
    public var namespaced: Bool
    /// The kind, for building objects and error messages.
    public var kind: String

    public init(group: String, version: String, plural: String, namespaced: Bool, kind: String) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
        self.kind = kind
    }

    /// "v1" or "group/version".
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let pods = ResourceDescriptor(group: "", version: "v1", plural: "pods", namespaced: true, kind: "Pod")
    public static let nodes = ResourceDescriptor(group: "", version: "v1", plural: "nodes", namespaced: false, kind: "Node")
    public static let namespaces = ResourceDescriptor(
        group: "", version: "v1", plural: "namespaces", namespaced: false, kind: "Namespace")
    public static let configMaps = ResourceDescriptor(
        group: "", version: "v1", plural: "configmaps", namespaced: true, kind: "ConfigMap")
    public static let events = ResourceDescriptor(group: "", version: "v1", plural: "events", namespaced: true, kind: "Event")
    public static let leases = ResourceDescriptor(
        group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true, kind: "Lease")
    public static let customResourceDefinitions = ResourceDescriptor(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", namespaced: false,
        kind: "CustomResourceDefinition")

    /// The path of a collection or an object: `/api/v1/namespaces/ns/pods/name/status`.
    /// `namespace` nil on a namespaced resource addresses all namespaces (lists and watches).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(plural)"
        if let name {
            path += "/\(Self.escape(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    /// Percent-encodes a path segment (names are DNS subdomains, but nothing is assumed).
    static func escape(_ segment: String) -> String {
        QueryItems.encode(segment)
    }
}

/// Query parameters in order, percent-encoded as Go's url.Values does.
struct QueryItems {
    var items: [(String, String)] = []

    mutating func add(_ name: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        items.append((name, value))
    }

    mutating func add(_ name: String, _ value: Bool) {
        if value { items.append((name, "true")) }
    }

    mutating func add(_ name: String, _ value: Int?) {
        if let value { items.append((name, String(value))) }
    }

    var encoded: String {
        items.isEmpty ? "" : "?" + items.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                output.append("%")
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }
}

/// How a list reads (`metav1.ListOptions`; semantics on the API-concepts page).
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; nil for everything at once.
    public var limit: Int?
    public var continueToken: String?
    /// "" (most recent, a consistent read), "0" (any, from the watch cache) or a resourceVersion.
    public var resourceVersion: String?
    /// "NotOlderThan" or "Exact", with `resourceVersion`.
    public var resourceVersionMatch: String?
    /// Seconds the server may spend on the list.
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: QueryItems {
        var query = QueryItems()
        query.add("labelSelector", labelSelector)
        query.add("fieldSelector", fieldSelector)
        query.add("limit", limit)
        query.add("continue", continueToken)
        if let resourceVersion { query.items.append(("resourceVersion", resourceVersion)) }
        query.add("resourceVersionMatch", resourceVersionMatch)
        query.add("timeoutSeconds", timeoutSeconds)
        return query
    }
}

/// How a watch starts and what it receives.
public struct WatchOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Resume point; nil or "" starts with the current state (synthetic ADDED events).
    public var resourceVersion: String?
    /// Bookmarks keep the resume point fresh; on by default.
    public var allowWatchBookmarks: Bool
    /// Seconds after which the server ends the watch; the client's idle timeout is this + 30 s.
    public var timeoutSeconds: Int
    /// Streaming list (KEP-3157): initial state as ADDED events, then an initial-events-end bookmark.
    public var sendInitialEvents: Bool

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true, timeoutSeconds: Int = 300, sendInitialEvents: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.sendInitialEvents = sendInitialEvents
    }

    var query: QueryItems {
        var query = QueryItems()
        query.items.append(("watch", "true"))
        query.add("labelSelector", labelSelector)
        query.add("fieldSelector", fieldSelector)
        if let resourceVersion { query.items.append(("resourceVersion", resourceVersion)) }
        query.add("allowWatchBookmarks", allowWatchBookmarks)
        query.add("timeoutSeconds", timeoutSeconds)
        if sendInitialEvents {
            query.add("sendInitialEvents", true)
            query.items.append(("resourceVersionMatch", "NotOlderThan"))
        }
        return query
    }
}

/// Options of create, update and patch (`metav1.CreateOptions`, `UpdateOptions`, `PatchOptions`).
public struct WriteOptions: Sendable, Equatable {
    public var fieldManager: String?
    /// "Strict", "Warn" or "Ignore".
    public var fieldValidation: String?
    public var dryRun: Bool

    public init(fieldManager: String? = nil, fieldValidation: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
    }

    var query: QueryItems {
        var query = QueryItems()
        query.add("fieldManager", fieldManager)
        query.add("fieldValidation", fieldValidation)
        if dryRun { query.items.append(("dryRun", "All")) }
        return query
    }
}

/// A patch and its media type.
public enum Patch: Sendable, Equatable {
    /// RFC 7386 JSON merge patch.
    case merge(JSONValue)
    /// RFC 6902 JSON patch (an array of operations).
    case json([JSONValue])
    /// Strategic merge patch (built-in kinds only).
    case strategic(JSONValue)
    /// Server-side apply of a full apply configuration; `fieldManager` is required.
    case apply(JSONValue, fieldManager: String, force: Bool)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: [UInt8] {
        switch self {
        case .merge(let value), .strategic(let value), .apply(let value, _, _): return value.encoded()
        case .json(let operations): return JSONValue.array(operations).encoded()
        }
    }
}

/// Options of delete (`metav1.DeleteOptions`).
public struct DeleteOptions: Sendable, Equatable {
    /// Precondition: the object's uid must be this.
    public var uid: String?
    /// Precondition: the object's resourceVersion must be this.
    public var resourceVersion: String?
    /// "Orphan", "Background" or "Foreground".
    public var propagationPolicy: String?
    /// Seconds of graceful termination; 0 deletes at once.
    public var gracePeriodSeconds: Int?
    public var dryRun: Bool

    public init(
        uid: String? = nil, resourceVersion: String? = nil, propagationPolicy: String? = nil,
        gracePeriodSeconds: Int? = nil, dryRun: Bool = false
    ) {
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    var body: JSONValue {
        var object: JSONObject = ["kind": "DeleteOptions", "apiVersion": "v1"]
        var preconditions = JSONObject()
        if let uid { preconditions["uid"] = .string(uid) }
        if let resourceVersion { preconditions["resourceVersion"] = .string(resourceVersion) }
        if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
        if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy) }
        if let gracePeriodSeconds { object["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if dryRun { object["dryRun"] = ["All"] }
        return .object(object)
    }
}
