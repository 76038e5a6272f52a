import KubeRuntime

extension WorkerPolicy {
    /// How many warm workers of the pool preset (`spec.machine`) to create for the runtime now so
    /// that its idle supply reaches `minIdle` without its live workers exceeding `maxWorkers` (B5).
    ///
    /// - Only idle workers that can serve (see ``servingProblem(_:runtime:in:)``) of the pool
    ///   preset count as ready supply.
    /// - Idle workers of the pool preset and current template that are not Ready yet, on no node
    ///   or on a node that can serve them, count as starting supply, as do the runtime's
    ///   ``RuntimeSnapshot/inFlightWorkers``: the pool is not filled twice while they start.
    /// - Every live (not terminating) worker of the runtime counts toward `maxWorkers`, busy ones
    ///   included, plus the in-flight ones.
    ///
    /// - A runtime with a ``RuntimeSnapshot/problem`` gets no new worker.
    ///
    /// - Parameter excluding: workers already being deleted or claimed whose change the snapshot
    ///   does not show yet (a reap or a claim just applied); they count as gone.
    public func poolFill(
        for runtime: RuntimeSnapshot, in snapshot: ClusterSnapshot, excluding: Set<ObjectName> = []
    ) -> PoolFill {
        var fill = PoolFill(idleReady: 0, starting: runtime.inFlightWorkers, live: runtime.inFlightWorkers, toCreate: 0)
        for worker in snapshot.workers(of: runtime.id) where !worker.terminating && !excluding.contains(worker.id) {
            fill.live += 1
            guard worker.machine == runtime.machine, worker.isIdle else { continue }
            if worker.ready {
                if servingProblem(worker, runtime: runtime, in: snapshot) == nil { fill.idleReady += 1 }
            } else if runtime.isCurrent(worker), startsUsefully(worker, in: snapshot) {
                fill.starting += 1
            }
        }
        guard runtime.problem == nil else { return fill }
        let missing = runtime.minIdle - fill.idleReady - fill.starting
        fill.toCreate = max(0, min(missing, runtime.maxWorkers - fill.live))
        return fill
    }

    /// A not-yet-Ready worker that will be able to serve once Ready: unscheduled, or on a node that can serve it.
    private func startsUsefully(_ worker: WorkerSnapshot, in snapshot: ClusterSnapshot) -> Bool {
        switch snapshot.nodeProblem(for: worker) {
        case nil, .notScheduled?:
            guard let node = snapshot.nodes[worker.nodeName] else { return true }
            return allowsPool(of: node, machine: worker.machine)
        case .some: return false
        }
    }
}

/// A runtime's warm supply and what to add to it.
public struct PoolFill: Sendable, Equatable {
    /// Idle workers of the pool preset that can serve now.
    public var idleReady: Int
    /// Idle workers of the pool preset still starting, and in-flight creations.
    public var starting: Int
    /// Live workers of the runtime, in-flight creations included.
    public var live: Int
    /// Warm workers to create now (0 or more).
    public var toCreate: Int

    /// The counts.
    public init(idleReady: Int, starting: Int, live: Int, toCreate: Int) {
        self.idleReady = idleReady
        self.starting = starting
        self.live = live
        self.toCreate = toCreate
    }
}
