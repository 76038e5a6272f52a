import KubeModel
import Synchronization

/// An object an informer can cache: decodable from the wire and carrying object metadata.
public protocol Cacheable: KubeDecodable, Sendable, Equatable {
    var metadata: ObjectMeta { get }
}

extension CoreV1.Pod: Cacheable {}
extension CoreV1.Node: Cacheable {}
extension CoordinationV1.Lease: Cacheable {}

/// Where an object lives: namespace ("" for cluster-scoped) and name; prints as `ns/name`.
public struct ObjectName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public init(_ metadata: ObjectMeta) {
        self.init(namespace: metadata.namespace, name: metadata.name)
    }

    public static func < (lhs: ObjectName, rhs: ObjectName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// A change the store went through, as handlers receive it.
public enum Delta<Object: Cacheable>: Sendable, Equatable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)

    /// The object after the change (for deletions: its last known state).
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): return object
        case .updated(_, let new): return new
        }
    }
}

/// Computes the index values of an object, e.g. its node name for a "by node" index.
public typealias IndexFunction<Object> = @Sendable (Object) -> [String]

/// A thread-safe cache of objects keyed by namespace/name with secondary indexes — the
/// indexer of client-go (`tools/cache/thread_safe_store.go`, `index.go`) and kube-rs's
/// `reflector::Store`: a full list is swapped in atomically, and only then is the store ready.
public final class Store<Object: Cacheable>: Sendable {
    private struct State {
        var items: [ObjectName: Object] = [:]
        /// index name -> index value -> object names
        var indexes: [String: [String: Set<ObjectName>]] = [:]
        var ready = false
        var resourceVersion = ""
    }

    private let state = Mutex(State())
    private let indexers: [String: IndexFunction<Object>]

    /// - Parameter indexers: index name → function giving an object's values for that index.
    public init(indexers: [String: IndexFunction<Object>] = [:]) {
        self.indexers = indexers
    }

    /// Whether the first full list has been stored.
    public var isReady: Bool { state.withLock { $0.ready } }

    /// The resourceVersion the store reflects (of the last list, event or bookmark applied).
    public var resourceVersion: String { state.withLock { $0.resourceVersion } }

    public var count: Int { state.withLock { $0.items.count } }

    public func get(_ name: ObjectName) -> Object? { state.withLock { $0.items[name] } }

    public func get(namespace: String = "", name: String) -> Object? { get(ObjectName(namespace: namespace, name: name)) }

    /// Every object, ordered by namespace and name.
    public func list() -> [Object] {
        state.withLock { state in state.items.keys.sorted().compactMap { state.items[$0] } }
    }

    /// Objects whose `index` values contain `value`, ordered by namespace and name.
    /// An unknown index gives nothing.
    public func byIndex(_ index: String, _ value: String) -> [Object] {
        state.withLock { state in
            (state.indexes[index]?[value] ?? []).sorted().compactMap { state.items[$0] }
        }
    }

    // MARK: Writes (the reflector's)

    /// Swaps in a complete list atomically and marks the store ready.
    /// - Returns: the deltas that turn the previous content into the new one: additions, updates
    ///   (only for objects whose content changed) and deletions of objects absent from the list
    ///   — a relist after a disconnection delivers exactly what changed meanwhile.
    @discardableResult
    func replace(_ objects: [Object], resourceVersion: String) -> [Delta<Object>] {
        state.withLock { state in
            var deltas: [Delta<Object>] = []
            var next: [ObjectName: Object] = [:]
            next.reserveCapacity(objects.count)
            for object in objects {
                let name = ObjectName(object.metadata)
                next[name] = object
                if let old = state.items[name] {
                    if old != object { deltas.append(.updated(old: old, new: object)) }
                } else {
                    deltas.append(.added(object))
                }
            }
            for (name, old) in state.items where next[name] == nil {
                deltas.append(.deleted(old))
            }
            state.items = next
            state.indexes = [:]
            for (name, object) in next { Self.addToIndexes(name, object, indexers, &state.indexes) }
            state.ready = true
            state.resourceVersion = resourceVersion
            return deltas
        }
    }

    /// Adds or replaces one object (ADDED/MODIFIED events).
    /// - Returns: the delta, or nil when nothing changed.
    func upsert(_ object: Object) -> Delta<Object>? {
        state.withLock { state in
            let name = ObjectName(object.metadata)
            if !object.metadata.resourceVersion.isEmpty { state.resourceVersion = object.metadata.resourceVersion }
            let old = state.items[name]
            if let old {
                guard old != object else { return nil }
                Self.removeFromIndexes(name, old, indexers, &state.indexes)
            }
            state.items[name] = object
            Self.addToIndexes(name, object, indexers, &state.indexes)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        }
    }

    /// Removes one object (DELETED events).
    /// - Returns: the delta with the object's final state, or nil when it was not cached.
    func remove(_ object: Object) -> Delta<Object>? {
        state.withLock { state in
            let name = ObjectName(object.metadata)
            if !object.metadata.resourceVersion.isEmpty { state.resourceVersion = object.metadata.resourceVersion }
            guard let old = state.items.removeValue(forKey: name) else { return nil }
            Self.removeFromIndexes(name, old, indexers, &state.indexes)
            return .deleted(object)
        }
    }

    /// Records a bookmark's resourceVersion.
    func setResourceVersion(_ resourceVersion: String) {
        state.withLock { $0.resourceVersion = resourceVersion }
    }

    private static func addToIndexes(
        _ name: ObjectName, _ object: Object, _ indexers: [String: IndexFunction<Object>],
        _ indexes: inout [String: [String: Set<ObjectName>]]
    ) {
        for (index, function) in indexers {
            for value in function(object) { indexes[index, default: [:]][value, default: []].insert(name) }
        }
    }

    private static func removeFromIndexes(
        _ name: ObjectName, _ object: Object, _ indexers: [String: IndexFunction<Object>],
        _ indexes: inout [String: [String: Set<ObjectName>]]
    ) {
        for (index, function) in indexers {
            for value in function(object) {
                indexes[index]?[value]?.remove(name)
                if indexes[index]?[value]?.isEmpty == true { indexes[index]?[value] = nil }
            }
        }
    }
}
