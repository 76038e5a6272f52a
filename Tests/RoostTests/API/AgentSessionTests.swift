import KubeModel
import Roost
import Testing

@Suite struct AgentSessionTests {
    @Test func absentFieldsTakeTheDefaults() throws {
        let session = try AgentSession.decode(#"{"metadata":{"name":"s1"},"spec":{"runtimeRef":{"name":"coder"}}}"#)
        #expect(session.spec == AgentSession.Spec(runtimeRef: AgentSession.RuntimeReference(name: "coder"), triggerSource: "api"))
        #expect(session.spec.rootTriggerSource == nil)
        #expect(session.spec.machine == nil)
        #expect(session.status == AgentSession.Status())
        #expect(session.status.phase == nil)
        #expect(!session.isScheduled)
    }

    @Test(
        arguments: [
            ("schedule", nil, true),
            ("api", nil, false),
            ("sdk", nil, false),
            ("Schedule", nil, false),
            ("api", "schedule", true),
            ("schedule", "api", false),
            ("schedule", "", true),
            ("dashboard", "dashboard", false),
        ] as [(String, String?, Bool)])
    func onlyScheduleIsScheduledAndTheRootWins(trigger: String, root: String?, scheduled: Bool) {
        let spec = AgentSession.Spec(triggerSource: trigger, rootTriggerSource: root)
        #expect(spec.isScheduled == scheduled)
        #expect(AgentSession(spec: spec).isScheduled == scheduled)
    }

    @Test func effectiveMachineIsTheSessionsElseTheRuntimes() {
        let runtime = AgentRuntime(spec: AgentRuntime.Spec(machine: "large-2x"))
        #expect(AgentSession().effectiveMachine(runtime: runtime) == "large-2x")
        #expect(AgentSession(spec: AgentSession.Spec(machine: "small")).effectiveMachine(runtime: runtime) == "small")
        #expect(AgentSession(spec: AgentSession.Spec(machine: "")).effectiveMachine(runtime: runtime) == "large-2x")
        #expect(AgentSession().effectiveMachine(runtime: AgentRuntime()) == "default")
    }

    static let boundStatus = AgentSession.Status(
        phase: .ready, podName: "coder-x7", nodeName: "node-1", podIP: "10.0.0.7",
        placement: AgentSession.Placement(kind: .claimed, reason: "sticky-node", warm: true),
        createdToBoundSeconds: 0.25, createdToReadySeconds: 3,
        conditions: [
            CoreV1.Condition(type: "Bound", status: "True", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "Claimed"),
            CoreV1.Condition(type: "Ready", status: "True", lastTransitionTime: "2026-01-02T03:04:08Z", reason: "WorkerReady"),
        ], message: "", observedGeneration: 1)

    @Test func specAndStatusRoundTrip() throws {
        let spec = AgentSession.Spec(
            runtimeRef: AgentSession.RuntimeReference(name: "coder"), triggerSource: "sdk", rootTriggerSource: "schedule",
            machine: "large-2x")
        #expect(try AgentSession.Spec.decode(spec.jsonValue.jsonString) == spec)
        let status = Self.boundStatus
        #expect(try AgentSession.Status.decode(status.jsonValue.jsonString) == status)
        #expect(
            status.jsonValue
                == [
                    "phase": "Ready", "podName": "coder-x7", "nodeName": "node-1", "podIP": "10.0.0.7",
                    "placement": ["kind": "claimed", "reason": "sticky-node", "warm": true],
                    "createdToBoundSeconds": 0.25, "createdToReadySeconds": 3.0,
                    "conditions": [
                        [
                            "type": "Bound", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z",
                            "reason": "Claimed",
                        ],
                        [
                            "type": "Ready", "status": "True", "lastTransitionTime": "2026-01-02T03:04:08Z",
                            "reason": "WorkerReady",
                        ],
                    ],
                    "observedGeneration": 1,
                ])
    }

    @Test func statusEncodingOmitsEmptyFields() {
        #expect(AgentSession.Status().jsonValue == [:])
        let waiting = AgentSession.Status(
            phase: .pending,
            conditions: [
                CoreV1.Condition(
                    type: "Bound", status: "False", reason: "PoolAtCapacity",
                    message: "runtime coder is at maxWorkers (2/2); waiting for a worker to be released")
            ])
        #expect(waiting.jsonValue["podName"] == nil)
        #expect(waiting.jsonValue["placement"] == nil)
        #expect(waiting.jsonValue["createdToBoundSeconds"] == nil)
        #expect(waiting.jsonValue[path: ["conditions"]]?.arrayValue?.first?["lastTransitionTime"] == nil)
    }

    @Test func mergePatchClearsWhatAnEarlierWriteSet() {
        var released = Self.boundStatus
        released.phase = .released
        released.podName = ""
        released.nodeName = ""
        released.podIP = ""
        released.placement?.reason = ""
        released.message = "session ran longer than maxSessionDuration 8h0m0s"
        let patch = released.mergePatch(resourceVersion: "99")
        #expect(patch[path: ["metadata", "resourceVersion"]] == "99")
        let body = patch["status"]
        #expect(body?["phase"] == "Released")
        #expect(body?["podName"] == .null)
        #expect(body?["nodeName"] == .null)
        #expect(body?["podIP"] == .null)
        #expect(body?["placement"] == ["kind": "claimed", "reason": nil, "warm": true])
        #expect(body?["message"] == "session ran longer than maxSessionDuration 8h0m0s")
        #expect(AgentSession.Status().mergePatch()["metadata"] == nil)
        #expect(AgentSession.Status().mergePatch()["status"]?.objectValue?.allSatisfy { $0.value == .null } == true)
    }

    @Test func unknownPhaseOrPlacementKindReadsAsNil() throws {
        let status = try AgentSession.Status.decode(
            #"{"phase":"Exploded","placement":{"kind":"teleported","warm":true},"podName":"p"}"#)
        #expect(status.phase == nil)
        #expect(status.placement == nil)
        #expect(status.podName == "p")
    }
}
