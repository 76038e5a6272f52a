import KubeModel
import KubeRuntime
import Roost
import Testing

@Suite struct SnapshotMappingTests {
    func pod(
        labels: [String: String], annotations: [String: String] = [:], nodeName: String = "n1",
        conditions: [CoreV1.PodCondition] = [], phase: String = "Running", deletionTimestamp: String? = nil
    ) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: ObjectMeta(
                name: "w1", namespace: "team", uid: "u1", resourceVersion: "42", deletionTimestamp: deletionTimestamp,
                labels: labels, annotations: annotations),
            spec: CoreV1.PodSpec(nodeName: nodeName, tolerations: [CoreV1.Toleration(key: "gpu", operator: "Exists")]),
            status: CoreV1.PodStatus(phase: phase, conditions: conditions))
    }

    let labels = [
        "roost.dev/managed-by": "roost", "roost.dev/runtime": "coder", "roost.dev/machine": "large-2x",
        "roost.dev/state": "busy", "roost.dev/scheduled": "true", "roost.dev/template-hash": "abc",
    ]
    let ready = CoreV1.PodCondition(type: "Ready", status: "True", lastTransitionTime: "2026-11-29T10:00:00Z")

    @Test func readsAWorkerPod() throws {
        let worker = try #require(
            WorkerSnapshot(
                pod: pod(
                    labels: labels,
                    annotations: ["roost.dev/session": "s1", "roost.dev/idle-since": "2026-11-29T09:00:00Z"],
                    conditions: [CoreV1.PodCondition(type: "PodScheduled", status: "True"), ready])))
        let readyAt = try #require(Timestamp.parse("2026-11-29T10:00:00Z"))
        #expect(
            worker
                == WorkerSnapshot(
                    id: ObjectName(namespace: "team", name: "w1"), uid: "u1", resourceVersion: "42", runtime: "coder",
                    machine: "large-2x", templateHash: "abc", state: .busy, session: "s1", nodeName: "n1", ready: true,
                    readySince: readyAt, idleSince: readyAt - 3600, terminating: false,
                    tolerations: [CoreV1.Toleration(key: "gpu", operator: "Exists")], scheduled: true))
        #expect(worker.runtimeID == ObjectName(namespace: "team", name: "coder"))
    }

    @Test func aPodThatIsNotReadyHasNoReadyTime() throws {
        let notReady = CoreV1.PodCondition(type: "Ready", status: "False", lastTransitionTime: "2026-11-29T10:00:00Z")
        let worker = try #require(WorkerSnapshot(pod: pod(labels: labels, conditions: [notReady])))
        #expect(!worker.ready)
        #expect(worker.readySince == nil)
        #expect(worker.idleSince == nil)
        #expect(worker.scheduled)
    }

    @Test func deletedAndFinishedPodsAreTerminating() throws {
        #expect(try #require(WorkerSnapshot(pod: pod(labels: labels, deletionTimestamp: "2026-11-29T10:00:00Z"))).terminating)
        #expect(try #require(WorkerSnapshot(pod: pod(labels: labels, phase: "Failed"))).terminating)
        #expect(try #require(WorkerSnapshot(pod: pod(labels: labels, phase: "Succeeded"))).terminating)
        #expect(try #require(WorkerSnapshot(pod: pod(labels: labels, phase: "Pending"))).terminating == false)
    }

    @Test func podsThatAreNotRoostWorkersAreNotRead() {
        var foreign = labels
        foreign["roost.dev/managed-by"] = "someone-else"
        #expect(WorkerSnapshot(pod: pod(labels: foreign)) == nil)
        var noRuntime = labels
        noRuntime["roost.dev/runtime"] = nil
        #expect(WorkerSnapshot(pod: pod(labels: noRuntime)) == nil)
        var badState = labels
        badState["roost.dev/state"] = "sleeping"
        #expect(WorkerSnapshot(pod: pod(labels: badState)) == nil)
    }

    @Test func missingOrMalformedValuesReadAsUnknown() throws {
        var sparse = labels
        sparse["roost.dev/template-hash"] = nil
        sparse["roost.dev/state"] = "idle"
        let worker = try #require(
            WorkerSnapshot(
                pod: pod(
                    labels: sparse, annotations: ["roost.dev/session": "", "roost.dev/idle-since": "yesterday"],
                    conditions: [CoreV1.PodCondition(type: "Ready", status: "True", lastTransitionTime: "soon")])))
        #expect(worker.templateHash == "")
        #expect(worker.session == nil)
        #expect(worker.idleSince == nil)
        #expect(worker.ready)
        #expect(worker.readySince == nil)
        #expect(worker.isIdle)
    }

    @Test func readsANode() {
        let node = CoreV1.Node(
            metadata: ObjectMeta(name: "n1", labels: ["pool": "a"]),
            spec: CoreV1.NodeSpec(unschedulable: true, taints: [CoreV1.Taint(key: "k", effect: "NoSchedule")]),
            status: CoreV1.NodeStatus(conditions: [
                CoreV1.NodeCondition(type: "MemoryPressure", status: "False"),
                CoreV1.NodeCondition(type: "Ready", status: "True"),
            ]))
        #expect(
            NodeSnapshot(node: node)
                == NodeSnapshot(
                    name: "n1", labels: ["pool": "a"], unschedulable: true, ready: true,
                    taints: [CoreV1.Taint(key: "k", effect: "NoSchedule")]))
        #expect(NodeSnapshot(node: CoreV1.Node(metadata: ObjectMeta(name: "n2"))).ready == false)
        let unknown = CoreV1.Node(
            metadata: ObjectMeta(name: "n3"),
            status: CoreV1.NodeStatus(conditions: [CoreV1.NodeCondition(type: "Ready", status: "Unknown")]))
        #expect(NodeSnapshot(node: unknown).ready == false)
    }

    @Test func aSessionWithoutAMachineUsesTheRuntimes() {
        let runtime = Fixture.runtime()
        #expect(Fixture.session("s").machine(in: runtime) == "default")
        #expect(Fixture.session("s", machine: "").machine(in: runtime) == "default")
        #expect(Fixture.session("s", machine: "large-2x").machine(in: runtime) == "large-2x")
    }

    @Test func idleTimeComesFromIdleSinceElseReady() {
        #expect(Fixture.worker("a", readySince: 100, idleSince: 400).idleSeconds(now: 1000) == 600)
        #expect(Fixture.worker("a", readySince: 100).idleSeconds(now: 1000) == 900)
        #expect(Fixture.worker("a", readySince: nil).idleSeconds(now: 1000) == nil)
    }
}
