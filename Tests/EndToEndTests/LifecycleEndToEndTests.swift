import Foundation
import KubeClient
import KubeModel
import Testing

@testable import Roost

private let template: JSONValue = ["spec": ["containers": [["name": "agent", "image": "coder:1"]]]]

/// Waiting sessions say why, released workers follow `reuseWorkers`, and a new template replaces
/// the idle workers of the old one.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LifecycleEndToEndTests {
    @Test func atCapacityTheSessionWaitsWithTheNumbersThenBindsOnRelease() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime("coder", spec: ["template": template, "pool": ["maxWorkers": 1]])
            try await cluster.createSession("first", runtime: "coder")
            #expect(try await eventually { try await cluster.session("first")?.status.phase == .ready })
            try await cluster.createSession("second", runtime: "coder")
            #expect(
                try await eventually {
                    try await cluster.session("second")?.status.conditions.first { $0.type == "Bound" }?.reason
                        == "PoolAtCapacity"
                })
            let waiting = try #require(try await cluster.session("second"))
            #expect(waiting.status.phase == .pending)
            #expect(
                waiting.status.conditions.first { $0.type == "Bound" }?.message
                    == "runtime coder is at maxWorkers (1/1); waiting for a worker to be released")
            #expect(try await eventually { try await !cluster.events(reason: "PlacementFailed", involving: "second").isEmpty })
            // Resyncs (every 2 s here) re-run the placement with the same reason: no second Event.
            try await Task.sleep(for: .seconds(2.5))
            #expect(
                try await cluster.events(reason: "PlacementFailed", involving: "second").count == 1,
                "one PlacementFailed Event per change of reason")
            try await cluster.deleteSession("first")
            #expect(try await eventually { try await cluster.session("second")?.status.phase == .ready })
            #expect(try await cluster.session("second")?.status.placement?.kind == .claimed, "the released worker is reused")
            #expect(try await cluster.workers().count == 1, "never more workers than maxWorkers")
        }
    }

    @Test func sessionOfAMissingRuntimeWaitsWithRuntimeNotFound() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createSession("lost", runtime: "nowhere")
            #expect(
                try await eventually {
                    try await cluster.session("lost")?.status.conditions.first { $0.type == "Bound" }?.reason
                        == "RuntimeNotFound"
                })
            let message = try await cluster.session("lost")?.status.message ?? ""
            #expect(message.contains("nowhere"), "\(message)")
        }
    }

    @Test func withoutReuseAReleasedWorkerIsDeletedBeforeTheSessionGoes() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": template, "pool": ["minIdle": 1, "reuseWorkers": false]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 1 })
            try await cluster.createSession("s1", runtime: "coder")
            #expect(try await eventually { try await cluster.session("s1")?.status.phase == .ready })
            let worker = try #require(try await cluster.session("s1")?.status.podName)
            try await cluster.deleteSession("s1")
            #expect(try await eventually { try await cluster.session("s1") == nil })
            let names = try await cluster.workers().map(\.metadata.name)
            #expect(!names.contains(worker), "the used worker is gone, not back in the pool")
            #expect(try await eventually { try await cluster.workers().filter { $0.isReady && $0.state == "idle" }.count == 1 })
        }
    }

    @Test func aNewTemplateReplacesTheIdleWorkersOfTheOldOne() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime("coder", spec: ["template": template, "pool": ["minIdle": 2]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 2 })
            let old = Set(try await cluster.workers().map(\.metadata.name))
            _ = try await cluster.client.patch(
                ClusterWrites.agentRuntimes, namespace: cluster.namespace, name: "coder",
                .merge(["spec": ["template": ["spec": ["containers": [["name": "agent", "image": "coder:2"]]]]]]))
            let runtime = try await cluster.runtime("coder")
            let hash = runtime.templateHash(machine: "default")
            #expect(
                try await eventually(timeout: 30) {
                    let workers = try await cluster.workers()
                    return workers.count == 2 && workers.allSatisfy { $0.isReady && !old.contains($0.metadata.name) }
                })
            #expect(try await cluster.workers().allSatisfy { $0.metadata.labels[RoostLabel.templateHash] == hash })
        }
    }

    @Test func aSessionStrandedOnAnUnschedulableWorkerGetsANewOneWhenTheTemplateIsFixed() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            let picky: JSONValue = [
                "spec": ["containers": [["name": "agent", "image": "coder:1"]], "nodeSelector": ["disk": "ssd"]]
            ]
            try await cluster.createRuntime("coder", spec: ["template": picky, "pool": ["maxWorkers": 1]])
            try await cluster.createSession("s1", runtime: "coder")
            #expect(
                try await eventually {
                    try await cluster.session("s1")?.status.conditions.first { $0.type == "Bound" }?.reason == "Unschedulable"
                })
            let stranded = try #require(try await cluster.session("s1")?.status.podName)
            #expect(try await eventually { try await !cluster.events(reason: "PlacementFailed", involving: "s1").isEmpty })
            #expect(
                try await eventually {
                    try await cluster.runtime("coder").status.conditions.first { $0.type == "Ready" }?.reason == "Unschedulable"
                })

            _ = try await cluster.client.patch(
                ClusterWrites.agentRuntimes, namespace: cluster.namespace, name: "coder",
                .merge(["spec": ["template": ["spec": ["nodeSelector": .null]]]]))
            #expect(try await eventually(timeout: 30) { try await cluster.session("s1")?.status.phase == .ready })
            let session = try #require(try await cluster.session("s1"))
            #expect(session.status.podName != stranded, "a new worker of the fixed template")
            #expect(try await eventually { try await cluster.workers().allSatisfy { $0.metadata.name != stranded } })
        }
    }

    @Test func aSessionPastMaxSessionDurationIsReleasedAndItsWorkerReturns() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": template, "pool": ["minIdle": 1], "maxSessionDuration": "2s"])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 1 })
            try await cluster.createSession("s1", runtime: "coder")
            #expect(try await eventually { try await cluster.session("s1")?.status.phase == .ready })
            let worker = try #require(try await cluster.session("s1")?.status.podName)
            #expect(try await eventually(timeout: 30) { try await cluster.session("s1")?.status.phase == .released })
            let session = try #require(try await cluster.session("s1"))
            #expect(session.status.message.contains("maxSessionDuration"), "\(session.status.message)")
            #expect(session.status.conditions.first { $0.type == "Bound" }?.reason == "Released")
            #expect(
                try await eventually {
                    try await cluster.workers().first { $0.metadata.name == worker }?.state == "idle"
                })
            #expect(try await eventually { try await cluster.session("s1")?.metadata.finalizers.isEmpty == true })
        }
    }
}
