import KubeModel
import Roost
import Testing

@Suite struct ClaimRankingTests {
    typealias F = Fixture

    func ranked(
        _ workers: [WorkerSnapshot], session: SessionSnapshot = F.session("s"), runtime: RuntimeSnapshot = F.runtime(),
        nodes: [NodeSnapshot] = F.nodes(3), ages: [String: Double] = [:], policy: WorkerPolicy = F.policy()
    ) -> ClaimCandidates {
        let snapshot = F.snapshot(runtimes: [runtime], sessions: [session], workers: workers, nodes: nodes, ages: ages)
        return policy.candidates(for: session, runtime: runtime, in: snapshot)
    }

    @Test func prefersTheOldestNode() {
        let result = ranked(
            [F.worker("a", node: "n1"), F.worker("b", node: "n2"), F.worker("c", node: "n3")],
            ages: ["n1": 300, "n2": 100, "n3": 200])
        #expect(result.workers.map(\.id.name) == ["b", "c", "a"])
        #expect(result.reason == .oldestNode)
    }

    @Test func aWorkerWhoseNodeAgeIsUnknownRanksLast() {
        let result = ranked(
            [F.worker("a", node: "n3"), F.worker("b", node: "n1"), F.worker("c", node: "n2")],
            ages: ["n1": 300, "n2": 100])
        #expect(result.workers.map(\.id.name) == ["c", "b", "a"])
        // None known: the pod name decides, and the reason says so.
        let unknown = ranked([F.worker("z", node: "n1"), F.worker("y", node: "n2")])
        #expect(unknown.workers.map(\.id.name) == ["y", "z"])
        #expect(unknown.reason == .podName)
    }

    @Test func workersOnOneNodeAreOrderedByName() {
        let result = ranked([F.worker("w2"), F.worker("w10"), F.worker("w1")], ages: ["n1": 100])
        #expect(result.workers.map(\.id.name) == ["w1", "w10", "w2"])
        #expect(result.reason == .oldestNode)
    }

    @Test func theOnlyCandidateSaysSo() {
        let result = ranked([F.worker("a", node: "n2"), F.worker("b", state: .busy, session: "x")], ages: ["n2": 5])
        #expect(result.workers.map(\.id.name) == ["a"])
        #expect(result.reason == .onlyCandidate)
        #expect(ranked([]) == ClaimCandidates(workers: [], reason: nil))
    }

    @Test func theRuntimesLastNodeComesFirstWhenStickinessIsOn() {
        let workers = [F.worker("a", node: "n1"), F.worker("b", node: "n3")]
        let ages: [String: Double] = ["n1": 100, "n3": 900]
        let sticky = ranked(workers, runtime: F.runtime(stickiness: true, lastNode: "n3"), ages: ages)
        #expect(sticky.workers.map(\.id.name) == ["b", "a"])
        #expect(sticky.reason == .stickyNode)
        // Stickiness off: the annotation is inert.
        let off = ranked(workers, runtime: F.runtime(stickiness: false, lastNode: "n3"), ages: ages)
        #expect(off.workers.map(\.id.name) == ["a", "b"])
        #expect(off.reason == .oldestNode)
        // On, but no last node recorded yet (or an empty one).
        #expect(ranked(workers, runtime: F.runtime(stickiness: true), ages: ages).reason == .oldestNode)
        #expect(ranked(workers, runtime: F.runtime(stickiness: true, lastNode: ""), ages: ages).reason == .oldestNode)
        // A single candidate on the last node is still reported as sticky.
        let single = ranked([workers[1]], runtime: F.runtime(stickiness: true, lastNode: "n3"))
        #expect(single.reason == .stickyNode)
    }

    @Test func stickinessWinsOverThePoolPreference() {
        let nodes = [F.node("pool", labels: F.schedulePool), F.node("plain")]
        let result = ranked(
            [F.worker("a", node: "pool"), F.worker("b", node: "plain")], session: F.session("s", scheduled: true),
            runtime: F.runtime(stickiness: true, lastNode: "plain"), nodes: nodes, policy: F.policy(schedule: true))
        #expect(result.workers.map(\.id.name) == ["b", "a"])
        #expect(result.reason == .stickyNode)
    }

    @Test func scheduledSessionsPreferTheSchedulePoolOthersAvoidIt() {
        let nodes = [F.node("pool", labels: F.schedulePool), F.node("plain")]
        let workers = [F.worker("a", node: "pool"), F.worker("b", node: "plain")]
        // The pool node is the newer one: the preference outranks age.
        let ages: [String: Double] = ["pool": 900, "plain": 100]
        let scheduled = ranked(
            workers, session: F.session("s", scheduled: true), nodes: nodes, ages: ages, policy: F.policy(schedule: true))
        #expect(scheduled.workers.map(\.id.name) == ["a", "b"])
        #expect(scheduled.reason == .poolMatch)
        let onDemand = ranked(workers, nodes: nodes, ages: ["pool": 100, "plain": 900], policy: F.policy(schedule: true))
        #expect(onDemand.workers.map(\.id.name) == ["b", "a"])
        #expect(onDemand.reason == .poolMatch)
        // Disabled: only age counts, the pool worker stays claimable.
        let disabled = ranked(workers, session: F.session("s", scheduled: true), nodes: nodes, ages: ages)
        #expect(disabled.workers.map(\.id.name) == ["b", "a"])
        #expect(disabled.reason == .oldestNode)
    }

    @Test func equalPoolScoresFallBackToAge() {
        let nodes = [F.node("p1", labels: F.schedulePool), F.node("p2", labels: F.schedulePool), F.node("plain")]
        let result = ranked(
            [F.worker("a", node: "p1"), F.worker("b", node: "p2"), F.worker("c", node: "plain")],
            session: F.session("s", scheduled: true), nodes: nodes, ages: ["p1": 500, "p2": 400, "plain": 1],
            policy: F.policy(schedule: true))
        #expect(result.workers.map(\.id.name) == ["b", "a", "c"])
        #expect(result.reason == .oldestNode)
    }

    @Test func largePresetsPreferTheLargePool() {
        let nodes = [F.node("big", labels: F.largePool), F.node("plain")]
        let workers = [
            F.worker("a", node: "big", machine: "large-2x"), F.worker("b", node: "plain", machine: "large-2x"),
        ]
        let result = ranked(
            workers, session: F.session("s", machine: "large-2x"), nodes: nodes, ages: ["big": 900, "plain": 100],
            policy: F.policy(large: true))
        #expect(result.workers.map(\.id.name) == ["a", "b"])
        #expect(result.reason == .poolMatch)
    }

    @Test func otherPresetsMayNotRunOnTheLargePool() {
        let nodes = [F.node("big", labels: F.largePool), F.node("plain")]
        let workers = [F.worker("a", node: "big"), F.worker("b", node: "plain")]
        let enabled = ranked(workers, nodes: nodes, ages: ["big": 1, "plain": 2], policy: F.policy(large: true))
        #expect(enabled.workers.map(\.id.name) == ["b"])
        let snapshot = F.snapshot(workers: workers, nodes: nodes)
        #expect(
            F.policy(large: true).claimProblem(workers[0], for: F.session("s"), runtime: F.runtime(), in: snapshot)
                == .largePoolForbidden)
        let disabled = ranked(workers, nodes: nodes, ages: ["big": 1, "plain": 2])
        #expect(disabled.workers.map(\.id.name) == ["a", "b"])
    }

    @Test func onlyServableIdleWorkersOfTheSessionsRuntimeMachineAndTemplateAreClaimable() {
        let nodes = [
            F.node("n1"), F.node("cordoned", cordoned: true), F.node("down", ready: false),
            F.node("tainted", taints: [CoreV1.Taint(key: "gpu", value: "yes", effect: "NoSchedule")]),
            F.node("evicting", taints: [CoreV1.Taint(key: "drain", effect: "NoExecute")]),
            F.node("soft", taints: [CoreV1.Taint(key: "meh", effect: "PreferNoSchedule")]),
        ]
        let tolerant = [CoreV1.Toleration(key: "gpu", operator: "Equal", value: "yes", effect: "NoSchedule")]
        let cases: [(WorkerSnapshot, ClaimProblem?)] = [
            (F.worker("ok"), nil),
            (F.worker("busy", state: .busy, session: "other"), .notIdle),
            (F.worker("half-released", session: "other"), .notIdle),
            (F.worker("starting", ready: false), .notReady),
            (F.worker("dying", terminating: true), .terminating),
            (F.worker("foreign", runtime: "other"), .otherRuntime),
            (F.worker("large", machine: "large-2x"), .otherMachine),
            (F.worker("old", hash: "h0"), .outdatedTemplate),
            (F.worker("unlabelled", hash: ""), .outdatedTemplate),
            (F.worker("unknown-preset", machine: "tiny", hash: "h1"), .outdatedTemplate),
            (F.worker("pending", node: ""), .node(.notScheduled)),
            (F.worker("gone", node: "deleted-node"), .node(.unknownNode)),
            (F.worker("on-cordoned", node: "cordoned"), .node(.cordoned)),
            (F.worker("on-down", node: "down"), .node(.notReady)),
            (F.worker("on-tainted", node: "tainted"), .node(.untoleratedTaint(key: "gpu", effect: "NoSchedule"))),
            (F.worker("on-evicting", node: "evicting"), .node(.untoleratedTaint(key: "drain", effect: "NoExecute"))),
            (F.worker("tolerates", node: "tainted", tolerations: tolerant), nil),
            (F.worker("on-soft", node: "soft"), nil),
        ]
        let workers = cases.map(\.0)
        let snapshot = F.snapshot(
            runtimes: [F.runtime(), F.runtime("other")], workers: workers, nodes: nodes)
        let session = F.session("s")
        for (worker, problem) in cases {
            #expect(
                F.policy().claimProblem(worker, for: session, runtime: F.runtime(), in: snapshot) == problem,
                "\(worker.id.name)")
        }
        let claimable = F.policy().candidates(for: session, runtime: F.runtime(), in: snapshot).workers
        #expect(claimable.map(\.id.name) == ["ok", "on-soft", "tolerates"])
    }

    @Test func aSessionOfAnotherRuntimeClaimsNothing() {
        let snapshot = F.snapshot(workers: [F.worker("a")])
        let session = F.session("s", runtime: "other")
        #expect(F.policy().claimProblem(F.worker("a"), for: session, runtime: F.runtime(), in: snapshot) == .otherRuntime)
    }

    @Test func excludedWorkersAreSkippedAndTheReasonFollowsTheRest() {
        let session = F.session("s")
        let snapshot = F.snapshot(
            sessions: [session], workers: [F.worker("a", node: "n1"), F.worker("b", node: "n2")],
            ages: ["n1": 100, "n2": 200])
        let result = F.policy().candidates(for: session, runtime: F.runtime(), in: snapshot, excluding: [F.id("a")])
        #expect(result.workers.map(\.id.name) == ["b"])
        #expect(result.reason == .onlyCandidate)
    }

    @Test func poolScoreAddsTheMatchedWeights() {
        var affinity = AffinityConfiguration()
        affinity.schedule.enabled = true
        affinity.largeMachine.enabled = true
        affinity.largeMachine.labelKey = "size"
        affinity.largeMachine.labelValue = "large"
        let policy = WorkerPolicy(affinity: affinity)
        let node = F.node("x", labels: ["size": "large"])
        let runtime = F.runtime()
        #expect(policy.poolScore(of: node, for: F.session("s", machine: "large-2x"), runtime: runtime) == 120)
        #expect(policy.poolScore(of: node, for: F.session("s", machine: "large-2x", scheduled: true), runtime: runtime) == 100)
        #expect(policy.poolScore(of: node, for: F.session("s"), runtime: runtime) == 20)
        #expect(policy.allowsPool(of: node, machine: "default") == false)
        #expect(policy.allowsPool(of: node, machine: "large-4x"))
        #expect(policy.allowsPool(of: F.node("y"), machine: "default"))
    }
}
