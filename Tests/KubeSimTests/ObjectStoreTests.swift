import KubeModel
import Synchronization
import Testing

@testable import KubeSim

// MARK: - Helpers

private let pods = GroupResource(group: "", resource: "pods")
private let configMaps = GroupResource(group: "", resource: "configmaps")

/// A watch sink that records every frame it is given.
private final class RecordingSink: WatchSink {
    private struct Recorded {
        var frames: [WatchFrame] = []
        var terminations = 0
    }

    private let recorded = Mutex(Recorded())

    func deliver(_ frame: WatchFrame) { recorded.withLock { $0.frames.append(frame) } }
    func terminate() { recorded.withLock { $0.terminations += 1 } }

    var frames: [WatchFrame] { recorded.withLock { $0.frames } }
    var terminations: Int { recorded.withLock { $0.terminations } }

    /// Each frame decoded as (type, namespace/name, frame resourceVersion).
    var events: [Event] {
        frames.map { frame in
            let object = (try? JSONValue.parse(frame.bytes))?["object"]
            let namespace = object?[path: ["metadata", "namespace"]]?.stringValue ?? ""
            let name = object?[path: ["metadata", "name"]]?.stringValue ?? ""
            return Event(type: frame.type, key: namespace.isEmpty ? name : "\(namespace)/\(name)", rv: frame.resourceVersion)
        }
    }
}

private struct Event: Equatable, CustomStringConvertible {
    var type: WatchEventType
    var key: String
    var rv: Int64

    init(type: WatchEventType, key: String, rv: Int64) {
        self.type = type
        self.key = key
        self.rv = rv
    }

    init(_ type: WatchEventType, _ key: String, _ rv: Int64) { self.init(type: type, key: key, rv: rv) }

    var description: String { "\(type.rawValue) \(key)@\(rv)" }
}

private func makeStore(historyLimit: Int = 1_000) -> ObjectStore {
    ObjectStore(historyLimit: historyLimit) { _, json in
        ["metadata.name": json[path: ["metadata", "name"]]?.stringValue ?? ""]
    }
}

private func manifest(_ namespace: String, _ name: String, labels: [String: String] = [:], data: String = "") -> JSONValue {
    var labelObject = JSONObject()
    for (key, value) in labels.sorted(by: { $0.key < $1.key }) { labelObject[key] = .string(value) }
    var metadata: JSONObject = ["name": .string(name), "labels": .object(labelObject)]
    if !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "data": .string(data)]
}

extension ObjectStore {
    @discardableResult
    fileprivate func put(
        _ namespace: String, _ name: String, labels: [String: String] = [:], data: String = "",
        resource: GroupResource = pods
    ) -> StoredObject? {
        update(resource, ObjectKey(namespace: namespace, name: name), kind: "Pod", apiVersion: "v1") { _ in
            (StoreWrite.put(manifest(namespace, name, labels: labels, data: data)), ())
        }.object
    }

    fileprivate func delete(_ namespace: String, _ name: String, resource: GroupResource = pods) {
        update(resource, ObjectKey(namespace: namespace, name: name), kind: "Pod", apiVersion: "v1") { _ in
            (StoreWrite.delete, ())
        }
    }

    fileprivate func names(
        _ resource: GroupResource = pods, filter: ObjectFilter = .everything, at revision: Int64? = nil
    ) throws -> [String] {
        try list(resource, filter: filter, atRevision: revision).objects.map(\.key.description)
    }

    fileprivate func startWatch(
        _ start: ObjectStore.WatchStart, filter: ObjectFilter = .everything, resource: GroupResource = pods
    ) throws -> (id: Int, sink: RecordingSink) {
        let sink = RecordingSink()
        let id = try watch(resource, kind: "Pod", apiVersion: "v1", filter: filter, start: start, sink: sink)
        return (id, sink)
    }
}

private func labelFilter(_ key: String, _ value: String, namespace: String? = nil) -> ObjectFilter {
    ObjectFilter(namespace: namespace) { labels, _ in labels[key] == value }
}

private struct Refused: Error, Equatable {}

/// A lock-protected value that escaping closures can capture (a `Mutex` itself cannot be).
private final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

// MARK: - Writes and resourceVersions

@Suite struct ObjectStoreWriteTests {
    @Test func resourceVersionIncrementsByOnePerWrite() async throws {
        let store = makeStore()
        #expect(store.currentResourceVersion == 1)

        var stale = manifest("ns", "a", labels: ["app": "web"])
        stale.set(path: ["metadata", "resourceVersion"], to: "999")
        let a = store.update(pods, ObjectKey(namespace: "ns", name: "a"), kind: "Pod", apiVersion: "v1") { current in
            #expect(current == nil)
            return (StoreWrite.put(stale), ())
        }.object
        #expect(a?.resourceVersion == 2)
        #expect(a?.json[path: ["metadata", "resourceVersion"]] == "2")
        #expect(a?.labels == ["app": "web"])
        #expect(a?.fields == ["metadata.name": "a"])

        #expect(store.put("ns", "b")?.resourceVersion == 3)
        let modified = store.put("ns", "a", data: "v2")
        #expect(modified?.resourceVersion == 4)
        let stored = try #require(store.get(pods, ObjectKey(namespace: "ns", name: "a")))
        #expect(stored.resourceVersion == 4)
        let json = try JSONValue.parse(stored.bytes)
        #expect(json[path: ["metadata", "resourceVersion"]] == "4")
        #expect(json["data"] == "v2")
        #expect(stored.bytes == json.encoded(), "stored bytes are the compact encoding")

        store.delete("ns", "b")
        #expect(store.currentResourceVersion == 5)
        #expect(store.get(pods, ObjectKey(namespace: "ns", name: "b")) == nil)
        // One counter for every resource.
        #expect(store.put("ns", "c", resource: configMaps)?.resourceVersion == 6)
        #expect(store.counts() == [pods: 1, configMaps: 1])
    }

    @Test func updateBodySeesTheCurrentObject() {
        let store = makeStore()
        store.put("ns", "a", data: "first")
        let seen = store.update(pods, ObjectKey(namespace: "ns", name: "a"), kind: "Pod", apiVersion: "v1") { current in
            (StoreWrite.none, current?.json["data"]?.stringValue)
        }.extra
        #expect(seen == "first")
    }

    @Test func noneWritesAndAbsentDeletesDoNotBump() async throws {
        let store = makeStore()
        let events = Locked(0)
        store.observe { _ in events.withLock { $0 += 1 } }
        let (_, sink) = try store.startWatch(.currentState)
        store.put("ns", "a")
        #expect(store.currentResourceVersion == 2)

        let result = store.update(pods, ObjectKey(namespace: "ns", name: "a"), kind: "Pod", apiVersion: "v1") { _ in
            (StoreWrite.none, 42)
        }
        #expect(result.extra == 42)
        #expect(result.object?.resourceVersion == 2, ".none returns the current object")
        #expect(store.currentResourceVersion == 2)

        store.delete("ns", "missing")
        #expect(store.currentResourceVersion == 2)
        #expect(events.withLock { $0 } == 1)
        #expect(sink.frames.count == 1)
    }

    @Test func throwingBodyWritesNothing() {
        let store = makeStore()
        store.put("ns", "a", data: "kept")
        #expect(throws: Refused()) {
            try store.update(pods, ObjectKey(namespace: "ns", name: "a"), kind: "Pod", apiVersion: "v1") {
                (_: StoredObject?) throws(Refused) -> (StoreWrite, Void) in
                throw Refused()
            }
        }
        #expect(store.currentResourceVersion == 2)
        #expect(store.get(pods, ObjectKey(namespace: "ns", name: "a"))?.json["data"] == "kept")
    }

    @Test func concurrentWritesGetDistinctConsecutiveVersions() async throws {
        let store = makeStore()
        let (_, sink) = try store.startWatch(.currentState)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for index in 0..<50 { store.put("ns", "t\(task)-\(index % 5)", data: "\(index)") }
                }
            }
        }
        #expect(store.currentResourceVersion == 1 + 200)
        let versions = sink.frames.map(\.resourceVersion)
        #expect(versions == Array(2...201), "watchers see every change in resourceVersion order")
    }
}

// MARK: - Lists

@Suite struct ObjectStoreListTests {
    @Test func listIsOrderedByNamespaceThenName() async throws {
        let store = makeStore()
        for (namespace, name) in [("b", "a"), ("a", "z"), ("", "node"), ("a", "a1"), ("a", "a"), ("a", "a-1"), ("ab", "0")] {
            store.put(namespace, name)
        }
        #expect(try store.names() == ["node", "a/a", "a/a-1", "a/a1", "a/z", "ab/0", "b/a"])
        #expect(try store.names(filter: ObjectFilter(namespace: "a")) == ["a/a", "a/a-1", "a/a1", "a/z"])
        // Deleting and re-adding keeps the order right (the cached key order is refreshed).
        store.delete("a", "a1")
        store.put("a", "b")
        #expect(try store.names() == ["node", "a/a", "a/a-1", "a/b", "a/z", "ab/0", "b/a"])
        #expect(try store.names(configMaps).isEmpty)
    }

    @Test func listReturnsTheCurrentRevision() async throws {
        let store = makeStore()
        store.put("ns", "a")
        store.put("ns", "b", resource: configMaps)
        let result = try store.list(pods, filter: .everything)
        #expect(result.revision == 3)
        #expect(result.remaining == 0)
        #expect(result.objects.map(\.resourceVersion) == [2])
    }

    @Test func listAtOlderRevisionRollsBackLaterChanges() async throws {
        let store = makeStore()
        let a1 = try #require(store.put("ns", "a", labels: ["v": "1"]))
        let b1 = try #require(store.put("ns", "b", labels: ["v": "1"]))
        let c1 = try #require(store.put("ns", "c", labels: ["v": "1"]))
        let snapshot = store.currentResourceVersion
        #expect(snapshot == 4)

        store.put("ns", "a", labels: ["v": "2"])  // modified
        store.delete("ns", "b")  // deleted
        store.put("ns", "d", labels: ["v": "1"])  // added
        store.put("ns", "c", labels: ["v": "2"])  // modified, then deleted
        store.delete("ns", "c")
        store.put("ns", "e")  // added, then deleted
        store.delete("ns", "e")
        store.put("ns", "b", labels: ["v": "3"])  // deleted, then re-added
        store.put("ns", "zz", resource: configMaps)  // another resource
        let middle = store.currentResourceVersion
        store.put("ns", "a", labels: ["v": "3"])

        let old = try store.list(pods, filter: .everything, atRevision: snapshot)
        #expect(old.revision == snapshot)
        #expect(old.objects.map(\.key.name) == ["a", "b", "c"])
        #expect(old.objects.map(\.bytes) == [a1.bytes, b1.bytes, c1.bytes])
        #expect(old.objects.map(\.resourceVersion) == [2, 3, 4])

        // Filters see the labels as they were then.
        #expect(try store.names(filter: labelFilter("v", "1"), at: snapshot) == ["ns/a", "ns/b", "ns/c"])
        #expect(try store.names(filter: labelFilter("v", "2"), at: snapshot).isEmpty)
        #expect(try store.names(filter: labelFilter("v", "1")) == ["ns/d"])

        // An intermediate revision.
        let atMiddle = try store.list(pods, filter: .everything, atRevision: middle)
        #expect(atMiddle.objects.map(\.key.name) == ["a", "b", "d"])
        #expect(atMiddle.objects.map { $0.labels["v"] } == ["2", "3", "1"])

        #expect(try store.names() == ["ns/a", "ns/b", "ns/d"])
        #expect(try store.names(at: 1).isEmpty, "nothing existed at the initial revision")
        #expect(try store.names(configMaps, at: snapshot).isEmpty)
        #expect(try store.names(configMaps, at: middle) == ["ns/zz"])
    }

    @Test func paginationWithStartAfterAndLimit() async throws {
        let store = makeStore()
        for name in ["e", "c", "a", "d", "b"] { store.put("ns", name, labels: ["keep": name == "c" ? "no" : "yes"]) }

        let page1 = try store.list(pods, filter: .everything, limit: 2)
        #expect(page1.objects.map(\.key.name) == ["a", "b"])
        #expect(page1.remaining == 3)
        let page2 = try store.list(pods, filter: .everything, startAfter: page1.objects.last?.key, limit: 2)
        #expect(page2.objects.map(\.key.name) == ["c", "d"])
        #expect(page2.remaining == 1)
        let page3 = try store.list(pods, filter: .everything, startAfter: page2.objects.last?.key, limit: 2)
        #expect(page3.objects.map(\.key.name) == ["e"])
        #expect(page3.remaining == 0)

        // startAfter need not name an existing key.
        let between = try store.list(pods, filter: .everything, startAfter: ObjectKey(namespace: "ns", name: "bb"))
        #expect(between.objects.map(\.key.name) == ["c", "d", "e"])

        // With a selector, remaining only says that more matches exist (the server does not
        // count them: remainingItemCount is omitted for filtered lists).
        let filtered = try store.list(pods, filter: labelFilter("keep", "yes"), limit: 1)
        #expect(filtered.objects.map(\.key.name) == ["a"])
        #expect(filtered.remaining == 1)
        let last = try store.list(
            pods, filter: labelFilter("keep", "yes"), startAfter: ObjectKey(namespace: "ns", name: "d"), limit: 1)
        #expect(last.remaining == 0)
    }

    @Test func paginationContinuesAtTheFirstPagesRevision() async throws {
        let store = makeStore()
        for name in ["a", "b", "c", "d"] { store.put("ns", name) }
        let page1 = try store.list(pods, filter: .everything, limit: 2)
        #expect(page1.revision == 5)

        store.delete("ns", "c")
        store.put("ns", "bb")
        store.put("ns", "d", data: "changed")

        let page2 = try store.list(
            pods, filter: .everything, atRevision: page1.revision, startAfter: page1.objects.last?.key, limit: 2)
        #expect(page2.revision == page1.revision)
        #expect(page2.objects.map(\.key.name) == ["c", "d"])
        #expect(page2.objects.map(\.resourceVersion) == [4, 5])
        #expect(page2.remaining == 0)
    }

    @Test func expiredAfterHistoryLimit() async throws {
        let store = makeStore(historyLimit: 3)
        store.put("ns", "a")  // 2
        store.put("ns", "b")  // 3
        store.put("ns", "c")  // 4
        #expect(store.compactedRevision == 1)
        #expect(try store.names(at: 1).isEmpty)
        store.put("ns", "a", data: "x")  // 5: the change at 2 leaves the history
        #expect(store.compactedRevision == 2)
        #expect(throws: StoreError.expired(requested: 1, oldest: 2)) { try store.list(pods, filter: .everything, atRevision: 1) }
        #expect(try store.names(at: 2) == ["ns/a"])
        #expect(try store.list(pods, filter: .everything, atRevision: 2).objects.first?.resourceVersion == 2)
        #expect(throws: StoreError.expired(requested: 1, oldest: 2)) { try store.startWatch(.after(1)) }
        #expect(store.watcherCount == 0)
        let (_, sink) = try store.startWatch(.after(2))
        #expect(sink.events == [Event(.added, "ns/b", 3), Event(.added, "ns/c", 4), Event(.modified, "ns/a", 5)])
    }

    @Test func expiredAfterCompact() async throws {
        let store = makeStore()
        store.put("ns", "a")
        store.put("ns", "b")
        store.compact()
        #expect(store.compactedRevision == 3)
        #expect(throws: StoreError.expired(requested: 2, oldest: 3)) { try store.list(pods, filter: .everything, atRevision: 2) }
        #expect(throws: StoreError.expired(requested: 2, oldest: 3)) { try store.startWatch(.after(2)) }
        #expect(try store.names(at: 3) == ["ns/a", "ns/b"])
        let (_, sink) = try store.startWatch(.after(3))
        #expect(sink.frames.isEmpty)
        store.put("ns", "c")
        #expect(sink.events == [Event(.added, "ns/c", 4)])
        #expect(try store.names(at: 3) == ["ns/a", "ns/b"], "history after the compaction is kept")
    }

    @Test func longHistoryIsCompactedInPlace() async throws {
        // More than 4096 compactions makes the store drop the dead prefix of its history array.
        let store = makeStore(historyLimit: 10)
        for index in 0..<4_200 { store.put("ns", "o\(index % 3)", data: "\(index)") }
        let current = store.currentResourceVersion
        #expect(current == 4_201)
        #expect(store.compactedRevision == current - 10)
        #expect(throws: StoreError.expired(requested: current - 11, oldest: current - 10)) {
            try store.list(pods, filter: .everything, atRevision: current - 11)
        }
        let old = try store.list(pods, filter: .everything, atRevision: current - 5)
        #expect(old.objects.map { $0.json["data"] } == ["4194", "4192", "4193"])
        let (_, sink) = try store.startWatch(.after(current - 3))
        #expect(sink.frames.map(\.resourceVersion) == [current - 2, current - 1, current])
    }

    @Test func futureRevisionIsTooLarge() async throws {
        let store = makeStore()
        store.put("ns", "a")
        #expect(throws: StoreError.tooLarge(requested: 3, current: 2)) {
            try store.list(pods, filter: .everything, atRevision: 3)
        }
        #expect(throws: StoreError.tooLarge(requested: 100, current: 2)) {
            try store.list(pods, filter: .everything, atRevision: 100)
        }
    }
}

// MARK: - Watches

@Suite struct ObjectStoreWatchTests {
    @Test func watchAfterReplaysOnlyLaterEventsOfThatResource() async throws {
        let store = makeStore()
        store.put("ns", "a")  // 2
        store.put("ns", "x", resource: configMaps)  // 3
        store.put("ns", "b")  // 4
        let start = store.currentResourceVersion
        store.put("ns", "a", data: "2")  // 5
        store.put("ns", "y", resource: configMaps)  // 6
        store.delete("ns", "b")  // 7
        store.put("ns", "c")  // 8

        let (_, sink) = try store.startWatch(.after(start))
        #expect(sink.events == [Event(.modified, "ns/a", 5), Event(.deleted, "ns/b", 7), Event(.added, "ns/c", 8)])
        store.put("ns", "z", resource: configMaps)  // 9
        store.put("ns", "d")  // 10
        #expect(sink.events.last == Event(.added, "ns/d", 10))
        #expect(sink.frames.count == 4)

        let (_, fromNow) = try store.startWatch(.after(store.currentResourceVersion))
        #expect(fromNow.frames.isEmpty)
    }

    @Test func frameFormat() async throws {
        let store = makeStore()
        let (_, sink) = try store.startWatch(.currentState)
        let object = try #require(store.put("ns", "a"))
        let frame = try #require(sink.frames.first)
        #expect(frame.bytes == Array(#"{"type":"ADDED","object":"#.utf8) + object.bytes + Array("}\n".utf8))
        #expect(frame.type == .added)
        #expect(frame.resourceVersion == 2)
    }

    @Test func currentStateSendsAddedForCurrentObjects() async throws {
        let store = makeStore()
        store.put("ns", "b", labels: ["app": "web"])  // 2
        store.put("ns", "a", labels: ["app": "web"])  // 3
        store.put("ns", "c", labels: ["app": "db"])  // 4
        store.put("ns", "a", labels: ["app": "web"], data: "2")  // 5
        store.delete("ns", "b")  // 6
        store.put("ns", "q", resource: configMaps)  // 7

        let (_, all) = try store.startWatch(.currentState)
        #expect(all.events == [Event(.added, "ns/a", 5), Event(.added, "ns/c", 4)])
        let (_, web) = try store.startWatch(.currentState, filter: labelFilter("app", "web"))
        #expect(web.events == [Event(.added, "ns/a", 5)])
        let (_, other) = try store.startWatch(.currentState, filter: ObjectFilter(namespace: "other"))
        #expect(other.frames.isEmpty)

        store.put("ns", "d", labels: ["app": "web"])  // 8
        #expect(all.events.last == Event(.added, "ns/d", 8))
        #expect(web.events.last == Event(.added, "ns/d", 8))
        #expect(other.frames.isEmpty)
        #expect(store.watcherCount == 3)
    }

    @Test func initialEventsEndWithABookmark() async throws {
        let store = makeStore()
        store.put("ns", "a")
        store.put("ns", "b")
        store.put("ns", "x", resource: configMaps)
        let (_, sink) = try store.startWatch(.initialEvents(bookmark: true))
        let frames = sink.frames
        #expect(frames.map(\.type) == [.added, .added, .bookmark])
        let bookmark = try #require(frames.last)
        #expect(bookmark.resourceVersion == 4)
        let object = try #require(try JSONValue.parse(bookmark.bytes)["object"])
        #expect(object["kind"] == "Pod")
        #expect(object["apiVersion"] == "v1")
        #expect(object[path: ["metadata", "resourceVersion"]] == "4")
        #expect(object[path: ["metadata", "annotations", "k8s.io/initial-events-end"]] == "true")

        let (_, noBookmark) = try store.startWatch(.initialEvents(bookmark: false))
        #expect(noBookmark.frames.map(\.type) == [.added, .added])
    }

    @Test func sendBookmarkCarriesTheCurrentVersionWithoutTheAnnotation() async throws {
        let store = makeStore()
        let (id, sink) = try store.startWatch(.currentState)
        store.put("ns", "a", resource: configMaps)
        store.sendBookmark(id)
        let frame = try #require(sink.frames.last)
        #expect(frame.type == .bookmark)
        #expect(frame.resourceVersion == 2)
        let object = try JSONValue.parse(frame.bytes)["object"]
        #expect(object?[path: ["metadata", "resourceVersion"]] == "2")
        #expect(object?[path: ["metadata", "annotations"]] == nil)
        store.sendBookmark(9_999)  // unknown id: nothing happens
        #expect(sink.frames.count == 1)
    }

    @Test func filterTransitionsBecomeAddedModifiedDeleted() async throws {
        let store = makeStore()
        store.put("ns", "x", labels: ["app": "db"])  // 2
        let start = store.currentResourceVersion
        let (_, live) = try store.startWatch(.currentState, filter: labelFilter("app", "web"))
        #expect(live.frames.isEmpty)

        store.put("ns", "x", labels: ["app": "web"])  // 3: starts matching
        store.put("ns", "x", labels: ["app": "web", "v": "2"])  // 4: matches before and after
        store.put("ns", "x", labels: ["app": "db"])  // 5: stops matching
        store.put("ns", "x", labels: ["app": "db", "v": "3"])  // 6: matches neither time
        store.delete("ns", "x")  // 7: deleted while not matching
        store.put("ns", "y", labels: ["app": "web"])  // 8
        store.delete("ns", "y")  // 9: deleted while matching
        store.put("ns", "z", labels: ["app": "db"])  // 10: added, not matching

        let expected = [
            Event(.added, "ns/x", 3), Event(.modified, "ns/x", 4), Event(.deleted, "ns/x", 5),
            Event(.added, "ns/y", 8), Event(.deleted, "ns/y", 9),
        ]
        #expect(live.events == expected)
        // A watch resuming from history sees the same transitions.
        let (_, replay) = try store.startWatch(.after(start), filter: labelFilter("app", "web"))
        #expect(replay.events == expected)
        // The DELETED sent on leaving the filter carries the object as it now is.
        let leaving = try JSONValue.parse(live.frames[2].bytes)["object"]
        #expect(leaving?[path: ["metadata", "labels", "app"]] == "db")
    }

    @Test func namespaceFilterOnWatch() async throws {
        let store = makeStore()
        let (_, sink) = try store.startWatch(.currentState, filter: ObjectFilter(namespace: "a"))
        store.put("a", "one")
        store.put("b", "two")
        store.put("", "cluster")
        store.delete("b", "two")
        store.delete("a", "one")
        #expect(sink.events == [Event(.added, "a/one", 2), Event(.deleted, "a/one", 6)])
    }

    @Test func stopWatchStopsDelivery() async throws {
        let store = makeStore()
        let (id, sink) = try store.startWatch(.currentState)
        let (_, other) = try store.startWatch(.currentState)
        store.put("ns", "a")
        #expect(store.watcherCount == 2)
        store.stopWatch(id)
        #expect(store.watcherCount == 1)
        store.put("ns", "b")
        store.delete("ns", "a")
        #expect(sink.events == [Event(.added, "ns/a", 2)])
        #expect(other.frames.count == 3)
        #expect(sink.terminations == 0, "stopping is not terminating")
    }

    @Test func terminateAllWatchesTerminatesEverySink() async throws {
        let store = makeStore()
        let (_, first) = try store.startWatch(.currentState)
        let (_, second) = try store.startWatch(.after(1), resource: configMaps)
        store.terminateAllWatches()
        #expect(first.terminations == 1)
        #expect(second.terminations == 1)
        #expect(store.watcherCount == 0)
        store.put("ns", "a")
        #expect(first.frames.isEmpty)
        store.terminateAllWatches()
        #expect(first.terminations == 1, "a terminated watch is not terminated again")
    }

    @Test func deletedEventCarriesTheDeletionsVersion() async throws {
        let store = makeStore()
        store.put("ns", "a", labels: ["app": "web"], data: "last")  // 2
        store.put("ns", "other")  // 3
        let (_, sink) = try store.startWatch(.after(3))
        store.delete("ns", "a")  // 4
        let frame = try #require(sink.frames.first)
        #expect(frame.type == .deleted)
        #expect(frame.resourceVersion == 4)
        let object = try JSONValue.parse(frame.bytes)["object"]
        #expect(object?[path: ["metadata", "resourceVersion"]] == "4")
        #expect(object?["data"] == "last")
        #expect(object?[path: ["metadata", "labels", "app"]] == "web")
    }
}

// MARK: - Observers

@Suite struct ObjectStoreObserverTests {
    private struct Seen: Sendable, Equatable {
        var type: WatchEventType
        var rv: Int64
        var previousRV: Int64?
        var visibleRV: Int64?
        var storeRV: Int64
    }

    @Test func observersAreCalledAfterEachCommittedChange() async throws {
        let store = makeStore()
        let seen = Locked<[Seen]>([])
        let id = store.observe { [weak store] event in
            guard let store else { return }
            // Called outside the lock: reading the store here must work and see the change.
            let visible = store.get(event.resource, event.object.key)
            seen.withLock {
                $0.append(
                    Seen(
                        type: event.type, rv: event.resourceVersion, previousRV: event.previous?.resourceVersion,
                        visibleRV: visible?.resourceVersion, storeRV: store.currentResourceVersion))
            }
        }
        store.put("ns", "a")  // 2
        store.put("ns", "a", data: "2")  // 3
        store.update(pods, ObjectKey(namespace: "ns", name: "a"), kind: "Pod", apiVersion: "v1") { _ in (StoreWrite.none, ()) }
        store.delete("ns", "a")  // 4
        store.delete("ns", "a")  // absent: no change
        #expect(
            seen.withLock { $0 } == [
                Seen(type: .added, rv: 2, previousRV: nil, visibleRV: 2, storeRV: 2),
                Seen(type: .modified, rv: 3, previousRV: 2, visibleRV: 3, storeRV: 3),
                Seen(type: .deleted, rv: 4, previousRV: 3, visibleRV: nil, storeRV: 4),
            ])

        store.removeObserver(id)
        store.put("ns", "b")
        #expect(seen.withLock { $0.count } == 3)
    }

    @Test func everyObserverIsCalled() {
        let store = makeStore()
        let counts = Locked<[Int]>([0, 0])
        store.observe { _ in counts.withLock { $0[0] += 1 } }
        store.observe { _ in counts.withLock { $0[1] += 1 } }
        store.put("ns", "a")
        store.put("ns", "b", resource: configMaps)
        #expect(counts.withLock { $0 } == [2, 2])
    }
}
