import KubeModel
import Testing

@testable import KubeSim

/// `pods/eviction` over plain HTTP, with JSON and protobuf bodies, and protobuf DeleteOptions.
struct EvictionTests {
    private func pod(_ http: RawHTTP, _ name: String) throws -> RawHTTP.Response {
        try http.request("GET", "/api/v1/namespaces/default/pods/\(name)")
    }

    private func isReady(_ http: RawHTTP, _ name: String) -> Bool {
        guard let json = try? pod(http, name).json else { return false }
        return APIServer.isReady(json)
    }

    private func eviction(_ name: String, deleteOptions: JSONValue? = nil) -> JSONValue {
        var body: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": .string(name)]]
        if let deleteOptions { body["deleteOptions"] = deleteOptions }
        return body
    }

    @Test func discoveryListsTheEvictionSubresource() async throws {
        try await withSim(runKubelet: false) { _, http in
            let resources = try http.request("GET", "/api/v1").json["resources"]?.arrayValue ?? []
            let entry = try #require(resources.first { $0["name"] == "pods/eviction" })
            #expect(entry["kind"] == "Eviction")
            #expect(entry["group"] == "policy")
            #expect(entry["version"] == "v1")
            #expect(entry["verbs"] == ["create"])
        }
    }

    @Test func budgetsAllowSomeEvictionsAndRefuseTheRest() async throws {
        try await withSim(nodes: "default:2") { _, http in
            for (index, name) in ["a", "b"].enumerated() {
                // A finalizer keeps an evicted pod terminating (not gone) while the test looks at it.
                var manifest = podManifest(name, labels: ["app": "x"], extraSpec: ["nodeName": .string("default-\(index)")])
                manifest.set(path: ["metadata", "finalizers"], to: ["example.com/hold"])
                let created = try http.request("POST", "/api/v1/namespaces/default/pods", json: manifest)
                #expect(created.status == 201)
            }
            #expect(eventually { isReady(http, "a") && isReady(http, "b") })
            let budget: JSONValue = [
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "budget"],
                "spec": ["maxUnavailable": "50%", "selector": ["matchLabels": ["app": "x"]]],
            ]
            #expect(
                try http.request("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", json: budget).status == 201)

            let mismatched = try http.request("POST", "/api/v1/namespaces/default/pods/a/eviction", json: eviction("b"))
            #expect(mismatched.status == 400)
            #expect(mismatched.json["message"] == "name in URL does not match name in Eviction object")

            // Two selected pods, at most 50% (rounded up: 1) unavailable: one eviction is allowed.
            let first = try http.request("POST", "/api/v1/namespaces/default/pods/a/eviction", json: eviction("a"))
            #expect(first.status == 201)
            #expect(first.json["status"] == "Success")
            #expect(try pod(http, "a").json[path: ["metadata", "deletionTimestamp"]] != nil, "the pod terminates gracefully")

            // The terminating pod no longer counts as healthy.
            let second = try http.request("POST", "/api/v1/namespaces/default/pods/b/eviction", json: eviction("b"))
            #expect(second.status == 429)
            #expect(second.json["reason"] == "TooManyRequests")
            #expect(second.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget.")
            #expect(
                second.json[path: ["details", "causes"]] == [
                    [
                        "reason": "DisruptionBudget",
                        "message": "The disruption budget budget needs 1 healthy pods and has 1 currently",
                    ]
                ])
            #expect(try pod(http, "b").json[path: ["metadata", "deletionTimestamp"]] == nil)
            #expect(try http.request("GET", "/api/v1/namespaces/default/pods/nope/eviction").status == 404)
            #expect(
                try http.request("POST", "/api/v1/namespaces/default/pods/nope/eviction", json: eviction("nope")).status
                    == 404)
        }
    }

    @Test func protobufEvictionHonoursItsDeleteOptions() async throws {
        try await withSim(nodes: "default:1") { _, http in
            _ = try http.request(
                "POST", "/api/v1/namespaces/default/pods",
                json: podManifest("p", extraSpec: ["nodeName": "default-0"]))
            #expect(eventually { isReady(http, "p") })
            let raw = ProtoWriter.message { eviction in
                eviction.message(1) { meta in
                    meta.string(1, "p")
                    meta.string(3, "default")
                }
                eviction.message(2) { options in options.int64(1, 0) }
            }
            let evicted = try http.request(
                "POST", "/api/v1/namespaces/default/pods/p/eviction",
                body: ProtoWriter.envelope(apiVersion: "policy/v1", kind: "Eviction", raw: raw),
                contentType: "application/vnd.kubernetes.protobuf")
            #expect(evicted.status == 201, "\(evicted.text)")
            #expect(try pod(http, "p").status == 404, "grace period 0 deletes at once")
        }
    }

    @Test func protobufDeleteOptions() async throws {
        try await withSim(runKubelet: false) { _, http in
            let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]
            _ = try http.request("POST", "/api/v1/namespaces/default/configmaps", json: configMap)
            func options(uid: String) -> [UInt8] {
                ProtoWriter.envelope(
                    apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions",
                    raw: ProtoWriter.message { options in
                        options.message(2) { preconditions in preconditions.string(1, uid) }
                        options.string(4, "Background")
                    })
            }
            let refused = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c", body: options(uid: "not-the-uid"),
                contentType: "application/vnd.kubernetes.protobuf")
            #expect(refused.status == 409)
            #expect(refused.text.contains("Precondition failed: UID in precondition: not-the-uid"))

            let uid =
                try http.request("GET", "/api/v1/namespaces/default/configmaps/c").json[path: ["metadata", "uid"]]?
                .stringValue ?? ""
            let deleted = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c", body: options(uid: uid),
                contentType: "application/vnd.kubernetes.protobuf")
            #expect(deleted.status == 200)

            let notOptions = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c",
                body: ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap", raw: []),
                contentType: "application/vnd.kubernetes.protobuf")
            #expect(notOptions.status == 400)
            let garbage = try http.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c", body: [1, 2, 3],
                contentType: "application/vnd.kubernetes.protobuf")
            #expect(garbage.status == 400)
            #expect(
                garbage.json["message"]
                    == "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
        }
    }
}
