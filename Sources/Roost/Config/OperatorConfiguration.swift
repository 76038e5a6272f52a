import Foundation
import KubeModel
import Logging

/// The command-line flags of `roost run` (SPEC §3), named as controller-runtime names them, each
/// with an environment equivalent `ROOST_<NAME>` (upper case, `-` → `_`). A flag wins over its variable.
public enum OperatorFlag: String, Sendable, Hashable, CaseIterable {
    /// `--kubeconfig PATH`; default: in-cluster, else `$KUBECONFIG`, else `~/.kube/config`.
    case kubeconfig
    /// `--namespace NAME`; default: all namespaces.
    case namespace
    /// `--metrics-bind-address [HOST]:PORT` (`:8080`); `0` turns the metrics server off.
    case metricsBindAddress = "metrics-bind-address"
    /// `--health-probe-bind-address [HOST]:PORT` (`:8081`); `0` turns the probe server off.
    case healthProbeBindAddress = "health-probe-bind-address"
    /// `--leader-elect`: take part in leader election on a Lease; default off.
    case leaderElect = "leader-elect"
    /// `--leader-election-namespace NAME`; default: the namespace Roost runs in.
    case leaderElectionNamespace = "leader-election-namespace"
    /// `--leader-election-id NAME`: the Lease's name (`roost-controller`).
    case leaderElectionID = "leader-election-id"
    /// `--scheduling-mode sync|async` (`sync`).
    case schedulingMode = "scheduling-mode"
    /// `--resync-period DURATION` (`30s`).
    case resyncPeriod = "resync-period"
    /// `--reap-interval DURATION` (`30s`); its variable is SPEC §3's `ROOST_REAP_INTERVAL`.
    case reapInterval = "reap-interval"
    /// `--log-format json|text` (`json`).
    case logFormat = "log-format"
    /// `--log-level trace|debug|info|notice|warning|error|critical` (`info`).
    case logLevel = "log-level"

    /// The command-line spelling, e.g. `--metrics-bind-address`.
    public var argument: String { "--" + rawValue }

    /// The environment equivalent, e.g. `ROOST_METRICS_BIND_ADDRESS`.
    public var environmentVariable: String {
        "ROOST_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

/// Everything `roost run` is configured with (SPEC §3): the operator's own options and the
/// affinity configuration, as plain values. Built by ``resolve(flags:environment:)``; the
/// defaults are SPEC §3's.
public struct OperatorConfiguration: Sendable, Equatable {
    /// How placement cycles are applied (SPEC §2 B7).
    public enum SchedulingMode: String, Sendable, Hashable, CaseIterable {
        /// Decisions are applied inline by the main loop.
        case sync
        /// The cycle runs in a background task on a snapshot; decisions are checked before they apply.
        case async
    }

    /// How log records are written.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line.
        case json
        /// Human-readable lines.
        case text
    }

    /// A listen address: `host:port`, where an empty host means every interface.
    public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
        /// The host name or IP address without brackets (`::1`); empty for every interface.
        public var host: String
        /// 0...65535; 0 picks a free port.
        public var port: Int

        /// Creates an address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `[HOST]:PORT` as controller-runtime's bind-address flags take it: `:8080`,
        /// `0.0.0.0:8080`, `localhost:8081`, `[::1]:8080`. Nil for anything else.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            let portText = text[text.index(after: colon)...]
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
                (0...65535).contains(port)
            else { return nil }
            var host = text[..<colon]
            if host.hasPrefix("[") {
                guard host.hasSuffix("]"), host.count > 2 else { return nil }
                host = host.dropFirst().dropLast()
            } else if host.contains(":") || host.contains("[") || host.contains("]") {
                return nil
            }
            guard !host.contains(where: \.isWhitespace) else { return nil }
            self.init(host: String(host), port: port)
        }

        /// `host:port`, `:port` for every interface, `[host]:port` for IPv6 hosts — the form
        /// ``init(parsing:)`` and KubeRuntime's `ProbeServer` read.
        public var description: String {
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// `--kubeconfig`; nil: in-cluster, else `$KUBECONFIG`, else `~/.kube/config`.
    public var kubeconfig: String?
    /// `--namespace`; nil watches all namespaces.
    public var namespace: String?
    /// `--metrics-bind-address`; nil when turned off with `0`.
    public var metricsBindAddress: BindAddress? = BindAddress(host: "", port: 8080)
    /// `--health-probe-bind-address`; nil when turned off with `0`.
    public var healthProbeBindAddress: BindAddress? = BindAddress(host: "", port: 8081)
    /// `--leader-elect`.
    public var leaderElect = false
    /// `--leader-election-namespace`; nil: the namespace Roost runs in.
    public var leaderElectionNamespace: String?
    /// `--leader-election-id`: the Lease's name.
    public var leaderElectionID = "roost-controller"
    /// `--scheduling-mode`.
    public var schedulingMode = SchedulingMode.sync
    /// `--resync-period`: how often every runtime and session is re-enqueued from the cache (B8).
    public var resyncPeriod = GoDuration(nanoseconds: 30_000_000_000)
    /// `--reap-interval` / `ROOST_REAP_INTERVAL`: how often idle workers are reaped (B5).
    public var reapInterval = GoDuration(nanoseconds: 30_000_000_000)
    /// `--log-format`.
    public var logFormat = LogFormat.json
    /// `--log-level`.
    public var logLevel = Logger.Level.info
    /// The affinity variables of SPEC §3 (``AffinityEnvironment``).
    public var affinity = AffinityConfiguration()

    /// The defaults of SPEC §3.
    public init() {}

    /// Resolves the configuration from the flags given on the command line and the environment.
    ///
    /// - Parameters:
    ///   - flags: flag name without dashes (an ``OperatorFlag`` raw value, e.g. `leader-elect`) →
    ///     the value given; only flags actually given. A boolean flag given bare is `"true"`.
    ///   - environment: the process environment; read for `ROOST_*` equivalents of flags not given
    ///     and for the affinity variables (see ``AffinityEnvironment``). Blank variables count as unset.
    /// - Throws: ``OperatorConfigurationError`` listing every problem, one line each naming the
    ///   flag or variable, the value and what is allowed: unknown flag names, invalid booleans,
    ///   bind addresses, namespaces and Lease names, durations that are not positive Go durations,
    ///   unknown modes, formats and levels, and every affinity problem.
    public static func resolve(flags: [String: String], environment: [String: String])
        throws(OperatorConfigurationError) -> OperatorConfiguration
    {
        var reader = SettingReader(flags: flags, environment: environment)
        for name in flags.keys.sorted() where OperatorFlag(rawValue: name) == nil {
            reader.report(
                SettingReader.Given(setting: "--" + name, text: flags[name] ?? ""),
                "is not a flag of roost run; known flags: "
                    + OperatorFlag.allCases.map(\.argument).joined(separator: ", "))
        }
        var configuration = OperatorConfiguration()
        if let value = reader.option(.kubeconfig, .text) { configuration.kubeconfig = value.isEmpty ? nil : value }
        if let value = reader.option(.namespace, .namespace) { configuration.namespace = value }
        if let value = reader.option(.metricsBindAddress, .bindAddress) { configuration.metricsBindAddress = value }
        if let value = reader.option(.healthProbeBindAddress, .bindAddress) {
            configuration.healthProbeBindAddress = value
        }
        if let value = reader.option(.leaderElect, .boolean) { configuration.leaderElect = value }
        if let value = reader.option(.leaderElectionNamespace, .namespace) {
            configuration.leaderElectionNamespace = value
        }
        if let value = reader.option(.leaderElectionID, .leaseName) { configuration.leaderElectionID = value }
        if let value = reader.option(.schedulingMode, .choice(SchedulingMode.self)) {
            configuration.schedulingMode = value
        }
        if let value = reader.option(.resyncPeriod, .positiveDuration) { configuration.resyncPeriod = value }
        if let value = reader.option(.reapInterval, .positiveDuration) { configuration.reapInterval = value }
        if let value = reader.option(.logFormat, .choice(LogFormat.self)) { configuration.logFormat = value }
        if let value = reader.option(.logLevel, .choice(Logger.Level.self)) { configuration.logLevel = value }
        configuration.affinity = AffinityEnvironment.read(&reader)
        if !reader.problems.isEmpty { throw OperatorConfigurationError(problems: reader.problems) }
        return configuration
    }
}

extension SettingParser where Value == OperatorConfiguration.BindAddress? {
    /// `[HOST]:PORT`, or `0` for off (controller-runtime's convention).
    static var bindAddress: Self {
        SettingParser { text in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed == "0" { return .success(nil) }
            guard let address = OperatorConfiguration.BindAddress(parsing: trimmed) else {
                return .failure(
                    SettingRejection("must be [HOST]:PORT with a port from 0 to 65535, e.g. :8080, or 0 to turn it off"))
            }
            return .success(address)
        }
    }
}

extension SettingParser where Value == String? {
    /// A namespace name (an RFC 1123 label), or empty for the default.
    static var namespace: Self {
        SettingParser { text in
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { return .success(nil) }
            guard DNSName.isLabel(name) else {
                return .failure(
                    SettingRejection(
                        "must be a namespace name: at most 63 lower-case letters, digits and '-', "
                            + "starting and ending with a letter or digit"))
            }
            return .success(name)
        }
    }
}

extension SettingParser where Value == String {
    /// A Lease name (an RFC 1123 subdomain).
    static var leaseName: Self {
        SettingParser { text in
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard DNSName.isSubdomain(name) else {
                return .failure(
                    SettingRejection(
                        "must be a Lease name: at most 253 lower-case letters, digits, '-' and '.', "
                            + "starting and ending with a letter or digit"))
            }
            return .success(name)
        }
    }
}

extension SettingParser where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of `Value`'s raw values, case-insensitive.
    static func choice(_ type: Value.Type) -> Self {
        SettingParser { text in
            let wanted = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if let value = Value.allCases.first(where: { $0.rawValue.lowercased() == wanted }) {
                return .success(value)
            }
            return .failure(
                SettingRejection("must be one of " + Value.allCases.map(\.rawValue).joined(separator: ", ")))
        }
    }
}

/// RFC 1123 names as Kubernetes validates object names (`validation.IsDNS1123Label`,
/// `IsDNS1123Subdomain`).
private enum DNSName {
    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    /// At most 63 characters of `[a-z0-9-]`, starting and ending with `[a-z0-9]`.
    static func isLabel(_ name: some StringProtocol) -> Bool {
        guard let first = name.first, let last = name.last, name.count <= 63 else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && name.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
    }

    /// At most 253 characters: labels joined by `.`.
    static func isSubdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
                && label.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
        }
    }
}
