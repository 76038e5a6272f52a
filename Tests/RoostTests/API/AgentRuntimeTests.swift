import KubeModel
import Roost
import Testing

@Suite struct AgentRuntimeTests {
    static let minimal = """
        {"apiVersion":"roost.dev/v1alpha1","kind":"AgentRuntime","metadata":{"name":"coder","namespace":"team"},
         "spec":{"template":{"spec":{"containers":[{"name":"main","image":"coder:1"}]}}}}
        """

    static let full = """
        {"apiVersion":"roost.dev/v1alpha1","kind":"AgentRuntime",
         "metadata":{"name":"coder","namespace":"team","generation":3,"uid":"u1"},
         "spec":{
           "template":{"metadata":{"labels":{"app":"coder"},"annotations":{"x":"y"}},
                       "spec":{"containers":[{"name":"main","image":"coder:1","args":["--serve"],
                                              "resources":{"requests":{"cpu":"500m"}},
                                              "futureField":{"nested":[1,2.5,null,true]}}],
                               "runtimeClassName":"gvisor","someUnknownField":"kept"}},
           "machine":"large-2x",
           "machines":{"large-2x":{"requests":{"cpu":"4","memory":"8Gi"},"limits":{"memory":"8Gi"},"claims":[{"name":"gpu"}]},
                       "small":{"requests":{"cpu":1}}},
           "pool":{"minIdle":2,"maxWorkers":10,"idleTimeout":"90s","reuseWorkers":false},
           "nodeStickiness":{"enabled":true},
           "maxSessionDuration":"1h30m",
           "unknownSpecField":1},
         "status":{"observedGeneration":3,"workers":4,"idle":2,"busy":1,"starting":1,
                   "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z",
                                  "reason":"PoolReady","message":"2 idle"}],
                   "futureStatus":"x"}}
        """

    @Test func absentFieldsTakeTheDefaults() throws {
        let runtime = try AgentRuntime.decode(Self.minimal)
        #expect(runtime.metadata.name == "coder")
        #expect(runtime.spec.machine == "default")
        #expect(runtime.spec.machines.isEmpty)
        #expect(
            runtime.spec.pool
                == AgentRuntime.Pool(minIdle: 0, maxWorkers: 100, idleTimeout: GoDuration(seconds: 300), reuseWorkers: true))
        #expect(runtime.spec.pool.reapsIdleWorkers)
        #expect(runtime.spec.nodeStickiness.enabled == false)
        #expect(runtime.spec.maxSessionDuration == GoDuration(seconds: 8 * 3600))
        #expect(runtime.spec.problems.isEmpty)
        #expect(runtime.status == AgentRuntime.Status())
        #expect(runtime.usabilityProblem() == nil)
    }

    @Test func everyFieldIsReadAndTheTemplateIsKeptWhole() throws {
        let runtime = try AgentRuntime.decode(Self.full)
        let source = try JSONValue.parse(Self.full)
        #expect(runtime.spec.template == source[path: ["spec", "template"]])
        #expect(runtime.spec.template[path: ["spec", "someUnknownField"]] == "kept")
        #expect(runtime.spec.machine == "large-2x")
        #expect(runtime.spec.machines["large-2x"]?.resources == source[path: ["spec", "machines", "large-2x"]])
        #expect(runtime.spec.machines["small"]?.resources[path: ["requests", "cpu"]] == 1)
        #expect(
            runtime.spec.pool
                == AgentRuntime.Pool(minIdle: 2, maxWorkers: 10, idleTimeout: GoDuration(seconds: 90), reuseWorkers: false))
        #expect(runtime.spec.nodeStickiness.enabled)
        #expect(runtime.spec.maxSessionDuration == GoDuration(seconds: 5400))
        #expect(
            runtime.status
                == AgentRuntime.Status(
                    observedGeneration: 3, workers: 4, idle: 2, busy: 1, starting: 1,
                    conditions: [
                        CoreV1.Condition(
                            type: "Ready", status: "True", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "PoolReady",
                            message: "2 idle")
                    ]))
    }

    @Test func specAndStatusRoundTrip() throws {
        let runtime = try AgentRuntime.decode(Self.full)
        let spec = try AgentRuntime.Spec.decode(runtime.spec.jsonValue.jsonString)
        #expect(spec == runtime.spec)
        #expect(runtime.spec.jsonValue["maxSessionDuration"] == "90m")
        #expect(runtime.spec.jsonValue[path: ["pool", "idleTimeout"]] == "90s")
        let status = try AgentRuntime.Status.decode(runtime.status.jsonValue.jsonString)
        #expect(status == runtime.status)
        let defaults = try AgentRuntime.decode(Self.minimal)
        #expect(defaults.spec.jsonValue[path: ["pool", "idleTimeout"]] == "5m")
        #expect(defaults.spec.jsonValue["maxSessionDuration"] == "8h")
        #expect(defaults.spec.jsonValue["machines"] == nil)
    }

    @Test func statusEncodingOmitsEmptyFieldsAndTheMergePatchClearsThem() {
        let empty = AgentRuntime.Status()
        #expect(empty.jsonValue == ["workers": 0, "idle": 0, "busy": 0, "starting": 0])
        #expect(
            empty.mergePatch()
                == ["status": ["observedGeneration": nil, "workers": 0, "idle": 0, "busy": 0, "starting": 0, "conditions": nil]])
        let status = AgentRuntime.Status(
            observedGeneration: 2, workers: 1, idle: 1, conditions: [CoreV1.Condition(type: "Ready", status: "True")])
        #expect(
            status.mergePatch(resourceVersion: "41")
                == [
                    "metadata": ["resourceVersion": "41"],
                    "status": [
                        "observedGeneration": 2, "workers": 1, "idle": 1, "busy": 0, "starting": 0,
                        "conditions": [["type": "Ready", "status": "True"]],
                    ],
                ])
    }

    @Test func anUnparseableDurationIsAProblemNotADecodeFailure() throws {
        let runtime = try AgentRuntime.decode(
            #"{"spec":{"template":{"spec":{"containers":[{"name":"m","image":"i"}]}},"#
                + #""pool":{"idleTimeout":"5x"},"maxSessionDuration":"soon"}}"#)
        #expect(runtime.spec.pool.idleTimeout == AgentRuntime.Pool.defaultIdleTimeout)
        #expect(runtime.spec.problems.count == 2)
        #expect(runtime.usabilityProblem()?.hasPrefix("spec.pool.idleTimeout: invalid duration \"5x\"") == true)
        #expect(throws: JSONSyntaxError.self) { try AgentRuntime.decode(#"{"spec":{"pool":{"minIdle":"two"}}}"#) }
    }

    @Test func idleTimeoutZeroDisablesReaping() throws {
        let runtime = try AgentRuntime.decode(#"{"spec":{"pool":{"idleTimeout":"0"}}}"#)
        #expect(runtime.spec.pool.idleTimeout == GoDuration(nanoseconds: 0))
        #expect(!runtime.spec.pool.reapsIdleWorkers)
        #expect(runtime.spec.jsonValue[path: ["pool", "idleTimeout"]] == "0")
    }

    @Test(arguments: [
        (#"{}"#, "spec.template.spec.containers is empty: a worker pod needs at least one container"),
        (#"{"spec":{"containers":[]}}"#, "spec.template.spec.containers is empty: a worker pod needs at least one container"),
        (#"{"spec":{"containers":[{"image":"i"}]}}"#, "spec.template.spec.containers[0].name is required"),
        (
            #"{"spec":{"containers":[{"name":"a","image":"i"},{"name":"b"}]}}"#,
            "spec.template.spec.containers[1].image is required (container \"b\")"
        ),
        (#"[]"#, "spec.template must be a pod template object, not array"),
    ])
    func templatesThatCannotMakeAWorker(template: String, problem: String) throws {
        let runtime = try AgentRuntime.decode(#"{"spec":{"template":\#(template)}}"#)
        #expect(runtime.usabilityProblem() == problem)
    }

    @Test func poolAndMachineProblems() throws {
        var runtime = try AgentRuntime.decode(Self.full)
        #expect(runtime.usabilityProblem() == nil)
        runtime.spec.machine = "huge"
        #expect(
            runtime.usabilityProblem()
                == #"spec.machine: machine preset "huge" is not defined; this runtime has "default", "large-2x", "small""#)
        runtime.spec.machine = "default"
        #expect(runtime.usabilityProblem() == nil)
        #expect(runtime.machineProblem("small") == nil)
        runtime.spec.pool.minIdle = 11
        #expect(runtime.usabilityProblem()?.contains("spec.pool.minIdle (11) is greater than spec.pool.maxWorkers (10)") == true)
        runtime.spec.pool.minIdle = -1
        #expect(runtime.usabilityProblem() == "spec.pool.minIdle is -1: it must be 0 or more")
        runtime.spec.pool.minIdle = 0
        runtime.spec.pool.maxWorkers = 0
        #expect(runtime.usabilityProblem() == "spec.pool.maxWorkers is 0: it must be 1 or more")
        runtime.spec.pool.maxWorkers = 1
        runtime.spec.pool.idleTimeout = GoDuration(seconds: -1)
        #expect(runtime.usabilityProblem()?.hasPrefix("spec.pool.idleTimeout is -1s: it must not be negative") == true)
    }

    @Test func templateHashIsStableShortHexAndFollowsTemplateAndPreset() throws {
        let runtime = try AgentRuntime.decode(Self.full)
        let hash = runtime.templateHash(machine: "large-2x")
        #expect(hash.count == 16)
        #expect(hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // Stable: the same input gives the same value in every process (a fixed function, not Hasher).
        #expect(try AgentRuntime.decode(Self.full).templateHash(machine: "large-2x") == hash)
        #expect(
            AgentRuntime(spec: AgentRuntime.Spec(template: ["spec": ["containers": [["name": "m", "image": "i"]]]]))
                .templateHash(machine: "default") == "cdb00a1193be76d6")

        // Member order does not matter (the API server sorts keys; users' files do not).
        var reordered = runtime
        reordered.spec.template = Self.reversingMembers(runtime.spec.template)
        #expect(reordered.spec.template.jsonString != runtime.spec.template.jsonString)
        #expect(reordered.spec.template == runtime.spec.template)
        #expect(reordered.templateHash(machine: "large-2x") == hash)

        #expect(runtime.templateHash(machine: "small") != hash)
        #expect(runtime.templateHash(machine: "default") != hash)
        var changedTemplate = runtime
        changedTemplate.spec.template.set(path: ["spec", "runtimeClassName"], to: "runc")
        #expect(changedTemplate.templateHash(machine: "large-2x") != hash)
        var changedPreset = runtime
        changedPreset.spec.machines["large-2x"]?.resources.set(path: ["requests", "cpu"], to: "8")
        #expect(changedPreset.templateHash(machine: "large-2x") != hash)
        // Other runtime fields are not part of the worker, so they do not change the hash.
        var changedPool = runtime
        changedPool.spec.pool.minIdle = 5
        #expect(changedPool.templateHash(machine: "large-2x") == hash)
    }

    /// `value` with every object's members in reverse order: equal as JSON, different as text.
    static func reversingMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let array): return .array(array.map(reversingMembers))
        case .object(let object):
            return .object(
                JSONObject(members: object.members.reversed().map { .init(key: $0.key, value: reversingMembers($0.value)) }))
        default: return value
        }
    }
}
