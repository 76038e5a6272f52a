import KubeModel
import Roost
import Testing

@Suite struct DecisionValidationTests {
    typealias F = Fixture
    let cycle = PlacementCycle()
    let session = F.session("s")
    let worker = F.worker("w", resourceVersion: "10")

    var claim: PlacementDecision { .claim(session: session, worker: worker, reason: .onlyCandidate) }
    var spawn: PlacementDecision { .spawn(session: session, reason: .noIdleWorker) }

    func check(
        _ decision: PlacementDecision, sessions: [SessionSnapshot]? = nil, workers: [WorkerSnapshot]? = nil,
        runtimes: [RuntimeSnapshot] = [F.runtime()], nodes: [NodeSnapshot] = F.nodes(3)
    ) -> DecisionCheck {
        let current = F.snapshot(
            runtimes: runtimes, sessions: sessions ?? [session], workers: workers ?? [worker], nodes: nodes)
        return cycle.validate(decision, against: current)
    }

    @Test func aDecisionThatStillHoldsIsAppliedWithTheCurrentCopies() {
        let touched = F.worker("w", resourceVersion: "11")
        #expect(check(claim, workers: [touched]) == .accepted(.claim(session: session, worker: touched, reason: .onlyCandidate)))
        #expect(check(spawn) == .accepted(spawn))
    }

    @Test func aSessionDeletedOrReplacedMeanwhileIsDropped() {
        for decision in [claim, spawn, .wait(session: session, reason: .runtimeNotFound)] {
            #expect(check(decision, sessions: []) == .dropped(.sessionGone))
            #expect(check(decision, sessions: [F.session("s", uid: "other-uid")]) == .dropped(.sessionGone))
            #expect(check(decision, sessions: [F.session("s", terminating: true)]) == .dropped(.sessionGone))
        }
    }

    @Test func aSessionBoundMeanwhileIsDropped() {
        #expect(check(claim, sessions: [F.session("s", boundWorker: "x")]) == .dropped(.sessionBound))
        // The cluster shows the binding on a worker before the session's status does.
        #expect(check(spawn, workers: [worker, F.busy("x", session: "s")]) == .dropped(.sessionBound))
        #expect(
            check(.wait(session: session, reason: .runtimeNotFound), sessions: [F.session("s", boundWorker: "x")])
                == .dropped(.sessionBound))
    }

    @Test func aWorkerNoLongerIdleOrGoneIsDropped() {
        #expect(check(claim, workers: [F.busy("w", session: "other")]) == .dropped(.workerTaken))
        #expect(check(claim, workers: []) == .dropped(.workerGone))
        #expect(check(claim, workers: [F.worker("w", terminating: true)]) == .dropped(.workerGone))
        #expect(check(claim, workers: [F.worker("w", uid: "recreated")]) == .dropped(.workerGone))
    }

    @Test func aWorkerThatCanNoLongerServeIsDropped() {
        let cordoned = [F.node("n1", cordoned: true)]
        #expect(check(claim, nodes: cordoned) == .dropped(.workerUnclaimable))
        #expect(check(claim, workers: [F.worker("w", hash: "h0")]) == .dropped(.workerUnclaimable))
        #expect(check(claim, workers: [F.worker("w", ready: false)]) == .dropped(.workerUnclaimable))
    }

    @Test func aRuntimeDeletedOrBrokenMeanwhileDropsClaimsAndSpawns() {
        for decision in [claim, spawn] {
            #expect(check(decision, runtimes: []) == .dropped(.runtimeGone))
            #expect(check(decision, runtimes: [F.runtime(problem: "no containers")]) == .dropped(.runtimeInvalid))
        }
        // The preset the session asks for was removed from the runtime.
        var withoutDefault = F.runtime()
        withoutDefault.templateHashes["default"] = nil
        #expect(check(spawn, runtimes: [withoutDefault]) == .dropped(.runtimeInvalid))
        #expect(check(claim, runtimes: [withoutDefault]) == .dropped(.runtimeInvalid))
        // A wait is still written: it is about the session, and the next cycle corrects it.
        let wait = PlacementDecision.wait(session: session, reason: .poolAtCapacity(live: 1, max: 1))
        #expect(check(wait, runtimes: []) == .accepted(wait))
    }

    @Test func aSpawnOverTheCapNowIsDropped() {
        let full = [F.runtime(maxWorkers: 1)]
        #expect(check(spawn, workers: [F.busy("b", session: "other")], runtimes: full) == .dropped(.poolAtCapacity))
        #expect(check(spawn, workers: [], runtimes: [F.runtime(maxWorkers: 1, inFlight: 1)]) == .dropped(.poolAtCapacity))
        #expect(check(spawn, workers: [], runtimes: full) == .accepted(spawn))
    }

    @Test func aBatchCountsItsOwnEarlierDecisions() {
        let s2 = F.session("s2")
        let s3 = F.session("s3")
        let current = F.snapshot(
            runtimes: [F.runtime(maxWorkers: 2)], sessions: [session, s2, s3], workers: [worker])
        let batch: [PlacementDecision] = [
            claim,
            .claim(session: s2, worker: worker, reason: .onlyCandidate),
            .spawn(session: s2, reason: .noClaimableWorker),
            .spawn(session: s3, reason: .noClaimableWorker),
            .spawn(session: session, reason: .noIdleWorker),
        ]
        let result = cycle.validate(batch, against: current)
        #expect(result.accepted == [claim, .spawn(session: s2, reason: .noClaimableWorker)])
        #expect(
            result.dropped == [
                DroppedDecision(decision: batch[1], reason: .workerTaken),
                DroppedDecision(decision: batch[3], reason: .poolAtCapacity),
                DroppedDecision(decision: batch[4], reason: .sessionBound),
            ])
    }

    /// Seed 003's caveat: the snapshot ages while the cycle runs. A worker deleted (or claimed by a
    /// replica) while its claim waits to be applied is not bound; the session waits for the next
    /// cycle, which places it on what exists then.
    @Test func aWorkerDeletedWhileItsClaimWaitsLeavesTheSessionForTheNextCycle() {
        let before = F.snapshot(sessions: [session], workers: [worker])
        let decisions = cycle.run(on: before)
        #expect(decisions == [claim])
        let after = F.snapshot(sessions: [session], workers: [])
        let checked = cycle.validate(decisions, against: after)
        #expect(checked.accepted.isEmpty)
        #expect(checked.dropped.map(\.reason.rawValue) == ["worker-gone"])
        #expect(cycle.run(on: after) == [.spawn(session: session, reason: .noIdleWorker)])
    }

    @Test func asyncResultsAgainstAMovedClusterKeepOnlyWhatStillHolds() {
        let sessions = (1...4).map { F.session("s\($0)", createdAt: Double($0)) }
        let workers = (1...3).map { F.worker("w\($0)", node: "n\($0)") }
        let decisions = cycle.run(on: F.snapshot(sessions: sessions, workers: workers, ages: ["n1": 1, "n2": 2, "n3": 3]))
        // Meanwhile: s2 deleted, w3 claimed by another replica, s4 bound by a sync path.
        let current = F.snapshot(
            sessions: [sessions[0], sessions[2], F.session("s4", createdAt: 4, boundWorker: "elsewhere")],
            workers: [workers[0], workers[1], F.busy("w3", session: "x")])
        let result = cycle.validate(decisions, against: current)
        #expect(result.accepted.map(\.session.id.name) == ["s1"])
        #expect(result.dropped.map(\.reason) == [.sessionGone, .workerTaken, .sessionBound])
    }

    @Test func dropReasonsAreTheMetricLabels() {
        #expect(
            DropReason.allCases.map(\.rawValue) == [
                "session-gone", "session-bound", "runtime-gone", "runtime-invalid", "worker-gone", "worker-taken",
                "worker-unclaimable", "pool-at-capacity",
            ])
        #expect(
            ClaimReason.allCases.map(\.rawValue) == ["sticky-node", "only-candidate", "pool-match", "oldest-node", "pod-name"])
        #expect(SpawnReason.allCases.map(\.rawValue) == ["no-idle-worker", "no-claimable-worker"])
    }
}
