import KubeModel
import Synchronization

/// Which objects a list or watch wants: an optional namespace plus a predicate over labels and
/// selectable fields (built from label and field selectors by the API layer).
public struct ObjectFilter: Sendable {
    public var namespace: String?
    /// nil when every object of the namespace matches (no selectors).
    public var predicate: (@Sendable (_ labels: [String: String], _ fields: [String: String]) -> Bool)?

    public init(
        namespace: String? = nil,
        predicate: (@Sendable (_ labels: [String: String], _ fields: [String: String]) -> Bool)? = nil
    ) {
        self.namespace = namespace
        self.predicate = predicate
    }

    public func matches(_ object: StoredObject) -> Bool {
        if let namespace, object.key.namespace != namespace { return false }
        return predicate?(object.labels, object.fields) ?? true
    }

    public static let everything = ObjectFilter()
}

/// Receives a watch's events. Implementations must not block and must not call back into the
/// store: they are called with the store's lock held, which is what keeps every watcher's events
/// in resourceVersion order.
public protocol WatchSink: AnyObject, Sendable {
    /// Delivers one event frame (one JSON line, newline included).
    func deliver(_ frame: WatchFrame)
    /// Ends the watch from the server side.
    func terminate()
}

/// One encoded watch event line, shared between all watchers that receive it.
public struct WatchFrame: Sendable {
    public var type: WatchEventType
    public var resourceVersion: Int64
    /// `{"type":...,"object":...}\n`
    public var bytes: [UInt8]

    public init(type: WatchEventType, resourceVersion: Int64, object: [UInt8]) {
        self.type = type
        self.resourceVersion = resourceVersion
        var bytes: [UInt8] = []
        bytes.reserveCapacity(object.count + 32)
        bytes.append(contentsOf: #"{"type":""#.utf8)
        bytes.append(contentsOf: type.rawValue.utf8)
        bytes.append(contentsOf: #"","object":"#.utf8)
        bytes.append(contentsOf: object)
        bytes.append(contentsOf: "}\n".utf8)
        self.bytes = bytes
    }
}

/// Errors the store raises; the API layer turns them into Status responses.
public enum StoreError: Error, Sendable, Equatable {
    /// The requested resourceVersion is older than the retained history (HTTP 410).
    case expired(requested: Int64, oldest: Int64)
    /// The requested resourceVersion is newer than the store (HTTP 504, ResourceVersionTooLarge).
    case tooLarge(requested: Int64, current: Int64)
}

/// What a write does to the stored object.
public enum StoreWrite: Sendable {
    case put(JSONValue)
    case delete
    /// Delete, recording `JSONValue` as the object's final state: an update that removed the last
    /// finalizer of a terminating object is written and the object removed in one step, and the
    /// DELETED event and the answer carry the updated object.
    case deleteAs(JSONValue)
    case none
}

/// The simulated etcd plus watch cache: every object of every resource, one global
/// resourceVersion counter, a bounded history of changes, and the registered watchers.
///
/// Semantics follow kube-apiserver's storage layer (`k8s.io/apiserver/pkg/storage/cacher/cacher.go`,
/// `watch_cache.go`): a watch from resourceVersion N receives every change after N, or one 410
/// Expired error when N is older than the retained history; lists are ordered by key.
/// All reads and writes go through one lock, which serializes writes as etcd's revision does.
public final class ObjectStore: Sendable {
    struct Table {
        var objects: [ObjectKey: StoredObject] = [:]
        var sortedKeys: [ObjectKey]? = nil
    }

    struct Watcher {
        var resource: GroupResource
        var filter: ObjectFilter
        var sink: any WatchSink
        var kind: String
        var apiVersion: String
    }

    struct State {
        var resourceVersion: Int64 = 1
        var tables: [GroupResource: Table] = [:]
        var history: [HistoryEvent] = []
        var historyStart = 0
        /// Events with a resourceVersion at or below this are gone from the history.
        var compactedRevision: Int64 = 1
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 1
        var observers: [Int: @Sendable (HistoryEvent) -> Void] = [:]
    }

    private let state = Mutex(State())
    /// How many changes the history keeps before the oldest are compacted.
    public let historyLimit: Int
    private let fieldExtractor: @Sendable (GroupResource, JSONValue) -> [String: String]

    /// - Parameters:
    ///   - historyLimit: number of changes kept for watches that resume from a resourceVersion.
    ///   - fieldExtractor: computes an object's selectable fields when it is written.
    public init(
        historyLimit: Int = 50_000,
        fieldExtractor: @escaping @Sendable (GroupResource, JSONValue) -> [String: String]
    ) {
        self.historyLimit = max(1, historyLimit)
        self.fieldExtractor = fieldExtractor
    }

    /// The newest resourceVersion.
    public var currentResourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    /// The oldest resourceVersion a watch may resume from.
    public var compactedRevision: Int64 { state.withLock { $0.compactedRevision } }

    // MARK: Reads

    public func get(_ resource: GroupResource, _ key: ObjectKey) -> StoredObject? {
        state.withLock { $0.tables[resource]?.objects[key] }
    }

    /// Objects of `resource` matching `filter`, in key order, at the current revision or, when
    /// `atRevision` is given, as they were at that revision (for continuing a paginated list).
    ///
    /// - Parameters:
    ///   - startAfter: only keys strictly greater than this one (pagination).
    ///   - limit: at most this many objects. `remaining` counts those left when the filter has no
    ///     predicate; with one, it is 1 when at least one more object matches (not counted, as the
    ///     real server omits remainingItemCount for filtered lists), 0 otherwise.
    /// - Throws: ``StoreError/expired(requested:oldest:)`` when `atRevision` is older than the
    ///   history; ``StoreError/tooLarge(requested:current:)`` when it is newer than the store.
    public func list(
        _ resource: GroupResource, filter: ObjectFilter, atRevision: Int64? = nil,
        startAfter: ObjectKey? = nil, limit: Int? = nil
    ) throws(StoreError) -> (objects: [StoredObject], revision: Int64, remaining: Int) {
        try state.withLock { state throws(StoreError) in
            let revision = atRevision ?? state.resourceVersion
            if revision > state.resourceVersion {
                throw .tooLarge(requested: revision, current: state.resourceVersion)
            }
            if revision < state.compactedRevision {
                throw .expired(requested: revision, oldest: state.compactedRevision)
            }
            let keys = Self.sortedKeys(resource, in: &state)
            let table = state.tables[resource] ?? Table()
            // Roll back the changes made after `revision`: key -> the object then (nil: absent).
            var overlay: [ObjectKey: StoredObject?] = [:]
            if revision < state.resourceVersion {
                for event in state.history[state.historyStart...].reversed() {
                    if event.resourceVersion <= revision { break }
                    guard event.resource == resource else { continue }
                    overlay[event.object.key] = event.type == .added ? .some(nil) : .some(event.previous)
                }
            }
            var candidateKeys = keys
            if !overlay.isEmpty {
                candidateKeys = Array(Set(keys).union(overlay.keys)).sorted()
            }
            var startIndex = candidateKeys.startIndex
            if let startAfter {
                startIndex = partitionPoint(candidateKeys) { $0 > startAfter }
            }
            if let namespace = filter.namespace {
                // Keys are sorted by namespace first: jump to the namespace's range.
                let first = partitionPoint(candidateKeys) { $0.namespace.utf8.lexicographicallyPrecedes(namespace.utf8) == false }
                startIndex = max(startIndex, first)
            }
            var result: [StoredObject] = []
            var remaining = 0
            var index = startIndex
            while index < candidateKeys.count {
                let key = candidateKeys[index]
                index += 1
                if let namespace = filter.namespace, key.namespace != namespace { break }
                let object: StoredObject?
                if let rolledBack = overlay[key] {
                    object = rolledBack
                } else {
                    object = table.objects[key]
                }
                guard let object, filter.predicate?(object.labels, object.fields) ?? true else { continue }
                if let limit, result.count >= limit {
                    // Past the page. Without selectors the rest can be counted without looking at
                    // it (kube-apiserver gives remainingItemCount only then); with selectors, one
                    // more match is enough to know there is a next page.
                    remaining = 1
                    if filter.predicate == nil {
                        var end = candidateKeys.count
                        if let namespace = filter.namespace {
                            end = partitionPoint(candidateKeys) {
                                $0.namespace.utf8.lexicographicallyPrecedes(namespace.utf8) == false && $0.namespace != namespace
                            }
                        }
                        remaining = max(1, end - index + 1)
                    }
                    break
                }
                result.append(object)
            }
            return (result, revision, remaining)
        }
    }

    // MARK: Writes

    /// Reads the current object, lets `body` decide what to write, and commits it atomically:
    /// assigns the next resourceVersion (written into `metadata.resourceVersion`), records the
    /// change in the history and delivers it to watchers.
    ///
    /// `body` runs with the lock held; it must not call the store.
    /// - Returns: the stored object after the write (nil when deleted or absent) and what
    ///   `body` returned alongside.
    /// - Throws: whatever `body` throws; nothing is written then.
    @discardableResult
    public func update<E: Error, Extra>(
        _ resource: GroupResource, _ key: ObjectKey,
        kind: String, apiVersion: String,
        _ body: (StoredObject?) throws(E) -> (StoreWrite, Extra)
    ) throws(E) -> (object: StoredObject?, deleted: StoredObject?, extra: Extra) {
        let (event, stored, extra, observers) = try state.withLock {
            state throws(E) -> (HistoryEvent?, StoredObject?, Extra, [@Sendable (HistoryEvent) -> Void]) in
            let current = state.tables[resource]?.objects[key]
            let (write, extra) = try body(current)
            switch write {
            case .none:
                return (nil, current, extra, [])
            case .put(var json):
                state.resourceVersion += 1
                let revision = state.resourceVersion
                json.set(path: ["metadata", "resourceVersion"], to: .string(String(revision)))
                let object = makeStored(resource: resource, key: key, json: json, revision: revision)
                // Mutate in place: copying the table out would copy every object of the resource.
                if current == nil { state.tables[resource, default: Table()].sortedKeys = nil }
                state.tables[resource, default: Table()].objects[key] = object
                let event = HistoryEvent(
                    resourceVersion: revision, resource: resource, type: current == nil ? .added : .modified,
                    object: object, previous: current)
                record(event, in: &state, kind: kind, apiVersion: apiVersion)
                return (event, object, extra, Array(state.observers.values))
            case .delete, .deleteAs:
                guard let current else { return (nil, nil, extra, []) }
                state.resourceVersion += 1
                let revision = state.resourceVersion
                var json: JSONValue
                if case .deleteAs(let final) = write { json = final } else { json = current.json }
                json.set(path: ["metadata", "resourceVersion"], to: .string(String(revision)))
                let object = makeStored(resource: resource, key: key, json: json, revision: revision)
                state.tables[resource]?.objects[key] = nil
                state.tables[resource]?.sortedKeys = nil
                let event = HistoryEvent(
                    resourceVersion: revision, resource: resource, type: .deleted, object: object, previous: current)
                record(event, in: &state, kind: kind, apiVersion: apiVersion)
                return (event, nil, extra, Array(state.observers.values))
            }
        }
        if let event {
            for observer in observers { observer(event) }
        }
        return (stored, event?.type == .deleted ? event?.object : nil, extra)
    }

    /// The resource's keys in order, computed once after each insertion or removal.
    private static func sortedKeys(_ resource: GroupResource, in state: inout State) -> [ObjectKey] {
        if let cached = state.tables[resource]?.sortedKeys { return cached }
        guard state.tables[resource] != nil else { return [] }
        let keys = state.tables[resource, default: Table()].objects.keys.sorted()
        state.tables[resource, default: Table()].sortedKeys = keys
        return keys
    }

    private func makeStored(resource: GroupResource, key: ObjectKey, json: JSONValue, revision: Int64) -> StoredObject {
        var labels: [String: String] = [:]
        if case .object(let labelObject)? = json[path: ["metadata", "labels"]] {
            for member in labelObject { labels[member.key] = member.value.stringValue ?? "" }
        }
        let owners = json[path: ["metadata", "ownerReferences"]]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
        return StoredObject(
            bytes: json.encoded(), key: key, uid: json[path: ["metadata", "uid"]]?.stringValue ?? "",
            resourceVersion: revision, labels: labels, fields: fieldExtractor(resource, json), ownerUIDs: owners)
    }

    /// Appends to the history (compacting the oldest past the limit) and fans out to watchers.
    private func record(_ event: HistoryEvent, in state: inout State, kind: String, apiVersion: String) {
        state.history.append(event)
        let retained = state.history.count - state.historyStart
        if retained > historyLimit {
            state.compactedRevision = state.history[state.historyStart].resourceVersion
            state.historyStart += 1
            if state.historyStart > 4096 && state.historyStart * 2 > state.history.count {
                state.history.removeFirst(state.historyStart)
                state.historyStart = 0
            }
        }
        var modifiedFrame: WatchFrame?
        for watcher in state.watchers.values where watcher.resource == event.resource {
            guard let type = Self.visibleType(of: event, through: watcher.filter) else { continue }
            if type == .modified {
                if modifiedFrame == nil {
                    modifiedFrame = WatchFrame(
                        type: .modified, resourceVersion: event.resourceVersion, object: event.object.bytes)
                }
                if let modifiedFrame { watcher.sink.deliver(modifiedFrame) }
            } else {
                watcher.sink.deliver(WatchFrame(type: type, resourceVersion: event.resourceVersion, object: event.object.bytes))
            }
        }
    }

    /// How a change looks through a filter, as the watch cache presents it: an object that starts
    /// matching is ADDED, one that stops matching is DELETED (`cacher.go`, `cacheWatcher.convertToWatchEvent`).
    static func visibleType(of event: HistoryEvent, through filter: ObjectFilter) -> WatchEventType? {
        let now = filter.matches(event.object)
        let before = event.previous.map(filter.matches) ?? false
        switch event.type {
        case .added: return now ? .added : nil
        case .deleted: return before ? .deleted : nil
        default:
            switch (before, now) {
            case (true, true): return .modified
            case (false, true): return .added
            case (true, false): return .deleted
            case (false, false): return nil
            }
        }
    }

    /// Drops the whole history: every watch resuming from an older resourceVersion gets 410.
    public func compact() {
        state.withLock { state in
            state.compactedRevision = state.resourceVersion
            state.history.removeAll()
            state.historyStart = 0
        }
    }

    // MARK: Watches

    /// How a new watch starts.
    public enum WatchStart: Sendable {
        /// Synthetic ADDED events for every current object, then changes (resourceVersion unset or "0").
        case currentState
        /// Changes after this resourceVersion.
        case after(Int64)
        /// Synthetic ADDED events for the current state, then an initial-events-end bookmark, then
        /// changes (`sendInitialEvents=true`, KEP-3157).
        case initialEvents(bookmark: Bool)
    }

    /// Registers a watcher and sends it its initial events.
    /// - Returns: the watcher id, for ``stopWatch(_:)`` and ``sendBookmark(_:)``.
    /// - Throws: ``StoreError/expired(requested:oldest:)`` when resuming from a compacted revision.
    public func watch(
        _ resource: GroupResource, kind: String, apiVersion: String, filter: ObjectFilter,
        start: WatchStart, sink: any WatchSink
    ) throws(StoreError) -> Int {
        try state.withLock { state throws(StoreError) in
            switch start {
            case .after(let revision):
                if revision < state.compactedRevision {
                    throw .expired(requested: revision, oldest: state.compactedRevision)
                }
                for event in state.history[state.historyStart...]
                where event.resourceVersion > revision && event.resource == resource {
                    if let type = Self.visibleType(of: event, through: filter) {
                        sink.deliver(WatchFrame(type: type, resourceVersion: event.resourceVersion, object: event.object.bytes))
                    }
                }
            case .currentState, .initialEvents:
                let keys = Self.sortedKeys(resource, in: &state)
                let table = state.tables[resource] ?? Table()
                for key in keys {
                    guard let object = table.objects[key], filter.matches(object) else { continue }
                    sink.deliver(WatchFrame(type: .added, resourceVersion: object.resourceVersion, object: object.bytes))
                }
                if case .initialEvents(bookmark: true) = start {
                    sink.deliver(
                        Self.bookmarkFrame(
                            kind: kind, apiVersion: apiVersion, revision: state.resourceVersion, initialEventsEnd: true))
                }
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = Watcher(resource: resource, filter: filter, sink: sink, kind: kind, apiVersion: apiVersion)
            return id
        }
    }

    /// Sends a BOOKMARK carrying the current resourceVersion to one watcher.
    public func sendBookmark(_ id: Int) {
        state.withLock { state in
            guard let watcher = state.watchers[id] else { return }
            watcher.sink.deliver(
                Self.bookmarkFrame(
                    kind: watcher.kind, apiVersion: watcher.apiVersion, revision: state.resourceVersion, initialEventsEnd: false))
        }
    }

    public func stopWatch(_ id: Int) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    /// Ends every watch from the server side (a fault, or shutdown).
    public func terminateAllWatches() {
        let sinks = state.withLock { state -> [any WatchSink] in
            let sinks = state.watchers.values.map(\.sink)
            state.watchers.removeAll()
            return sinks
        }
        for sink in sinks { sink.terminate() }
    }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    static func bookmarkFrame(kind: String, apiVersion: String, revision: Int64, initialEventsEnd: Bool) -> WatchFrame {
        var metadata: JSONObject = ["resourceVersion": .string(String(revision))]
        if initialEventsEnd {
            metadata["annotations"] = ["k8s.io/initial-events-end": "true"]
        }
        let object: JSONValue = ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": .object(metadata)]
        return WatchFrame(type: .bookmark, resourceVersion: revision, object: object.encoded())
    }

    // MARK: Observers

    /// Registers an in-process observer (scheduler, kubelet, garbage collector) called after
    /// each committed change, outside the lock.
    @discardableResult
    public func observe(_ observer: @escaping @Sendable (HistoryEvent) -> Void) -> Int {
        state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.observers[id] = observer
            return id
        }
    }

    public func removeObserver(_ id: Int) {
        _ = state.withLock { $0.observers.removeValue(forKey: id) }
    }

    /// Number of objects stored per resource.
    public func counts() -> [GroupResource: Int] {
        state.withLock { state in state.tables.mapValues(\.objects.count) }
    }
}

/// The first index in a sorted collection whose element satisfies `predicate` (which must be
/// false then true along the collection).
func partitionPoint<T>(_ elements: [T], _ predicate: (T) -> Bool) -> Int {
    var low = 0
    var high = elements.count
    while low < high {
        let mid = (low + high) / 2
        if predicate(elements[mid]) { high = mid } else { low = mid + 1 }
    }
    return low
}
