import KubeModel
import Roost
import Testing

@Suite struct ReapSelectionTests {
    typealias F = Fixture
    /// Workers idle since t=100 (their Ready time); idleTimeout 300 by default.
    let now: Double = 1000

    func reap(
        _ workers: [WorkerSnapshot], runtime: RuntimeSnapshot = F.runtime(), nodes: [NodeSnapshot] = F.nodes(3),
        ages: [String: Double] = [:], policy: WorkerPolicy = F.policy(), now: Double = 1000
    ) -> [ReapSelection] {
        let snapshot = F.snapshot(runtimes: [runtime], workers: workers, nodes: nodes, ages: ages)
        return policy.reapSelection(for: runtime, in: snapshot, now: now)
    }

    @Test func reapsTheNewestNodeFirst() {
        let result = reap(
            [F.worker("a", node: "n1"), F.worker("b", node: "n2"), F.worker("c", node: "n3")],
            ages: ["n1": 300, "n2": 100, "n3": 200])
        #expect(result.map(\.id.name) == ["a", "c", "b"])
        #expect(result.allSatisfy { $0.reason == .idleTimeout(idleSeconds: 900) })
    }

    @Test func unknownNodeAgeGoesFirstThenPodName() {
        let result = reap(
            [F.worker("d", node: "n1"), F.worker("c", node: "n2"), F.worker("b", node: "n3"), F.worker("a", node: "n3")],
            ages: ["n1": 100, "n2": 200])
        #expect(result.map(\.id.name) == ["a", "b", "c", "d"])
    }

    @Test func stopsAtMinIdleKeepingTheOldestNodes() {
        let result = reap(
            [F.worker("a", node: "n1"), F.worker("b", node: "n2"), F.worker("c", node: "n3")],
            runtime: F.runtime(minIdle: 2), ages: ["n1": 100, "n2": 200, "n3": 300])
        #expect(result.map(\.id.name) == ["c"])
        #expect(reap([F.worker("a"), F.worker("b")], runtime: F.runtime(minIdle: 2)).isEmpty)
        #expect(reap([F.worker("a"), F.worker("b")], runtime: F.runtime(minIdle: 5)).isEmpty)
    }

    @Test func onlyIdleTimeStrictlyAboveTheTimeoutCounts() {
        let workers = [
            F.worker("fresh", idleSince: 800),  // 200 s
            F.worker("exact", idleSince: 700),  // 300 s: not strictly more
            F.worker("stale", idleSince: 699),  // 301 s
        ]
        let result = reap(workers)
        #expect(result.map(\.id.name) == ["stale"])
        #expect(result.first?.reason == .idleTimeout(idleSeconds: 301))
    }

    @Test func idleTimeCountsFromIdleSinceElseFromReady() {
        // Used once: idle-since wins over an old Ready time.
        #expect(reap([F.worker("used", readySince: 0, idleSince: 900)]).isEmpty)
        // Never used: Ready time counts (upstream never reaped these).
        #expect(reap([F.worker("never-used", readySince: 600)]).map(\.id.name) == ["never-used"])
        // Neither known: not judged by idle time.
        #expect(reap([F.worker("unknown", readySince: nil)]).isEmpty)
    }

    @Test func zeroIdleTimeoutDisablesOnlyTheIdleRule() {
        let nodes = [F.node("n1"), F.node("cordoned", cordoned: true)]
        let result = reap(
            [F.worker("stale", readySince: 0), F.worker("stuck", node: "cordoned", readySince: 0)],
            runtime: F.runtime(idleTimeout: 0), nodes: nodes)
        #expect(result == [ReapSelection(worker: F.worker("stuck", node: "cordoned", readySince: 0), reason: .node(.cordoned))])
    }

    @Test func unservableIdleWorkersGoFirstWhateverTheirIdleTimeAndMinIdle() {
        let nodes = [
            F.node("n1"), F.node("cordoned", cordoned: true), F.node("down", ready: false),
            F.node("tainted", taints: [CoreV1.Taint(key: "karpenter.sh/disrupted", effect: "NoSchedule")]),
        ]
        let workers = [
            F.worker("stale", readySince: 0),
            F.worker("w-cordoned", node: "cordoned", idleSince: 999),
            F.worker("w-down", node: "down", ready: false),
            F.worker("w-gone", node: "vanished", idleSince: 999),
            F.worker("w-tainted", node: "tainted", idleSince: 999),
            F.worker("w-old", hash: "h0", idleSince: 999),
            F.worker("w-old-starting", node: "", hash: "h0", ready: false),
        ]
        let result = reap(workers, runtime: F.runtime(minIdle: 10), nodes: nodes, ages: ["n1": 10, "cordoned": 20])
        #expect(
            result.map(\.id.name) == ["w-down", "w-gone", "w-old-starting", "w-tainted", "w-cordoned", "w-old"])
        #expect(
            result.map(\.reason.label) == [
                "node-not-ready", "node-unknown", "outdated-template", "node-tainted", "node-cordoned",
                "outdated-template",
            ])
    }

    @Test func unservableWorkersDoNotCountTowardMinIdle() {
        let nodes = [F.node("n1"), F.node("n2"), F.node("cordoned", cordoned: true)]
        let workers = [
            F.worker("a", node: "n1", readySince: 0), F.worker("b", node: "n2", readySince: 0),
            F.worker("c", node: "cordoned", readySince: 0),
        ]
        let result = reap(workers, runtime: F.runtime(minIdle: 2), nodes: nodes)
        #expect(result.map(\.id.name) == ["c"])
        let one = reap(workers, runtime: F.runtime(minIdle: 1), nodes: nodes, ages: ["n1": 1, "n2": 2])
        #expect(one.map(\.id.name) == ["c", "b"])
    }

    @Test func startingWorkersAreLeftToStart() {
        let result = reap([F.worker("pending", node: "", ready: false), F.worker("creating", node: "n1", ready: false)])
        #expect(result.isEmpty)
    }

    @Test func busyAndTerminatingWorkersAreNeverSelected() {
        let nodes = [F.node("cordoned", cordoned: true), F.node("n1")]
        let workers = [
            F.worker("busy", node: "cordoned", hash: "h0", state: .busy, session: "s", readySince: 0),
            F.worker("busy-stale", state: .busy, session: "s2", readySince: 0),
            F.worker("dying", node: "cordoned", readySince: 0, terminating: true),
        ]
        #expect(reap(workers, nodes: nodes).isEmpty)
    }

    @Test func idleWorkersOfOtherPresetsDoNotCountTowardMinIdle() {
        let workers = [
            F.worker("pool", node: "n1", readySince: 0), F.worker("big", node: "n2", machine: "large-2x", readySince: 0),
        ]
        let result = reap(workers, runtime: F.runtime(minIdle: 1), ages: ["n1": 1, "n2": 2])
        #expect(result.map(\.id.name) == ["big"])
    }

    @Test func onlyTheRuntimesOwnWorkersAreJudged() {
        let workers = [F.worker("mine", readySince: 0), F.worker("theirs", runtime: "other", readySince: 0)]
        #expect(reap(workers).map(\.id.name) == ["mine"])
    }

    @Test func aPoolRuleChangeMakesWorkersOnTheLargePoolUnservable() {
        let nodes = [F.node("big", labels: F.largePool)]
        let result = reap([F.worker("a", node: "big", idleSince: 999)], nodes: nodes, policy: F.policy(large: true))
        #expect(result.map(\.reason) == [.largePoolForbidden])
        #expect(result.map(\.reason.label) == ["large-pool-forbidden"])
    }

    @Test func selectionsCarryTheJudgedUidAndResourceVersion() throws {
        let result = reap([F.worker("a", readySince: 0, uid: "u-42", resourceVersion: "7781")])
        let selection = try #require(result.first)
        #expect(selection.worker.uid == "u-42")
        #expect(selection.worker.resourceVersion == "7781")
        #expect(selection.reason.label == "idle-timeout")
    }

    /// Whatever the mix, the reaper deletes only idle workers, never brings the servable idle
    /// supply the pool fill counts below `minIdle`, and takes every worker that cannot serve.
    @Test(arguments: 0..<40) func neverReapsBelowMinIdleAndTakesEveryUnservableWorker(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let nodes = (0..<5).map { F.node("n\($0)", cordoned: random.next(6) == 0, ready: random.next(6) != 0) }
        let workers = (0..<25).map { index in
            F.worker(
                "w\(index)", node: random.next(10) == 0 ? "" : "n\(random.next(6))",
                machine: random.next(5) == 0 ? "large-2x" : "default", hash: random.next(8) == 0 ? "h0" : nil,
                state: random.next(4) == 0 ? .busy : .idle, ready: random.next(6) != 0,
                readySince: Double(random.next(1000)), idleSince: random.next(2) == 0 ? nil : Double(random.next(1000)),
                terminating: random.next(10) == 0)
        }
        let runtime = F.runtime(minIdle: Int(random.next(6)), idleTimeout: Double(random.next(3)) * 200)
        let snapshot = F.snapshot(runtimes: [runtime], workers: workers, nodes: nodes, ages: ["n1": 1, "n2": 2, "n3": 3])
        let policy = F.policy()
        let reaped = policy.reapSelection(for: runtime, in: snapshot, now: 1000)
        let before = policy.poolFill(for: runtime, in: snapshot).idleReady
        let after = policy.poolFill(for: runtime, in: snapshot, excluding: Set(reaped.map(\.id))).idleReady
        #expect(reaped.allSatisfy { $0.worker.isIdle })
        #expect(Set(reaped.map(\.id)).count == reaped.count)
        #expect(after >= min(before, runtime.minIdle))
        let unservable = workers.filter { worker in
            worker.isIdle
                && (worker.templateHash == "h0"
                    || (!worker.nodeName.isEmpty && snapshot.nodeProblem(for: worker) != nil))
        }
        #expect(Set(unservable.map(\.id)).isSubset(of: Set(reaped.map(\.id))))
        if runtime.idleTimeout == 0 {
            #expect(reaped.allSatisfy { $0.reason.label != "idle-timeout" })
        }
    }
}
