import KubeRuntime

/// One placement cycle (B2, B7, seed 003): a pure function from an immutable ``ClusterSnapshot`` to
/// a decision for every pending session, and the check that each decision still holds against the
/// state current when it is applied. The same code serves `--scheduling-mode sync` (run and apply
/// inline) and `async` (run on a snapshot in the background, validate, then apply).
public struct PlacementCycle: Sendable, Equatable {
    /// The claim and pool rules.
    public var policy: WorkerPolicy

    /// A cycle applying the given rules.
    public init(policy: WorkerPolicy = WorkerPolicy()) {
        self.policy = policy
    }

    /// Decides, for each pending session (``ClusterSnapshot/pendingSessions``: oldest first, then by
    /// name), in that order:
    /// - `wait(.runtimeNotFound)` when its runtime does not exist;
    /// - `wait(.invalidRuntime)` when the runtime has a ``RuntimeSnapshot/problem``;
    /// - `wait(.undefinedMachine)` when the runtime has no template hash for the session's preset;
    /// - `claim` of the best-ranked claimable worker (``WorkerPolicy``) no older session of this
    ///   cycle was given;
    /// - `spawn` while the runtime's live workers, in-flight creations and the spawns decided
    ///   earlier in this cycle stay below `maxWorkers`;
    /// - else `wait(.poolAtCapacity)` with that count and `maxWorkers`.
    public func run(on snapshot: ClusterSnapshot) -> [PlacementDecision] {
        var taken: Set<ObjectName> = []
        var live: [ObjectName: Int] = [:]
        var rankings: [RankingKey: Ranking] = [:]
        var decisions: [PlacementDecision] = []
        for session in snapshot.pendingSessions {
            guard let runtime = snapshot.runtimes[session.runtimeID] else {
                decisions.append(.wait(session: session, reason: .runtimeNotFound))
                continue
            }
            if let problem = runtime.problem {
                decisions.append(.wait(session: session, reason: .invalidRuntime(message: problem)))
                continue
            }
            let machine = session.machine(in: runtime)
            guard runtime.templateHashes[machine] != nil else {
                decisions.append(.wait(session: session, reason: .undefinedMachine(machine)))
                continue
            }
            let key = RankingKey(runtime: runtime.id, machine: machine, scheduled: session.scheduled)
            var ranking = rankings[key] ?? Ranking(policy.rankedCandidates(for: session, runtime: runtime, in: snapshot))
            defer { rankings[key] = ranking }
            if let (top, runnerUp) = ranking.next(excluding: taken) {
                taken.insert(top.worker.id)
                decisions.append(
                    .claim(session: session, worker: top.worker, reason: RankedWorker.reason(top: top, runnerUp: runnerUp)))
                continue
            }
            let count = live[runtime.id] ?? Self.liveWorkers(of: runtime, in: snapshot)
            guard count < runtime.maxWorkers else {
                decisions.append(.wait(session: session, reason: .poolAtCapacity(live: count, max: runtime.maxWorkers)))
                live[runtime.id] = count
                continue
            }
            live[runtime.id] = count + 1
            let idle = ranking.idleWorkers ?? snapshot.workers(of: runtime.id).contains { $0.isIdle && $0.machine == key.machine }
            ranking.idleWorkers = idle
            decisions.append(.spawn(session: session, reason: idle ? .noClaimableWorker : .noIdleWorker))
        }
        return decisions
    }

    /// Checks decisions, in order, against the state current now (B7) and returns those to apply,
    /// refreshed with the current copies of their session and worker, and those dropped:
    /// - every decision: the session must still exist with the same uid and not be terminating
    ///   (`session-gone`), and be unbound (`session-bound`, also when an earlier decision of the
    ///   batch was about it);
    /// - claims and spawns: the runtime must exist (`runtime-gone`), be usable and define the
    ///   session's preset (`runtime-invalid`);
    /// - claims: the worker must exist with the same uid and not be terminating (`worker-gone`), be
    ///   idle and unclaimed by an earlier decision of the batch (`worker-taken`), and still be
    ///   claimable by the session (`worker-unclaimable`);
    /// - spawns: the runtime's live workers, in-flight creations and the spawns accepted earlier in
    ///   the batch must stay below `maxWorkers` (`pool-at-capacity`).
    ///
    /// Waits are kept when their session is still pending; their reason is not re-derived.
    public func validate(_ decisions: [PlacementDecision], against current: ClusterSnapshot) -> ValidatedDecisions {
        var result = ValidatedDecisions()
        var decided: Set<ObjectName> = []
        var taken: Set<ObjectName> = []
        var live: [ObjectName: Int] = [:]
        for decision in decisions {
            let outcome = check(decision, against: current, decided: decided, taken: taken, live: &live)
            switch outcome {
            case .accepted(let accepted):
                decided.insert(accepted.session.id)
                if case .claim(_, let worker, _) = accepted { taken.insert(worker.id) }
                result.accepted.append(accepted)
            case .dropped(let reason):
                result.dropped.append(DroppedDecision(decision: decision, reason: reason))
            }
        }
        return result
    }

    /// Checks one decision on its own against the current state (see ``validate(_:against:)``).
    public func validate(_ decision: PlacementDecision, against current: ClusterSnapshot) -> DecisionCheck {
        var live: [ObjectName: Int] = [:]
        return check(decision, against: current, decided: [], taken: [], live: &live)
    }

    private func check(
        _ decision: PlacementDecision, against current: ClusterSnapshot, decided: Set<ObjectName>,
        taken: Set<ObjectName>, live: inout [ObjectName: Int]
    ) -> DecisionCheck {
        let planned = decision.session
        guard let session = current.sessions[planned.id], session.uid == planned.uid, !session.terminating else {
            return .dropped(.sessionGone)
        }
        if decided.contains(session.id) || current.boundWorker(of: session) != nil { return .dropped(.sessionBound) }
        let runtime = current.runtimes[session.runtimeID]
        switch decision {
        case .wait(_, let reason):
            return .accepted(.wait(session: session, reason: reason))
        case .claim(_, let plannedWorker, let reason):
            guard let runtime else { return .dropped(.runtimeGone) }
            if !Self.canMake(session, runtime) { return .dropped(.runtimeInvalid) }
            guard let worker = current.workers[plannedWorker.id], worker.uid == plannedWorker.uid, !worker.terminating
            else { return .dropped(.workerGone) }
            if taken.contains(worker.id) { return .dropped(.workerTaken) }
            switch policy.claimProblem(worker, for: session, runtime: runtime, in: current) {
            case nil: return .accepted(.claim(session: session, worker: worker, reason: reason))
            case .notIdle?: return .dropped(.workerTaken)
            case .some: return .dropped(.workerUnclaimable)
            }
        case .spawn(_, let reason):
            guard let runtime else { return .dropped(.runtimeGone) }
            if !Self.canMake(session, runtime) { return .dropped(.runtimeInvalid) }
            let count = live[runtime.id] ?? Self.liveWorkers(of: runtime, in: current)
            guard count < runtime.maxWorkers else { return .dropped(.poolAtCapacity) }
            live[runtime.id] = count + 1
            return .accepted(.spawn(session: session, reason: reason))
        }
    }

    /// Whether the runtime is usable and defines the session's machine preset.
    private static func canMake(_ session: SessionSnapshot, _ runtime: RuntimeSnapshot) -> Bool {
        runtime.problem == nil && runtime.templateHashes[session.machine(in: runtime)] != nil
    }

    /// Live (not terminating) workers of the runtime plus its in-flight creations.
    static func liveWorkers(of runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot) -> Int {
        snapshot.workers(of: runtime.id).count { !$0.terminating } + runtime.inFlightWorkers
    }
}

/// Sessions that rank a runtime's workers alike: the rank depends on the runtime, the preset and
/// whether the session is scheduled, so one cycle ranks each such class once.
private struct RankingKey: Hashable {
    var runtime: ObjectName
    var machine: String
    var scheduled: Bool
}

/// A ranked candidate list walked by the sessions of one class, skipping workers taken by any.
private struct Ranking {
    var ranked: [RankedWorker]
    var start = 0
    /// Whether the runtime has any live idle worker of the class's preset, once a spawn asked.
    var idleWorkers: Bool?

    init(_ ranked: [RankedWorker]) { self.ranked = ranked }

    /// The best worker not yet taken and the next one after it (for the claim reason).
    mutating func next(excluding taken: Set<ObjectName>) -> (RankedWorker, RankedWorker?)? {
        while start < ranked.count, taken.contains(ranked[start].worker.id) { start += 1 }
        guard start < ranked.count else { return nil }
        let runnerUp = ranked[(start + 1)...].first { !taken.contains($0.worker.id) }
        return (ranked[start], runnerUp)
    }
}
