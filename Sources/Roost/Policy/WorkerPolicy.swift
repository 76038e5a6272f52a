import KubeRuntime

/// The worker pool rules: which idle workers can serve, which a session claims first (B2, seeds
/// 001, 002, and the pool preferences of seed 000 that the spawn path applies as node affinity),
/// which the reaper deletes (B5) and how many warm workers to add (see the extensions).
///
/// An idle worker can serve its runtime when it is idle, Ready and not terminating, has the
/// runtime's current template hash for its preset, and runs on a node that can serve it (see
/// ``ClusterSnapshot/nodeProblem(for:)``) and, with large-machine affinity enabled and a preset
/// that is not `large-*`, outside the large pool (the spawn path makes that a required term, so
/// here it filters). A session may claim such a worker of its runtime with its machine preset.
///
/// Claim candidates are ranked by, in order:
/// 1. on the runtime's last node (stickiness enabled and a last node recorded) first;
/// 2. higher pool score first: the sum of the weights of the preferred pool terms the spawn path
///    would give the session's worker that the node matches (schedule affinity: the schedule pool
///    for a scheduled session, any other node for the rest; large-machine affinity: the large pool
///    for a `large-*` preset). 0 when no pool affinity is enabled;
/// 3. node first-seen time, oldest first; a node with no first-seen time ranks after all others;
/// 4. pod name.
public struct WorkerPolicy: Sendable, Equatable {
    /// The pool rules (SPEC §3).
    public var affinity: AffinityConfiguration

    /// A policy applying the given pool rules.
    public init(affinity: AffinityConfiguration = AffinityConfiguration()) {
        self.affinity = affinity
    }

    /// Why the session may not claim the worker, or nil when it may.
    public func claimProblem(
        _ worker: WorkerSnapshot, for session: SessionSnapshot, runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot
    ) -> ClaimProblem? {
        if session.runtimeID != runtime.id { return .otherRuntime }
        if let problem = servingProblem(worker, runtime: runtime, in: snapshot) { return problem }
        if worker.machine != session.machine(in: runtime) { return .otherMachine }
        return nil
    }

    /// Why the worker cannot serve a session of the runtime now, or nil when it can (any preset).
    public func servingProblem(
        _ worker: WorkerSnapshot, runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot
    ) -> ClaimProblem? {
        if worker.terminating { return .terminating }
        if !worker.isIdle { return .notIdle }
        if !runtime.owns(worker) { return .otherRuntime }
        if !runtime.isCurrent(worker) { return .outdatedTemplate }
        if !worker.ready { return .notReady }
        if let problem = snapshot.nodeProblem(for: worker) { return .node(problem) }
        if let node = snapshot.nodes[worker.nodeName], !allowsPool(of: node, machine: worker.machine) {
            return .largePoolForbidden
        }
        return nil
    }

    /// The workers the session may claim, best first, and why the first one leads.
    ///
    /// - Parameter excluding: workers already promised to other sessions (within one cycle).
    public func candidates(
        for session: SessionSnapshot, runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot,
        excluding: Set<ObjectName> = []
    ) -> ClaimCandidates {
        let ranked = rankedCandidates(for: session, runtime: runtime, in: snapshot)
            .filter { !excluding.contains($0.worker.id) }
        guard let top = ranked.first else { return ClaimCandidates(workers: [], reason: nil) }
        return ClaimCandidates(
            workers: ranked.map(\.worker), reason: RankedWorker.reason(top: top, runnerUp: ranked.dropFirst().first))
    }

    /// Every worker the session may claim with its rank keys, best first.
    func rankedCandidates(
        for session: SessionSnapshot, runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot
    ) -> [RankedWorker] {
        let sticky = runtime.stickyNode
        return snapshot.workers(of: runtime.id)
            .filter { claimProblem($0, for: session, runtime: runtime, in: snapshot) == nil }
            .map { worker in
                RankedWorker(
                    worker: worker,
                    onStickyNode: sticky == worker.nodeName,
                    poolScore: snapshot.nodes[worker.nodeName].map { poolScore(of: $0, for: session, runtime: runtime) } ?? 0,
                    firstSeen: snapshot.nodeAge.firstSeen(worker.nodeName))
            }
            .sorted(by: RankedWorker.precedes)
    }

    /// Sum of the weights of the session's preferred pool terms the node matches.
    public func poolScore(of node: NodeSnapshot, for session: SessionSnapshot, runtime: RuntimeSnapshot) -> Int {
        var score = 0
        let schedule = affinity.schedule
        if schedule.enabled {
            let inPool = node.labels[schedule.labelKey] == schedule.labelValue
            if session.scheduled && inPool { score += affinity.scheduleWeight }
            if !session.scheduled && !inPool { score += affinity.scheduleAntiAffinityWeight }
        }
        let large = affinity.largeMachine
        if large.enabled, AffinityConfiguration.isLargeMachine(session.machine(in: runtime)),
            node.labels[large.labelKey] == large.labelValue
        {
            score += affinity.largeMachineWeight
        }
        return score
    }

    /// The required large-machine rule: with large-machine affinity enabled, a preset that is not
    /// `large-*` may not run on the large pool (`KEY NotIn [VALUE]`: a node without the label passes).
    public func allowsPool(of node: NodeSnapshot, machine: String) -> Bool {
        let large = affinity.largeMachine
        guard large.enabled, !AffinityConfiguration.isLargeMachine(machine) else { return true }
        return node.labels[large.labelKey] != large.labelValue
    }
}

/// A claimable worker with its rank keys.
struct RankedWorker {
    var worker: WorkerSnapshot
    var onStickyNode: Bool
    var poolScore: Int
    var firstSeen: Double?

    static func precedes(_ lhs: RankedWorker, _ rhs: RankedWorker) -> Bool {
        if lhs.onStickyNode != rhs.onStickyNode { return lhs.onStickyNode }
        if lhs.poolScore != rhs.poolScore { return lhs.poolScore > rhs.poolScore }
        switch (lhs.firstSeen, rhs.firstSeen) {
        case (let left?, let right?) where left != right: return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        default: return lhs.worker.id < rhs.worker.id
        }
    }

    /// Why `top` leads: the strongest rank key it wins on (see ``ClaimReason``).
    static func reason(top: RankedWorker, runnerUp: RankedWorker?) -> ClaimReason {
        if top.onStickyNode { return .stickyNode }
        guard let runnerUp else { return .onlyCandidate }
        if top.poolScore > runnerUp.poolScore { return .poolMatch }
        return top.firstSeen == nil ? .podName : .oldestNode
    }
}

/// The claimable workers of one session, best first.
public struct ClaimCandidates: Sendable, Equatable {
    /// Ranked candidates; empty when none fits.
    public var workers: [WorkerSnapshot]
    /// Why the first candidate leads; nil when there is none.
    public var reason: ClaimReason?

    /// Ranked candidates and the reason of the first.
    public init(workers: [WorkerSnapshot], reason: ClaimReason?) {
        self.workers = workers
        self.reason = reason
    }
}

/// Why a claim picked its worker; the raw value is the session's `status.placement.reason` and the
/// `reason` label of `roost_claims_total`.
public enum ClaimReason: String, Sendable, Hashable, CaseIterable {
    /// The worker runs on the runtime's last node (stickiness on).
    case stickyNode = "sticky-node"
    /// No other worker was claimable.
    case onlyCandidate = "only-candidate"
    /// The worker's node matches more of the session's pool preferences than the next candidate's.
    case poolMatch = "pool-match"
    /// The worker runs on the oldest-seen node among those that remain after the keys above.
    case oldestNode = "oldest-node"
    /// No candidate's node has a first-seen time; the pod name decided.
    case podName = "pod-name"
}

/// Why a worker is not claimable by a session.
public enum ClaimProblem: Sendable, Equatable {
    /// The pod is being deleted or has finished.
    case terminating
    /// The worker is busy or names a session.
    case notIdle
    /// The worker belongs to another runtime than the session's.
    case otherRuntime
    /// The worker has another machine preset than the session needs.
    case otherMachine
    /// The worker's template hash is not the runtime's current one for its preset.
    case outdatedTemplate
    /// The pod is not Ready.
    case notReady
    /// The worker's node cannot serve it.
    case node(NodeProblem)
    /// Large-machine affinity forbids this preset on the worker's node.
    case largePoolForbidden
}
