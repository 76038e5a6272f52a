import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// The simulated cluster's actors: scheduler, kubelet, garbage collector, namespace cleanup,
/// custom resources.
@Suite struct ClusterTests {
    private func pod(_ http: RawHTTP, _ name: String) throws -> JSONValue {
        try http.request("GET", "/api/v1/namespaces/default/pods/\(name)").json
    }

    @Test func preferredAffinityPicksThePreferredPoolAndKubeletStartsThePod() async throws {
        try await withSim(nodes: "default:2,scheduled-runs:2") { sim, http in
            let affinity: JSONValue = [
                "nodeAffinity": [
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        [
                            "weight": 80,
                            "preference": [
                                "matchExpressions": [
                                    ["key": "node.cluster.x-k8s.io/machinepool", "operator": "In", "values": ["scheduled-runs"]]
                                ]
                            ],
                        ]
                    ]
                ]
            ]
            // Two pods first, so that their nodes' caches are warm for the runtime afterwards.
            for batch in [0..<2, 2..<6] {
                for index in batch {
                    let created = try http.request(
                        "POST", "/api/v1/namespaces/default/pods",
                        json: podManifest(
                            "sched-\(index)", labels: ["roost.dev/runtime": "coder"], extraSpec: ["affinity": affinity]))
                    #expect(created.status == 201)
                }
                #expect(
                    eventually {
                        batch.allSatisfy { (try? pod(http, "sched-\($0)"))?[path: ["status", "phase"]] == "Running" }
                    })
            }
            for index in 0..<6 {
                let running = try pod(http, "sched-\(index)")
                #expect(running[path: ["spec", "nodeName"]]?.stringValue?.hasPrefix("scheduled-runs-") == true)
                let conditions = running[path: ["status", "conditions"]]?.arrayValue ?? []
                #expect(conditions.contains { $0["type"] == "Ready" && $0["status"] == "True" })
                #expect(conditions.contains { $0["type"] == "PodScheduled" && $0["status"] == "True" })
                #expect(running[path: ["status", "podIP"]]?.stringValue?.hasPrefix("10.244.") == true)
                #expect(running[path: ["status", "containerStatuses"]]?.arrayValue?.first?["ready"] == true)
            }
            // The first pod on a node starts cold; later ones of the same runtime start warm.
            let starts = sim.kubelet.starts
            #expect(starts.count == 6)
            let byNode = Dictionary(grouping: starts, by: \.node)
            for (_, nodeStarts) in byNode {
                let ordered = nodeStarts.sorted { $0.readyAt < $1.readyAt }
                #expect(ordered.first?.delaySeconds == 8)
            }
            #expect(starts.contains { $0.warm && $0.delaySeconds == 0.5 })
            let events = try http.request("GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dsched-0")
                .json
            let reasons = events["items"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? []
            #expect(reasons.contains("Scheduled"))
            #expect(reasons.contains("Pulled"))
            #expect(reasons.contains("Started"))
            let report = try http.request("GET", "/_sim/starts").json
            #expect(report.arrayValue?.count == 6)
        }
    }

    @Test func requiredAffinityTaintsAndCapacityMakePodsUnschedulable() async throws {
        try await withSim(nodes: "default:2:pods=1,gpu:1:taint=gpu=true:NoSchedule") { _, http in
            let required: JSONValue = [
                "nodeAffinity": [
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        "nodeSelectorTerms": [
                            [
                                "matchExpressions": [
                                    ["key": "node.cluster.x-k8s.io/machinepool", "operator": "In", "values": ["nowhere"]]
                                ]
                            ]
                        ]
                    ]
                ]
            ]
            _ = try http.request(
                "POST", "/api/v1/namespaces/default/pods", json: podManifest("stuck", extraSpec: ["affinity": required]))
            #expect(
                eventually {
                    let conditions = (try? pod(http, "stuck"))?[path: ["status", "conditions"]]?.arrayValue ?? []
                    return conditions.contains {
                        $0["type"] == "PodScheduled" && $0["status"] == "False" && $0["reason"] == "Unschedulable"
                    }
                })
            #expect(
                eventually {
                    let events =
                        (try? http.request("GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dstuck"))?
                        .json["items"]?.arrayValue ?? []
                    return events.contains { $0["reason"] == "FailedScheduling" && $0["type"] == "Warning" }
                })
            let message =
                try pod(http, "stuck")[path: ["status", "conditions"]]?.arrayValue?.first?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("0/3 nodes are available:"), "got: \(message)")
            #expect(message.contains("node(s) didn't match Pod's node affinity/selector"))

            // Two pods fill both one-pod default nodes; the third cannot tolerate the gpu taint.
            for name in ["fill-0", "fill-1", "fill-2"] {
                _ = try http.request("POST", "/api/v1/namespaces/default/pods", json: podManifest(name))
            }
            #expect(
                eventually {
                    let conditions = (try? pod(http, "fill-2"))?[path: ["status", "conditions"]]?.arrayValue ?? []
                    return conditions.contains { $0["type"] == "PodScheduled" && $0["status"] == "False" }
                })
            let fullMessage =
                try pod(http, "fill-2")[path: ["status", "conditions"]]?.arrayValue?.first?["message"]?.stringValue ?? ""
            #expect(fullMessage.contains("Too many pods"), "got: \(fullMessage)")
            #expect(fullMessage.contains("untolerated taint"), "got: \(fullMessage)")

            // Freeing a node lets the waiting pod in.
            _ = try http.request("DELETE", "/api/v1/namespaces/default/pods/fill-0?gracePeriodSeconds=0")
            #expect(
                eventually {
                    (try? pod(http, "fill-2"))?[path: ["spec", "nodeName"]]?.stringValue?.hasPrefix("default-") == true
                })
        }
    }

    @Test func bindingSubresourceAssignsOnce() async throws {
        try await withSim(nodes: "default:1") { sim, http in
            var configuration = podManifest("manual")
            configuration.set(path: ["spec", "schedulerName"], to: "other-scheduler")
            _ = try http.request("POST", "/api/v1/namespaces/default/pods", json: configuration)
            let binding: JSONValue = [
                "apiVersion": "v1", "kind": "Binding", "metadata": ["name": "manual"],
                "target": ["kind": "Node", "name": "default-0"],
            ]
            let bound = try http.request("POST", "/api/v1/namespaces/default/pods/manual/binding", json: binding)
            #expect(bound.status == 201)
            let again = try http.request("POST", "/api/v1/namespaces/default/pods/manual/binding", json: binding)
            #expect(again.status == 409)
            #expect(eventually { sim.kubelet.starts.contains { $0.pod == "manual" } })
        }
    }

    @Test func gracefulPodDeletionAndNodeRemoval() async throws {
        try await withSim(nodes: "default:1") { _, http in
            _ = try http.request("POST", "/api/v1/namespaces/default/pods", json: podManifest("g"))
            #expect(eventually { (try? pod(http, "g"))?[path: ["status", "phase"]] == "Running" })
            let deleting = try http.request("DELETE", "/api/v1/namespaces/default/pods/g")
            #expect(deleting.status == 200)
            #expect(deleting.json[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(deleting.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
            #expect(eventually { (try? http.request("GET", "/api/v1/namespaces/default/pods/g"))?.status == 404 })

            _ = try http.request("POST", "/api/v1/namespaces/default/pods", json: podManifest("h"))
            #expect(eventually { (try? pod(http, "h"))?[path: ["spec", "nodeName"]] == "default-0" })
            let removed = try http.request("DELETE", "/_sim/nodes/default-0")
            #expect(removed.status == 200)
            #expect(
                eventually { (try? http.request("GET", "/api/v1/namespaces/default/pods/h"))?.status == 404 },
                "pod GC removes pods of a deleted node")
        }
    }

    @Test func ownerReferencesCascadeAndNamespacesEmpty() async throws {
        try await withSim(runKubelet: false) { _, http in
            _ = try http.request(
                "POST", "/api/v1/namespaces", json: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
            let owner = try http.request(
                "POST", "/api/v1/namespaces/team/configmaps",
                json: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"],
                ]
            ).json
            let uid = owner[path: ["metadata", "uid"]] ?? ""
            for index in 0..<3 {
                _ = try http.request(
                    "POST", "/api/v1/namespaces/team/configmaps",
                    json: [
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": [
                            "name": .string("dep-\(index)"),
                            "ownerReferences": [
                                ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid, "controller": true]
                            ],
                        ],
                    ])
            }
            _ = try http.request("DELETE", "/api/v1/namespaces/team/configmaps/owner")
            #expect(
                eventually {
                    (try? http.request("GET", "/api/v1/namespaces/team/configmaps"))?.json["items"]?.arrayValue?.isEmpty == true
                })

            _ = try http.request(
                "POST", "/api/v1/namespaces/team/configmaps",
                json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "left"]])
            let deleting = try http.request("DELETE", "/api/v1/namespaces/team")
            #expect(deleting.status == 200)
            #expect(eventually { (try? http.request("GET", "/api/v1/namespaces/team"))?.status == 404 })
            #expect(try http.request("GET", "/api/v1/namespaces/team/configmaps/left").status == 404)
        }
    }

    @Test func customResourcesAreServedValidatedAndDefaulted() async throws {
        try await withSim(runKubelet: false) { sim, http in
            let crdYAML = try Data(contentsOf: fixturesDirectory.appendingPathComponent("widgets-crd.yaml"))
            let created = try http.request(
                "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: Array(crdYAML),
                contentType: "application/yaml")
            #expect(created.status == 201)
            let conditions = created.json[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
            let discovery = try http.request("GET", "/apis/example.roost.dev/v1").json
            #expect(
                discovery["resources"]?.arrayValue?.contains { $0["name"] == "widgets" && $0["shortNames"] == ["wd"] } == true)
            #expect(discovery["resources"]?.arrayValue?.contains { $0["name"] == "widgets/status" } == true)

            let widget: JSONValue = [
                "apiVersion": "example.roost.dev/v1", "kind": "Widget",
                "metadata": ["name": "w"], "spec": ["size": 2, "unknown": "pruned", "template": ["kept": ["a": 1]]],
                "status": ["phase": "ignored on create"],
            ]
            let stored = try http.request("POST", "/apis/example.roost.dev/v1/namespaces/default/widgets", json: widget)
            #expect(stored.status == 201)
            #expect(stored.json[path: ["spec", "color"]] == "red", "defaults applied")
            #expect(stored.json[path: ["spec", "unknown"]] == nil, "unknown fields pruned")
            #expect(stored.json[path: ["spec", "template", "kept", "a"]] == 1, "preserve-unknown-fields kept")
            #expect(stored.json["status"] == nil, "status is not written through the main resource")

            let strict = try http.request(
                "POST", "/apis/example.roost.dev/v1/namespaces/default/widgets?fieldValidation=Strict",
                json: [
                    "apiVersion": "example.roost.dev/v1", "kind": "Widget", "metadata": ["name": "s"],
                    "spec": ["size": 2, "bogus": 1],
                ])
            #expect(strict.status == 400)
            #expect(strict.json["message"]?.stringValue?.contains("unknown field \"spec.bogus\"") == true)

            let invalid = try http.request(
                "POST", "/apis/example.roost.dev/v1/namespaces/default/widgets",
                json: [
                    "apiVersion": "example.roost.dev/v1", "kind": "Widget", "metadata": ["name": "bad"],
                    "spec": ["size": 0, "color": "pink"],
                ])
            #expect(invalid.status == 422)
            #expect(invalid.json["reason"] == "Invalid")
            let causes = invalid.json[path: ["details", "causes"]]?.arrayValue ?? []
            #expect(causes.contains { $0["field"] == "spec.size" && $0["reason"] == "FieldValueInvalid" })
            #expect(causes.contains { $0["field"] == "spec.color" && $0["reason"] == "FieldValueNotSupported" })
            #expect(invalid.json[path: ["details", "kind"]] == "Widget")
            #expect(invalid.json[path: ["details", "group"]] == "example.roost.dev")

            let missing = try http.request(
                "POST", "/apis/example.roost.dev/v1/namespaces/default/widgets",
                json: [
                    "apiVersion": "example.roost.dev/v1", "kind": "Widget", "metadata": ["name": "nosize"], "spec": [:],
                ])
            #expect(missing.status == 422)
            #expect(missing.json["message"]?.stringValue?.contains("spec.size: Required value") == true)

            var status = stored.json
            status["status"] = ["phase": "Ready"]
            let statusUpdate = try http.request(
                "PUT", "/apis/example.roost.dev/v1/namespaces/default/widgets/w/status", json: status)
            #expect(statusUpdate.status == 200)
            #expect(statusUpdate.json[path: ["status", "phase"]] == "Ready")
            #expect(statusUpdate.json[path: ["metadata", "generation"]] == 1, "status writes do not bump generation")

            let specChange = try http.request(
                "PATCH", "/apis/example.roost.dev/v1/namespaces/default/widgets/w",
                json: ["spec": ["size": 3], "status": ["phase": "nope"]],
                contentType: "application/merge-patch+json")
            #expect(specChange.json[path: ["metadata", "generation"]] == 2)
            #expect(specChange.json[path: ["status", "phase"]] == "Ready")

            let smp = try http.request(
                "PATCH", "/apis/example.roost.dev/v1/namespaces/default/widgets/w", json: ["spec": ["size": 4]],
                contentType: "application/strategic-merge-patch+json")
            #expect(smp.status == 415)

            let table = try http.request(
                "GET", "/apis/example.roost.dev/v1/namespaces/default/widgets",
                headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"])
            #expect(table.json["kind"] == "Table")
            #expect(
                table.json["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                    "Name", "Size", "Phase", "Age",
                ])
            #expect(table.json["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(3) == ["w", 3, "Ready"])

            _ = try http.request("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.roost.dev")
            #expect(try http.request("GET", "/apis/example.roost.dev/v1/namespaces/default/widgets").status == 404)
            #expect(sim.store.counts()[GroupResource(group: "example.roost.dev", resource: "widgets")] ?? 0 == 0)
        }
    }

    @Test func badCRDIsRejected() async throws {
        try await withSim(runKubelet: false) { _, http in
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "wrong.example.roost.dev"],
                "spec": [
                    "group": "example.roost.dev", "scope": "Namespaced",
                    "names": ["plural": "gizmos", "kind": "Gizmo"],
                    "versions": [
                        ["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object"]]]
                    ],
                ],
            ]
            let response = try http.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: crd)
            #expect(response.status == 422)
            #expect(response.json["message"]?.stringValue?.contains("must be spec.names.plural+\".\"+spec.group") == true)
        }
    }
}
