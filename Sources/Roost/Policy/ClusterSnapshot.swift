import KubeMachinery
import KubeModel
import KubeRuntime

/// An immutable view of the cluster at one instant: what every policy decision reads. The
/// reconciler builds one from its caches; the placement cycle may run on it while the caches move on.
public struct ClusterSnapshot: Sendable, Equatable {
    /// Every AgentRuntime, by namespace and name.
    public let runtimes: [ObjectName: RuntimeSnapshot]
    /// Every AgentSession, by namespace and name.
    public let sessions: [ObjectName: SessionSnapshot]
    /// Every worker pod of Roost's (all runtimes, live or terminating), by namespace and name.
    public let workers: [ObjectName: WorkerSnapshot]
    /// Every node, by name.
    public let nodes: [String: NodeSnapshot]
    /// Node first-seen times (B4).
    public let nodeAge: NodeAge
    /// Workers per runtime, ordered by name: a runtime's own workers without a scan of all of them.
    let workersByRuntime: [ObjectName: [WorkerSnapshot]]
    /// Session → the live worker whose `roost.dev/session` names it (the cluster's record of a binding).
    let workerBySession: [ObjectName: ObjectName]

    /// Builds the view. When two entries share a key, the last one wins.
    public init(
        runtimes: [RuntimeSnapshot] = [], sessions: [SessionSnapshot] = [], workers: [WorkerSnapshot] = [],
        nodes: [NodeSnapshot] = [], nodeAge: NodeAge = NodeAge()
    ) {
        self.runtimes = Dictionary(runtimes.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        self.sessions = Dictionary(sessions.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        let workerIndex = Dictionary(workers.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        self.workers = workerIndex
        self.nodes = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.nodeAge = nodeAge
        var byRuntime: [ObjectName: [WorkerSnapshot]] = [:]
        var bySession: [ObjectName: ObjectName] = [:]
        for worker in workerIndex.values {
            byRuntime[worker.runtimeID, default: []].append(worker)
            if !worker.terminating, let session = worker.session {
                let sessionID = ObjectName(namespace: worker.id.namespace, name: session)
                if let other = bySession[sessionID], other < worker.id { continue }
                bySession[sessionID] = worker.id
            }
        }
        self.workersByRuntime = byRuntime.mapValues { $0.sorted { $0.id < $1.id } }
        self.workerBySession = bySession
    }

    /// The runtime's workers (live and terminating), ordered by name.
    public func workers(of runtime: ObjectName) -> [WorkerSnapshot] {
        workersByRuntime[runtime] ?? []
    }

    /// The worker serving the session, if any: the session's own `boundWorker`, else a live worker
    /// whose `roost.dev/session` names it (a binding the session's status does not show yet).
    public func boundWorker(of session: SessionSnapshot) -> String? {
        if let bound = session.boundWorker, !bound.isEmpty { return bound }
        return workerBySession[session.id]?.name
    }

    /// Sessions waiting for a worker: not terminating, not bound (see ``boundWorker(of:)``),
    /// oldest first, then by name and namespace.
    public var pendingSessions: [SessionSnapshot] {
        sessions.values
            .filter { !$0.terminating && boundWorker(of: $0) == nil }
            .sorted { ($0.createdAt, $0.id.name, $0.id.namespace) < ($1.createdAt, $1.id.name, $1.id.namespace) }
    }

    /// Why the worker's node cannot serve it now, or nil when it can. Only the node is judged here;
    /// the worker's own state and template are not.
    public func nodeProblem(for worker: WorkerSnapshot) -> NodeProblem? {
        if worker.nodeName.isEmpty { return .notScheduled }
        guard let node = nodes[worker.nodeName] else { return .unknownNode }
        if node.unschedulable { return .cordoned }
        if !node.ready { return .notReady }
        let tolerations = worker.tolerations.map(KubeMachinery.Toleration.init(_:))
        if let taint = KubeMachinery.Taint.firstUntolerated(
            taints: node.taints.map(KubeMachinery.Taint.init(_:)), tolerations: tolerations)
        {
            return .untoleratedTaint(key: taint.key, effect: taint.effect)
        }
        return nil
    }
}

/// Why a worker's node cannot serve it (B2): such a worker is not claimable and does not count
/// toward `minIdle`; if it is idle it is reaped first (B5), except while it is not scheduled yet.
public enum NodeProblem: Sendable, Equatable {
    /// `spec.nodeName` is empty: the pod waits for the scheduler (a starting worker).
    case notScheduled
    /// The pod names a node the cache does not hold (deleted, or not seen yet).
    case unknownNode
    /// The node is cordoned (`spec.unschedulable`).
    case cordoned
    /// The node's `Ready` condition is not `True`.
    case notReady
    /// The node has a `NoSchedule` or `NoExecute` taint the worker does not tolerate.
    case untoleratedTaint(key: String, effect: String)
}

extension KubeMachinery.Toleration {
    /// The matching form of a decoded pod toleration.
    init(_ toleration: CoreV1.Toleration) {
        self.init(
            key: toleration.key, operator: toleration.operator, value: toleration.value,
            effect: toleration.effect, tolerationSeconds: toleration.tolerationSeconds)
    }
}

extension KubeMachinery.Taint {
    /// The matching form of a decoded node taint.
    init(_ taint: CoreV1.Taint) {
        self.init(key: taint.key, value: taint.value, effect: taint.effect)
    }
}
