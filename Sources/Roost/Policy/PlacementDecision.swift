/// What one placement cycle decided for one pending session (B2, B7).
public enum PlacementDecision: Sendable, Equatable {
    /// Bind the idle worker to the session: one PATCH of the pod carrying this copy's
    /// `resourceVersion` (B3).
    case claim(session: SessionSnapshot, worker: WorkerSnapshot, reason: ClaimReason)
    /// Create a worker for the session, busy for it from its first version (B1).
    case spawn(session: SessionSnapshot, reason: SpawnReason)
    /// Leave the session pending; its `Bound` condition says why.
    case wait(session: SessionSnapshot, reason: WaitReason)

    /// The session the decision is about.
    public var session: SessionSnapshot {
        switch self {
        case .claim(let session, _, _), .spawn(let session, _), .wait(let session, _): session
        }
    }
}

/// Why a session gets a new worker instead of a warm one; the raw value is the session's
/// `status.placement.reason` for `kind: spawned` and the `reason` label of `roost_claims_total`.
public enum SpawnReason: String, Sendable, Hashable, CaseIterable {
    /// The runtime has no live idle worker of the session's preset at all.
    case noIdleWorker = "no-idle-worker"
    /// Idle workers of the preset exist, but none can serve the session (starting, outdated
    /// template, node not serving, pool rule) or all were given to older sessions in this cycle.
    case noClaimableWorker = "no-claimable-worker"
}

/// Why a session waits; the condition reasons and messages of SPEC §1.
public enum WaitReason: Sendable, Equatable {
    /// The runtime's live workers (and the spawns decided before in the cycle) reach `maxWorkers`.
    case poolAtCapacity(live: Int, max: Int)
    /// The session's `runtimeRef` names no AgentRuntime in its namespace.
    case runtimeNotFound
    /// The runtime exists but cannot make workers; the associated text says why.
    case invalidRuntime(message: String)
    /// The session asks for a machine preset its runtime does not define (a runtime problem for
    /// this session: condition reason `InvalidRuntime`).
    case undefinedMachine(String)

    /// The `Bound` condition's `reason`.
    public var conditionReason: String {
        switch self {
        case .poolAtCapacity: "PoolAtCapacity"
        case .runtimeNotFound: "RuntimeNotFound"
        case .invalidRuntime, .undefinedMachine: "InvalidRuntime"
        }
    }

    /// The `Bound` condition's `message` for a session of the given runtime, e.g.
    /// `runtime coder is at maxWorkers (2/2); waiting for a worker to be released`.
    public func message(for session: SessionSnapshot) -> String {
        switch self {
        case .poolAtCapacity(let live, let max):
            "runtime \(session.runtime) is at maxWorkers (\(live)/\(max)); waiting for a worker to be released"
        case .runtimeNotFound:
            "runtime \(session.runtime) not found in namespace \(session.id.namespace)"
        case .invalidRuntime(let message):
            "runtime \(session.runtime) is invalid: \(message)"
        case .undefinedMachine(let machine):
            "runtime \(session.runtime) has no machine preset \"\(machine)\""
        }
    }
}

/// Why a decision was dropped before it was applied (B7); the raw value is the `reason` label of
/// `roost_decisions_dropped_total`. The session waits for the next cycle.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// The session was deleted, is being deleted, or was re-created under its name (other uid).
    case sessionGone = "session-gone"
    /// The session got a worker meanwhile (its status, an in-flight binding, or a worker naming it).
    case sessionBound = "session-bound"
    /// The session's runtime was deleted.
    case runtimeGone = "runtime-gone"
    /// The session's runtime became unusable, or no longer defines the session's machine preset.
    case runtimeInvalid = "runtime-invalid"
    /// The worker was deleted, is terminating, or was re-created under its name (other uid).
    case workerGone = "worker-gone"
    /// The worker is no longer idle, or an earlier decision of the same batch claimed it.
    case workerTaken = "worker-taken"
    /// The worker is still idle but can no longer serve the session (node cordoned, NotReady or
    /// tainted, template changed, not Ready).
    case workerUnclaimable = "worker-unclaimable"
    /// A spawn would now exceed `maxWorkers`.
    case poolAtCapacity = "pool-at-capacity"
}

/// The outcome of checking one decision against the current state.
public enum DecisionCheck: Sendable, Equatable {
    /// Apply it: the decision with the current copies of its session and worker.
    case accepted(PlacementDecision)
    /// Do not apply it.
    case dropped(DropReason)
}

/// The outcome of checking a batch of decisions against the current state.
public struct ValidatedDecisions: Sendable, Equatable {
    /// Decisions to apply, in order, carrying the current copies of their session and worker
    /// (apply a claim with the worker's current `resourceVersion`).
    public var accepted: [PlacementDecision]
    /// Decisions dropped, in order, with why.
    public var dropped: [DroppedDecision]

    /// A validation outcome.
    public init(accepted: [PlacementDecision] = [], dropped: [DroppedDecision] = []) {
        self.accepted = accepted
        self.dropped = dropped
    }
}

/// A decision not applied.
public struct DroppedDecision: Sendable, Equatable {
    /// The decision as the cycle made it.
    public var decision: PlacementDecision
    /// Why it was dropped.
    public var reason: DropReason

    /// A dropped decision.
    public init(decision: PlacementDecision, reason: DropReason) {
        self.decision = decision
        self.reason = reason
    }
}
