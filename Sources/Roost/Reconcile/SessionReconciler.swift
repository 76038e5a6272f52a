import KubeClient
import KubeModel
import KubeRuntime
import Logging

/// Reconciles one AgentSession: adds the `roost.dev/release` finalizer before it can be placed,
/// follows its worker into the status (Starting → Ready, node, IP), writes the runtime's last
/// node back (B6), ends it after `maxSessionDuration`, and releases its worker when it is deleted
/// or ends — back to idle when the runtime reuses workers and the worker can still serve, else
/// deleted, keeping the finalizer until the pod is really gone.
struct SessionReconciler: Sendable {
    let context: OperatorContext
    let writes: ClusterWrites
    /// Enqueues a placement cycle for a runtime.
    let requestPlacement: @Sendable (ObjectName) -> Void

    /// A 409 (the cached copy was stale) requeues with backoff without an error; a 404 (the
    /// session is gone) ends the reconcile.
    func reconcile(_ id: ObjectName) async throws -> ReconcileResult {
        do {
            return try await reconcileSession(id)
        } catch let error as WriteError where error.isConflict {
            return .requeue
        } catch let error as WriteError where error.isNotFound {
            return .done
        }
    }

    private func reconcileSession(_ id: ObjectName) async throws -> ReconcileResult {
        guard let session = context.sessions.get(id) else {
            context.expectations.forgetBinding(session: id)
            return .done
        }
        // Its placement is being written, or the cache predates Roost's last write to it: the
        // watch event of that write brings the session back.
        if context.isPlacing(id) || context.isStale(session) { return .done }
        let runtimeID = ObjectName(namespace: id.namespace, name: session.spec.runtimeRef.name)
        let hasFinalizer = session.metadata.finalizers.contains(RoostFinalizer.release)
        if session.metadata.deletionTimestamp != nil {
            guard hasFinalizer else { return .done }
            return try await release(session, reason: "Released", message: "session deleted", removeFinalizer: true)
        }
        let phase = session.status.phase
        if phase == .released || phase == .failed {
            return try await release(session, reason: "Released", message: session.status.message, removeFinalizer: true)
        }
        if !hasFinalizer {
            _ = try await writes.setFinalizers(
                session: id, session.metadata.finalizers + [RoostFinalizer.release],
                resourceVersion: session.metadata.resourceVersion)
            context.sessionWritten(id, from: session.metadata.resourceVersion)
            return .done
        }
        if context.expectations.pendingWorker(forSession: id, at: context.now()) != nil {
            // A claim or spawn is in flight; its write-back (or the pod's event) brings us back.
            return .requeueAfter(1)
        }
        guard let worker = workers(of: session).first else {
            if (phase == .starting || phase == .ready), !session.status.podName.isEmpty {
                let message = "worker pod \(session.status.podName) is gone"
                try await SessionStatusWriter(context: context, writes: writes).finished(
                    id, phase: .failed, reason: "WorkerLost", message: message)
                context.events.record(
                    .init(object: OperatorContext.involved(session), kind: .warning, reason: "WorkerLost", message: message))
                return .done
            }
            requestPlacement(runtimeID)
            return .done
        }
        let runtime = context.runtimes.get(runtimeID)
        let created = session.metadata.creationTimestamp.flatMap(Timestamp.parse) ?? context.now()
        if let runtime {
            let limit = runtime.spec.maxSessionDuration.seconds
            let age = context.now() - created
            if limit > 0, age > limit {
                let message = "session ran longer than maxSessionDuration \(runtime.spec.maxSessionDuration)"
                try await SessionStatusWriter(context: context, writes: writes).finished(
                    id, phase: .released, reason: "MaxSessionDuration", message: message)
                return .done
            }
        }
        if let runtime, try await replaceIfStranded(session, worker: worker, runtime: runtime) { return .done }
        try await SessionStatusWriter(context: context, writes: writes).track(id, pod: worker)
        if let runtime, runtime.spec.maxSessionDuration.seconds > 0 {
            return .requeueAfter(max(1, runtime.spec.maxSessionDuration.seconds - (context.now() - created)))
        }
        return .done
    }

    /// A worker spawned for the session that the scheduler never placed, made from a template the
    /// runtime no longer has (the user fixed what made it unschedulable), would hold the session
    /// and a slot of `maxWorkers` until `maxSessionDuration`. It is replaced: the session goes back
    /// to Pending (its status first, so it is never without a record of its worker), then the
    /// worker is deleted, and the next placement cycle gives the session a worker of the current
    /// template.
    /// - Returns: true when the worker is being replaced.
    private func replaceIfStranded(_ session: AgentSession, worker: CoreV1.Pod, runtime: AgentRuntime) async throws
        -> Bool
    {
        guard worker.spec.nodeName.isEmpty, context.usabilityProblem(runtime) == nil,
            let machine = worker.metadata.labels[RoostLabel.machine],
            worker.metadata.labels[RoostLabel.templateHash] != context.templateHash(runtime, machine: machine)
        else { return false }
        let id = ObjectName(session.metadata)
        let message =
            "worker \(worker.metadata.name) was never scheduled and the runtime's template has changed; placing the session again"
        try await SessionStatusWriter(context: context, writes: writes).replacing(id, message: message)
        try await writes.deleteWorker(ObjectName(worker.metadata), uid: worker.metadata.uid, resourceVersion: nil)
        context.logger.info("session \(id): \(message)")
        context.events.record(
            .init(object: OperatorContext.involved(session), kind: .normal, reason: "Replacing", message: message))
        return true
    }

    /// Live workers naming the session, busy ones first.
    private func workers(of session: AgentSession) -> [CoreV1.Pod] {
        context.pods.byIndex(
            OperatorContext.PodIndex.session,
            OperatorContext.key(session.metadata.namespace, session.metadata.name)
        )
        .filter { $0.metadata.deletionTimestamp == nil }
        .sorted { $0.metadata.name < $1.metadata.name }
    }

    /// Gives the session's workers back and, once none is left busy for it, drops the finalizer.
    private func release(
        _ session: AgentSession, reason: String, message: String, removeFinalizer: Bool
    ) async throws -> ReconcileResult {
        let id = ObjectName(session.metadata)
        if context.expectations.pendingWorker(forSession: id, at: context.now()) != nil {
            return .requeueAfter(0.2)
        }
        let runtime = context.runtimes.get(ObjectName(namespace: id.namespace, name: session.spec.runtimeRef.name))
        var waitingForDeletion = false
        for pod in context.pods.byIndex(OperatorContext.PodIndex.session, OperatorContext.key(id.namespace, id.name)) {
            waitingForDeletion =
                try await RuntimeReconciler.releaseWorker(
                    pod, runtime: runtime, context: context, writes: writes,
                    message: "released by session \(id.name) (\(message))")
                || waitingForDeletion
        }
        if waitingForDeletion { return .requeueAfter(1) }
        if removeFinalizer, session.metadata.finalizers.contains(RoostFinalizer.release) {
            _ = try await writes.setFinalizers(
                session: id, session.metadata.finalizers.filter { $0 != RoostFinalizer.release },
                resourceVersion: session.metadata.resourceVersion)
            context.sessionWritten(id, from: session.metadata.resourceVersion)
            context.events.record(
                .init(
                    object: OperatorContext.involved(session), kind: .normal, reason: reason,
                    message: session.status.podName.isEmpty
                        ? "Released: \(message)" : "Released its worker \(session.status.podName): \(message)"))
        }
        return .done
    }
}
