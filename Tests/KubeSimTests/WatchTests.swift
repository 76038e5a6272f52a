import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// Watch semantics over real HTTP: resourceVersion rules, bookmarks, streaming lists, 410,
/// selector transitions, timeouts, chunked framing and the watch faults.
@Suite struct WatchTests {
    private func createConfigMap(_ http: RawHTTP, _ name: String, labels: JSONObject = [:]) throws -> JSONValue {
        try http.request(
            "POST", "/api/v1/namespaces/default/configmaps",
            json: [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": .object(labels)],
            ]
        ).json
    }

    @Test func resourceVersionSemantics() async throws {
        try await withSim(runKubelet: false) { _, http in
            let first = try createConfigMap(http, "a")
            let firstRV = first[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            _ = try createConfigMap(http, "b")

            // Unset: synthetic ADDED for the current state, then changes.
            let fromNow = try http.watch("/api/v1/namespaces/default/configmaps?watch=true")
            #expect(fromNow.status == 200)
            #expect(fromNow.headers["transfer-encoding"] == "chunked")
            let initial = try fromNow.collect(2)
            #expect(initial.map { $0["type"] } == ["ADDED", "ADDED"])
            #expect(initial.compactMap { $0[path: ["object", "metadata", "name"]]?.stringValue } == ["a", "b"])

            // From N: only what happened after N.
            let fromFirst = try http.watch("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(firstRV)")
            let later = try fromFirst.collect(1)
            #expect(later.first?[path: ["object", "metadata", "name"]] == "b")

            _ = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/a", json: ["data": ["k": "v"]],
                contentType: "application/merge-patch+json")
            _ = try http.request("DELETE", "/api/v1/namespaces/default/configmaps/a")
            let changes = try fromNow.collect(2)
            #expect(changes.map { $0["type"] } == ["MODIFIED", "DELETED"])
            let sameChanges = try fromFirst.collect(2)
            #expect(sameChanges.map { $0["type"] } == ["MODIFIED", "DELETED"])
            let modifiedRV = Int(changes[0][path: ["object", "metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            let deletedRV = Int(changes[1][path: ["object", "metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            #expect(deletedRV > modifiedRV)
        }
    }

    @Test func expiredResourceVersionGivesErrorEvent() async throws {
        try await withSim(history: 3, runKubelet: false) { _, http in
            let first = try createConfigMap(http, "x0")
            for index in 1..<6 { _ = try createConfigMap(http, "x\(index)") }
            let rv = first[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            let watch = try http.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)")
            #expect(watch.status == 200)
            let event = try #require(try watch.next())
            #expect(event["type"] == "ERROR")
            #expect(event[path: ["object", "kind"]] == "Status")
            #expect(event[path: ["object", "code"]] == 410)
            #expect(event[path: ["object", "reason"]] == "Expired")
            #expect(event[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: \(rv)") == true)
            #expect(try watch.waitForEnd(timeout: 5))
        }
    }

    @Test func bookmarksAndStreamingList() async throws {
        try await withSim(bookmarkInterval: 0.2, runKubelet: false) { sim, http in
            _ = try createConfigMap(http, "one")
            _ = try createConfigMap(http, "two")
            let current = sim.store.currentResourceVersion
            let stream = try http.watch(
                "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion="
            )
            let events = try stream.collect(3)
            #expect(events.map { $0["type"] } == ["ADDED", "ADDED", "BOOKMARK"])
            let bookmark = events[2]["object"]
            #expect(bookmark?[path: ["metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
            #expect(bookmark?[path: ["metadata", "resourceVersion"]] == .string(String(current)))
            #expect(bookmark?["kind"] == "ConfigMap")

            // Periodic bookmarks carry the newest resourceVersion: any that comes before the ADDED
            // is older than it, and one after it has caught up with it.
            let created = try createConfigMap(http, "three")
            let threeVersion = try #require(created[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap(Int.init))
            func version(_ event: JSONValue) -> Int? {
                event[path: ["object", "metadata", "resourceVersion"]]?.stringValue.flatMap(Int.init)
            }
            var added: JSONValue?
            for _ in 0..<50 where added == nil {
                guard let event = try stream.next(timeout: 3) else { break }
                if event["type"] == "ADDED" {
                    added = event
                } else {
                    #expect(event["type"] == "BOOKMARK")
                    #expect((version(event) ?? .max) < threeVersion, "a bookmark is never ahead of an event it precedes")
                }
            }
            #expect(added?[path: ["object", "metadata", "name"]] == "three")
            var caughtUp = false
            for _ in 0..<50 where !caughtUp {
                guard let event = try stream.next(timeout: 3) else { break }
                #expect(event["type"] == "BOOKMARK")
                caughtUp = (version(event) ?? 0) >= threeVersion
            }
            #expect(caughtUp, "a later bookmark carries the newest resourceVersion")

            let invalid = try http.request(
                "GET", "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true")
            #expect(invalid.status == 422)
        }
    }

    @Test func selectorTransitionsAndTimeout() async throws {
        try await withSim(runKubelet: false) { _, http in
            _ = try createConfigMap(http, "t", labels: ["team": "a"])
            let watch = try http.watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=team%3Db&timeoutSeconds=2")
            _ = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/t", json: ["metadata": ["labels": ["team": "b"]]],
                contentType: "application/merge-patch+json")
            _ = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/t", json: ["data": ["k": "v"]],
                contentType: "application/merge-patch+json")
            _ = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/t", json: ["metadata": ["labels": ["team": "c"]]],
                contentType: "application/merge-patch+json")
            let events = try watch.collect(3)
            #expect(events.map { $0["type"] } == ["ADDED", "MODIFIED", "DELETED"])
            #expect(try watch.waitForEnd(timeout: 5), "timeoutSeconds ends the stream")
        }
    }

    @Test func manyLargeEventsSurviveChunking() async throws {
        try await withSim(runKubelet: false) { _, http in
            let watch = try http.watch("/api/v1/namespaces/default/configmaps?watch=true")
            let big = String(repeating: "x", count: 300_000)
            for index in 0..<20 {
                _ = try http.request(
                    "POST", "/api/v1/namespaces/default/configmaps",
                    json: [
                        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("big-\(index)")],
                        "data": ["blob": .string(big)],
                    ])
            }
            let events = try watch.collect(20)
            #expect(events.count == 20)
            #expect(events.allSatisfy { $0[path: ["object", "data", "blob"]]?.stringValue?.count == 300_000 })
        }
    }

    @Test func faultsDropStallAndDelayWatches() async throws {
        try await withSim(runKubelet: false) { sim, http in
            // The response head is flushed before the watch is registered: wait for the server's count.
            func awaitWatchers(_ count: Int) {
                for _ in 0..<500 where sim.store.watcherCount != count { Thread.sleep(forTimeInterval: 0.01) }
            }
            let dropped = try http.watch("/api/v1/namespaces/default/configmaps?watch=true")
            awaitWatchers(1)
            let response = try http.request("POST", "/_sim/watches/drop", json: [:])
            #expect(response.json["dropped"] == 1)
            #expect(try dropped.waitForEnd(timeout: 5))

            awaitWatchers(0)
            let stalled = try http.watch("/api/v1/namespaces/default/configmaps?watch=true")
            awaitWatchers(1)
            _ = try http.request("POST", "/_sim/faults", json: ["stallWatches": true])
            _ = try createConfigMap(http, "during-stall")
            #expect(try stalled.next(timeout: 0.6) == nil, "a stalled watch sends nothing")
            _ = try http.request("POST", "/_sim/faults", json: ["stallWatches": false])
            #expect(try stalled.next(timeout: 3)?[path: ["object", "metadata", "name"]] == "during-stall")

            _ = try http.request("POST", "/_sim/faults", json: ["watchDelaySeconds": 0.5])
            let delayed = try http.watch(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(sim.store.currentResourceVersion)")
            let start = Date()
            _ = try createConfigMap(http, "late")
            let event = try delayed.next(timeout: 5)
            #expect(event?[path: ["object", "metadata", "name"]] == "late")
            #expect(Date().timeIntervalSince(start) >= 0.45, "a lagging watch cache delivers late")
            _ = try http.request("DELETE", "/_sim/faults")

            _ = try http.request(
                "POST", "/_sim/faults", json: ["failNext": ["count": 2, "code": 429, "retryAfterSeconds": 3, "verbs": ["list"]]])
            let throttled = try http.request("GET", "/api/v1/namespaces/default/configmaps")
            #expect(throttled.status == 429)
            #expect(throttled.headers["retry-after"] == "3")
            #expect(throttled.json[path: ["details", "retryAfterSeconds"]] == 3)
            #expect(try http.request("GET", "/api/v1/namespaces/default/configmaps").status == 429)
            #expect(try http.request("GET", "/api/v1/namespaces/default/configmaps").status == 200)
            #expect(try http.request("GET", "/api/v1/namespaces/default/configmaps/late").status == 200, "only list was failed")

            _ = try http.request("POST", "/_sim/faults", json: ["failNext": ["count": 1, "code": 500]])
            let failed = try http.request("GET", "/api/v1/namespaces/default/configmaps")
            #expect(failed.status == 500)
            #expect(failed.json["reason"] == "InternalError")

            _ = try http.request("POST", "/_sim/faults", json: ["latencySeconds": 0.3])
            let slowStart = Date()
            #expect(try http.request("GET", "/api/v1/namespaces/default/configmaps/late").status == 200)
            #expect(Date().timeIntervalSince(slowStart) >= 0.28, "added latency")
            _ = try http.request("DELETE", "/_sim/faults")

            _ = try http.request("POST", "/_sim/faults", json: ["stallRequests": 1])
            #expect(throws: RawHTTP.Failure.self, "a stalled request is never answered") {
                try http.request("GET", "/api/v1/namespaces/default/configmaps", timeout: 0.5)
            }
            #expect(try http.request("GET", "/api/v1/namespaces/default/configmaps").status == 200, "only one request stalls")

            let randomDrops = try http.watch(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(sim.store.currentResourceVersion)")
            _ = try http.request("POST", "/_sim/faults", json: ["dropWatchesEverySeconds": 0.2])
            #expect(try randomDrops.waitForEnd(timeout: 3), "watches are dropped at random intervals")
            _ = try http.request("DELETE", "/_sim/faults")

            let bad = try http.request("POST", "/_sim/faults", json: ["explode": true])
            #expect(bad.status == 400)

            let stats = try http.request("GET", "/_sim/stats").json
            #expect((stats[path: ["requests", "list configmaps"]]?.intValue ?? 0) >= 4)
            #expect((stats["audit"]?.arrayValue ?? []).contains { $0["verb"] == "create" && $0["name"] == "late" })
        }
    }
}
