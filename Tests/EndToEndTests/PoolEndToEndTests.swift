import Foundation
import KubeClient
import KubeModel
import Testing

@testable import Roost

private let container: JSONValue = [["name": "agent", "image": "ghcr.io/roost-dev/coder:1.4"]]

/// Roost against the simulated cluster over real HTTP: pools, claims, releases, reaps.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PoolEndToEndTests {
    @Test func minIdleThreeGivesThreeLabelledIdleWorkers() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": ["spec": ["containers": container]], "pool": ["minIdle": 3]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 3 })
            let runtime = try await cluster.runtime("coder")
            let workers = try await cluster.workers()
            #expect(workers.count == 3, "the pool is not over-filled")
            for worker in workers {
                #expect(worker.metadata.labels[RoostLabel.managedBy] == "roost")
                #expect(worker.metadata.labels[RoostLabel.runtime] == "coder")
                #expect(worker.metadata.labels[RoostLabel.machine] == "default")
                #expect(worker.metadata.labels[RoostLabel.state] == "idle")
                #expect(worker.metadata.labels[RoostLabel.scheduled] == "false")
                #expect(worker.metadata.labels[RoostLabel.templateHash] == runtime.templateHash(machine: "default"))
                #expect(worker.metadata.ownerReferences.first?.uid == runtime.metadata.uid)
                #expect(worker.metadata.ownerReferences.first?.controller == true)
            }
            #expect(try await cluster.statusCounts("coder", idle: 3, busy: 0))
            // Steady: no further pod writes while nothing happens.
            let writes = cluster.sim.stats.auditLog.filter {
                $0.resource.hasPrefix("pods") && $0.verb != "get" && $0.verb != "list" && $0.verb != "watch"
            }.count
            try await Task.sleep(for: .seconds(1.5))
            let later = cluster.sim.stats.auditLog.filter {
                $0.resource.hasPrefix("pods") && $0.verb != "get" && $0.verb != "list" && $0.verb != "watch"
            }.count
            #expect(later == writes, "no pod is created, deleted or patched in a steady pool")
        }
    }

    /// A pod create that fails mid-fill leaves no phantom creations behind: the pool reaches
    /// minIdle on the retry, not after the expectations' five-minute lapse.
    @Test func aFailedCreateDoesNotHoldThePoolShort() async throws {
        try await withRoostCluster { cluster in
            cluster.sim.faults.addFailures(
                .init(remaining: 1, code: 500, verbs: ["create"], pathPrefix: "/api/v1/namespaces/\(cluster.namespace)/pods"))
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": ["spec": ["containers": container]], "pool": ["minIdle": 3]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 3 })
            #expect(cluster.sim.faults.snapshot["failures"]?.arrayValue?.isEmpty ?? true, "the injected failure was used")
            #expect(try await cluster.workers().count == 3, "the pool is not over-filled")
        }
    }

    @Test func sessionClaimsTheWorkerOnTheOldestNodeAndReleaseReturnsIt() async throws {
        try await withRoostCluster(pools: [("general", 3)]) { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": ["spec": ["containers": container]], "pool": ["minIdle": 1]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 1 })
            let first = try #require(try await cluster.workers().first)
            // Let the first node's first-seen time fall clearly before the others'.
            try await Task.sleep(for: .seconds(1.1))
            _ = try await cluster.client.patch(
                ClusterWrites.agentRuntimes, namespace: cluster.namespace, name: "coder",
                .merge(["spec": ["pool": ["minIdle": 3]]]))
            let filled = try await eventually { try await cluster.workers().filter(\.isReady).count == 3 }
            #expect(filled, "the pool grows to the new minIdle\n\(cluster.diagnostics(runtime: "coder"))")
            let nodes = Set(try await cluster.workers().map(\.spec.nodeName))
            try await cluster.createSession("s1", runtime: "coder")
            #expect(try await eventually { try await cluster.session("s1")?.status.phase == .ready })
            let session = try #require(try await cluster.session("s1"))
            #expect(session.status.placement?.kind == .claimed)
            #expect(session.status.placement?.warm == true)
            if nodes.count > 1 {
                #expect(session.status.nodeName == first.spec.nodeName, "claimed on the oldest-seen node")
            }
            let bound = try #require(try await cluster.workers().first { $0.metadata.name == session.status.podName })
            #expect(bound.state == "busy")
            #expect(bound.session == "s1")
            #expect(session.metadata.finalizers.contains(RoostFinalizer.release))
            #expect(session.status.conditions.first { $0.type == "Bound" }?.status == "True")

            try await cluster.deleteSession("s1")
            #expect(try await eventually { try await cluster.session("s1") == nil })
            let released = try #require(try await cluster.workers().first { $0.metadata.name == bound.metadata.name })
            #expect(released.state == "idle")
            #expect(released.session == nil)
            #expect(released.metadata.annotations[RoostAnnotation.idleSince] != nil)
        }
    }

    @Test func idleWorkersAreReapedNewestNodeFirstDownToMinIdle() async throws {
        try await withRoostCluster(pools: [("general", 3)]) { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder", spec: ["template": ["spec": ["containers": container]], "pool": ["minIdle": 1, "idleTimeout": "1h"]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 1 })
            let oldest = try #require(try await cluster.workers().first)
            try await Task.sleep(for: .seconds(1.1))
            for index in 1...3 { try await cluster.createSession("s\(index)", runtime: "coder") }
            #expect(
                try await eventually {
                    var ready = 0
                    for index in 1...3 where try await cluster.session("s\(index)")?.status.phase == .ready { ready += 1 }
                    return ready == 3
                })
            #expect(try await cluster.workers().count >= 3)
            for index in 1...3 { try await cluster.deleteSession("s\(index)") }
            // Every worker idle first, then a short idle timeout: all of them are past it on the
            // same reap, so the order among them (newest node first) decides, not which session
            // happened to be released a few milliseconds earlier.
            #expect(
                try await eventually {
                    let workers = try await cluster.workers()
                    return workers.count >= 3 && workers.allSatisfy { $0.state == "idle" }
                })
            try await Task.sleep(for: .seconds(1.1))
            _ = try await cluster.client.patch(
                ClusterWrites.agentRuntimes, namespace: cluster.namespace, name: "coder",
                .merge(["spec": ["pool": ["idleTimeout": "1s"]]]))
            #expect(try await eventually(timeout: 30) { try await cluster.workers().count == 1 })
            let survivor = try #require(try await cluster.workers().first)
            #expect(survivor.spec.nodeName == oldest.spec.nodeName, "the worker on the oldest-seen node is kept")
            #expect(survivor.state == "idle")
        }
    }

    @Test func theSteadyPoolSurvivesWatchDropsCompactionAndARestartWithoutWrites() async throws {
        try await withRoostCluster { cluster in
            let first = try cluster.startOperator()
            try await cluster.createRuntime(
                "coder",
                spec: [
                    "template": ["spec": ["containers": container]], "pool": ["minIdle": 2], "nodeStickiness": ["enabled": true],
                ])
            try await cluster.createSession("s1", runtime: "coder")
            #expect(try await eventually { try await cluster.session("s1")?.status.phase == .ready })
            #expect(try await eventually { try await cluster.workers().filter { $0.isReady && $0.state == "idle" }.count == 2 })
            // Settled as the operator reports it: the runtime's counts and the last-node write-back
            // (sent by its own queue) are in, so any write from here on is the restart's doing.
            let node = try #require(try await cluster.session("s1")?.status.nodeName)
            #expect(try await cluster.statusCounts("coder", idle: 2, busy: 1))
            #expect(
                try await eventually {
                    try await cluster.runtime("coder").metadata.annotations[RoostAnnotation.lastNode] == node
                })
            try await Task.sleep(for: .seconds(1))
            func writes() -> Int {
                cluster.sim.stats.auditLog.filter {
                    ["create", "patch", "update", "delete"].contains($0.verb)
                        && ($0.resource == "pods" || $0.resource.hasPrefix("agent"))
                }.count
            }
            let before = writes()
            cluster.sim.store.terminateAllWatches()
            cluster.sim.store.compact()
            try await Task.sleep(for: .seconds(1.5))
            await cluster.kill(first)
            try cluster.startOperator()
            try await Task.sleep(for: .seconds(2.5))
            #expect(writes() == before, "no pod, session or runtime is written: relists, a restart and resyncs change nothing")
            #expect(try await cluster.session("s1")?.status.phase == .ready)
        }
    }
}
