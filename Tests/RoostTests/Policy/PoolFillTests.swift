import Roost
import Testing

@Suite struct PoolFillTests {
    typealias F = Fixture

    func fill(
        _ workers: [WorkerSnapshot], runtime: RuntimeSnapshot, nodes: [NodeSnapshot] = F.nodes(3),
        excluding: Set<String> = [], policy: WorkerPolicy = F.policy()
    ) -> PoolFill {
        let snapshot = F.snapshot(runtimes: [runtime], workers: workers, nodes: nodes)
        return policy.poolFill(for: runtime, in: snapshot, excluding: Set(excluding.map(F.id)))
    }

    @Test func anEmptyPoolIsFilledToMinIdle() {
        #expect(fill([], runtime: F.runtime(minIdle: 3)) == PoolFill(idleReady: 0, starting: 0, live: 0, toCreate: 3))
        #expect(fill([], runtime: F.runtime(minIdle: 0)).toCreate == 0)
    }

    @Test func aFullPoolIsSteady() {
        let workers = [F.worker("a"), F.worker("b"), F.busy("c", session: "s")]
        #expect(fill(workers, runtime: F.runtime(minIdle: 2)) == PoolFill(idleReady: 2, starting: 0, live: 3, toCreate: 0))
    }

    @Test func startingWorkersAndInFlightCreationsAreSupply() {
        let workers = [F.worker("a"), F.worker("pending", node: "", ready: false), F.worker("creating", ready: false)]
        #expect(
            fill(workers, runtime: F.runtime(minIdle: 4, inFlight: 1))
                == PoolFill(idleReady: 1, starting: 3, live: 4, toCreate: 0))
        #expect(fill(workers, runtime: F.runtime(minIdle: 5)).toCreate == 2)
    }

    @Test func maxWorkersCapsTheFillAndBusyWorkersCount() {
        let workers = [F.busy("a", session: "s1"), F.busy("b", session: "s2"), F.worker("c")]
        #expect(fill(workers, runtime: F.runtime(minIdle: 5, maxWorkers: 4)).toCreate == 1)
        #expect(fill(workers, runtime: F.runtime(minIdle: 5, maxWorkers: 3)).toCreate == 0)
        #expect(fill(workers, runtime: F.runtime(minIdle: 5, maxWorkers: 4, inFlight: 1)).toCreate == 0)
    }

    @Test func idleWorkersThatCannotServeDoNotCountTowardMinIdle() {
        let nodes = [F.node("n1"), F.node("cordoned", cordoned: true), F.node("down", ready: false)]
        let workers = [
            F.worker("ok"), F.worker("on-cordoned", node: "cordoned"), F.worker("old", hash: "h0"),
            F.worker("starting-on-down", node: "down", ready: false),
            F.worker("old-starting", node: "", hash: "h0", ready: false),
            F.worker("big", machine: "large-2x"),
        ]
        let result = fill(workers, runtime: F.runtime(minIdle: 3), nodes: nodes)
        #expect(result == PoolFill(idleReady: 1, starting: 0, live: 6, toCreate: 2))
    }

    @Test func aStartingWorkerOnAForbiddenPoolIsNoSupply() {
        let nodes = [F.node("big", labels: F.largePool)]
        let workers = [F.worker("a", node: "big", ready: false)]
        #expect(fill(workers, runtime: F.runtime(minIdle: 1), nodes: nodes, policy: F.policy(large: true)).starting == 0)
        #expect(fill(workers, runtime: F.runtime(minIdle: 1), nodes: nodes).starting == 1)
    }

    @Test func terminatingAndExcludedWorkersAreGone() {
        let workers = [F.worker("a"), F.worker("b", terminating: true), F.worker("c")]
        #expect(fill(workers, runtime: F.runtime(minIdle: 2)) == PoolFill(idleReady: 2, starting: 0, live: 2, toCreate: 0))
        #expect(
            fill(workers, runtime: F.runtime(minIdle: 2), excluding: ["a"])
                == PoolFill(idleReady: 1, starting: 0, live: 1, toCreate: 1))
    }

    @Test func otherRuntimesWorkersDoNotCount() {
        let workers = [F.worker("a", runtime: "other"), F.busy("b", session: "s", runtime: "other")]
        #expect(
            fill(workers, runtime: F.runtime(minIdle: 1, maxWorkers: 1))
                == PoolFill(idleReady: 0, starting: 0, live: 0, toCreate: 1))
    }

    @Test func anUnusableRuntimeGetsNoWorkers() {
        let result = fill([F.worker("a")], runtime: F.runtime(minIdle: 3, problem: "no containers"))
        #expect(result == PoolFill(idleReady: 1, starting: 0, live: 1, toCreate: 0))
    }
}
