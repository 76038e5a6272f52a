import KubeModel
import KubeRuntime
import Roost
import Testing

@Suite struct PlacementCycleTests {
    typealias F = Fixture
    let cycle = PlacementCycle()

    /// `name→worker` for claims, `name+` for spawns, `name…Reason` for waits: compact expectations.
    func summary(_ decisions: [PlacementDecision]) -> [String] {
        decisions.map { decision in
            switch decision {
            case .claim(let session, let worker, let reason): "\(session.id.name)→\(worker.id.name) \(reason.rawValue)"
            case .spawn(let session, let reason): "\(session.id.name)+ \(reason.rawValue)"
            case .wait(let session, let reason): "\(session.id.name)… \(reason.conditionReason)"
            }
        }
    }

    @Test func oldestSessionsGetTheBestWorkersAndEachWorkerGoesOnce() {
        let snapshot = F.snapshot(
            sessions: [
                F.session("late", createdAt: 30), F.session("b", createdAt: 10), F.session("a", createdAt: 10),
            ],
            workers: [F.worker("w-new", node: "n2"), F.worker("w-old", node: "n1")],
            ages: ["n1": 100, "n2": 200])
        #expect(
            summary(cycle.run(on: snapshot)) == [
                "a→w-old oldest-node", "b→w-new only-candidate", "late+ no-claimable-worker",
            ])
    }

    @Test func spawnsCountTowardMaxWorkersWithinTheCycle() {
        let snapshot = F.snapshot(
            runtimes: [F.runtime(maxWorkers: 2)],
            sessions: [F.session("s1", createdAt: 1), F.session("s2", createdAt: 2), F.session("s3", createdAt: 3)],
            workers: [F.busy("w1", session: "old")])
        let decisions = cycle.run(on: snapshot)
        #expect(summary(decisions) == ["s1+ no-idle-worker", "s2… PoolAtCapacity", "s3… PoolAtCapacity"])
        guard case .wait(let session, let reason) = decisions[1] else {
            Issue.record("expected a wait")
            return
        }
        #expect(reason == .poolAtCapacity(live: 2, max: 2))
        #expect(reason.message(for: session) == "runtime coder is at maxWorkers (2/2); waiting for a worker to be released")
    }

    @Test func inFlightCreationsAndOnlyLiveWorkersCountTowardMaxWorkers() {
        let sessions = [F.session("s1")]
        let full = F.snapshot(runtimes: [F.runtime(maxWorkers: 1, inFlight: 1)], sessions: sessions)
        #expect(summary(cycle.run(on: full)) == ["s1… PoolAtCapacity"])
        let terminating = F.snapshot(
            runtimes: [F.runtime(maxWorkers: 1)], sessions: sessions,
            workers: [F.worker("dying", state: .busy, session: "gone", terminating: true)])
        #expect(summary(cycle.run(on: terminating)) == ["s1+ no-idle-worker"])
    }

    @Test func aMissingOrUnusableRuntimeMakesTheSessionWaitWithAClearMessage() {
        let snapshot = F.snapshot(
            runtimes: [F.runtime(problem: "spec.template.spec.containers must not be empty")],
            sessions: [F.session("s1", createdAt: 1), F.session("s2", createdAt: 2, runtime: "missing")])
        let decisions = cycle.run(on: snapshot)
        #expect(
            decisions == [
                .wait(
                    session: F.session("s1", createdAt: 1),
                    reason: .invalidRuntime(message: "spec.template.spec.containers must not be empty")),
                .wait(session: F.session("s2", createdAt: 2, runtime: "missing"), reason: .runtimeNotFound),
            ])
        #expect(
            decisions.map { decision -> String in
                guard case .wait(let session, let reason) = decision else { return "" }
                return "\(reason.conditionReason): \(reason.message(for: session))"
            } == [
                "InvalidRuntime: runtime coder is invalid: spec.template.spec.containers must not be empty",
                "RuntimeNotFound: runtime missing not found in namespace team",
            ])
    }

    @Test func aSessionAskingForAnUndefinedPresetWaits() {
        let session = F.session("s1", machine: "gpu-9x")
        let decisions = cycle.run(on: F.snapshot(sessions: [session], workers: [F.worker("w", machine: "gpu-9x")]))
        #expect(decisions == [.wait(session: session, reason: .undefinedMachine("gpu-9x"))])
        let reason = WaitReason.undefinedMachine("gpu-9x")
        #expect(reason.conditionReason == "InvalidRuntime")
        #expect(reason.message(for: session) == #"runtime coder has no machine preset "gpu-9x""#)
    }

    @Test func boundTerminatingAndAlreadyServedSessionsAreNotPlaced() {
        let snapshot = F.snapshot(
            sessions: [
                F.session("bound", boundWorker: "w9"), F.session("deleting", terminating: true),
                F.session("served-not-recorded"), F.session("new"),
            ],
            workers: [
                F.worker("w1"), F.busy("w2", session: "served-not-recorded"),
                F.worker("w3", state: .busy, session: "new", terminating: true),
            ])
        #expect(summary(cycle.run(on: snapshot)) == ["new→w1 only-candidate"])
        #expect(snapshot.boundWorker(of: F.session("served-not-recorded")) == "w2")
        #expect(snapshot.pendingSessions.map(\.id.name) == ["new"])
        let blank = F.snapshot(sessions: [F.session("blank", boundWorker: "")])
        #expect(blank.pendingSessions.map(\.id.name) == ["blank"])
    }

    @Test func sessionsPickTheirMachineAndScheduledSessionsShareWorkersWithOthers() {
        let nodes = [F.node("pool", labels: F.schedulePool), F.node("plain")]
        let snapshot = F.snapshot(
            sessions: [
                F.session("s1", createdAt: 1, scheduled: true), F.session("s2", createdAt: 2),
                F.session("s3", createdAt: 3, scheduled: true), F.session("big", createdAt: 4, machine: "large-2x"),
            ],
            workers: [F.worker("p", node: "pool"), F.worker("q", node: "plain")], nodes: nodes,
            ages: ["pool": 5, "plain": 9])
        let decisions = PlacementCycle(policy: F.policy(schedule: true)).run(on: snapshot)
        #expect(
            summary(decisions) == [
                "s1→p pool-match", "s2→q only-candidate", "s3+ no-claimable-worker", "big+ no-idle-worker",
            ])
    }

    @Test func claimReasonsMatchTheRankingOfTheRemainingWorkers() {
        let sessions = (1...4).map { F.session("s\($0)", createdAt: Double($0)) }
        let workers = [F.worker("a", node: "n1"), F.worker("b", node: "n1"), F.worker("c", node: "n3")]
        let snapshot = F.snapshot(
            runtimes: [F.runtime(stickiness: true, lastNode: "n3")], sessions: sessions, workers: workers,
            ages: ["n1": 100])
        #expect(
            summary(cycle.run(on: snapshot)) == [
                "s1→c sticky-node", "s2→a oldest-node", "s3→b only-candidate", "s4+ no-claimable-worker",
            ])
    }

    @Test func runtimesAreIndependent() {
        let snapshot = F.snapshot(
            runtimes: [F.runtime(maxWorkers: 1), F.runtime("other", maxWorkers: 1)],
            sessions: [
                F.session("s1", createdAt: 1), F.session("s2", createdAt: 2, runtime: "other"),
                F.session("s3", createdAt: 3, runtime: "other"),
            ],
            workers: [F.worker("w", runtime: "other")])
        #expect(summary(cycle.run(on: snapshot)) == ["s1+ no-idle-worker", "s2→w only-candidate", "s3… PoolAtCapacity"])
    }

    @Test func theCycleIsAPureFunctionOfItsSnapshot() {
        let snapshot = F.snapshot(
            sessions: (1...20).map { F.session("s\($0)", createdAt: Double($0 % 7)) },
            workers: (1...8).map { F.worker("w\($0)", node: "n\($0 % 3 + 1)") }, ages: ["n1": 3, "n2": 1])
        #expect(cycle.run(on: snapshot) == cycle.run(on: snapshot))
        #expect(Set(cycle.run(on: snapshot).compactMap(\.claimedWorker)).count == 8)
    }

    /// The cycle ranks each class of sessions once and walks that ranking; the outcome must be the
    /// one of ranking every session afresh with the workers taken so far excluded.
    @Test(arguments: 0..<40) func matchesRankingEachSessionAfresh(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let nodes = (0..<6).map { index in
            F.node(
                "n\(index)", labels: random.next(4) == 0 ? F.schedulePool : random.next(4) == 0 ? F.largePool : [:],
                cordoned: random.next(8) == 0, ready: random.next(8) != 0)
        }
        let machines = ["default", "large-2x"]
        let workers = (0..<30).map { index in
            F.worker(
                "w\(index)", node: random.next(10) == 0 ? "" : "n\(random.next(7))",
                runtime: random.next(4) == 0 ? "other" : "coder", machine: machines[Int(random.next(2))],
                state: random.next(4) == 0 ? .busy : .idle, ready: random.next(6) != 0)
        }
        let sessions = (0..<25).map { index in
            F.session(
                "s\(index)", createdAt: Double(random.next(5)), runtime: random.next(5) == 0 ? "other" : "coder",
                machine: random.next(3) == 0 ? "large-2x" : nil, scheduled: random.next(2) == 0)
        }
        let runtimes = [
            F.runtime(maxWorkers: 40, stickiness: true, lastNode: "n\(random.next(6))"), F.runtime("other", maxWorkers: 12),
        ]
        let ages = Dictionary(
            uniqueKeysWithValues: (0..<6).filter { _ in random.next(3) != 0 }.map { ("n\($0)", Double(random.next(4))) })
        let snapshot = F.snapshot(runtimes: runtimes, sessions: sessions, workers: workers, nodes: nodes, ages: ages)
        let policy = F.policy(schedule: true, large: true)

        var taken: Set<ObjectName> = []
        var expected: [String] = []
        for session in snapshot.pendingSessions {
            guard let runtime = snapshot.runtimes[session.runtimeID] else { continue }
            let candidates = policy.candidates(for: session, runtime: runtime, in: snapshot, excluding: taken)
            if let top = candidates.workers.first, let reason = candidates.reason {
                taken.insert(top.id)
                expected.append("\(session.id.name)→\(top.id.name) \(reason.rawValue)")
            }
        }
        let claims = summary(PlacementCycle(policy: policy).run(on: snapshot)).filter { $0.contains("→") }
        #expect(claims == expected)
    }
}

/// A small deterministic generator (SplitMix64) for reproducible random cases.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A value in `0..<bound`.
    mutating func next(_ bound: UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) % bound
    }
}

extension PlacementDecision {
    /// The worker a claim takes.
    var claimedWorker: String? {
        guard case .claim(_, let worker, _) = self else { return nil }
        return worker.id.name
    }
}
