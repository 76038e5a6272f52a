/// The names Roost writes into the cluster: its API group, labels, annotations and finalizer.
/// They are a contract (SPEC §1): tests and users outside this repository select on them.
public enum RoostAPI {
    /// The API group of AgentRuntime and AgentSession.
    public static let group = "roost.dev"
    /// The served and stored version.
    public static let version = "v1alpha1"
    /// `apiVersion` as written in objects: `roost.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"
}

/// Labels Roost sets on the worker pods it creates.
public enum RoostLabel {
    /// Always `roost`; Roost's pod informer selects on it.
    public static let managedBy = "roost.dev/managed-by"
    /// The value of ``managedBy``.
    public static let managedByValue = "roost"
    /// The AgentRuntime the worker belongs to.
    public static let runtime = "roost.dev/runtime"
    /// The machine preset the worker was made with.
    public static let machine = "roost.dev/machine"
    /// `idle` or `busy`.
    public static let state = "roost.dev/state"
    /// `"true"` when the worker was spawned for (or serves) a scheduled session, else `"false"`.
    public static let scheduled = "roost.dev/scheduled"
    /// Hash of the runtime's `spec.template` and machine preset the pod was made from.
    public static let templateHash = "roost.dev/template-hash"
}

/// Values of ``RoostLabel/state``.
public enum WorkerState: String, Sendable, Hashable, CaseIterable {
    case idle
    case busy
}

/// Annotations Roost writes.
public enum RoostAnnotation {
    /// On a busy worker pod: the name of the AgentSession it serves (same namespace).
    public static let session = "roost.dev/session"
    /// On an idle worker pod: when it became idle, RFC 3339.
    public static let idleSince = "roost.dev/idle-since"
    /// On an AgentRuntime: the node its last Ready session ran on (stickiness, B6).
    public static let lastNode = "roost.dev/last-node"
}

/// The finalizer on AgentSessions that releases their worker before the session goes away.
public enum RoostFinalizer {
    public static let release = "roost.dev/release"
}
