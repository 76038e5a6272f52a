import Foundation
import KubeClient
import KubeModel
import Testing

@testable import Roost

/// The API writes a session costs: a warm claim is three (the session's finalizer, the
/// worker's claim, the session's status), a release two (the worker back to idle, the finalizer
/// removed), and nothing conflicts with Roost's own earlier writes.
@Suite(.timeLimit(.minutes(2))) struct WritesEndToEndTests {
    @Test func warmClaimAndReleaseCostFiveWritesAndNoConflict() async throws {
        try await withRoostCluster { cluster in
            try cluster.startOperator()
            try await cluster.createRuntime(
                "coder",
                spec: ["template": ["spec": ["containers": [["name": "agent", "image": "coder:1"]]]], "pool": ["minIdle": 2]])
            // Settled as the operator itself reports it (its caches have both Ready workers).
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 2 })
            #expect(try await cluster.statusCounts("coder", idle: 2, busy: 0))
            let start = cluster.sim.stats.auditLog.count
            // A scheduled session: the claim marks the worker scheduled, the release unmarks it,
            // within the same writes.
            try await cluster.createSession("s1", runtime: "coder", trigger: "schedule")
            #expect(try await eventually { try await cluster.session("s1")?.status.phase == .ready })
            // The pool's refill (a pod create) is done and seen before the release is measured.
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 3 })
            #expect(try await cluster.statusCounts("coder", idle: 2, busy: 1))
            let claimEntries = cluster.sim.stats.auditLog.dropFirst(start).filter {
                ($0.resource.hasPrefix("agentsessions") && $0.name == "s1" && $0.verb == "patch")
                    || ($0.resource == "pods" && $0.verb == "patch")
            }
            #expect(claimEntries.map(\.resource) == ["agentsessions.roost.dev", "pods", "agentsessions.roost.dev/status"])
            #expect(claimEntries.allSatisfy { $0.code == 200 })
            #expect(try await cluster.workers().first { $0.state == "busy" }?.metadata.labels[RoostLabel.scheduled] == "true")

            let releaseStart = cluster.sim.stats.auditLog.count
            try await cluster.deleteSession("s1")
            #expect(try await eventually { try await cluster.session("s1") == nil })
            #expect(try await cluster.statusCounts("coder", idle: 3, busy: 0))
            let releaseEntries = cluster.sim.stats.auditLog.dropFirst(releaseStart).filter {
                ($0.resource.hasPrefix("agentsessions") && $0.verb == "patch")
                    || ($0.resource == "pods" && $0.verb != "watch")
                        && $0.verb != "list" && $0.verb != "get"
            }
            #expect(releaseEntries.map(\.resource).sorted() == ["agentsessions.roost.dev", "pods"])
            #expect(releaseEntries.allSatisfy { $0.code == 200 })
            let released = try await cluster.workers().filter { $0.state == "idle" }
            #expect(released.count == 3)
            #expect(
                released.allSatisfy { $0.metadata.labels[RoostLabel.scheduled] == "false" },
                "idle workers serve no scheduled session")
        }
    }
}
