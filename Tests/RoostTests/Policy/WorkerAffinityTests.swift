import KubeMachinery
import KubeModel
import Roost
import Testing

@Suite struct WorkerAffinityTests {
    /// Every feature on, with SPEC §3's default keys, values and weights.
    static var allOn: AffinityConfiguration {
        var configuration = AffinityConfiguration()
        configuration.schedule.enabled = true
        configuration.largeMachine.enabled = true
        configuration.runtimeAffinityEnabled = true
        return configuration
    }

    static func context(
        scheduled: Bool = false, machine: String = "default", sticky: Bool = false, lastNode: String? = nil
    ) -> SpawnContext {
        SpawnContext(
            scheduled: scheduled, machine: machine, runtimeName: "coder", stickinessEnabled: sticky, lastNode: lastNode)
    }

    /// Composes and returns the result as compact JSON, member order included.
    private func compose(
        _ template: String, _ context: SpawnContext, _ configuration: AffinityConfiguration
    ) throws -> String {
        try WorkerAffinity.compose(podSpec: JSONValue.parse(template), context: context, configuration: configuration)
            .jsonString
    }

    /// `text` re-serialized compactly, member order kept, so expectations can be written readably.
    private func json(_ text: String) throws -> String { try JSONValue.parse(text).jsonString }

    private let template = #"{"containers":[{"name":"worker","image":"coder:1"}],"restartPolicy":"Never"}"#

    // MARK: - Nothing to add

    @Test func withNothingToAddTheSpecIsUnchangedAndHasNoScaffolding() throws {
        let out = try compose(template, Self.context(scheduled: true, machine: "large-2x"), AffinityConfiguration())
        #expect(out == template)
        #expect(!out.contains("affinity") && !out.contains("tolerations"))
        let withNull = #"{"containers":[],"affinity":null,"tolerations":null}"#
        #expect(try compose(withNull, Self.context(), AffinityConfiguration()) == withNull)
    }

    @Test func stickinessNeedsBothTheSwitchAndALastNode() throws {
        var configuration = AffinityConfiguration()
        configuration.stickinessWeight = 100
        for context in [
            Self.context(sticky: false, lastNode: "node-1"), Self.context(sticky: true, lastNode: nil),
            Self.context(sticky: true, lastNode: ""),
        ] {
            #expect(try compose(template, context, configuration) == template)
        }
    }

    // MARK: - Terms and their order

    @Test func aLargeScheduledStickySessionGetsEveryPreferredTermInOrder() throws {
        let out = try compose(
            template, Self.context(scheduled: true, machine: "large-2x", sticky: true, lastNode: "node-7"), Self.allOn)
        #expect(
            out
                == (try json(
                    #"""
                    {"containers":[{"name":"worker","image":"coder:1"}],"restartPolicy":"Never",
                     "affinity":{
                       "nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
                         {"weight":100,"preference":{"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"In","values":["large-machines"]}]}},
                         {"weight":80,"preference":{"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"In","values":["scheduled-runs"]}]}},
                         {"weight":100,"preference":{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["node-7"]}]}}]},
                       "podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
                         {"weight":50,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"roost.dev/runtime","operator":"In","values":["coder"]}]},"topologyKey":"kubernetes.io/hostname"}}]}}}
                    """#)))
    }

    @Test func anOnDemandDefaultSessionMustAvoidTheLargePoolAndPrefersOffTheSchedulePool() throws {
        var configuration = Self.allOn
        configuration.runtimeAffinityEnabled = false
        let out = try compose(template, Self.context(), configuration)
        #expect(
            out
                == (try json(
                    #"""
                    {"containers":[{"name":"worker","image":"coder:1"}],"restartPolicy":"Never",
                     "affinity":{"nodeAffinity":{
                       "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                         {"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"NotIn","values":["large-machines"]}]}]},
                       "preferredDuringSchedulingIgnoredDuringExecution":[
                         {"weight":20,"preference":{"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"NotIn","values":["scheduled-runs"]}]}}]}}}
                    """#)))
    }

    @Test func configuredKeysValuesAndWeightsAreUsed() throws {
        var configuration = AffinityConfiguration()
        configuration.schedule = .init(enabled: true, labelKey: "example.com/pool", labelValue: "cron")
        configuration.scheduleWeight = 33
        configuration.stickinessWeight = 7
        configuration.runtimeAffinityEnabled = true
        configuration.runtimeAffinityWeight = 9
        configuration.runtimeAffinityTopologyKey = "topology.kubernetes.io/zone"
        let additions = WorkerAffinity.additions(
            for: Self.context(scheduled: true, sticky: true, lastNode: "n1"), configuration: configuration)
        #expect(
            additions.preferredNodeTerms == [
                [
                    "weight": 33,
                    "preference": ["matchExpressions": [["key": "example.com/pool", "operator": "In", "values": ["cron"]]]],
                ],
                [
                    "weight": 7,
                    "preference": ["matchExpressions": [["key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]]]],
                ],
            ])
        #expect(additions.requiredNodeExpressions.isEmpty)
        #expect(
            additions.preferredPodAffinityTerms == [
                [
                    "weight": 9,
                    "podAffinityTerm": [
                        "labelSelector": [
                            "matchExpressions": [["key": "roost.dev/runtime", "operator": "In", "values": ["coder"]]]
                        ],
                        "topologyKey": "topology.kubernetes.io/zone",
                    ],
                ]
            ])
    }

    @Test func scheduleAffinityIsNeverRequired() {
        var configuration = AffinityConfiguration()
        configuration.schedule.enabled = true
        for scheduled in [true, false] {
            let additions = WorkerAffinity.additions(for: Self.context(scheduled: scheduled), configuration: configuration)
            #expect(additions.requiredNodeExpressions.isEmpty)
            #expect(additions.preferredNodeTerms.count == 1)
        }
    }

    // MARK: - The user's terms

    @Test func theUsersTermsStayFirstAndExactlyAsWritten() throws {
        let user = #"""
            {"affinity":{
               "podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"app":"db"}}}]},
               "nodeAffinity":{
                 "preferredDuringSchedulingIgnoredDuringExecution":[{"preference":{"matchExpressions":[{"values":["ssd"],"operator":"In","key":"disk"}]},"weight":5,"x-extra":true}]},
               "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"zone","labelSelector":{}}]}},
             "containers":[]}
            """#
        let out = try compose(user, Self.context(scheduled: true, sticky: true, lastNode: "n1"), Self.allOn)
        #expect(
            out
                == (try json(
                    #"""
                    {"affinity":{
                       "podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"app":"db"}}}]},
                       "nodeAffinity":{
                         "preferredDuringSchedulingIgnoredDuringExecution":[
                           {"preference":{"matchExpressions":[{"values":["ssd"],"operator":"In","key":"disk"}]},"weight":5,"x-extra":true},
                           {"weight":80,"preference":{"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"In","values":["scheduled-runs"]}]}},
                           {"weight":100,"preference":{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["n1"]}]}}],
                         "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                           {"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"NotIn","values":["large-machines"]}]}]}},
                       "podAffinity":{
                         "requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"zone","labelSelector":{}}],
                         "preferredDuringSchedulingIgnoredDuringExecution":[
                           {"weight":50,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"roost.dev/runtime","operator":"In","values":["coder"]}]},"topologyKey":"kubernetes.io/hostname"}}]}},
                     "containers":[]}
                    """#)))
    }

    @Test func aUsersWeightOneHostnameTermDoesNotSuppressStickiness() throws {
        // Seed 001's bug: a user term naming the same node with weight 1 made Roost skip its weight-100 term.
        let user = #"""
            {"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
              {"weight":1,"preference":{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["node-3"]}]}}]}}}
            """#
        let out = try JSONValue.parse(
            compose(user, Self.context(sticky: true, lastNode: "node-3"), AffinityConfiguration()))
        let terms = out[path: ["affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"]]?.arrayValue
        #expect(terms?.map { $0["weight"] } == [1, 100])
        #expect(
            terms?[1] == [
                "weight": 100,
                "preference": ["matchExpressions": [["key": "kubernetes.io/hostname", "operator": "In", "values": ["node-3"]]]],
            ])
        // Nor does Roost's own identical term from an earlier composition: preferred terms are always appended.
        let again = try WorkerAffinity.compose(
            podSpec: out, context: Self.context(sticky: true, lastNode: "node-3"), configuration: AffinityConfiguration())
        #expect(
            again[path: ["affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"]]?.arrayValue?.count == 3)
    }

    // MARK: - Required terms

    private var largeOnly: AffinityConfiguration {
        var configuration = AffinityConfiguration()
        configuration.largeMachine.enabled = true
        return configuration
    }

    @Test func aRequiredExpressionIsAndedIntoEveryTermAndTheEmptyTermIsUntouched() throws {
        let user = #"""
            {"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},{"key":"arch","operator":"In","values":["arm64"]}]},
              {"matchFields":[{"key":"metadata.name","operator":"In","values":["n9"]}]},
              {},
              {"matchExpressions":[],"matchFields":null},
              {"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}],"x-note":"kept"}]}}}}
            """#
        let out = try compose(user, Self.context(machine: "default"), largeOnly)
        let roost = #"{"key":"node.cluster.x-k8s.io/machinepool","operator":"NotIn","values":["large-machines"]}"#
        #expect(
            out
                == (try json(
                    #"""
                    {"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                      {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},{"key":"arch","operator":"In","values":["arm64"]},\#(roost)]},
                      {"matchFields":[{"key":"metadata.name","operator":"In","values":["n9"]}],"matchExpressions":[\#(roost)]},
                      {},
                      {"matchExpressions":[],"matchFields":null},
                      {"matchExpressions":[{"key":"zone","operator":"In","values":["b"]},\#(roost)],"x-note":"kept"}]}}}}
                    """#)))
    }

    @Test func onlyEmptyUserTermsGetNoNewTermBesideThem() throws {
        // A new term would be ORed with the user's and let the pod run where the user said it may not.
        let user = #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}"#
        #expect(try compose(user, Self.context(), largeOnly) == user)
    }

    @Test func aSelectorWithoutTermsGetsOneNewTerm() throws {
        let user = #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}}}"#
        #expect(
            try compose(user, Self.context(), largeOnly)
                == (try json(
                    #"""
                    {"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                      {"matchExpressions":[{"key":"node.cluster.x-k8s.io/machinepool","operator":"NotIn","values":["large-machines"]}]}]}}}}
                    """#)))
    }

    @Test func largePresetsGetNoRequiredExpression() throws {
        let user =
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}}"#
        let out = try JSONValue.parse(compose(user, Self.context(machine: "large-4x"), largeOnly))
        #expect(
            out[path: ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]]
                == (try JSONValue.parse(user))[path: [
                    "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                ]])
    }

    @Test func reapplyingNeverAddsTheRequiredExpressionOrATolerationTwice() throws {
        var configuration = largeOnly
        configuration.runnerTolerations = [CoreV1.Toleration(key: "runner", operator: "Exists", effect: "NoSchedule")]
        let user = #"""
            {"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]},{}]}}}}
            """#
        let once = try compose(user, Self.context(), configuration)
        #expect(try compose(once, Self.context(), configuration) == once)
        let fresh = try compose(#"{"containers":[]}"#, Self.context(), configuration)
        #expect(try compose(fresh, Self.context(), configuration) == fresh)
    }

    // MARK: - Tolerations

    @Test func tolerationsAreTemplateThenRunnerThenScheduleWithoutRepeats() throws {
        var configuration = AffinityConfiguration()
        configuration.runnerTolerations = [
            CoreV1.Toleration(key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule"),
            CoreV1.Toleration(key: "spot", operator: "Exists", effect: "NoExecute"),
        ]
        configuration.scheduleTolerations = [
            CoreV1.Toleration(key: "spot", operator: "Exists", effect: "NoExecute"),
            CoreV1.Toleration(key: "cron", operator: "Exists", effect: "NoSchedule"),
        ]
        // The template's first toleration is the runner's first, written without an operator.
        let user =
            #"{"tolerations":[{"key":"dedicated","value":"agents","effect":"NoSchedule"},{"operator":"Exists"}],"containers":[]}"#
        #expect(
            try compose(user, Self.context(scheduled: true), configuration)
                == (try json(
                    #"""
                    {"tolerations":[{"key":"dedicated","value":"agents","effect":"NoSchedule"},{"operator":"Exists"},
                      {"key":"spot","operator":"Exists","effect":"NoExecute"},
                      {"key":"cron","operator":"Exists","effect":"NoSchedule"}],"containers":[]}
                    """#)))
        #expect(
            try compose(#"{"containers":[]}"#, Self.context(scheduled: false), configuration)
                == (try json(
                    #"""
                    {"containers":[],"tolerations":[
                      {"key":"dedicated","operator":"Equal","value":"agents","effect":"NoSchedule"},
                      {"key":"spot","operator":"Exists","effect":"NoExecute"}]}
                    """#)))
    }

    @Test func noTolerationsKeyWhenThereIsNothingToAdd() throws {
        var configuration = AffinityConfiguration()
        configuration.scheduleTolerations = [CoreV1.Toleration(key: "cron", operator: "Exists", effect: "NoSchedule")]
        #expect(try compose(template, Self.context(scheduled: false), configuration) == template)
        let already = #"{"tolerations":[{"key":"cron","operator":"Exists","effect":"NoSchedule"}]}"#
        #expect(try compose(already, Self.context(scheduled: true), configuration) == already)
    }

    // MARK: - Malformed templates

    @Test(arguments: [
        (#"[]"#, "spec.template.spec: expected an object, got array"),
        (#"{"affinity":[]}"#, "spec.template.spec.affinity: expected an object, got array"),
        (#"{"affinity":{"nodeAffinity":"x"}}"#, "spec.template.spec.affinity.nodeAffinity: expected an object, got string"),
        (
            #"{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":{}}}}"#,
            "spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution: expected an array, got object"
        ),
        (
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[]}}}"#,
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: expected an object, got array"
        ),
        (
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{},7]}}}}"#,
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1]: expected an object, got integer"
        ),
        (
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":{}}]}}}}"#,
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions: expected an array, got object"
        ),
        (
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":"n"}]}}}}"#,
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields: expected an array, got string"
        ),
        (#"{"affinity":{"podAffinity":true}}"#, "spec.template.spec.affinity.podAffinity: expected an object, got boolean"),
        (#"{"tolerations":{}}"#, "spec.template.spec.tolerations: expected an array, got object"),
        (#"{"tolerations":[{"key":"a"},"b"]}"#, "spec.template.spec.tolerations[1]: expected an object, got string"),
        (#"{"tolerations":[{"key":1}]}"#, "spec.template.spec.tolerations[0].key: expected a string, got integer"),
        (
            #"{"tolerations":[{"key":"a","tolerationSeconds":"60"}]}"#,
            "spec.template.spec.tolerations[0].tolerationSeconds: expected an integer, got string"
        ),
    ])
    func malformedTemplatesAreTypedErrorsNamingThePath(template: String, message: String) throws {
        var configuration = Self.allOn
        configuration.runnerTolerations = [CoreV1.Toleration(key: "runner", operator: "Exists", effect: "NoSchedule")]
        let spec = try JSONValue.parse(template)
        #expect {
            _ = try WorkerAffinity.compose(podSpec: spec, context: Self.context(), configuration: configuration)
        } throws: { error in
            (error as? MalformedPodTemplate)?.description == message
        }
    }

    // MARK: - What the scheduler makes of it

    private static func node(_ name: String, _ labels: [String: String]) -> NodeIdentity {
        NodeIdentity(name: name, labels: labels.merging(["kubernetes.io/hostname": name]) { first, _ in first })
    }

    private static let general = node("general-1", ["node.cluster.x-k8s.io/machinepool": "general", "zone": "a"])
    private static let scheduledPool = node("cron-1", ["node.cluster.x-k8s.io/machinepool": "scheduled-runs", "zone": "a"])
    private static let largePool = node("large-1", ["node.cluster.x-k8s.io/machinepool": "large-machines", "zone": "a"])
    private static let otherZone = node("general-2", ["node.cluster.x-k8s.io/machinepool": "general", "zone": "b"])

    /// The composed spec as kube-scheduler reads it: required filter and preferred score per node.
    private func evaluate(_ spec: JSONValue, on nodes: [NodeIdentity]) throws -> [String: Int64?] {
        let pod: JSONValue = ["spec": spec]
        let required = try RequiredNodeAffinity(pod: pod)
        let preferred = try PreferredSchedulingTerms(pod: pod)
        var result: [String: Int64?] = [:]
        for node in nodes {
            result[node.name] =
                required.matches(labels: node.labels, name: node.name)
                ? preferred.score(labels: node.labels, name: node.name) : nil
        }
        return result
    }

    @Test func aScheduledDefaultWorkerPrefersTheSchedulePoolAndCannotLandOnTheLargePool() throws {
        let user = try JSONValue.parse(
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}}"#
        )
        let spec = try WorkerAffinity.compose(
            podSpec: user, context: Self.context(scheduled: true, sticky: true, lastNode: "general-1"),
            configuration: Self.allOn)
        let scores = try evaluate(spec, on: [Self.general, Self.scheduledPool, Self.largePool, Self.otherZone])
        // nil: filtered out. The user's zone rule and Roost's large-pool exclusion both hold.
        #expect(scores == ["general-1": 100, "cron-1": 80, "large-1": nil, "general-2": nil])
    }

    @Test func anOnDemandWorkerPrefersOffTheSchedulePoolAndALargeOneThePoolOfLargeMachines() throws {
        let onDemand = try WorkerAffinity.compose(
            podSpec: ["containers": []], context: Self.context(scheduled: false), configuration: Self.allOn)
        #expect(
            try evaluate(onDemand, on: [Self.general, Self.scheduledPool, Self.largePool])
                == ["general-1": 20, "cron-1": 0, "large-1": nil])
        let large = try WorkerAffinity.compose(
            podSpec: ["containers": []], context: Self.context(scheduled: false, machine: "large-2x"),
            configuration: Self.allOn)
        #expect(
            try evaluate(large, on: [Self.general, Self.scheduledPool, Self.largePool])
                == ["general-1": 20, "cron-1": 0, "large-1": 120])
    }

    @Test func theUsersEmptyTermStillMatchesNoNode() throws {
        let user = try JSONValue.parse(
            #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}"#)
        let spec = try WorkerAffinity.compose(podSpec: user, context: Self.context(), configuration: Self.allOn)
        #expect(try evaluate(spec, on: [Self.general, Self.scheduledPool]) == ["general-1": nil, "cron-1": nil])
    }
}
