import KubeClient
import KubeModel
import KubeRuntime

/// Writes AgentSession status (SPEC §1): each write is a merge patch of the status subresource
/// carrying the session's resourceVersion, so it never overwrites a change it did not see; on
/// 409 the session is read again and the same change re-applied to the fresh copy (never a
/// second claim). Nothing is written when the status would not change.
struct SessionStatusWriter: Sendable {
    let context: OperatorContext
    let writes: ClusterWrites
    /// Attempts against fresh copies after a 409.
    var attempts = 3

    /// Records a binding: phase Ready when the worker already is (a warm claim), else Starting;
    /// the worker's name, node and IP; the placement; created→bound (and →ready) seconds; and
    /// the `Bound` and `Ready` conditions.
    func bound(_ id: ObjectName, pod: CoreV1.Pod, placement: AgentSession.Placement, boundAt: Double) async throws(WriteError) {
        let change = try await update(id) { session, now in
            let created = session.metadata.creationTimestamp.flatMap(Timestamp.parse) ?? boundAt
            var status = session.status
            status.placement = placement
            status.createdToBoundSeconds = max(0, boundAt - created)
            status.conditions.set(
                AgentSession.ConditionType.bound, status: "True", reason: placement.kind == .claimed ? "Claimed" : "Spawned",
                message: "bound to worker \(pod.metadata.name)", now: now)
            SessionStatusWriter.apply(pod: pod, to: &status, created: created, now: now)
            return status
        }
        transitioned(id, change, pod: pod)
    }

    /// Records why a session waits: phase Pending, `Bound` False with `reason` and `message`, and
    /// a `PlacementFailed` Event once per change of reason or message.
    func waiting(_ id: ObjectName, reason: String, message: String) async throws(WriteError) {
        var changed = false
        try await update(id) { session, now in
            var status = session.status
            let previous = status.conditions.condition(AgentSession.ConditionType.bound)
            changed = previous?.reason != reason || previous?.message != message
            status.phase = .pending
            status.message = message
            status.conditions.set(AgentSession.ConditionType.bound, status: "False", reason: reason, message: message, now: now)
            return status
        }
        if changed, let session = context.sessions.get(id) {
            context.events.record(
                .init(object: OperatorContext.involved(session), kind: .warning, reason: "PlacementFailed", message: message))
        }
    }

    /// Brings a bound session's status in line with its worker pod (Ready, node, IP, scheduler
    /// verdict).
    func track(_ id: ObjectName, pod: CoreV1.Pod) async throws(WriteError) {
        let change = try await update(id) { session, now in
            let created = session.metadata.creationTimestamp.flatMap(Timestamp.parse) ?? now
            var status = session.status
            SessionStatusWriter.apply(pod: pod, to: &status, created: created, now: now)
            return status
        }
        transitioned(id, change, pod: pod)
    }

    /// What a written change set off: on the transition to Ready, the `roost_session_ready_seconds`
    /// observation and (stickiness on) the last-node write-back (B6) — once per transition, so a
    /// restart, which finds sessions already Ready, writes nothing; on a change to
    /// `Bound=False/Unschedulable`, a `PlacementFailed` Event with the scheduler's text.
    private func transitioned(_ id: ObjectName, _ change: StatusChange?, pod: CoreV1.Pod) {
        guard let change else { return }
        if change.after.phase == .ready, change.before.phase != .ready {
            if let seconds = change.after.createdToReadySeconds { context.metrics.sessionReady(seconds) }
            if let session = context.sessions.get(id),
                let runtime = context.runtimes.get(ObjectName(namespace: id.namespace, name: session.spec.runtimeRef.name))
            {
                writeLastNode(runtime: runtime, node: pod.spec.nodeName)
            }
        }
        let bound = change.after.conditions.condition(AgentSession.ConditionType.bound)
        if bound?.reason == "Unschedulable",
            change.before.conditions.condition(AgentSession.ConditionType.bound)?.reason != "Unschedulable",
            let session = context.sessions.get(id)
        {
            context.events.record(
                .init(
                    object: OperatorContext.involved(session), kind: .warning, reason: "PlacementFailed",
                    message: bound?.message ?? ""))
        }
    }

    /// B6: queues the runtime's `roost.dev/last-node` write-back (sent by the
    /// ``LastNodeWriter`` of the current term), unless stickiness is off or it already names the node.
    private func writeLastNode(runtime: AgentRuntime, node: String) {
        guard runtime.spec.nodeStickiness.enabled, !node.isEmpty else { return }
        guard runtime.metadata.annotations[RoostAnnotation.lastNode] != node else {
            context.metrics.lastNodeWrite(result: "unchanged")
            return
        }
        context.lastNodes.request(runtime: ObjectName(runtime.metadata), node: node)
    }

    /// Puts a bound session back to Pending with no worker (its worker is being replaced).
    func replacing(_ id: ObjectName, message: String) async throws(WriteError) {
        try await update(id) { session, now in
            var status = session.status
            status.phase = .pending
            status.podName = ""
            status.nodeName = ""
            status.podIP = ""
            status.placement = nil
            status.createdToBoundSeconds = nil
            status.createdToReadySeconds = nil
            status.message = message
            status.conditions.set(
                AgentSession.ConditionType.bound, status: "False", reason: "Replacing", message: message, now: now)
            status.conditions.set(
                AgentSession.ConditionType.ready, status: "False", reason: "Replacing", message: message, now: now)
            return status
        }
    }

    /// Marks a session finished: phase `phase` (Released or Failed) with `message`, `Bound` and
    /// `Ready` False; the worker fields are kept for the record.
    func finished(_ id: ObjectName, phase: AgentSession.Phase, reason: String, message: String) async throws(WriteError) {
        try await update(id) { session, now in
            var status = session.status
            status.phase = phase
            status.message = message
            let worker = status.podName.isEmpty ? "its worker" : "worker \(status.podName)"
            status.conditions.set(
                AgentSession.ConditionType.bound, status: "False", reason: phase == .failed ? reason : "Released",
                message: phase == .failed ? message : "\(worker) was released: \(message)", now: now)
            status.conditions.set(AgentSession.ConditionType.ready, status: "False", reason: reason, message: message, now: now)
            return status
        }
    }

    /// Status fields that follow the worker pod.
    static func apply(pod: CoreV1.Pod, to status: inout AgentSession.Status, created: Double, now: Double) {
        let ready = pod.status.conditions.contains { $0.type == "Ready" && $0.status == "True" }
        status.podName = pod.metadata.name
        status.nodeName = pod.spec.nodeName
        status.podIP = pod.status.podIP
        let scheduled = pod.status.conditions.first { $0.type == "PodScheduled" }
        if scheduled?.status == "False", scheduled?.reason == "Unschedulable" {
            status.phase = .pending
            status.message = scheduled?.message ?? ""
            status.conditions.set(
                AgentSession.ConditionType.bound, status: "False", reason: "Unschedulable", message: status.message, now: now)
            status.conditions.set(
                AgentSession.ConditionType.ready, status: "False", reason: "WorkerUnschedulable",
                message: "worker \(pod.metadata.name) cannot be scheduled", now: now)
            return
        }
        if status.conditions.condition(AgentSession.ConditionType.bound)?.status != "True" {
            status.conditions.set(
                AgentSession.ConditionType.bound, status: "True", reason: "Scheduled",
                message: "bound to worker \(pod.metadata.name) on node \(pod.spec.nodeName)", now: now)
        }
        if ready {
            status.phase = .ready
            status.message = ""
            if status.createdToReadySeconds == nil { status.createdToReadySeconds = max(0, now - created) }
            status.conditions.set(
                AgentSession.ConditionType.ready, status: "True", reason: "WorkerReady",
                message: "worker \(pod.metadata.name) is Ready on node \(pod.spec.nodeName)", now: now)
        } else {
            status.phase = .starting
            status.message = ""
            status.conditions.set(
                AgentSession.ConditionType.ready, status: "False", reason: "WorkerStarting",
                message: "waiting for worker \(pod.metadata.name) to become Ready", now: now)
        }
    }

    /// A status before and after a write.
    struct StatusChange {
        var before: AgentSession.Status
        var after: AgentSession.Status
    }

    /// Applies `change` to the cached session and writes the result if it differs (times rounded
    /// to the millisecond, `observedGeneration` set); on 409 reads the session again and retries
    /// with the fresh copy.
    /// - Returns: the change written; nil when nothing was written.
    @discardableResult
    private func update(
        _ id: ObjectName, _ change: (AgentSession, Double) -> AgentSession.Status
    ) async throws(WriteError) -> StatusChange? {
        guard var session = context.sessions.get(id) else { return nil }
        for attempt in 1...attempts {
            var status = change(session, context.now())
            status.observedGeneration = session.metadata.generation
            status.createdToBoundSeconds = status.createdToBoundSeconds.map { ($0 * 1000).rounded() / 1000 }
            status.createdToReadySeconds = status.createdToReadySeconds.map { ($0 * 1000).rounded() / 1000 }
            guard status != session.status else { return nil }
            do {
                _ = try await writes.patchSessionStatus(
                    session: id, status.mergePatch(resourceVersion: session.metadata.resourceVersion))
                context.sessionWritten(id, from: session.metadata.resourceVersion)
                return StatusChange(before: session.status, after: status)
            } catch {
                guard error.isConflict, attempt < attempts else {
                    if error.isNotFound { return nil }
                    throw error
                }
                do {
                    session = try await context.client.get(
                        AgentSession.self, ClusterWrites.agentSessions, namespace: id.namespace, name: id.name)
                } catch {
                    if error.isNotFound { return nil }
                    throw .api(error)
                }
            }
        }
        return nil
    }
}
