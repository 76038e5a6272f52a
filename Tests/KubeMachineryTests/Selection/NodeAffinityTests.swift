import KubeMachinery
import KubeModel
import Testing

func podWithRequired(_ terms: [JSONValue], nodeSelector: JSONValue? = nil) -> JSONValue {
    var spec: JSONValue = [
        "affinity": [
            "nodeAffinity": [
                "requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": .array(terms)]
            ]
        ]
    ]
    if let nodeSelector { spec["nodeSelector"] = nodeSelector }
    return ["metadata": ["name": "p"], "spec": spec]
}

func node(_ name: String, labels: [String: String] = [:], extra: [String: JSONValue] = [:])
    -> JSONValue
{
    var labelObject = JSONObject()
    for (key, value) in labels { labelObject[key] = .string(value) }
    var json: JSONValue = ["metadata": ["name": .string(name), "labels": .object(labelObject)]]
    for (key, value) in extra { json[key] = value }
    return json
}

@Suite struct NodeAffinityTests {
    @Test func operatorsOverLabels() throws {
        let cases: [(JSONValue, Bool)] = [
            (["key": "zone", "operator": "In", "values": ["a", "b"]], true),
            (["key": "zone", "operator": "NotIn", "values": ["a"]], false),
            (["key": "gpu", "operator": "Exists"], false),
            (["key": "gpu", "operator": "DoesNotExist"], true),
            (["key": "cores", "operator": "Gt", "values": ["8"]], true),
            (["key": "cores", "operator": "Gt", "values": ["16"]], false),
            (["key": "cores", "operator": "Lt", "values": ["17"]], true),
            (["key": "zone", "operator": "Lt", "values": ["17"]], false),
        ]
        let target = node("n1", labels: ["zone": "a", "cores": "16"])
        for (expression, expected) in cases {
            let affinity = try RequiredNodeAffinity(
                pod: podWithRequired([["matchExpressions": [expression]]]))
            #expect(affinity.matches(node: target) == expected, "\(expression)")
        }
    }

    @Test func emptyTermsMatchNothingAndTermsAreORed() throws {
        let empty = try RequiredNodeAffinity(pod: podWithRequired([[:]]))
        #expect(!empty.matches(node: node("n1")))
        let none = try RequiredNodeAffinity(pod: podWithRequired([]))
        #expect(!none.matches(node: node("n1")))
        let ored = try RequiredNodeAffinity(
            pod: podWithRequired([
                [:], ["matchExpressions": [["key": "zone", "operator": "In", "values": ["x"]]]],
                ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]],
            ]))
        #expect(ored.matches(node: node("n1", labels: ["zone": "a"])))
        #expect(!ored.matches(node: node("n1", labels: ["zone": "b"])))
        // No affinity at all matches every node.
        #expect(try RequiredNodeAffinity(pod: ["spec": [:]]).matches(node: node("n1")))
    }

    @Test func expressionsAndFieldsAreANDed() throws {
        let affinity = try RequiredNodeAffinity(
            pod: podWithRequired([
                [
                    "matchExpressions": [["key": "zone", "operator": "Exists"]],
                    "matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]],
                ]
            ]))
        #expect(affinity.matches(node: node("n1", labels: ["zone": "a"])))
        #expect(!affinity.matches(node: node("n2", labels: ["zone": "a"])))
        #expect(!affinity.matches(node: node("n1")))
        let notIn = try RequiredNodeAffinity(
            pod: podWithRequired([
                ["matchFields": [["key": "metadata.name", "operator": "NotIn", "values": ["n1"]]]]
            ]))
        #expect(!notIn.matches(node: node("n1")))
        #expect(notIn.matches(node: node("n2")))
    }

    @Test func nodeSelectorMapMustAlsoMatch() throws {
        let affinity = try RequiredNodeAffinity(
            pod: podWithRequired(
                [["matchExpressions": [["key": "zone", "operator": "Exists"]]]],
                nodeSelector: ["disk": "ssd"]))
        #expect(affinity.matches(node: node("n1", labels: ["zone": "a", "disk": "ssd"])))
        #expect(!affinity.matches(node: node("n1", labels: ["zone": "a", "disk": "hdd"])))
        let onlySelector = try RequiredNodeAffinity(pod: ["spec": ["nodeSelector": ["disk": "ssd"]]])
        #expect(onlySelector.matches(labels: ["disk": "ssd"], name: "x"))
        #expect(!onlySelector.matches(labels: [:], name: "x"))
    }

    @Test func invalidTerms() throws {
        let gt = #expect(throws: SelectionError.self) {
            try RequiredNodeAffinity(
                pod: podWithRequired([
                    ["matchExpressions": [["key": "cores", "operator": "Gt", "values": ["many"]]]]
                ]))
        }
        #expect(gt?.kind == .nodeAffinityInvalid)
        #expect(
            gt?.message
                == "nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an integer"
        )
        let op = #expect(throws: SelectionError.self) {
            try RequiredNodeAffinity(
                pod: podWithRequired([
                    [:], ["matchExpressions": [["key": "a", "operator": "Like", "values": ["x"]]]],
                ]))
        }
        #expect(
            op?.message
                == "nodeSelectorTerms[1].matchExpressions[0].operator: Unsupported value: \"Like\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\""
        )
        let fields = #expect(throws: SelectionError.self) {
            try RequiredNodeAffinity(
                pod: podWithRequired([
                    [
                        "matchFields": [
                            ["key": "metadata.name", "operator": "Exists"],
                            ["key": "metadata.name", "operator": "In", "values": ["a", "b"]],
                        ]
                    ]
                ]))
        }
        #expect(
            fields?.message
                == "[nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\", nodeSelectorTerms[0].matchFields[1].values: Invalid value: [\"a\",\"b\"]: must have one element]"
        )
        // The lenient reading keeps the bad term; it matches nothing, other terms still work.
        let lenient = try RequiredNodeAffinity(
            lenientPod: podWithRequired([
                ["matchExpressions": [["key": "cores", "operator": "Gt", "values": ["many"]]]],
                ["matchExpressions": [["key": "zone", "operator": "Exists"]]],
            ]))
        #expect(!lenient.matches(node: node("n", labels: ["cores": "9"])))
        #expect(lenient.matches(node: node("n", labels: ["zone": "a"])))
        #expect(throws: SelectionError.self) {
            try RequiredNodeAffinity(pod: ["spec": ["nodeSelector": "ssd"]])
        }
    }

    @Test func preferredTermsScore() throws {
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
                            ["weight": 50, "preference": [:]],
                            [
                                "weight": 0,
                                "preference": ["matchExpressions": [["key": "zone", "operator": "Exists"]]],
                            ],
                        ]
                    ]
                ]
            ]
        ]
        let terms = try PreferredSchedulingTerms(pod: pod)
        #expect(terms.terms.count == 3)
        #expect(terms.score(labels: ["zone": "a", "disk": "ssd"], name: "n") == 100)
        #expect(terms.score(labels: ["zone": "b"], name: "n") == 0)
        #expect(terms.score(labels: ["gpu": "1", "zone": "a"], name: "n") == 180)
        let bad: JSONValue = [
            "spec": [
                "affinity": [
                    "nodeAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 1,
                                "preference": [
                                    "matchExpressions": [["key": "a", "operator": "Lt", "values": ["x"]]]
                                ],
                            ]
                        ]
                    ]
                ]
            ]
        ]
        let error = #expect(throws: SelectionError.self) { try PreferredSchedulingTerms(pod: bad) }
        #expect(
            error?.message
                == "[0].matchExpressions[0].values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"
        )
        #expect(try PreferredSchedulingTerms(lenientPod: bad).terms.isEmpty)
    }
}

@Suite struct TolerationTests {
    @Test(arguments: [
        (Toleration(operator: "Exists"), Taint(key: "pool", value: "gpu", effect: "NoSchedule"), true),
        (Toleration(operator: "Exists"), Taint(key: "x", effect: "NoExecute"), true),
        (
            Toleration(key: "pool", operator: "Exists"),
            Taint(key: "pool", value: "gpu", effect: "NoSchedule"), true
        ),
        (
            Toleration(key: "pool", operator: "Exists"),
            Taint(key: "other", value: "gpu", effect: "NoSchedule"), false
        ),
        (
            Toleration(key: "pool", value: "gpu"), Taint(key: "pool", value: "gpu", effect: "NoExecute"),
            true
        ),
        (
            Toleration(key: "pool", operator: "Equal", value: "gpu"),
            Taint(key: "pool", value: "cpu", effect: "NoSchedule"), false
        ),
        (
            Toleration(key: "pool", operator: "Equal", value: "gpu", effect: "NoSchedule"),
            Taint(key: "pool", value: "gpu", effect: "NoExecute"), false
        ),
        (
            Toleration(
                key: "pool", operator: "Equal", value: "gpu", effect: "NoSchedule", tolerationSeconds: 5),
            Taint(key: "pool", value: "gpu", effect: "NoSchedule"), true
        ),
        (
            Toleration(key: "pool", operator: "Bogus", value: "gpu"),
            Taint(key: "pool", value: "gpu", effect: "NoSchedule"), false
        ),
        (
            Toleration(key: "level", operator: "Gt", value: "3"),
            Taint(key: "level", value: "5", effect: "NoSchedule"), true
        ),
        (
            Toleration(key: "level", operator: "Lt", value: "3"),
            Taint(key: "level", value: "5", effect: "NoSchedule"), false
        ),
    ])
    func table(toleration: Toleration, taint: Taint, expected: Bool) {
        #expect(toleration.tolerates(taint) == expected)
    }

    @Test func firstUntoleratedIgnoresPreferNoSchedule() throws {
        let nodeJSON: JSONValue = [
            "spec": [
                "taints": [
                    ["key": "soft", "effect": "PreferNoSchedule"],
                    ["key": "pool", "value": "gpu", "effect": "NoSchedule"],
                    ["key": "drain", "effect": "NoExecute"],
                ]
            ]
        ]
        let taints = try Taint.list(node: nodeJSON)
        #expect(taints.count == 3)
        #expect(Taint.firstUntolerated(taints: taints, tolerations: [])?.key == "pool")
        let pod: JSONValue = [
            "spec": ["tolerations": [["key": "pool", "operator": "Equal", "value": "gpu"]]]
        ]
        let tolerations = try Toleration.list(pod: pod)
        #expect(Taint.firstUntolerated(taints: taints, tolerations: tolerations)?.key == "drain")
        #expect(
            Taint.firstUntolerated(taints: taints, tolerations: [Toleration(operator: "Exists")]) == nil)
        #expect(Taint(key: "pool", value: "gpu", effect: "NoSchedule").description == "{pool: gpu}")
    }
}
