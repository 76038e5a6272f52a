import KubeModel
import KubeRuntime

/// One worker pod as the placement policy sees it: the facts Roost keeps in the pod's labels,
/// annotations, spec and status (SPEC §1 "Worker pods"). A plain value, copied out of the cache.
public struct WorkerSnapshot: Sendable, Equatable {
    /// `metadata.namespace` and `metadata.name`.
    public var id: ObjectName
    /// `metadata.uid`: a DELETE or PATCH precondition, and how a re-created pod of the same name is told apart.
    public var uid: String
    /// `metadata.resourceVersion` of the copy that was judged (claims and reaps are conditional on it).
    public var resourceVersion: String
    /// Label `roost.dev/runtime`: the AgentRuntime's name (same namespace).
    public var runtime: String
    /// Label `roost.dev/machine`: the machine preset the pod was made with.
    public var machine: String
    /// Label `roost.dev/template-hash`; empty when the label is missing (then never current).
    public var templateHash: String
    /// Label `roost.dev/state`.
    public var state: WorkerState
    /// Annotation `roost.dev/session`: the session a busy worker serves.
    public var session: String?
    /// `spec.nodeName`; empty while the pod is not scheduled.
    public var nodeName: String
    /// The pod's `Ready` condition is `True`.
    public var ready: Bool
    /// `lastTransitionTime` of the `Ready` condition, seconds since the Unix epoch, when the pod is Ready.
    public var readySince: Double?
    /// Annotation `roost.dev/idle-since`, seconds since the Unix epoch.
    public var idleSince: Double?
    /// Being deleted (`metadata.deletionTimestamp` set) or finished (phase `Succeeded`/`Failed`):
    /// not a live worker, never claimed, reaped or counted.
    public var terminating: Bool
    /// `spec.tolerations`, matched against the taints of the node it runs on.
    public var tolerations: [CoreV1.Toleration]
    /// Label `roost.dev/scheduled == "true"`.
    public var scheduled: Bool

    /// Memberwise initializer; the defaults describe a fresh, unscheduled idle worker.
    public init(
        id: ObjectName, uid: String = "", resourceVersion: String = "", runtime: String, machine: String,
        templateHash: String, state: WorkerState = .idle, session: String? = nil, nodeName: String = "",
        ready: Bool = false, readySince: Double? = nil, idleSince: Double? = nil, terminating: Bool = false,
        tolerations: [CoreV1.Toleration] = [], scheduled: Bool = false
    ) {
        self.id = id
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.runtime = runtime
        self.machine = machine
        self.templateHash = templateHash
        self.state = state
        self.session = session
        self.nodeName = nodeName
        self.ready = ready
        self.readySince = readySince
        self.idleSince = idleSince
        self.terminating = terminating
        self.tolerations = tolerations
        self.scheduled = scheduled
    }

    /// The AgentRuntime this worker belongs to.
    public var runtimeID: ObjectName { ObjectName(namespace: id.namespace, name: runtime) }

    /// Live and idle: labelled `idle`, serving no session, not terminating.
    public var isIdle: Bool { !terminating && state == .idle && session == nil }

    /// Seconds the worker has been idle at `now`: from `roost.dev/idle-since`, or from Ready for a
    /// worker that never served a session; nil when neither is known.
    public func idleSeconds(now: Double) -> Double? {
        guard let since = idleSince ?? readySince else { return nil }
        return now - since
    }
}

/// One node as the placement policy sees it.
public struct NodeSnapshot: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// `metadata.labels`, for the node pool rules of ``AffinityConfiguration``.
    public var labels: [String: String]
    /// `spec.unschedulable` (cordoned).
    public var unschedulable: Bool
    /// The node's `Ready` condition is `True`.
    public var ready: Bool
    /// `spec.taints`.
    public var taints: [CoreV1.Taint]

    /// Memberwise initializer; the defaults describe a Ready, schedulable, untainted node.
    public init(
        name: String, labels: [String: String] = [:], unschedulable: Bool = false, ready: Bool = true,
        taints: [CoreV1.Taint] = []
    ) {
        self.name = name
        self.labels = labels
        self.unschedulable = unschedulable
        self.ready = ready
        self.taints = taints
    }
}

/// One AgentRuntime as the placement policy sees it: its pool settings and the derived values the
/// reconciler computes (template hashes, usability).
public struct RuntimeSnapshot: Sendable, Equatable {
    /// `metadata.namespace` and `metadata.name`.
    public var id: ObjectName
    /// `spec.machine`: the preset of the pool's warm workers and of sessions that name none.
    public var machine: String
    /// Machine preset → hash of `spec.template` with that preset (label `roost.dev/template-hash`),
    /// for every preset the runtime defines (`default` and each key of `spec.machines`). A worker
    /// whose preset has no entry counts as made from an outdated template; a session asking for
    /// such a preset waits (``WaitReason/undefinedMachine(_:)``).
    public var templateHashes: [String: String]
    /// `spec.pool.minIdle`.
    public var minIdle: Int
    /// `spec.pool.maxWorkers`.
    public var maxWorkers: Int
    /// `spec.pool.idleTimeout` in seconds; 0 disables the idle-time reap rule.
    public var idleTimeout: Double
    /// `spec.nodeStickiness.enabled`.
    public var stickinessEnabled: Bool
    /// Annotation `roost.dev/last-node`.
    public var lastNode: String?
    /// Why the runtime cannot make workers (for example a template with no containers), or nil
    /// when it is usable. Sessions of an unusable runtime wait with reason `InvalidRuntime`.
    public var problem: String?
    /// Workers Roost created (or is creating) that its cache has not shown yet: they count toward
    /// `maxWorkers` and as starting supply, so a lagging cache does not over-fill the pool.
    public var inFlightWorkers: Int

    /// Memberwise initializer; the defaults are those of SPEC §1.
    public init(
        id: ObjectName, machine: String = "default", templateHashes: [String: String], minIdle: Int = 0,
        maxWorkers: Int = 100, idleTimeout: Double = 300, stickinessEnabled: Bool = false,
        lastNode: String? = nil, problem: String? = nil, inFlightWorkers: Int = 0
    ) {
        self.id = id
        self.machine = machine
        self.templateHashes = templateHashes
        self.minIdle = minIdle
        self.maxWorkers = maxWorkers
        self.idleTimeout = idleTimeout
        self.stickinessEnabled = stickinessEnabled
        self.lastNode = lastNode
        self.problem = problem
        self.inFlightWorkers = inFlightWorkers
    }

    /// Whether the worker belongs to this runtime (same namespace, label `roost.dev/runtime`).
    public func owns(_ worker: WorkerSnapshot) -> Bool {
        worker.id.namespace == id.namespace && worker.runtime == id.name
    }

    /// Whether the worker was made from the runtime's current template for its preset.
    public func isCurrent(_ worker: WorkerSnapshot) -> Bool {
        guard let hash = templateHashes[worker.machine] else { return false }
        return !worker.templateHash.isEmpty && worker.templateHash == hash
    }

    /// The runtime's last node when stickiness is on and one is recorded, else nil.
    public var stickyNode: String? {
        guard stickinessEnabled, let lastNode, !lastNode.isEmpty else { return nil }
        return lastNode
    }
}

/// One AgentSession as the placement policy sees it.
public struct SessionSnapshot: Sendable, Equatable {
    /// `metadata.namespace` and `metadata.name`.
    public var id: ObjectName
    /// `metadata.uid`: a session re-created under the same name is another session.
    public var uid: String
    /// `spec.runtimeRef.name` (same namespace).
    public var runtime: String
    /// `spec.machine`; nil (or empty) means the runtime's `spec.machine`.
    public var machine: String?
    /// The session counts as scheduled (`rootTriggerSource`, else `triggerSource`, is `schedule`).
    public var scheduled: Bool
    /// `metadata.creationTimestamp`, seconds since the Unix epoch: pending sessions are placed oldest first.
    public var createdAt: Double
    /// The worker the session is bound to (`status.podName`), or to which a binding is in flight
    /// and not yet seen in the cache (the reconciler's expectations); nil (or empty) while unbound.
    public var boundWorker: String?
    /// `metadata.deletionTimestamp` is set: the session is being released and is never placed.
    public var terminating: Bool

    /// Memberwise initializer; the defaults describe a new, unbound session.
    public init(
        id: ObjectName, uid: String = "", runtime: String, machine: String? = nil, scheduled: Bool = false,
        createdAt: Double, boundWorker: String? = nil, terminating: Bool = false
    ) {
        self.id = id
        self.uid = uid
        self.runtime = runtime
        self.machine = machine
        self.scheduled = scheduled
        self.createdAt = createdAt
        self.boundWorker = boundWorker
        self.terminating = terminating
    }

    /// The AgentRuntime the session asks for.
    public var runtimeID: ObjectName { ObjectName(namespace: id.namespace, name: runtime) }

    /// The preset the session's worker must have: its own `spec.machine`, else the runtime's.
    public func machine(in runtime: RuntimeSnapshot) -> String {
        guard let machine, !machine.isEmpty else { return runtime.machine }
        return machine
    }
}
