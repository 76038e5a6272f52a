import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// Direct HTTP checks of the simulated API server: status codes and Status bodies as
/// kube-apiserver writes them.
@Suite struct APIServerTests {
    @Test func discoveryDocuments() async throws {
        try await withSim { _, http in
            let version = try http.request("GET", "/version")
            #expect(version.status == 200)
            #expect(version.json["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)

            let api = try http.request("GET", "/api")
            #expect(api.json["kind"] == "APIVersions")
            #expect(api.json["versions"] == ["v1"])

            let core = try http.request("GET", "/api/v1")
            let resources = core.json["resources"]?.arrayValue ?? []
            let pods = resources.first { $0["name"] == "pods" }
            #expect(pods?["namespaced"] == true)
            #expect(pods?["shortNames"] == ["po"])
            #expect(resources.contains { $0["name"] == "pods/status" })
            #expect(resources.contains { $0["name"] == "pods/binding" && $0["kind"] == "Binding" })

            let groups = try http.request("GET", "/apis")
            let names = groups.json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            for group in [
                "apps", "coordination.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "policy", "events.k8s.io",
            ] {
                #expect(names.contains(group), "missing group \(group)")
            }
            let openapi = try http.request("GET", "/openapi/v3")
            #expect(openapi.json[path: ["paths", "api/v1", "serverRelativeURL"]] != nil)
            let unknown = try http.request("GET", "/apis/nothing.example/v1")
            #expect(unknown.status == 404)
        }
    }

    @Test func createGetAndErrorStatuses() async throws {
        try await withSim(runKubelet: false) { _, http in
            let created = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "one"], "data": ["a": "b"],
                ])
            #expect(created.status == 201)
            #expect(created.json[path: ["metadata", "uid"]]?.stringValue?.count == 36)
            #expect(created.json[path: ["metadata", "creationTimestamp"]] != nil)
            #expect(created.json[path: ["metadata", "resourceVersion"]]?.stringValue != nil)

            let duplicate = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "one"],
                ])
            #expect(duplicate.status == 409)
            #expect(duplicate.json["reason"] == "AlreadyExists")
            #expect(duplicate.json["message"] == "configmaps \"one\" already exists")
            #expect(duplicate.json[path: ["details", "kind"]] == "configmaps")

            let missing = try http.request("GET", "/api/v1/namespaces/default/configmaps/nope")
            #expect(missing.status == 404)
            #expect(
                missing.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": "configmaps \"nope\" not found", "reason": "NotFound",
                    "details": ["name": "nope", "kind": "configmaps"], "code": 404,
                ])

            let malformed = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps", body: Array("{\"metadata\": ".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.json["reason"] == "BadRequest")

            let badYAML = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps", body: Array("metadata: [unclosed\n  name: x".utf8),
                contentType: "application/yaml")
            #expect(badYAML.status == 400)
            #expect(badYAML.json["reason"] == "BadRequest")

            let deep = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps", body: Array(String(repeating: "[", count: 100_000).utf8))
            #expect(deep.status == 400, "hostile nesting is refused, not a crash")

            let badName = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "Bad_Name"],
                ])
            #expect(badName.status == 422)
            #expect(badName.json["reason"] == "Invalid")
            #expect(badName.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata.name")

            let noNamespace = try http.request(
                "POST", "/api/v1/namespaces/absent/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"],
                ])
            #expect(noNamespace.status == 404)
            #expect(noNamespace.json["message"] == "namespaces \"absent\" not found")

            let unknownResource = try http.request("GET", "/api/v1/namespaces/default/gadgets")
            #expect(unknownResource.status == 404)

            let wrongKind = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "x"],
                ])
            #expect(wrongKind.status == 400)

            let badMedia = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/one", body: Array("{}".utf8), contentType: "text/plain")
            #expect(badMedia.status == 415)
            #expect(badMedia.json["reason"] == "UnsupportedMediaType")

            let tooBig = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps", body: [UInt8](repeating: 32, count: 3 * 1024 * 1024 + 10))
            #expect(tooBig.status == 413)

            let badVerb = try http.request("POST", "/api/v1/namespaces/default/configmaps/one", json: [:])
            #expect(badVerb.status == 405)
        }
    }

    @Test func staleUpdateConflictsAndNoOpUpdateIsNotWritten() async throws {
        try await withSim(runKubelet: false) { sim, http in
            let created = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "1"],
                ]
            ).json
            var first = created
            first["data"] = ["a": "2"]
            let updated = try http.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: first)
            #expect(updated.status == 200)
            var stale = created
            stale["data"] = ["a": "3"]
            let conflict = try http.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(
                conflict.json["message"]
                    == "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again"
            )
            let before = sim.store.currentResourceVersion
            let same = try http.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: updated.json)
            #expect(same.status == 200)
            #expect(sim.store.currentResourceVersion == before, "an update that changes nothing must not be written")
        }
    }

    @Test func paginationAndExpiredContinue() async throws {
        try await withSim(runKubelet: false) { sim, http in
            for index in 0..<5 {
                _ = try http.request(
                    "POST", "/api/v1/namespaces/default/configmaps",
                    json: [
                        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(index)")],
                    ])
            }
            let page1 = try http.request("GET", "/api/v1/namespaces/default/configmaps?limit=2").json
            #expect(page1["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["cm-0", "cm-1"])
            #expect(page1[path: ["metadata", "remainingItemCount"]] == 3)
            let token = try #require(page1[path: ["metadata", "continue"]]?.stringValue)
            // A change after the first page must not show up in later pages (consistent snapshot).
            _ = try http.request("DELETE", "/api/v1/namespaces/default/configmaps/cm-3")
            let page2 = try http.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)").json
            #expect(page2["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["cm-2", "cm-3"])
            #expect(page2[path: ["metadata", "resourceVersion"]] == page1[path: ["metadata", "resourceVersion"]])
            let token2 = try #require(page2[path: ["metadata", "continue"]]?.stringValue)

            sim.store.compact()
            let expired = try http.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token2)")
            #expect(expired.status == 410)
            #expect(expired.json["reason"] == "Expired")

            let garbage = try http.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=notatoken")
            #expect(garbage.status == 400)

            let future = try http.request(
                "GET", "/api/v1/namespaces/default/configmaps?resourceVersion=999999&resourceVersionMatch=NotOlderThan")
            #expect(future.status == 504)
            #expect(future.json[path: ["details", "causes"]]?.arrayValue?.first?["reason"] == "ResourceVersionTooLarge")

            let forbidden = try http.request("GET", "/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact")
            #expect(forbidden.status == 422)
        }
    }

    @Test func labelAndFieldSelectors() async throws {
        try await withSim(runKubelet: false) { _, http in
            let sets: [(String, [String: String])] = [
                ("a", ["app": "web", "tier": "front"]), ("b", ["app": "db"]), ("c", ["tier": "back"]), ("d", [:]),
            ]
            for (name, labels) in sets {
                var labelObject = JSONObject()
                for (key, value) in labels { labelObject[key] = .string(value) }
                _ = try http.request(
                    "POST", "/api/v1/namespaces/default/configmaps",
                    json: [
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": ["name": .string(name), "labels": .object(labelObject)],
                    ])
            }
            func names(_ query: String) throws -> [String] {
                let parts = query.split(separator: "=", maxSplits: 1).map(String.init)
                let value = parts[1].addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? parts[1]
                let encoded = "\(parts[0])=\(value)"
                let response = try http.request("GET", "/api/v1/namespaces/default/configmaps?\(encoded)")
                return response.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
            }
            #expect(try names("labelSelector=app=web") == ["a"])
            #expect(try names("labelSelector=app!=web") == ["b", "c", "d"])
            #expect(try names("labelSelector=app in (web,db)") == ["a", "b"])
            #expect(try names("labelSelector=app notin (web)") == ["b", "c", "d"])
            #expect(try names("labelSelector=tier") == ["a", "c"])
            #expect(try names("labelSelector=!tier") == ["b", "d"])
            #expect(try names("fieldSelector=metadata.name=c") == ["c"])
            #expect(try names("fieldSelector=metadata.name!=c") == ["a", "b", "d"])
            let bad = try http.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%20in%20web")
            #expect(bad.status == 400)
            let badField = try http.request("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.nodeName%3Dx")
            #expect(badField.status == 400)
            let podField = try http.request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dx,status.phase%3DRunning")
            #expect(podField.status == 200)
            let podBadField = try http.request("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx")
            #expect(podBadField.status == 400)
            #expect(podBadField.json["message"] == "field label not supported: spec.bogus")
        }
    }

    @Test func finalizersAndPreconditions() async throws {
        try await withSim(runKubelet: false) { sim, http in
            let created = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "f", "finalizers": ["example.com/hold"]],
                ]
            ).json
            let uid = created[path: ["metadata", "uid"]]?.stringValue ?? ""
            let wrongUID = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/f",
                json: [
                    "kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "not-the-uid"],
                ])
            #expect(wrongUID.status == 409)
            #expect(
                wrongUID.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: not-the-uid") == true)
            let wrongRV = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/f",
                json: [
                    "kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["resourceVersion": "1"],
                ])
            #expect(wrongRV.status == 409)

            let deleted = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/f",
                json: [
                    "kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": .string(uid)],
                ])
            #expect(deleted.status == 200)
            #expect(deleted.json[path: ["metadata", "deletionTimestamp"]] != nil)
            let still = try http.request("GET", "/api/v1/namespaces/default/configmaps/f")
            #expect(still.status == 200)

            let addFinalizer = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/f",
                json: ["metadata": ["finalizers": ["example.com/hold", "example.com/new"]]],
                contentType: "application/merge-patch+json")
            #expect(addFinalizer.status == 422)

            let release = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/f", json: ["metadata": ["finalizers": nil]],
                contentType: "application/merge-patch+json")
            #expect(release.status == 200)
            let gone = try http.request("GET", "/api/v1/namespaces/default/configmaps/f")
            #expect(gone.status == 404)
            #expect(
                sim.store.get(GroupResource(group: "", resource: "configmaps"), ObjectKey(namespace: "default", name: "f")) == nil
            )
        }
    }

    @Test func aDeletionAnswersWithTheResourceVersionOfTheDeletion() async throws {
        try await withSim(runKubelet: false) { sim, http in
            _ = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "held", "finalizers": ["example.com/hold"]],
                ])
            _ = try http.request("DELETE", "/api/v1/namespaces/default/configmaps/held")
            // Another object is written in between: the deletion's revision is the global counter's next.
            let other = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "other"]]
            ).json
            let otherRV = Int(other[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            let released = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/held", json: ["metadata": ["finalizers": nil]],
                contentType: "application/merge-patch+json")
            #expect(released.status == 200)
            #expect(released.json[path: ["metadata", "resourceVersion"]]?.stringValue == String(otherRV + 1))
            #expect(released.json[path: ["metadata", "finalizers"]] == nil, "the answer is the updated object")

            _ = try http.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "plain"]])
            let deleted = try http.request("DELETE", "/api/v1/namespaces/default/configmaps/plain")
            #expect(deleted.status == 200)
            let before = Int(deleted.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            #expect(Int64(before) == sim.store.currentResourceVersion, "the answer carries the deletion's own revision")
        }
    }

    @Test func patchTypes() async throws {
        try await withSim(runKubelet: false) { _, http in
            _ = try http.request(
                "POST", "/api/v1/namespaces/default/pods",
                json: podManifest(
                    "p",
                    extraSpec: [
                        "containers": [
                            [
                                "name": "main", "image": "busybox:1.36",
                                "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]],
                            ],
                            ["name": "side", "image": "busybox:1.36"],
                        ], "nodeName": "default-0",
                    ]))
            let merge = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p", json: ["metadata": ["labels": ["x": "y"]]],
                contentType: "application/merge-patch+json")
            #expect(merge.status == 200)
            #expect(merge.json[path: ["metadata", "labels", "x"]] == "y")

            let strategic = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p",
                json: [
                    "spec": ["containers": [["name": "main", "image": "busybox:1.37"], ["name": "side", "$patch": "delete"]]]
                ],
                contentType: "application/strategic-merge-patch+json")
            // Removing a container is not a permitted pod update.
            #expect(strategic.status == 422)
            let image = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p",
                json: ["spec": ["containers": [["name": "main", "image": "busybox:1.37"]]]],
                contentType: "application/strategic-merge-patch+json")
            #expect(image.status == 200)
            let containers = image.json[path: ["spec", "containers"]]?.arrayValue ?? []
            #expect(containers.count == 2, "strategic merge keeps the other container")
            #expect(containers.first?["image"] == "busybox:1.37")
            #expect(containers.first?["env"]?.arrayValue?.count == 2, "and the merged container's own fields")

            let jsonPatch = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p",
                json: [
                    ["op": "test", "path": "/metadata/labels/x", "value": "y"],
                    ["op": "replace", "path": "/metadata/labels/x", "value": "z"],
                ],
                contentType: "application/json-patch+json")
            #expect(jsonPatch.status == 200)
            #expect(jsonPatch.json[path: ["metadata", "labels", "x"]] == "z")
            let failedTest = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p",
                json: [["op": "test", "path": "/metadata/labels/x", "value": "nope"]],
                contentType: "application/json-patch+json")
            #expect(failedTest.status == 422)
            let badPatch = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p", body: Array("[{\"op\": ".utf8),
                contentType: "application/json-patch+json")
            #expect(badPatch.status == 400)

            let stalePatch = try http.request(
                "PATCH", "/api/v1/namespaces/default/pods/p", json: ["metadata": ["resourceVersion": "1", "labels": ["q": "r"]]],
                contentType: "application/merge-patch+json")
            #expect(stalePatch.status == 409)
        }
    }

    @Test func serverSideApply() async throws {
        try await withSim(runKubelet: false) { _, http in
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"1\"\n  b: \"2\"\n"
            let created = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=alice", body: Array(yaml.utf8),
                contentType: "application/apply-patch+yaml")
            #expect(created.status == 201)
            let managers = created.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managers.first?["manager"] == "alice")
            #expect(managers.first?["operation"] == "Apply")

            let bob = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"changed\"\n"
            let conflict = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=bob", body: Array(bob.utf8),
                contentType: "application/apply-patch+yaml")
            #expect(conflict.status == 409)
            #expect(conflict.json["message"]?.stringValue?.contains("conflict with \"alice\"") == true)
            let forced = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=bob&force=true", body: Array(bob.utf8),
                contentType: "application/apply-patch+yaml")
            #expect(forced.status == 200)
            #expect(forced.json[path: ["data", "a"]] == "changed")

            // alice re-applies without b: the field she alone owned is removed.
            let alice = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata: {}\n"
            let pruned = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=alice", body: Array(alice.utf8),
                contentType: "application/apply-patch+yaml")
            #expect(pruned.status == 200)
            #expect(pruned.json[path: ["data", "b"]] == nil)
            #expect(pruned.json[path: ["data", "a"]] == "changed")

            let noManager = try http.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/ssa", body: Array(alice.utf8),
                contentType: "application/apply-patch+yaml")
            #expect(noManager.status == 400)
        }
    }
}
