import Foundation
import KubeClient
import KubeModel
import Testing

@testable import Roost

/// Spawned workers carry exactly the affinity the configuration asks for, with the template's
/// own terms intact; stickiness writes the last node back and steers the next session there.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AffinityEndToEndTests {
    static let userAffinity: JSONValue = [
        "nodeAffinity": [
            "preferredDuringSchedulingIgnoredDuringExecution": [
                ["weight": 1, "preference": ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]]
            ],
            "requiredDuringSchedulingIgnoredDuringExecution": [
                "nodeSelectorTerms": [
                    ["matchExpressions": [["key": "kubernetes.io/os", "operator": "In", "values": ["linux"]]]]
                ]
            ],
        ]
    ]

    @Test func spawnedWorkersCarryTheConfiguredTermsAndKeepTheTemplates() async throws {
        try await withRoostCluster(pools: [("general", 2), ("scheduled-runs", 1), ("large-machines", 1)]) { cluster in
            try cluster.startOperator(
                RoostCluster.configuration { configuration in
                    configuration.affinity.schedule.enabled = true
                    configuration.affinity.largeMachine.enabled = true
                })
            try await cluster.createRuntime(
                "coder",
                spec: [
                    "template": [
                        "spec": ["containers": [["name": "agent", "image": "coder:1"]], "affinity": Self.userAffinity]
                    ],
                    "machines": ["large-2x": ["requests": ["cpu": "4"]]],
                ])
            try await cluster.createSession("scheduled", runtime: "coder", trigger: "schedule")
            try await cluster.createSession("ondemand", runtime: "coder", trigger: "api")
            try await cluster.createSession("large", runtime: "coder", trigger: "api", machine: "large-2x")
            for name in ["scheduled", "ondemand", "large"] {
                #expect(try await eventually { try await cluster.session(name)?.status.placement?.kind == .spawned })
            }
            func affinity(of session: String) async throws -> JSONValue {
                let name = try #require(try await cluster.session(session)?.status.podName)
                return try #require(try await cluster.podJSON(name)["spec"]?["affinity"])
            }
            let notLarge: JSONValue = [
                "key": "node.cluster.x-k8s.io/machinepool", "operator": "NotIn", "values": ["large-machines"],
            ]
            let scheduled = try await affinity(of: "scheduled")
            let preferred = scheduled["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []
            #expect(preferred.count == 2)
            #expect(preferred.first == Self.userAffinity["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?[0])
            #expect(preferred.last?["weight"] == 80)
            #expect(preferred.last?["preference"]?["matchExpressions"]?[0]?["operator"] == "In")
            #expect(preferred.last?["preference"]?["matchExpressions"]?[0]?["values"] == ["scheduled-runs"])
            let terms = scheduled["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]
            #expect(terms?.arrayValue?.count == 1, "Roost's required expression is ANDed into the user's term")
            #expect(terms?[0]?["matchExpressions"]?.arrayValue?.first?["key"] == "kubernetes.io/os")
            #expect(terms?[0]?["matchExpressions"]?.arrayValue?.last == notLarge)

            let ondemand = try await affinity(of: "ondemand")
            let ondemandPreferred =
                ondemand["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []
            #expect(ondemandPreferred.last?["weight"] == 20)
            #expect(ondemandPreferred.last?["preference"]?["matchExpressions"]?[0]?["operator"] == "NotIn")

            let large = try await affinity(of: "large")
            let largePreferred = large["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []
            #expect(largePreferred.count == 3, "user term, large-machine term, schedule anti-affinity term")
            #expect(largePreferred[1]["weight"] == 100)
            #expect(largePreferred[1]["preference"]?["matchExpressions"]?[0]?["values"] == ["large-machines"])
            let largeTerms = large["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]
            #expect(largeTerms?[0]?["matchExpressions"]?.arrayValue?.count == 1, "no NotIn for a large preset")
            let resources = try await cluster.podJSON(try #require(try await cluster.session("large")?.status.podName))
            #expect(resources["spec"]?["containers"]?[0]?["resources"] == ["requests": ["cpu": "4"]])
        }
    }

    @Test func stickinessWritesTheLastNodeAndTheNextSessionLandsThere() async throws {
        try await withRoostCluster(pools: [("general", 4)]) { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder",
                spec: [
                    "template": ["spec": ["containers": [["name": "agent", "image": "coder:1"]]]],
                    "nodeStickiness": ["enabled": true],
                ])
            try await cluster.createSession("first", runtime: "coder")
            #expect(try await eventually { try await cluster.session("first")?.status.phase == .ready })
            let node = try #require(try await cluster.session("first")?.status.nodeName)
            #expect(
                try await eventually {
                    try await cluster.runtime("coder").metadata.annotations[RoostAnnotation.lastNode] == node
                })
            try await cluster.createSession("second", runtime: "coder")
            #expect(try await eventually { try await cluster.session("second")?.status.phase == .ready })
            let second = try #require(try await cluster.session("second"))
            #expect(second.status.nodeName == node, "the spawned worker prefers the last node")
            let pod = try await cluster.podJSON(second.status.podName)
            let preferred = pod["spec"]?["affinity"]?["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]
            #expect(preferred?.arrayValue?.last?["weight"] == 100)
            #expect(preferred?.arrayValue?.last?["preference"]?["matchExpressions"]?[0]?["key"] == "kubernetes.io/hostname")
        }
    }
}
