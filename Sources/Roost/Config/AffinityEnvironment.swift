import KubeModel

/// The environment variables of SPEC §3 that configure B1's affinity composition, and their parsing
/// into an ``AffinityConfiguration``.
///
/// The schedule variables keep seed 000's names (`KUBERNETES_SCHEDULE_*`); trigger.dev later renamed
/// them to `KUBERNETES_SCHEDULED_RUN_*` (PR #3297), and that spelling is accepted as an alias of each:
/// one of the two may be set, or both to the same value; different values are a problem.
public enum AffinityEnvironment {
    /// `KUBERNETES_SCHEDULE_AFFINITY_ENABLED`, boolean, default false.
    public static let scheduleEnabled = "KUBERNETES_SCHEDULE_AFFINITY_ENABLED"
    /// `KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY`, a label key.
    public static let schedulePoolLabelKey = "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY"
    /// `KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE`, a label value.
    public static let schedulePoolLabelValue = "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE"
    /// `KUBERNETES_SCHEDULE_AFFINITY_WEIGHT`, 1...100.
    public static let scheduleWeight = "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT"
    /// `KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT`, 1...100.
    public static let scheduleAntiAffinityWeight = "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT"
    /// `KUBERNETES_SCHEDULE_TOLERATIONS`, a ``TolerationList``.
    public static let scheduleTolerations = "KUBERNETES_SCHEDULE_TOLERATIONS"
    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_ENABLED`, boolean, default false.
    public static let largeMachineEnabled = "KUBERNETES_LARGE_MACHINE_AFFINITY_ENABLED"
    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY`, a label key.
    public static let largeMachinePoolLabelKey = "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY"
    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE`, a label value.
    public static let largeMachinePoolLabelValue = "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE"
    /// `KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT`, 1...100.
    public static let largeMachineWeight = "KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT"
    /// `KUBERNETES_RUNTIME_AFFINITY_ENABLED`, boolean, default false.
    public static let runtimeEnabled = "KUBERNETES_RUNTIME_AFFINITY_ENABLED"
    /// `KUBERNETES_RUNTIME_AFFINITY_WEIGHT`, 1...100.
    public static let runtimeWeight = "KUBERNETES_RUNTIME_AFFINITY_WEIGHT"
    /// `KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY`, a label key.
    public static let runtimeTopologyKey = "KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY"
    /// `KUBERNETES_RUNNER_TOLERATIONS`, a ``TolerationList``.
    public static let runnerTolerations = "KUBERNETES_RUNNER_TOLERATIONS"
    /// `ROOST_STICKINESS_WEIGHT`, 1...100.
    public static let stickinessWeight = "ROOST_STICKINESS_WEIGHT"

    /// The later upstream spelling accepted for each schedule variable: `KUBERNETES_SCHEDULE_X` is
    /// also read as `KUBERNETES_SCHEDULED_RUN_X`.
    public static let aliases: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            scheduleEnabled, schedulePoolLabelKey, schedulePoolLabelValue, scheduleWeight,
            scheduleAntiAffinityWeight, scheduleTolerations,
        ].map { name in
            (name, "KUBERNETES_SCHEDULED_RUN_" + name.dropFirst("KUBERNETES_SCHEDULE_".count))
        })

    /// Reads the affinity configuration from `environment`; unset variables keep the defaults of
    /// ``AffinityConfiguration/init()``.
    /// - Throws: ``OperatorConfigurationError`` with one problem per invalid value (booleans other
    ///   than true/false/1/0, weights outside 1...100, invalid label keys or values, refused
    ///   toleration entries) and per alias pair set to different values.
    public static func resolve(environment: [String: String]) throws(OperatorConfigurationError)
        -> AffinityConfiguration
    {
        var reader = SettingReader(flags: [:], environment: environment)
        let configuration = read(&reader)
        if !reader.problems.isEmpty { throw OperatorConfigurationError(problems: reader.problems) }
        return configuration
    }

    /// Reads every variable, recording problems in `reader`.
    static func read(_ reader: inout SettingReader) -> AffinityConfiguration {
        var configuration = AffinityConfiguration()
        func schedule<Value: Equatable>(_ name: String, _ parser: SettingParser<Value>) -> Value? {
            reader.environment(name, alias: aliases[name], parser)
        }
        if let value = schedule(scheduleEnabled, .boolean) { configuration.schedule.enabled = value }
        if let value = schedule(schedulePoolLabelKey, .labelKey) { configuration.schedule.labelKey = value }
        if let value = schedule(schedulePoolLabelValue, .labelValue) { configuration.schedule.labelValue = value }
        if let value = schedule(scheduleWeight, .weight) { configuration.scheduleWeight = value }
        if let value = schedule(scheduleAntiAffinityWeight, .weight) {
            configuration.scheduleAntiAffinityWeight = value
        }
        if let value = schedule(scheduleTolerations, .tolerations) { configuration.scheduleTolerations = value }

        if let value = reader.environment(largeMachineEnabled, .boolean) { configuration.largeMachine.enabled = value }
        if let value = reader.environment(largeMachinePoolLabelKey, .labelKey) {
            configuration.largeMachine.labelKey = value
        }
        if let value = reader.environment(largeMachinePoolLabelValue, .labelValue) {
            configuration.largeMachine.labelValue = value
        }
        if let value = reader.environment(largeMachineWeight, .weight) { configuration.largeMachineWeight = value }

        if let value = reader.environment(runtimeEnabled, .boolean) { configuration.runtimeAffinityEnabled = value }
        if let value = reader.environment(runtimeWeight, .weight) { configuration.runtimeAffinityWeight = value }
        if let value = reader.environment(runtimeTopologyKey, .labelKey) {
            configuration.runtimeAffinityTopologyKey = value
        }

        if let value = reader.environment(runnerTolerations, .tolerations) { configuration.runnerTolerations = value }
        if let value = reader.environment(stickinessWeight, .weight) { configuration.stickinessWeight = value }
        return configuration
    }
}
