import KubeMachinery
import KubeModel
import Testing

func nodeInfo(
    _ name: String, labels: [String: String] = [:], taints: [JSONValue] = [],
    unschedulable: Bool = false,
    allocatablePods: JSONValue? = nil, pods: [ExistingPod] = []
) throws -> NodeInfo {
    var json = node(name, labels: labels)
    json["spec"] = ["taints": .array(taints), "unschedulable": .bool(unschedulable)]
    if let allocatablePods { json["status"] = ["allocatable": ["pods": allocatablePods]] }
    return try NodeInfo(node: json, pods: pods)
}

@Suite struct NormalisationTests {
    @Test func defaultNormalize() {
        #expect(Scheduling.defaultNormalizeScore([0, 20, 80], reverse: false) == [0, 25, 100])
        #expect(Scheduling.defaultNormalizeScore([1, 2, 3], reverse: false) == [33, 66, 100])
        #expect(Scheduling.defaultNormalizeScore([0, 0], reverse: false) == [0, 0])
        #expect(Scheduling.defaultNormalizeScore([0, 0], reverse: true) == [100, 100])
        #expect(Scheduling.defaultNormalizeScore([0, 1, 2], reverse: true) == [100, 50, 0])
        #expect(Scheduling.defaultNormalizeScore([], reverse: true) == [])
    }

    @Test func minMax() {
        #expect(Scheduling.minMaxNormalize([-10, 0, 30]) == [0, 25, 100])
        #expect(Scheduling.minMaxNormalize([5, 5]) == [0, 0])
        #expect(Scheduling.minMaxNormalize([1, 2, 4]) == [0, 33, 100])
    }
}

@Suite struct FilterTests {
    @Test func fiveNodeFailureMessage() throws {
        let gpuTaint: JSONValue = ["key": "pool", "value": "gpu", "effect": "NoSchedule"]
        let nodes = [
            try nodeInfo("n1", labels: ["pool": "cpu"]),
            try nodeInfo("n2", labels: ["pool": "cpu"]),
            try nodeInfo("n3", labels: ["pool": "gpu"], taints: [gpuTaint]),
            try nodeInfo("n4", labels: ["pool": "gpu"], taints: [gpuTaint]),
            try nodeInfo("n5", labels: ["pool": "gpu"], taints: [gpuTaint]),
        ]
        let pod: JSONValue = ["metadata": ["name": "p"], "spec": ["nodeSelector": ["pool": "gpu"]]]
        let result = Scheduling.filter(pod: pod, nodes: nodes)
        #expect(result.feasible.isEmpty)
        #expect(
            result.failure
                == "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint {pool: gpu}. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
        )
        var tolerating = pod
        tolerating["spec"] = [
            "nodeSelector": ["pool": "gpu"],
            "tolerations": [
                ["key": "pool", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]
            ],
        ]
        let ok = Scheduling.filter(pod: tolerating, nodes: nodes)
        #expect(ok.failure == nil)
        #expect(ok.feasible.map(\.name) == ["n3", "n4", "n5"])
    }

    @Test func unschedulableFullAndPreemption() throws {
        let full = try nodeInfo(
            "full", allocatablePods: "2",
            pods: [ExistingPod(namespace: "d", labels: [:]), ExistingPod(namespace: "d", labels: [:])])
        let nodes = [
            try nodeInfo("cordoned", unschedulable: true),
            full,
            try nodeInfo("tainted", taints: [["key": "a", "value": "b", "effect": "NoExecute"]]),
            try nodeInfo(
                "soft", taints: [["key": "s", "effect": "PreferNoSchedule"]], unschedulable: true),
        ]
        let result = Scheduling.filter(pod: ["spec": [:]], nodes: nodes)
        #expect(
            result.failure
                == "0/4 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {a: b}, 2 node(s) were unschedulable. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."
        )
        // Tolerating the unschedulable taint lets the pod onto cordoned nodes; PreferNoSchedule never filters.
        let tolerant: JSONValue = [
            "spec": ["tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists"]]]
        ]
        #expect(
            Scheduling.filter(pod: tolerant, nodes: nodes).feasible.map(\.name) == ["cordoned", "soft"])
        #expect(
            Scheduling.filter(pod: ["spec": [:]], nodes: []).failure
                == "no nodes available to schedule pods")
        let roomy = try nodeInfo(
            "roomy", allocatablePods: 3, pods: [ExistingPod(namespace: "d", labels: [:])])
        #expect(Scheduling.filter(pod: ["spec": [:]], nodes: [roomy]).feasible.count == 1)
        #expect(
            Scheduling.filter(pod: ["spec": ["nodeName": "other"]], nodes: [roomy]).failure?.contains(
                "1 node(s) didn't match the requested node name") == true)
    }
}

@Suite struct ScoringTests {
    @Test func nodeAffinityScoring() throws {
        let pod: JSONValue = [
            "spec": [
                "affinity": [
                    "nodeAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 80,
                                "preference": [
                                    "matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]
                                ],
                            ],
                            [
                                "weight": 20,
                                "preference": ["matchExpressions": [["key": "disk", "operator": "Exists"]]],
                            ],
                            [
                                "weight": 100,
                                "preference": ["matchExpressions": [["key": "gpu", "operator": "Exists"]]],
                            ],
                        ]
                    ]
                ]
            ]
        ]
        let nodes = [
            try nodeInfo("both", labels: ["zone": "a", "disk": "ssd"]),
            try nodeInfo("zone", labels: ["zone": "a"]),
            try nodeInfo("none"),
            try nodeInfo("all", labels: ["zone": "a", "disk": "ssd", "gpu": "1"]),
        ]
        #expect(Scheduling.nodeAffinityScores(pod: pod, nodes: nodes) == [100, 80, 0, 200])
        let scores = Scheduling.score(pod: pod, nodes: nodes)
        #expect(scores.map { $0.plugins["NodeAffinity"] } == [100, 80, 0, 200])
        // No taints: TaintToleration gives everyone 100 × 3.
        #expect(scores.map(\.total) == [400, 380, 300, 500])
        #expect(Scheduling.select(scores: scores, seed: 1)?.name == "all")
    }

    @Test func taintScoringIsReversed() throws {
        let soft: (String) -> JSONValue = { ["key": .string($0), "effect": "PreferNoSchedule"] }
        let nodes = [
            try nodeInfo("clean"),
            try nodeInfo("one", taints: [soft("a")]),
            try nodeInfo("two", taints: [soft("a"), soft("b"), ["key": "c", "effect": "NoSchedule"]]),
        ]
        #expect(Scheduling.taintTolerationScores(pod: ["spec": [:]], nodes: nodes) == [0, 1, 2])
        #expect(Scheduling.score(pod: ["spec": [:]], nodes: nodes).map(\.total) == [300, 150, 0])
        // A toleration with an explicit NoSchedule effect does not count for PreferNoSchedule.
        let pod: JSONValue = [
            "spec": [
                "tolerations": [
                    ["key": "a", "operator": "Exists", "effect": "NoSchedule"],
                    ["key": "b", "operator": "Exists"],
                ]
            ]
        ]
        #expect(Scheduling.taintTolerationScores(pod: pod, nodes: nodes) == [0, 1, 1])
    }

    @Test func interPodAffinityScoring() throws {
        let cache = ExistingPod(name: "cache", namespace: "shop", labels: ["app": "cache"])
        let web = ExistingPod(name: "web", namespace: "shop", labels: ["app": "web"])
        let elsewhere = ExistingPod(name: "cache2", namespace: "other", labels: ["app": "cache"])
        let nodes = [
            try nodeInfo("a1", labels: ["zone": "a", "host": "a1"], pods: [cache]),
            try nodeInfo("a2", labels: ["zone": "a", "host": "a2"], pods: [web]),
            try nodeInfo("b1", labels: ["zone": "b", "host": "b1"], pods: [elsewhere]),
        ]
        let pod: JSONValue = [
            "metadata": ["namespace": "shop"],
            "spec": [
                "affinity": [
                    "podAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 50,
                                "podAffinityTerm": [
                                    "labelSelector": ["matchLabels": ["app": "cache"]], "topologyKey": "zone",
                                ],
                            ]
                        ]
                    ],
                    "podAntiAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 10,
                                "podAffinityTerm": [
                                    "labelSelector": ["matchLabels": ["app": "web"]], "topologyKey": "host",
                                ],
                            ]
                        ]
                    ],
                ]
            ],
        ]
        // a1: +50 (zone a has the cache); a2: +50 −10; b1: the cache there is in another namespace.
        #expect(Scheduling.interPodAffinityScores(pod: pod, nodes: nodes) == [50, 40, 0])
        #expect(
            Scheduling.score(pod: pod, nodes: nodes).map { $0.plugins["InterPodAffinity"] } == [
                200, 160, 0,
            ])
        // With namespaces listed explicitly, the other namespace counts too.
        var allNamespaces = pod
        allNamespaces["spec"] = [
            "affinity": [
                "podAffinity": [
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        [
                            "weight": 5,
                            "podAffinityTerm": [
                                "labelSelector": ["matchLabels": ["app": "cache"]], "namespaceSelector": [:],
                                "topologyKey": "zone",
                            ],
                        ]
                    ]
                ]
            ]
        ]
        #expect(Scheduling.interPodAffinityScores(pod: allNamespaces, nodes: nodes) == [5, 5, 5])
        #expect(Scheduling.interPodAffinityScores(pod: ["spec": [:]], nodes: nodes) == nil)
    }

    @Test func deterministicTieBreak() {
        let scores = (0..<5).map { NodeScore(name: "n\($0)", total: $0 == 3 ? 10 : 50) }
        let picks = (0..<64).compactMap { Scheduling.select(scores: scores, seed: UInt64($0))?.name }
        #expect(picks.count == 64)
        #expect(!picks.contains("n3"))
        #expect(Set(picks).count == 4)
        for seed in [UInt64(7), 42, 99_999] {
            #expect(
                Scheduling.select(scores: scores, seed: seed)
                    == Scheduling.select(scores: scores, seed: seed))
        }
        #expect(Scheduling.select(scores: [], seed: 1) == nil)
        #expect(
            Scheduling.select(
                scores: [NodeScore(name: "x", total: 1), NodeScore(name: "y", total: 2)], seed: 3)?.name
                == "y")
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    }
}
