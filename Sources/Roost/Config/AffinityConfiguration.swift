import KubeModel

/// How Roost steers new workers between node pools (SPEC §2 B1, §3). Every field defaults to the
/// value SPEC §3 gives its environment variable; ``AffinityEnvironment`` reads it from the environment.
public struct AffinityConfiguration: Sendable, Equatable {
    /// A preferred-or-required node pool: the node label `key=value` that marks the pool.
    public struct Pool: Sendable, Equatable {
        public var enabled: Bool
        public var labelKey: String
        public var labelValue: String

        public init(enabled: Bool, labelKey: String, labelValue: String) {
            self.enabled = enabled
            self.labelKey = labelKey
            self.labelValue = labelValue
        }
    }

    /// `KUBERNETES_SCHEDULE_AFFINITY_*`: scheduled sessions prefer the pool, others prefer off it.
    public var schedule = Pool(
        enabled: false, labelKey: "node.cluster.x-k8s.io/machinepool", labelValue: "scheduled-runs")
    /// `KUBERNETES_SCHEDULE_AFFINITY_WEIGHT`, 1...100.
    public var scheduleWeight = 80
    /// `KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT`, 1...100.
    public var scheduleAntiAffinityWeight = 20

    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_*`: `large-*` presets prefer the pool, others must avoid it.
    public var largeMachine = Pool(
        enabled: false, labelKey: "node.cluster.x-k8s.io/machinepool", labelValue: "large-machines")
    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT`, 1...100.
    public var largeMachineWeight = 100

    /// `KUBERNETES_RUNTIME_AFFINITY_ENABLED`: workers of one runtime prefer each other's topology domain.
    public var runtimeAffinityEnabled = false
    /// `KUBERNETES_RUNTIME_AFFINITY_WEIGHT`, 1...100.
    public var runtimeAffinityWeight = 50
    /// `KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY`.
    public var runtimeAffinityTopologyKey = "kubernetes.io/hostname"

    /// `ROOST_STICKINESS_WEIGHT`, 1...100: weight of the preferred term for the runtime's last node.
    public var stickinessWeight = 100

    /// `KUBERNETES_RUNNER_TOLERATIONS`: added to every worker.
    public var runnerTolerations: [CoreV1.Toleration] = []
    /// `KUBERNETES_SCHEDULE_TOLERATIONS`: added to workers of scheduled sessions.
    public var scheduleTolerations: [CoreV1.Toleration] = []

    /// The defaults of SPEC §3.
    public init() {}

    /// Whether a machine preset name is a large one (`large-*`).
    public static func isLargeMachine(_ preset: String) -> Bool { preset.hasPrefix("large-") }
}
