import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Synchronization

/// The caches and in-memory bookkeeping every reconciler of one Roost replica shares. Only the
/// caches are truth; what is kept here is what Roost has written but not seen back yet
/// (``expectations``, ``staleWorkers``), derived tables (``nodeAge``), and timers.
final class OperatorContext: Sendable {
    /// Index names of the pod store.
    enum PodIndex {
        /// `namespace/runtime` of a worker's `roost.dev/runtime` label.
        static let runtime = "runtime"
        /// `namespace/session` of a busy worker's `roost.dev/session` annotation.
        static let session = "session"
        /// `spec.nodeName`.
        static let node = "node"
    }

    /// Index names of the session store.
    enum SessionIndex {
        /// `namespace/runtime` of `spec.runtimeRef.name`.
        static let runtime = "runtime"
    }

    let pods: Store<CoreV1.Pod>
    let nodes: Store<CoreV1.Node>
    let runtimes: Store<AgentRuntime>
    let sessions: Store<AgentSession>
    let configuration: OperatorConfiguration
    let expectations = Expectations()
    let metrics: RoostMetrics
    let events: EventRecorder
    /// B6 write-backs, sent while leading.
    let lastNodes: LastNodeWriter
    let client: KubeClient
    let logger: Logger
    let policy: WorkerPolicy
    let now: @Sendable () -> Double

    private let ages = Mutex(Ages())
    private let table = Mutex(Table())
    private let derivedByRuntime = Mutex<[ObjectName: Derived]>([:])

    /// The policy's view of every worker and session, kept by the informer handlers so a
    /// placement cycle reads ready-made values instead of converting every cached object.
    private struct Table {
        var workers: [ObjectName: [ObjectName: WorkerSnapshot]] = [:]
        var sessions: [ObjectName: [ObjectName: SessionSnapshot]] = [:]
    }
    private let conflicts = Mutex<[ObjectName: String]>([:])
    private let lastReap = Mutex<[ObjectName: Double]>([:])
    private let statusWrites = Mutex<[ObjectName: Double]>([:])
    private let sessionWrites = Mutex<[ObjectName: String]>([:])
    private let placing = Mutex<Set<ObjectName>>([])
    private let pendingByRuntime = Mutex<[ObjectName: Int]>([:])

    init(
        pods: Store<CoreV1.Pod>, nodes: Store<CoreV1.Node>, runtimes: Store<AgentRuntime>, sessions: Store<AgentSession>,
        configuration: OperatorConfiguration, metrics: RoostMetrics, events: EventRecorder, client: KubeClient,
        logger: Logger, now: @escaping @Sendable () -> Double = Timestamp.now
    ) {
        self.pods = pods
        self.nodes = nodes
        self.runtimes = runtimes
        self.sessions = sessions
        self.configuration = configuration
        self.metrics = metrics
        self.events = events
        self.lastNodes = LastNodeWriter(metrics: metrics)
        self.client = client
        self.logger = logger
        self.policy = WorkerPolicy(affinity: configuration.affinity)
        self.now = now
    }

    static func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }

    /// The pod indexers the operator's pod informer is built with.
    static let podIndexers: [String: IndexFunction<CoreV1.Pod>] = [
        PodIndex.runtime: { pod in
            pod.metadata.labels[RoostLabel.runtime].map { [key(pod.metadata.namespace, $0)] } ?? []
        },
        PodIndex.session: { pod in
            pod.metadata.annotations[RoostAnnotation.session].map { [key(pod.metadata.namespace, $0)] } ?? []
        },
        PodIndex.node: { pod in pod.spec.nodeName.isEmpty ? [] : [pod.spec.nodeName] },
    ]

    /// The session indexers the operator's session informer is built with.
    static let sessionIndexers: [String: IndexFunction<AgentSession>] = [
        SessionIndex.runtime: { session in [key(session.metadata.namespace, session.spec.runtimeRef.name)] }
    ]

    // MARK: Node ages (B4)

    private struct Ages {
        var table = NodeAge()
        var dirty = true
        var reconciledAt = -Double.infinity
    }

    /// Seconds between two reconciles of the first-seen table under a stream of changes: a stamp
    /// comes from the Ready transition time, not the reconcile time, so only the ranking of a
    /// node first seen within this window can lag.
    static let nodeAgeRefresh = 0.2

    /// Marks the first-seen table for a reconcile: a worker or Node changed.
    func workersOrNodesChanged() {
        ages.withLock { $0.dirty = true }
    }

    /// The first-seen table brought in line with the pod and node caches now: stamped from Ready
    /// transition times, pruned of nodes with no live worker or no Node (every removal path).
    /// Reconciled only after a change, so a burst of cycles reads the same table.
    func nodeAge() -> NodeAge {
        let time = now()
        let (current, due) = ages.withLock { ages -> (NodeAge, Bool) in
            let due = ages.dirty && time - ages.reconciledAt >= Self.nodeAgeRefresh
            if due {
                ages.dirty = false
                ages.reconciledAt = time
            }
            return (ages.table, due)
        }
        guard due else { return current }
        let workers = table.withLock { $0.workers.values.flatMap(\.values) }
        let names = Set(nodes.list().map(\.metadata.name))
        return ages.withLock { ages in
            ages.table.reconcile(workers: workers, nodes: names, now: time)
            return ages.table
        }
    }

    /// Forgets a deleted Node at once.
    func nodeDeleted(_ name: String) {
        ages.withLock { ages in
            _ = ages.table.nodeDeleted(name)
            ages.dirty = true
        }
    }

    // MARK: Worker copies known to be stale (B3)

    /// Remembers that the cached copy of `worker` at `resourceVersion` is behind: a write made
    /// against it succeeded (a claim, a release) or answered 409. The worker is neither offered nor
    /// released again until the cache shows a newer version.
    func workerStale(_ worker: ObjectName, resourceVersion: String) {
        conflicts.withLock { $0[worker] = resourceVersion }
    }

    /// Whether the cached copy of `pod` is known to be stale (see ``workerStale(_:resourceVersion:)``).
    func isStale(_ pod: CoreV1.Pod) -> Bool {
        conflicts.withLock { $0[ObjectName(pod.metadata)] == pod.metadata.resourceVersion }
    }

    /// The known-stale resourceVersion of each worker that has one (see
    /// ``workerStale(_:resourceVersion:)``). A copy of the worker table with that version is
    /// stale. Entries the pod cache has moved past are pruned after being returned: the table,
    /// updated by the handler after the cache, may still hold the stale copy a moment longer.
    func staleWorkerVersions() -> [ObjectName: String] {
        conflicts.withLock { conflicts in
            let stale = conflicts
            for (worker, version) in stale where pods.get(worker)?.metadata.resourceVersion != version {
                conflicts[worker] = nil
            }
            return stale
        }
    }

    // MARK: Timers

    /// Seconds until the runtime's next reap is due (0: due now); stamps the reap when due.
    func takeReapTurn(_ runtime: ObjectName, interval: Double) -> Double {
        let time = now()
        return lastReap.withLock { last in
            if let previous = last[runtime], time - previous < interval { return interval - (time - previous) }
            last[runtime] = time
            return 0
        }
    }

    /// Marks a session whose placement (claim or spawn, then its status) is being written; the
    /// session reconciler leaves it alone until ``placementWritten(_:)``.
    func placementStarted(_ session: ObjectName) {
        _ = placing.withLock { $0.insert(session) }
    }

    /// Ends ``placementStarted(_:)``.
    func placementWritten(_ session: ObjectName) {
        _ = placing.withLock { $0.remove(session) }
    }

    /// Whether a placement of the session is being written.
    func isPlacing(_ session: ObjectName) -> Bool {
        placing.withLock { $0.contains(session) }
    }

    /// Records a successful write to a session made against its copy at `resourceVersion`: until
    /// the cache shows a newer version, the cached copy is known to be stale.
    func sessionWritten(_ session: ObjectName, from resourceVersion: String) {
        sessionWrites.withLock { $0[session] = resourceVersion }
    }

    /// Whether the cached copy of a session predates Roost's own last write to it: acting on it
    /// would repeat that write (and answer 409). The watch event of the write brings the session back.
    func isStale(_ session: AgentSession) -> Bool {
        let id = ObjectName(session.metadata)
        return sessionWrites.withLock { writes in
            guard let version = writes[id] else { return false }
            if version == session.metadata.resourceVersion { return true }
            writes[id] = nil
            return false
        }
    }

    /// Seconds to wait before the runtime's status may be written again (0: now).
    func statusWriteDelay(_ runtime: ObjectName, interval: Double) -> Double {
        let time = now()
        return statusWrites.withLock { writes in
            guard let last = writes[runtime] else { return 0 }
            return max(0, interval - (time - last))
        }
    }

    /// Stamps a write of the runtime's status.
    func statusWritten(_ runtime: ObjectName) {
        let time = now()
        statusWrites.withLock { $0[runtime] = time }
    }

    // MARK: Snapshots

    /// What a runtime's spec implies, computed once per generation (the spec changes only with
    /// it): the template hash of each preset it defines and its usability problem.
    private struct Derived {
        var generation: Int64
        var uid: String
        var hashes: [String: String]
        var problem: String?
    }

    private func derived(_ runtime: AgentRuntime) -> Derived {
        let id = ObjectName(runtime.metadata)
        if let cached = derivedByRuntime.withLock({ $0[id] }), cached.generation == runtime.metadata.generation,
            cached.uid == runtime.metadata.uid
        {
            return cached
        }
        var hashes: [String: String] = [:]
        for preset in Set([runtime.spec.machine]).union(runtime.spec.machines.keys) {
            hashes[preset] = runtime.templateHash(machine: preset)
        }
        let computed = Derived(
            generation: runtime.metadata.generation, uid: runtime.metadata.uid, hashes: hashes,
            problem: runtime.usabilityProblem())
        derivedByRuntime.withLock { $0[id] = computed }
        return computed
    }

    /// The runtime's template hash for a preset (cached per generation).
    func templateHash(_ runtime: AgentRuntime, machine: String) -> String {
        derived(runtime).hashes[machine] ?? runtime.templateHash(machine: machine)
    }

    /// Why the runtime cannot make workers, or nil (cached per generation).
    func usabilityProblem(_ runtime: AgentRuntime) -> String? {
        derived(runtime).problem
    }

    /// The runtime as the placement policy sees it.
    func runtimeSnapshot(_ runtime: AgentRuntime) -> RuntimeSnapshot {
        let id = ObjectName(runtime.metadata)
        let derived = derived(runtime)
        return RuntimeSnapshot(
            id: id, machine: runtime.spec.machine, templateHashes: derived.hashes, minIdle: runtime.spec.pool.minIdle,
            maxWorkers: runtime.spec.pool.maxWorkers, idleTimeout: runtime.spec.pool.idleTimeout.seconds,
            stickinessEnabled: runtime.spec.nodeStickiness.enabled,
            lastNode: runtime.metadata.annotations[RoostAnnotation.lastNode], problem: derived.problem,
            inFlightWorkers: expectations.pendingCreations(runtime: id, at: now()))
    }

    /// Released, failed and finalizer-less sessions (the finalizer is added before placement) count
    /// as terminating: they are not placed. A session is bound when its status names its worker;
    /// a binding in flight is added when a snapshot is taken.
    static func sessionSnapshot(_ session: AgentSession) -> SessionSnapshot {
        let phase = session.status.phase
        var bound: String?
        if phase == .starting || phase == .ready, !session.status.podName.isEmpty {
            bound = session.status.podName
        }
        return SessionSnapshot(
            id: ObjectName(session.metadata), uid: session.metadata.uid, runtime: session.spec.runtimeRef.name,
            machine: session.spec.machine, scheduled: session.isScheduled,
            createdAt: session.metadata.creationTimestamp.flatMap(Timestamp.parse) ?? 0, boundWorker: bound,
            terminating: session.metadata.deletionTimestamp != nil || phase == .released || phase == .failed
                || !session.metadata.finalizers.contains(RoostFinalizer.release))
    }

    /// Records a worker pod's change in the table (nil `pod`: it was deleted).
    func workerChanged(_ id: ObjectName, pod: CoreV1.Pod?) {
        let worker = pod.flatMap(WorkerSnapshot.init(pod:))
        table.withLock { table in
            for runtime in table.workers.keys where runtime.namespace == id.namespace && runtime.name != worker?.runtime {
                table.workers[runtime]?[id] = nil
            }
            if let worker { table.workers[worker.runtimeID, default: [:]][id] = worker }
        }
    }

    /// Records a session's change in the table (nil `session`: it was deleted).
    func sessionChanged(_ id: ObjectName, session: AgentSession?) {
        let snapshot = session.map(Self.sessionSnapshot)
        table.withLock { table in
            for runtime in table.sessions.keys where runtime.namespace == id.namespace && runtime.name != snapshot?.runtime {
                table.sessions[runtime]?[id] = nil
            }
            if let snapshot { table.sessions[snapshot.runtimeID, default: [:]][id] = snapshot }
        }
    }

    /// Records how many sessions of `runtime` its last placement cycle found waiting and
    /// updates `roost_pending_sessions` with the sum over every runtime.
    func pendingSessions(_ count: Int, runtime: ObjectName) {
        let total = pendingByRuntime.withLock { pending in
            pending[runtime] = count == 0 ? nil : count
            return pending.values.reduce(0, +)
        }
        metrics.pendingSessions(total)
    }

    /// The runtime's workers as the policy sees them.
    func workerSnapshots(runtime: ObjectName) -> [WorkerSnapshot] {
        table.withLock { $0.workers[runtime].map { Array($0.values) } ?? [] }
    }

    /// The part of the cluster one runtime's placement cycle, pool fill and reap read: the
    /// runtime, its sessions and workers, and the nodes those workers run on. Workers with a
    /// claim in flight, and copies Roost has written past, count as busy.
    ///
    /// Every expectation (bindings, and the pod creations in the runtime's snapshot) is read
    /// before the worker table. The pod handler updates the table before it ends an
    /// expectation, so a change the handler finishes meanwhile is seen at least once — read
    /// the other way round, it could be seen in neither, and a cycle would spawn a second worker
    /// for a bound session or a pool fill create one worker too many.
    func snapshot(runtime id: ObjectName) -> ClusterSnapshot {
        let time = now()
        let pending = expectations.pendingBindings(at: time)
        let runtimes = runtimes.get(id).map { [runtimeSnapshot($0)] } ?? []
        let stale = staleWorkerVersions()
        let (cachedWorkers, cachedSessions) = table.withLock { table in
            (table.workers[id].map { Array($0.values) } ?? [], table.sessions[id].map { Array($0.values) } ?? [])
        }
        let claimed = Set(pending.values)
        var workers: [WorkerSnapshot] = []
        workers.reserveCapacity(cachedWorkers.count)
        var nodeNames: Set<String> = []
        for var worker in cachedWorkers {
            if stale[worker.id] == worker.resourceVersion {
                // A copy Roost has already written past (a claim refused with 409, a release in
                // flight): neither offered nor reaped until the cache shows the new version, but
                // still one of the runtime's workers, so maxWorkers holds meanwhile.
                worker.state = .busy
                worker.session = nil
            }
            if claimed.contains(worker.id) { worker.state = .busy }
            if !worker.nodeName.isEmpty { nodeNames.insert(worker.nodeName) }
            workers.append(worker)
        }
        var sessions = cachedSessions
        if !pending.isEmpty {
            for index in sessions.indices {
                if let worker = pending[sessions[index].id] { sessions[index].boundWorker = worker.name }
            }
        }
        let nodes = nodeNames.compactMap { self.nodes.get(name: $0).map(NodeSnapshot.init(node:)) }
        return ClusterSnapshot(runtimes: runtimes, sessions: sessions, workers: workers, nodes: nodes, nodeAge: nodeAge())
    }

    /// The Event target for an object of Roost's.
    static func involved(_ runtime: AgentRuntime) -> EventRecorder.InvolvedObject {
        .init(
            apiVersion: RoostAPI.apiVersion, kind: AgentRuntime.kind, namespace: runtime.metadata.namespace,
            name: runtime.metadata.name, uid: runtime.metadata.uid)
    }

    static func involved(_ session: AgentSession) -> EventRecorder.InvolvedObject {
        .init(
            apiVersion: RoostAPI.apiVersion, kind: AgentSession.kind, namespace: session.metadata.namespace,
            name: session.metadata.name, uid: session.metadata.uid)
    }
}
