import KubeClient
import KubeModel
import KubeRuntime
import Logging

/// Reconciles one AgentRuntime's pool: releases busy workers whose session no longer exists
/// (B3 adoption), reaps idle workers every reap interval (B5), refills the pool to `minIdle`
/// within `maxWorkers`, and writes the runtime's status counts and `Ready` condition. With no
/// traffic the pool is steady: nothing is created, deleted or patched, and the status is only
/// written when it changes.
struct RuntimeReconciler: Sendable {
    let context: OperatorContext
    let writes: ClusterWrites
    /// Seconds between reaps of one runtime (`ROOST_REAP_INTERVAL`).
    let reapInterval: Double
    /// Enqueues a placement cycle for the runtime (after the pool changed).
    let requestPlacement: @Sendable (ObjectName) -> Void

    /// A 409 requeues with backoff without an error; a 404 ends the reconcile.
    func reconcile(_ id: ObjectName) async throws -> ReconcileResult {
        do {
            return try await reconcileRuntime(id)
        } catch let error as WriteError where error.isConflict {
            return .requeue
        } catch let error as WriteError where error.isNotFound {
            return .done
        }
    }

    private func reconcileRuntime(_ id: ObjectName) async throws -> ReconcileResult {
        guard let runtime = context.runtimes.get(id), runtime.metadata.deletionTimestamp == nil else { return .done }
        let problem = context.usabilityProblem(runtime)
        try await releaseOrphans(of: runtime)
        var snapshot = context.snapshot(runtime: id)
        guard let runtimeSnapshot = snapshot.runtimes[id] else { return .done }
        var nextReap = reapInterval
        var gone: Set<ObjectName> = []
        if problem == nil {
            let wait = context.takeReapTurn(id, interval: reapInterval)
            if wait == 0 {
                gone = await reap(
                    runtime,
                    selection: context.policy.reapSelection(
                        for: runtimeSnapshot, in: snapshot, now: context.now()))
                if !gone.isEmpty { snapshot = context.snapshot(runtime: id) }
            } else {
                nextReap = wait
            }
            let fill = context.policy.poolFill(for: runtimeSnapshot, in: snapshot, excluding: gone)
            context.logger.trace(
                "pool of \(id): minIdle \(runtimeSnapshot.minIdle), maxWorkers \(runtimeSnapshot.maxWorkers), idle ready \(fill.idleReady), starting \(fill.starting) (\(runtimeSnapshot.inFlightWorkers) creations in flight), live \(fill.live): creating \(fill.toCreate)"
            )
            if fill.toCreate > 0 { try await create(fill.toCreate, for: runtime) }
        }
        if let postponed = try await writeStatus(runtime, problem: problem, excluding: gone) {
            return .requeueAfter(min(nextReap, postponed))
        }
        return .requeueAfter(nextReap)
    }

    /// Busy workers naming a session that does not exist are released within one resync, with an
    /// Event naming the missing session.
    private func releaseOrphans(of runtime: AgentRuntime) async throws {
        let key = OperatorContext.key(runtime.metadata.namespace, runtime.metadata.name)
        for pod in context.pods.byIndex(OperatorContext.PodIndex.runtime, key)
        where pod.metadata.deletionTimestamp == nil && !context.isStale(pod) {
            guard let session = pod.metadata.annotations[RoostAnnotation.session], !session.isEmpty else { continue }
            let sessionID = ObjectName(namespace: pod.metadata.namespace, name: session)
            guard context.sessions.get(sessionID) == nil,
                context.expectations.pendingWorker(forSession: sessionID, at: context.now()) == nil
            else { continue }
            context.events.record(
                .init(
                    object: OperatorContext.involved(runtime), kind: .warning, reason: "Released",
                    message: "Worker \(pod.metadata.name) served session \(session), which does not exist; releasing it"))
            _ = try await Self.releaseWorker(
                pod, runtime: runtime, context: context, writes: writes, message: "session \(session) does not exist")
        }
    }

    /// Releases one busy worker: back to idle (preconditioned on its resourceVersion) when the
    /// runtime reuses workers and the worker can still serve, else deleted.
    /// - Returns: true when the worker was deleted and its disappearance should be awaited.
    static func releaseWorker(
        _ pod: CoreV1.Pod, runtime: AgentRuntime?, context: OperatorContext, writes: ClusterWrites, message: String
    ) async throws(WriteError) -> Bool {
        let id = ObjectName(pod.metadata)
        if pod.metadata.deletionTimestamp != nil { return true }
        // Released a moment ago against this very copy: the cache has not caught up yet.
        if context.isStale(pod) { return false }
        var reusable = false
        if let runtime, runtime.spec.pool.reuseWorkers, var worker = WorkerSnapshot(pod: pod) {
            worker.state = .idle
            worker.session = nil
            let node = context.nodes.get(name: worker.nodeName).map(NodeSnapshot.init(node:))
            let snapshot = ClusterSnapshot(
                runtimes: [context.runtimeSnapshot(runtime)], workers: [worker], nodes: node.map { [$0] } ?? [])
            if let runtimeSnapshot = snapshot.runtimes[ObjectName(runtime.metadata)] {
                reusable = context.policy.servingProblem(worker, runtime: runtimeSnapshot, in: snapshot) == nil
            }
        }
        do {
            if reusable {
                try await writes.releaseToIdle(worker: id, resourceVersion: pod.metadata.resourceVersion, now: context.now())
                context.workerStale(id, resourceVersion: pod.metadata.resourceVersion)
                context.logger.info("worker \(id) back to idle: \(message)")
                return false
            }
            try await writes.deleteWorker(id, uid: pod.metadata.uid, resourceVersion: nil)
            context.logger.info("worker \(id) deleted: \(message)")
            return true
        } catch {
            if error.isNotFound { return false }
            throw error
        }
    }

    /// Deletes the selected idle workers, each with preconditions on the uid and resourceVersion
    /// that was judged: a worker claimed meanwhile answers 409 and survives.
    /// - Returns: the workers deleted.
    private func reap(_ runtime: AgentRuntime, selection: [ReapSelection]) async -> Set<ObjectName> {
        var gone: Set<ObjectName> = []
        for selected in selection {
            do {
                try await writes.deleteWorker(
                    selected.id, uid: selected.worker.uid, resourceVersion: selected.worker.resourceVersion)
                gone.insert(selected.id)
                context.metrics.reaped()
                context.logger.info("reaped idle worker \(selected.id) (\(selected.reason.label))")
                context.events.record(
                    .init(
                        object: OperatorContext.involved(runtime), kind: .normal, reason: "Reaped",
                        message:
                            "Deleted idle worker \(selected.id.name) on node \(selected.worker.nodeName.isEmpty ? "(none)" : selected.worker.nodeName) (\(selected.reason.label))"
                    ))
            } catch {
                context.logger.info("reap of \(selected.id) skipped: \(error)")
            }
        }
        return gone
    }

    /// Creates `count` idle workers of the runtime's pool preset.
    private func create(_ count: Int, for runtime: AgentRuntime) async throws {
        let id = ObjectName(runtime.metadata)
        let pod = try WorkerPod.make(
            runtime: runtime, machine: runtime.spec.machine,
            templateHash: context.templateHash(runtime, machine: runtime.spec.machine), purpose: .pool, name: nil,
            affinity: context.configuration.affinity)
        context.expectations.expectCreations(runtime: id, count: count, at: context.now())
        for sent in 0..<count {
            do {
                _ = try await writes.createWorker(pod, namespace: id.namespace)
            } catch {
                // Neither the failed creation nor those never sent will show in the cache; left
                // expected, they would hold the pool short until the expectations lapse.
                context.expectations.creationsAbandoned(runtime: id, count: count - sent)
                throw error
            }
        }
        requestPlacement(id)
    }

    /// Writes `status` (observedGeneration, counts, `Ready`) when it changed.
    /// Seconds between two writes of a runtime's status.
    static let statusInterval = 1.0

    /// - Returns: seconds after which a postponed write is due, or nil when nothing is pending.
    private func writeStatus(
        _ runtime: AgentRuntime, problem: String?, excluding gone: Set<ObjectName>
    ) async throws -> Double? {
        let id = ObjectName(runtime.metadata)
        var status = runtime.status
        var idle = 0
        var busy = 0
        var starting = 0
        var unschedulable: String?
        for worker in context.workerSnapshots(runtime: id) where !worker.terminating && !gone.contains(worker.id) {
            if !worker.isIdle {
                busy += 1
            } else if worker.ready {
                idle += 1
            } else {
                starting += 1
            }
            // Any worker the scheduler cannot place, idle or spawned for a session, is the
            // runtime's problem to surface.
            if !worker.ready, worker.nodeName.isEmpty, unschedulable == nil {
                let scheduled = context.pods.get(worker.id)?.status.conditions.first { $0.type == "PodScheduled" }
                if scheduled?.status == "False", scheduled?.reason == "Unschedulable" {
                    unschedulable = "worker \(worker.id.name): \(scheduled?.message ?? "")"
                }
            }
        }
        status.observedGeneration = runtime.metadata.generation
        status.workers = idle + busy + starting
        status.idle = idle
        status.busy = busy
        status.starting = starting
        let now = context.now()
        let minIdle = runtime.spec.pool.minIdle
        if let problem {
            status.conditions.set("Ready", status: "False", reason: "InvalidRuntime", message: problem, now: now)
        } else if let unschedulable {
            status.conditions.set("Ready", status: "False", reason: "Unschedulable", message: unschedulable, now: now)
        } else if idle >= minIdle {
            status.conditions.set(
                "Ready", status: "True", reason: "PoolReady", message: "\(idle) idle of minIdle \(minIdle)", now: now)
        } else if idle + busy + starting >= runtime.spec.pool.maxWorkers {
            status.conditions.set(
                "Ready", status: "False", reason: "PoolAtCapacity",
                message:
                    "\(idle) idle of minIdle \(minIdle): the runtime is at maxWorkers (\(idle + busy + starting)/\(runtime.spec.pool.maxWorkers))",
                now: now)
        } else {
            status.conditions.set(
                "Ready", status: "False", reason: "PoolFilling",
                message: "\(idle) idle of minIdle \(minIdle); \(starting) starting", now: now)
        }
        for (state, count) in [("idle", idle), ("busy", busy), ("starting", starting)] {
            context.metrics.workers(runtime: id.name, state: state, count: count)
        }
        guard status != runtime.status else { return nil }
        // Counts (and with them the Ready condition) change with every claim and release; under
        // load the status is written at most once per `statusInterval` seconds.
        let wait = context.statusWriteDelay(id, interval: Self.statusInterval)
        if wait > 0 { return wait }
        let previous = runtime.status.conditions.condition("Ready")
        let current = status.conditions.condition("Ready")
        if current?.reason != previous?.reason, current?.status == "False",
            current?.reason == "InvalidRuntime" || current?.reason == "Unschedulable"
        {
            context.logger.warning("runtime \(id) is not Ready: \(current?.reason ?? ""): \(current?.message ?? "")")
            context.events.record(
                .init(
                    object: OperatorContext.involved(runtime), kind: .warning, reason: current?.reason ?? "",
                    message: current?.message ?? ""))
        }
        try await writes.patchRuntimeStatus(runtime: id, status.mergePatch())
        context.statusWritten(id)
        return nil
    }
}
