import KubeModel
import Logging
import Roost
import Testing

@Suite struct OperatorConfigurationTests {
    typealias BindAddress = OperatorConfiguration.BindAddress

    private func problems(flags: [String: String] = [:], environment: [String: String] = [:]) -> [String] {
        do {
            _ = try OperatorConfiguration.resolve(flags: flags, environment: environment)
            return []
        } catch {
            return error.lines
        }
    }

    @Test func flagNamesAreControllerRuntimesAndEnvironmentNamesFollow() {
        #expect(
            OperatorFlag.allCases.map(\.argument) == [
                "--kubeconfig", "--namespace", "--metrics-bind-address", "--health-probe-bind-address", "--leader-elect",
                "--leader-election-namespace", "--leader-election-id", "--scheduling-mode", "--resync-period",
                "--reap-interval", "--log-format", "--log-level",
            ])
        #expect(
            OperatorFlag.allCases.map(\.environmentVariable) == [
                "ROOST_KUBECONFIG", "ROOST_NAMESPACE", "ROOST_METRICS_BIND_ADDRESS", "ROOST_HEALTH_PROBE_BIND_ADDRESS",
                "ROOST_LEADER_ELECT", "ROOST_LEADER_ELECTION_NAMESPACE", "ROOST_LEADER_ELECTION_ID",
                "ROOST_SCHEDULING_MODE", "ROOST_RESYNC_PERIOD", "ROOST_REAP_INTERVAL", "ROOST_LOG_FORMAT",
                "ROOST_LOG_LEVEL",
            ])
    }

    @Test func defaultsAreSpecSection3() throws {
        let configuration = try OperatorConfiguration.resolve(flags: [:], environment: [:])
        #expect(configuration == OperatorConfiguration())
        #expect(configuration.kubeconfig == nil)
        #expect(configuration.namespace == nil)
        #expect(configuration.metricsBindAddress == BindAddress(host: "", port: 8080))
        #expect(configuration.healthProbeBindAddress == BindAddress(host: "", port: 8081))
        #expect(!configuration.leaderElect)
        #expect(configuration.leaderElectionNamespace == nil)
        #expect(configuration.leaderElectionID == "roost-controller")
        #expect(configuration.schedulingMode == .sync)
        #expect(configuration.resyncPeriod == GoDuration(nanoseconds: 30_000_000_000))
        #expect(configuration.reapInterval == GoDuration(nanoseconds: 30_000_000_000))
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .info)
        #expect(configuration.affinity == AffinityConfiguration())
    }

    static let values: [OperatorFlag: String] = [
        .kubeconfig: "/etc/roost/kubeconfig",
        .namespace: "agents",
        .metricsBindAddress: "127.0.0.1:9090",
        .healthProbeBindAddress: "[::1]:9091",
        .leaderElect: "true",
        .leaderElectionNamespace: "roost-system",
        .leaderElectionID: "roost.example.com",
        .schedulingMode: "async",
        .resyncPeriod: "1m30s",
        .reapInterval: "10s",
        .logFormat: "text",
        .logLevel: "debug",
    ]

    static var expected: OperatorConfiguration {
        var expected = OperatorConfiguration()
        expected.kubeconfig = "/etc/roost/kubeconfig"
        expected.namespace = "agents"
        expected.metricsBindAddress = BindAddress(host: "127.0.0.1", port: 9090)
        expected.healthProbeBindAddress = BindAddress(host: "::1", port: 9091)
        expected.leaderElect = true
        expected.leaderElectionNamespace = "roost-system"
        expected.leaderElectionID = "roost.example.com"
        expected.schedulingMode = .async
        expected.resyncPeriod = GoDuration(nanoseconds: 90_000_000_000)
        expected.reapInterval = GoDuration(nanoseconds: 10_000_000_000)
        expected.logFormat = .text
        expected.logLevel = .debug
        return expected
    }

    @Test func everyFlagIsRead() throws {
        #expect(Set(Self.values.keys) == Set(OperatorFlag.allCases))
        let flags = Dictionary(uniqueKeysWithValues: Self.values.map { ($0.key.rawValue, $0.value) })
        #expect(try OperatorConfiguration.resolve(flags: flags, environment: [:]) == Self.expected)
    }

    @Test func everyEnvironmentEquivalentIsRead() throws {
        let environment = Dictionary(uniqueKeysWithValues: Self.values.map { ($0.key.environmentVariable, $0.value) })
        #expect(try OperatorConfiguration.resolve(flags: [:], environment: environment) == Self.expected)
    }

    @Test func aFlagWinsOverItsVariableWhoseValueIsThenNotEvenChecked() throws {
        let environment = [
            "ROOST_NAMESPACE": "from-env", "ROOST_LEADER_ELECT": "not-a-bool", "ROOST_RESYNC_PERIOD": "5m",
            "ROOST_LOG_LEVEL": "warning",
        ]
        let configuration = try OperatorConfiguration.resolve(
            flags: ["namespace": "from-flag", "leader-elect": "false", "resync-period": "10s"], environment: environment)
        #expect(configuration.namespace == "from-flag")
        #expect(!configuration.leaderElect)
        #expect(configuration.resyncPeriod == GoDuration(nanoseconds: 10_000_000_000))
        #expect(configuration.logLevel == .warning)
    }

    @Test func emptyFlagsForOptionalNamesMeanTheDefault() throws {
        let configuration = try OperatorConfiguration.resolve(
            flags: ["kubeconfig": "", "namespace": "", "leader-election-namespace": ""],
            environment: ["ROOST_NAMESPACE": "agents", "ROOST_KUBECONFIG": "/k"])
        #expect(configuration.kubeconfig == nil)
        #expect(configuration.namespace == nil)
        #expect(configuration.leaderElectionNamespace == nil)
    }

    @Test func affinityVariablesAreReadToo() throws {
        let configuration = try OperatorConfiguration.resolve(
            flags: [:], environment: ["KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED": "1", "ROOST_STICKINESS_WEIGHT": "7"])
        #expect(configuration.affinity.schedule.enabled)
        #expect(configuration.affinity.stickinessWeight == 7)
    }

    @Test(arguments: [
        (":8080", BindAddress(host: "", port: 8080)),
        ("0.0.0.0:8081", BindAddress(host: "0.0.0.0", port: 8081)),
        ("localhost:0", BindAddress(host: "localhost", port: 0)),
        ("[::]:65535", BindAddress(host: "::", port: 65535)),
    ])
    func bindAddressesParseIntoHostAndPort(text: String, address: BindAddress) throws {
        let configuration = try OperatorConfiguration.resolve(flags: ["metrics-bind-address": text], environment: [:])
        #expect(configuration.metricsBindAddress == address)
        #expect(configuration.metricsBindAddress?.description == (text == "[::]:65535" ? "[::]:65535" : text))
    }

    @Test func zeroTurnsAServerOff() throws {
        let configuration = try OperatorConfiguration.resolve(
            flags: ["metrics-bind-address": "0"], environment: ["ROOST_HEALTH_PROBE_BIND_ADDRESS": "0"])
        #expect(configuration.metricsBindAddress == nil)
        #expect(configuration.healthProbeBindAddress == nil)
    }

    @Test(arguments: ["8080", ":", ":65536", "host:port", "::1:8080", "[::1]8080:", "[]:80", ": 80", "a b:80", ":+80"])
    func badBindAddressesAreRefused(text: String) {
        #expect(
            problems(flags: ["health-probe-bind-address": text]) == [
                "--health-probe-bind-address=\"\(text)\": must be [HOST]:PORT with a port from 0 to 65535, e.g. :8080, or 0 to turn it off"
            ])
    }

    @Test func everyInvalidValueLine() {
        let flags = [
            "namespace": "Agents", "metrics-bind-address": "8080", "leader-elect": "maybe",
            "leader-election-namespace": "-x", "leader-election-id": "Roost_Controller", "scheduling-mode": "later",
            "resync-period": "30", "reap-interval": "0s", "log-format": "xml", "log-level": "verbose",
        ]
        let namespace =
            "must be a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
        #expect(
            problems(flags: flags) == [
                #"--namespace="Agents": "# + namespace,
                #"--metrics-bind-address="8080": must be [HOST]:PORT with a port from 0 to 65535, e.g. :8080, or 0 to turn it off"#,
                #"--leader-elect="maybe": must be one of true, false, 1, 0 (case-insensitive)"#,
                #"--leader-election-namespace="-x": "# + namespace,
                #"--leader-election-id="Roost_Controller": must be a Lease name: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"#,
                #"--scheduling-mode="later": must be one of sync, async"#,
                #"--resync-period="30": must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"#,
                #"--reap-interval="0s": must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"#,
                #"--log-format="xml": must be one of json, text"#,
                #"--log-level="verbose": must be one of trace, debug, info, notice, warning, error, critical"#,
            ])
    }

    @Test func environmentProblemsNameTheVariable() {
        #expect(
            problems(environment: ["ROOST_REAP_INTERVAL": "-30s", "ROOST_RESYNC_PERIOD": "soon", "ROOST_LOG_LEVEL": "loud"])
                == [
                    #"ROOST_RESYNC_PERIOD="soon": must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"#,
                    #"ROOST_REAP_INTERVAL="-30s": must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"#,
                    #"ROOST_LOG_LEVEL="loud": must be one of trace, debug, info, notice, warning, error, critical"#,
                ])
    }

    @Test func choicesAndDurationsAreLenientAboutCaseAndSpace() throws {
        let configuration = try OperatorConfiguration.resolve(
            flags: ["scheduling-mode": "ASYNC", "log-format": " Text", "log-level": "Error", "reap-interval": " 1.5m "],
            environment: [:])
        #expect(configuration.schedulingMode == .async)
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .error)
        #expect(configuration.reapInterval == GoDuration(nanoseconds: 90_000_000_000))
    }

    @Test func unknownFlagsAreProblems() {
        #expect(
            problems(flags: ["metrics-addr": ":8080"]) == [
                #"--metrics-addr=":8080": is not a flag of roost run; known flags: --kubeconfig, --namespace, "#
                    + "--metrics-bind-address, --health-probe-bind-address, --leader-elect, --leader-election-namespace, "
                    + "--leader-election-id, --scheduling-mode, --resync-period, --reap-interval, --log-format, --log-level"
            ])
    }

    @Test func flagEnvironmentAndAffinityProblemsAreReportedTogether() {
        let lines = problems(
            flags: ["log-level": "loud"],
            environment: [
                "ROOST_REAP_INTERVAL": "never", "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "0",
                "KUBERNETES_SCHEDULE_AFFINITY_ENABLED": "true", "KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED": "0",
            ])
        #expect(lines.count == 4)
        #expect(
            lines == [
                #"ROOST_REAP_INTERVAL="never": must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"#,
                #"--log-level="loud": must be one of trace, debug, info, notice, warning, error, critical"#,
                #"KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED="0": conflicts with KUBERNETES_SCHEDULE_AFFINITY_ENABLED="true" (the same setting under its earlier name); set only one of them, or both to the same value"#,
                #"KUBERNETES_SCHEDULE_AFFINITY_WEIGHT="0": must be an integer from 1 to 100"#,
            ])
    }
}
