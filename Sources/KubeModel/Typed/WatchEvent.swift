/// The `type` of a watch event (`WatchEvent` in `k8s.io/apimachinery/pkg/apis/meta/v1`).
public enum WatchEventKind: String, Sendable, Equatable, CaseIterable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    /// A progress marker carrying only a resourceVersion (and, at the end of the initial
    /// events of a streaming list, the `k8s.io/initial-events-end` annotation).
    case bookmark = "BOOKMARK"
    /// The watch failed; the object is a ``Status`` (410 Gone for an expired resourceVersion).
    case error = "ERROR"
}

/// The object of a `BOOKMARK` event: only `metadata.resourceVersion` and
/// `metadata.annotations` are read.
public struct WatchBookmark: Sendable, Equatable, KubeDecodable {
    public var resourceVersion: String
    public var annotations: [String: String]

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(resourceVersion: String = "", annotations: [String: String] = [:]) {
        self.resourceVersion = resourceVersion
        self.annotations = annotations
    }

    /// The annotation a bookmark carries when it ends the initial events of a watch started
    /// with `sendInitialEvents=true` (KEP-3157).
    public static let initialEventsEndAnnotation = "k8s.io/initial-events-end"

    /// Whether this bookmark marks the end of the initial events (annotation value `"true"`).
    public var isInitialEventsEnd: Bool { annotations[Self.initialEventsEndAnnotation] == "true" }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> WatchBookmark {
        var bookmark = WatchBookmark()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            guard key == "metadata" else { return }
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "resourceVersion": try reader.read(&bookmark.resourceVersion)
                case "annotations": try reader.read(&bookmark.annotations)
                default: break
                }
            }
        }
        return bookmark
    }
}

/// What a watch event carries, by its type.
public enum WatchEventPayload<Object: KubeDecodable & Sendable & Equatable>: Sendable, Equatable {
    /// `ADDED`, `MODIFIED`, `DELETED`: the object (for `DELETED`, its last state).
    case object(Object)
    /// `BOOKMARK`: the new resourceVersion to resume from.
    case bookmark(WatchBookmark)
    /// `ERROR`: why the watch ended.
    case error(Status)
}

/// One event of a watch stream (one line of `?watch=true`): `{"type": …, "object": …}`.
///
/// The object is decoded according to the type: as `Object` for `ADDED`/`MODIFIED`/`DELETED`,
/// as a ``WatchBookmark`` for `BOOKMARK` and as a ``Status`` for `ERROR`. The two keys may come
/// in either order (when `object` comes first its bytes are skipped, then decoded in place once
/// the type is known, without copying). An unknown type, or a missing `type` or `object`, is an
/// error.
public struct WatchEvent<Object: KubeDecodable & Sendable & Equatable>: Sendable, Equatable, KubeDecodable {
    public var type: WatchEventKind
    public var payload: WatchEventPayload<Object>

    /// An event of `type` carrying `payload` (which should match the type).
    public init(type: WatchEventKind, payload: WatchEventPayload<Object>) {
        self.type = type
        self.payload = payload
    }

    /// An `ADDED`, `MODIFIED` or `DELETED` event for `object`.
    public init(_ type: WatchEventKind, _ object: Object) {
        self.type = type
        self.payload = .object(object)
    }

    /// The object of an `ADDED`, `MODIFIED` or `DELETED` event; nil for bookmarks and errors.
    public var object: Object? {
        if case .object(let object) = payload { return object }
        return nil
    }

    @inlinable  // so clients specialize it for their `Object`
    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> WatchEvent {
        var type: WatchEventKind?
        var payload: WatchEventPayload<Object>?
        var pendingObject: Int?  // offset of an object seen before the type
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "type":
                reader.skipWhitespace()
                let start = reader.offset
                let name = try reader.readString()
                guard let kind = WatchEventKind(rawValue: name) else {
                    throw reader.error("unknown watch event type \"\(name)\"", at: start)
                }
                type = kind
            case "object":
                if let type {
                    payload = try decodePayload(type, from: &reader)
                } else {
                    reader.skipWhitespace()
                    pendingObject = reader.offset
                    try reader.skipValue()
                }
            default: break
            }
        }
        guard let type else { throw reader.error("watch event has no \"type\"", at: reader.offset) }
        if payload == nil, let pendingObject {
            let end = reader.offset
            reader.offset = pendingObject
            do {
                payload = try decodePayload(type, from: &reader)
            } catch var failure {
                reader.addPath("object", to: &failure)
                throw failure
            }
            reader.offset = end
        }
        guard let payload else { throw reader.error("watch event has no \"object\"", at: reader.offset) }
        return WatchEvent(type: type, payload: payload)
    }

    @inlinable
    static func decodePayload(_ type: WatchEventKind, from reader: inout JSONReader) throws(JSONSyntaxError)
        -> WatchEventPayload<Object>
    {
        switch type {
        case .added, .modified, .deleted: return .object(try Object.decode(from: &reader))
        case .bookmark: return .bookmark(try WatchBookmark.decode(from: &reader))
        case .error: return .error(try Status.decode(from: &reader))
        }
    }
}

/// A list response (`PodList`, `NodeList`, …: `metadata` is a `ListMeta`, `items` the objects),
/// items decoded one by one into `Object`. Decode large lists page by page (`limit=500`).
public struct ObjectList<Object: KubeDecodable & Sendable & Equatable>: Sendable, Equatable, KubeDecodable {
    public var metadata: ListMeta
    public var items: [Object]

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(metadata: ListMeta = ListMeta(), items: [Object] = []) {
        self.metadata = metadata
        self.items = items
    }

    @inlinable  // so clients specialize it for their `Object`
    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> ObjectList {
        var list = ObjectList()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "metadata": try reader.read(&list.metadata)
            case "items": try reader.read(&list.items)
            default: break
            }
        }
        return list
    }
}
