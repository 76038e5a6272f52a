import ArgumentParser
import Roost

/// The flags of `roost run` (SPEC §3), spelled as controller-runtime spells them. Each is optional:
/// a flag not given falls back to its `ROOST_*` environment variable, then to the default, when
/// ``flags`` is resolved by `OperatorConfiguration.resolve(flags:environment:)`.
struct RunOptions: ParsableArguments {
    @Option(
        name: .customLong(OperatorFlag.kubeconfig.rawValue),
        help: "Kubeconfig file; default: in-cluster, else $KUBECONFIG, else ~/.kube/config. Env: ROOST_KUBECONFIG.")
    var kubeconfig: String?

    @Option(
        name: .customLong(OperatorFlag.namespace.rawValue),
        help: "Namespace to watch; default: all namespaces. Env: ROOST_NAMESPACE.")
    var namespace: String?

    @Option(
        name: .customLong(OperatorFlag.metricsBindAddress.rawValue),
        help: "Address of /metrics, [HOST]:PORT or 0 for none (default :8080). Env: ROOST_METRICS_BIND_ADDRESS.")
    var metricsBindAddress: String?

    @Option(
        name: .customLong(OperatorFlag.healthProbeBindAddress.rawValue),
        help:
            "Address of /healthz and /readyz, [HOST]:PORT or 0 for none (default :8081). Env: ROOST_HEALTH_PROBE_BIND_ADDRESS."
    )
    var healthProbeBindAddress: String?

    @Flag(
        name: .customLong(OperatorFlag.leaderElect.rawValue), inversion: .prefixedNo,
        help: "Elect a leader on a coordination.k8s.io Lease; only the leader writes (default off). Env: ROOST_LEADER_ELECT.")
    var leaderElect: Bool?

    @Option(
        name: .customLong(OperatorFlag.leaderElectionNamespace.rawValue),
        help: "Namespace of the Lease; default: the namespace Roost runs in. Env: ROOST_LEADER_ELECTION_NAMESPACE.")
    var leaderElectionNamespace: String?

    @Option(
        name: .customLong(OperatorFlag.leaderElectionID.rawValue),
        help: "Name of the Lease (default roost-controller). Env: ROOST_LEADER_ELECTION_ID.")
    var leaderElectionID: String?

    @Option(
        name: .customLong(OperatorFlag.schedulingMode.rawValue),
        help: "Placement cycle mode: sync or async (default sync). Env: ROOST_SCHEDULING_MODE.")
    var schedulingMode: String?

    @Option(
        name: .customLong(OperatorFlag.resyncPeriod.rawValue),
        help: "Re-enqueue everything from the cache this often, a Go duration (default 30s). Env: ROOST_RESYNC_PERIOD.")
    var resyncPeriod: String?

    @Option(
        name: .customLong(OperatorFlag.reapInterval.rawValue),
        help: "Reap idle workers this often, a Go duration (default 30s). Env: ROOST_REAP_INTERVAL.")
    var reapInterval: String?

    @Option(
        name: .customLong(OperatorFlag.logFormat.rawValue),
        help: "Log format: json or text (default json). Env: ROOST_LOG_FORMAT.")
    var logFormat: String?

    @Option(
        name: .customLong(OperatorFlag.logLevel.rawValue),
        help: "Log level: trace, debug, info, notice, warning, error or critical (default info). Env: ROOST_LOG_LEVEL.")
    var logLevel: String?

    /// The flags given on the command line: flag name without dashes → value (`"true"` or
    /// `"false"` for `--leader-elect` / `--no-leader-elect`), for `OperatorConfiguration.resolve`.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        for flag in OperatorFlag.allCases {
            if let value = value(of: flag) { flags[flag.rawValue] = value }
        }
        return flags
    }

    /// The value given for `flag`; the exhaustive switch keeps every ``OperatorFlag`` an option here.
    private func value(of flag: OperatorFlag) -> String? {
        switch flag {
        case .kubeconfig: kubeconfig
        case .namespace: namespace
        case .metricsBindAddress: metricsBindAddress
        case .healthProbeBindAddress: healthProbeBindAddress
        case .leaderElect: leaderElect.map { $0 ? "true" : "false" }
        case .leaderElectionNamespace: leaderElectionNamespace
        case .leaderElectionID: leaderElectionID
        case .schedulingMode: schedulingMode
        case .resyncPeriod: resyncPeriod
        case .reapInterval: reapInterval
        case .logFormat: logFormat
        case .logLevel: logLevel
        }
    }
}
