import KubeClient
import KubeModel
import KubeRuntime
import Logging

/// Places one runtime's pending sessions (B2, B3, B7 sync mode): builds a snapshot from the
/// caches, runs the pure ``PlacementCycle`` on it, and applies each decision — a claim is one
/// resourceVersion-preconditioned PATCH of the worker, a spawn one CREATE of a worker already
/// busy for the session, then the session's status with its own resourceVersion.
struct PlacementReconciler: Sendable {
    let context: OperatorContext
    let writes: ClusterWrites
    /// Decisions applied at once within one cycle.
    var parallelism = 8

    /// Runs one cycle for the runtime `id`.
    /// - Returns: `.requeue` right away when a claim lost a race (the next cycle offers the next
    ///   candidate), else `.done`.
    func reconcile(_ id: ObjectName) async throws -> ReconcileResult {
        let started = Timestamp.monotonic()
        let snapshot = context.snapshot(runtime: id)
        let decisions = PlacementCycle(policy: context.policy).run(on: snapshot)
        // Every decision but a wait binds its session; the waits are what stays pending.
        context.pendingSessions(
            decisions.count { if case .wait = $0 { return true } else { return false } }, runtime: id)
        guard !decisions.isEmpty else { return .done }
        let retry = await withTaskGroup(of: Bool.self, returning: Bool.self) { group in
            var retry = false
            var running = 0
            for decision in decisions {
                if running >= parallelism, let lost = await group.next() {
                    retry = retry || lost
                    running -= 1
                }
                group.addTask { await apply(decision, runtime: snapshot.runtimes[id]) }
                running += 1
            }
            for await lost in group { retry = retry || lost }
            return retry
        }
        context.metrics.schedulingCycle(Timestamp.monotonic() - started)
        return retry ? .requeueAfter(0.005) : .done
    }

    /// Applies one decision; true when it lost a race and the session should be placed again.
    private func apply(_ decision: PlacementDecision, runtime: RuntimeSnapshot?) async -> Bool {
        context.placementStarted(decision.session.id)
        defer { context.placementWritten(decision.session.id) }
        do {
            switch decision {
            case .claim(let session, let worker, let reason):
                return try await claim(worker, for: session, reason: reason)
            case .spawn(let session, let reason):
                try await spawn(for: session, reason: reason, runtime: runtime)
            case .wait(let session, let reason):
                try await wait(session, reason: reason)
            }
        } catch .leadershipLost {
            return false
        } catch {
            context.logger.warning("placing session \(decision.session.id) failed: \(error)")
            return true
        }
        return false
    }

    private func claim(_ worker: WorkerSnapshot, for session: SessionSnapshot, reason: ClaimReason) async throws(WriteError)
        -> Bool
    {
        context.expectations.expectBinding(session: session.id, worker: worker.id, at: context.now())
        let stored: CoreV1.Pod
        do {
            stored = try await writes.claim(
                worker: worker.id, resourceVersion: worker.resourceVersion, session: session.id.name,
                scheduled: session.scheduled)
        } catch {
            context.expectations.forgetBinding(session: session.id)
            if error.isConflict || error.isNotFound {
                context.workerStale(worker.id, resourceVersion: worker.resourceVersion)
                context.metrics.decisionDropped(reason: DropReason.workerTaken.rawValue)
                return true
            }
            throw error
        }
        context.workerStale(worker.id, resourceVersion: worker.resourceVersion)
        try await recordBinding(
            session, pod: stored,
            placement: AgentSession.Placement(kind: .claimed, reason: reason.rawValue, warm: true), event: "Bound",
            message: "Claimed warm worker \(worker.id.name) on node \(worker.nodeName) (\(reason.rawValue))")
        return false
    }

    /// After a claim or spawn: the metrics, the session's status, and an Event.
    private func recordBinding(
        _ session: SessionSnapshot, pod: CoreV1.Pod, placement: AgentSession.Placement, event: String, message: String
    ) async throws(WriteError) {
        let boundAt = context.now()
        let node = pod.spec.nodeName.isEmpty ? "" : " on node \(pod.spec.nodeName)"
        context.logger.info(
            "session \(session.id) \(placement.kind.rawValue) worker \(pod.metadata.name)\(node) (\(placement.reason))")
        context.metrics.claim(kind: placement.kind.rawValue, reason: placement.reason)
        context.metrics.placementLatency(boundAt - session.createdAt)
        try await SessionStatusWriter(context: context, writes: writes).bound(
            session.id, pod: pod, placement: placement, boundAt: boundAt)
        if let cached = context.sessions.get(session.id) {
            context.events.record(
                .init(object: OperatorContext.involved(cached), kind: .normal, reason: event, message: message))
        }
    }

    private func spawn(for session: SessionSnapshot, reason: SpawnReason, runtime: RuntimeSnapshot?) async throws(WriteError) {
        guard let agentRuntime = context.runtimes.get(session.runtimeID), let runtime else { return }
        let machine = session.machine(in: runtime)
        let templateHash = context.templateHash(agentRuntime, machine: machine)
        let name = WorkerPod.spawnedName(runtime: runtime.id.name, sessionUID: session.uid, templateHash: templateHash)
        let pod: JSONValue
        do {
            pod = try WorkerPod.make(
                runtime: agentRuntime, machine: machine, templateHash: templateHash,
                purpose: .session(name: session.id.name, scheduled: session.scheduled),
                name: name, affinity: context.configuration.affinity)
        } catch {
            try await wait(session, reason: .invalidRuntime(message: error.description))
            return
        }
        let worker = ObjectName(namespace: runtime.id.namespace, name: name)
        context.expectations.expectBinding(session: session.id, worker: worker, at: context.now())
        var stored = CoreV1.Pod()
        do {
            stored = try await writes.createWorker(pod, namespace: runtime.id.namespace)
        } catch {
            guard case .api(let apiError) = error, apiError.isAlreadyExists else {
                context.expectations.forgetBinding(session: session.id)
                throw error
            }
            // Created by an earlier attempt whose answer was lost: the name comes from the session's uid.
            stored.metadata.name = name
        }
        try await recordBinding(
            session, pod: stored, placement: AgentSession.Placement(kind: .spawned, reason: reason.rawValue, warm: false),
            event: "Spawned", message: "Created worker \(name) (\(reason.rawValue))")
    }

    private func wait(_ session: SessionSnapshot, reason: WaitReason) async throws(WriteError) {
        try await SessionStatusWriter(context: context, writes: writes).waiting(
            session.id, reason: reason.conditionReason, message: reason.message(for: session))
    }
}
