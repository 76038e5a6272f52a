import KubeRuntime

extension WorkerPolicy {
    /// The idle workers of a runtime to delete now, in the order to delete them (B5, seed 002).
    ///
    /// 1. Idle workers that cannot serve, whatever their idle time and `minIdle`: made from an
    ///    outdated template, or on a node that is unknown (deleted), cordoned, NotReady or carries
    ///    a `NoSchedule`/`NoExecute` taint the worker does not tolerate, or (large-machine affinity)
    ///    on a pool the preset is kept off. A starting worker still waiting for the scheduler (no
    ///    node yet) of the current template is not one of them: it is left to start.
    /// 2. Idle, Ready workers that can serve and whose idle time strictly exceeds `idleTimeout`
    ///    (not at all when `idleTimeout` is 0). Idle time counts from `roost.dev/idle-since`, else
    ///    from the Ready transition (a worker never used); a worker with neither is not reaped by
    ///    this rule. Workers of the runtime's pool preset are taken only while more than `minIdle`
    ///    such servable idle workers would remain; those of other presets (released by sessions
    ///    that asked for another machine) do not count toward `minIdle`.
    ///
    /// Within each group: newest-seen node first (a node with no first-seen time before all
    /// others), then pod name. Busy and terminating workers are never selected.
    ///
    /// Each selection carries the worker as judged: the reconciler deletes it with the uid and
    /// resourceVersion preconditions of that copy, so a worker claimed meanwhile survives (409).
    public func reapSelection(for runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot, now: Double) -> [ReapSelection] {
        var unservable: [ReapSelection] = []
        var expired: [ReapSelection] = []
        var servablePoolIdle = 0
        for worker in snapshot.workers(of: runtime.id) where worker.isIdle {
            if let reason = unservableReason(worker, runtime: runtime, in: snapshot) {
                unservable.append(ReapSelection(worker: worker, reason: reason))
                continue
            }
            // Left: workers still starting (not Ready, or waiting for the scheduler).
            guard servingProblem(worker, runtime: runtime, in: snapshot) == nil else { continue }
            if worker.machine == runtime.machine { servablePoolIdle += 1 }
            if runtime.idleTimeout > 0, let idle = worker.idleSeconds(now: now), idle > runtime.idleTimeout {
                expired.append(ReapSelection(worker: worker, reason: .idleTimeout(idleSeconds: idle)))
            }
        }
        let newestFirst = { (lhs: ReapSelection, rhs: ReapSelection) in
            Self.newerNodeFirst(lhs.worker, rhs.worker, ages: snapshot.nodeAge)
        }
        var selected = unservable.sorted(by: newestFirst)
        for candidate in expired.sorted(by: newestFirst) {
            guard candidate.worker.machine == runtime.machine else {
                selected.append(candidate)
                continue
            }
            guard servablePoolIdle > runtime.minIdle else { continue }
            servablePoolIdle -= 1
            selected.append(candidate)
        }
        return selected
    }

    /// Why an idle worker can never serve as it is, or nil.
    private func unservableReason(
        _ worker: WorkerSnapshot, runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot
    ) -> ReapReason? {
        if !runtime.isCurrent(worker) { return .outdatedTemplate }
        switch snapshot.nodeProblem(for: worker) {
        case .notScheduled?: return nil
        case let problem?: return .node(problem)
        case nil: break
        }
        if let node = snapshot.nodes[worker.nodeName], !allowsPool(of: node, machine: worker.machine) {
            return .largePoolForbidden
        }
        return nil
    }

    /// Reap order: the node seen most recently first, a node with no first-seen time before all.
    static func newerNodeFirst(_ lhs: WorkerSnapshot, _ rhs: WorkerSnapshot, ages: NodeAge) -> Bool {
        switch (ages.firstSeen(lhs.nodeName), ages.firstSeen(rhs.nodeName)) {
        case (let left?, let right?) where left != right: return left > right
        case (nil, .some): return true
        case (.some, nil): return false
        default: return lhs.id < rhs.id
        }
    }
}

/// One worker the reaper deletes.
public struct ReapSelection: Sendable, Equatable {
    /// The worker as judged; delete it with preconditions `uid` and `resourceVersion` of this copy.
    public var worker: WorkerSnapshot
    /// Why it goes.
    public var reason: ReapReason

    /// A selection.
    public init(worker: WorkerSnapshot, reason: ReapReason) {
        self.worker = worker
        self.reason = reason
    }

    /// The pod to delete.
    public var id: ObjectName { worker.id }
}

/// Why an idle worker is reaped.
public enum ReapReason: Sendable, Equatable {
    /// Made from a template hash that is no longer the runtime's current one for its preset.
    case outdatedTemplate
    /// Its node cannot serve it (never ``NodeProblem/notScheduled``).
    case node(NodeProblem)
    /// Large-machine affinity keeps its preset off the pool its node is in.
    case largePoolForbidden
    /// Idle longer than the runtime's `idleTimeout`, above `minIdle`.
    case idleTimeout(idleSeconds: Double)

    /// A short stable name for logs, Events and metric labels.
    public var label: String {
        switch self {
        case .outdatedTemplate: "outdated-template"
        case .node(.notScheduled): "node-not-scheduled"
        case .node(.unknownNode): "node-unknown"
        case .node(.cordoned): "node-cordoned"
        case .node(.notReady): "node-not-ready"
        case .node(.untoleratedTaint): "node-tainted"
        case .largePoolForbidden: "large-pool-forbidden"
        case .idleTimeout: "idle-timeout"
        }
    }
}
