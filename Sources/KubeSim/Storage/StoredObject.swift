import KubeModel

/// Where an object lives inside one resource: namespace ("" for cluster-scoped) and name.
/// Ordered as etcd orders its keys (`/registry/<resource>/<namespace>/<name>`), which is the
/// order kube-apiserver returns lists in.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        if lhs.namespace != rhs.namespace { return lhs.namespace.utf8.lexicographicallyPrecedes(rhs.namespace.utf8) }
        return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// One stored version of an object. Like the real watch cache, it keeps the encoded bytes, so
/// lists and watch fan-out copy bytes instead of encoding objects again; the few facts that
/// selectors need are extracted once when the version is written.
public struct StoredObject: Sendable {
    /// Compact JSON of the whole object, `metadata.resourceVersion` included.
    public var bytes: [UInt8]
    public var key: ObjectKey
    public var uid: String
    public var resourceVersion: Int64
    public var labels: [String: String]
    /// Values of the resource's selectable fields (`metadata.name`, `spec.nodeName`, ...).
    public var fields: [String: String]
    /// UIDs named by `metadata.ownerReferences`, for the garbage collector.
    public var ownerUIDs: [String]

    /// Decodes the stored bytes. They were produced by the store's own encoder, so decoding
    /// cannot fail short of memory corruption; a failure yields an empty object.
    public var json: JSONValue {
        (try? JSONValue.parse(bytes)) ?? .object(JSONObject())
    }
}

/// The type of a watch event, as `k8s.io/apimachinery/pkg/watch` names them.
public enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One change in the store's history.
public struct HistoryEvent: Sendable {
    public var resourceVersion: Int64
    public var resource: GroupResource
    public var type: WatchEventType
    /// The object after the change (for deletions: its last state, with the deletion's resourceVersion).
    public var object: StoredObject
    /// The object before the change; nil for additions.
    public var previous: StoredObject?
}
