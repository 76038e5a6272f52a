import KubeModel
import Roost
import Testing

@Suite struct AffinityEnvironmentTests {
    private func problems(_ environment: [String: String]) -> [String] {
        do {
            _ = try AffinityEnvironment.resolve(environment: environment)
            return []
        } catch {
            return error.lines
        }
    }

    @Test func unsetAndBlankVariablesKeepTheDefaults() throws {
        #expect(try AffinityEnvironment.resolve(environment: [:]) == AffinityConfiguration())
        let blank = Dictionary(uniqueKeysWithValues: Self.allNames.map { ($0, " ") })
        #expect(try AffinityEnvironment.resolve(environment: blank) == AffinityConfiguration())
    }

    @Test func defaultsAreSpecSection3() {
        let configuration = AffinityConfiguration()
        #expect(
            configuration.schedule
                == .init(enabled: false, labelKey: "node.cluster.x-k8s.io/machinepool", labelValue: "scheduled-runs"))
        #expect(configuration.scheduleWeight == 80)
        #expect(configuration.scheduleAntiAffinityWeight == 20)
        #expect(
            configuration.largeMachine
                == .init(enabled: false, labelKey: "node.cluster.x-k8s.io/machinepool", labelValue: "large-machines"))
        #expect(configuration.largeMachineWeight == 100)
        #expect(!configuration.runtimeAffinityEnabled)
        #expect(configuration.runtimeAffinityWeight == 50)
        #expect(configuration.runtimeAffinityTopologyKey == "kubernetes.io/hostname")
        #expect(configuration.stickinessWeight == 100)
        #expect(configuration.runnerTolerations.isEmpty && configuration.scheduleTolerations.isEmpty)
    }

    static let allNames = [
        "KUBERNETES_SCHEDULE_AFFINITY_ENABLED", "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY",
        "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE", "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT",
        "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT", "KUBERNETES_SCHEDULE_TOLERATIONS",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_ENABLED", "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE", "KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT",
        "KUBERNETES_RUNTIME_AFFINITY_ENABLED", "KUBERNETES_RUNTIME_AFFINITY_WEIGHT",
        "KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY", "KUBERNETES_RUNNER_TOLERATIONS", "ROOST_STICKINESS_WEIGHT",
    ]

    /// Every variable of SPEC §3 with a non-default value, and the configuration it must give.
    static let everyVariable: [String: String] = [
        "KUBERNETES_SCHEDULE_AFFINITY_ENABLED": "TRUE",
        "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY": "example.com/pool",
        "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE": "cron",
        "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "70",
        "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT": "10",
        "KUBERNETES_SCHEDULE_TOLERATIONS": "dedicated=cron:NoSchedule",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_ENABLED": "1",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY": "example.com/size",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE": "big",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT": "90",
        "KUBERNETES_RUNTIME_AFFINITY_ENABLED": "True",
        "KUBERNETES_RUNTIME_AFFINITY_WEIGHT": "40",
        "KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY": "topology.kubernetes.io/zone",
        "KUBERNETES_RUNNER_TOLERATIONS": "runner:NoExecute, spot=yes:PreferNoSchedule",
        "ROOST_STICKINESS_WEIGHT": " 60 ",
    ]

    static var everyVariableConfiguration: AffinityConfiguration {
        var expected = AffinityConfiguration()
        expected.schedule = .init(enabled: true, labelKey: "example.com/pool", labelValue: "cron")
        expected.scheduleWeight = 70
        expected.scheduleAntiAffinityWeight = 10
        expected.scheduleTolerations = [
            CoreV1.Toleration(key: "dedicated", operator: "Equal", value: "cron", effect: "NoSchedule")
        ]
        expected.largeMachine = .init(enabled: true, labelKey: "example.com/size", labelValue: "big")
        expected.largeMachineWeight = 90
        expected.runtimeAffinityEnabled = true
        expected.runtimeAffinityWeight = 40
        expected.runtimeAffinityTopologyKey = "topology.kubernetes.io/zone"
        expected.runnerTolerations = [
            CoreV1.Toleration(key: "runner", operator: "Exists", effect: "NoExecute"),
            CoreV1.Toleration(key: "spot", operator: "Equal", value: "yes", effect: "PreferNoSchedule"),
        ]
        expected.stickinessWeight = 60
        return expected
    }

    @Test func everyVariableIsRead() throws {
        #expect(Set(Self.everyVariable.keys) == Set(Self.allNames))
        #expect(try AffinityEnvironment.resolve(environment: Self.everyVariable) == Self.everyVariableConfiguration)
    }

    @Test func theAliasesAreTheScheduledRunSpelling() {
        #expect(
            AffinityEnvironment.aliases == [
                "KUBERNETES_SCHEDULE_AFFINITY_ENABLED": "KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED",
                "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY": "KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_KEY",
                "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE": "KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_VALUE",
                "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT",
                "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT": "KUBERNETES_SCHEDULED_RUN_ANTI_AFFINITY_WEIGHT",
                "KUBERNETES_SCHEDULE_TOLERATIONS": "KUBERNETES_SCHEDULED_RUN_TOLERATIONS",
            ])
    }

    @Test func everyScheduleVariableIsReadUnderItsAlias() throws {
        var renamed: [String: String] = [:]
        for (name, value) in Self.everyVariable { renamed[AffinityEnvironment.aliases[name] ?? name] = value }
        #expect(renamed.keys.contains("KUBERNETES_SCHEDULED_RUN_ANTI_AFFINITY_WEIGHT"))
        #expect(try AffinityEnvironment.resolve(environment: renamed) == Self.everyVariableConfiguration)
    }

    @Test func bothSpellingsWithTheSameValueAreFine() throws {
        var both = Self.everyVariable
        for (name, alias) in AffinityEnvironment.aliases { both[alias] = both[name] }
        // The same value in another spelling is still the same value.
        both["KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED"] = "1"
        both["KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT"] = " 70"
        #expect(try AffinityEnvironment.resolve(environment: both) == Self.everyVariableConfiguration)
    }

    @Test func everyAliasConflictIsReported() {
        let environment: [String: String] = [
            "KUBERNETES_SCHEDULE_AFFINITY_ENABLED": "true",
            "KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED": "false",
            "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY": "a",
            "KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_KEY": "b",
            "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE": "c",
            "KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_VALUE": "d",
            "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "80",
            "KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT": "50",
            "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT": "20",
            "KUBERNETES_SCHEDULED_RUN_ANTI_AFFINITY_WEIGHT": "30",
            "KUBERNETES_SCHEDULE_TOLERATIONS": "a:NoSchedule",
            "KUBERNETES_SCHEDULED_RUN_TOLERATIONS": "b:NoSchedule",
        ]
        let suffix = " (the same setting under its earlier name); set only one of them, or both to the same value"
        #expect(
            problems(environment) == [
                #"KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED="false": conflicts with KUBERNETES_SCHEDULE_AFFINITY_ENABLED="true""#
                    + suffix,
                #"KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_KEY="b": conflicts with KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY="a""#
                    + suffix,
                #"KUBERNETES_SCHEDULED_RUN_AFFINITY_POOL_LABEL_VALUE="d": conflicts with KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE="c""#
                    + suffix,
                #"KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT="50": conflicts with KUBERNETES_SCHEDULE_AFFINITY_WEIGHT="80""#
                    + suffix,
                #"KUBERNETES_SCHEDULED_RUN_ANTI_AFFINITY_WEIGHT="30": conflicts with KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT="20""#
                    + suffix,
                #"KUBERNETES_SCHEDULED_RUN_TOLERATIONS="b:NoSchedule": conflicts with KUBERNETES_SCHEDULE_TOLERATIONS="a:NoSchedule""#
                    + suffix,
            ])
    }

    @Test func anInvalidAliasValueIsReportedUnderItsOwnName() {
        #expect(
            problems([
                "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "80", "KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT": "800",
            ]) == [#"KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT="800": must be an integer from 1 to 100"#])
    }

    @Test(arguments: [
        "KUBERNETES_SCHEDULE_AFFINITY_ENABLED", "KUBERNETES_LARGE_MACHINE_AFFINITY_ENABLED",
        "KUBERNETES_RUNTIME_AFFINITY_ENABLED", "KUBERNETES_SCHEDULED_RUN_AFFINITY_ENABLED",
    ])
    func booleansAcceptTrueFalseOneZeroOnly(name: String) throws {
        for (text, value) in [("true", true), ("FALSE", false), ("1", true), ("0", false), ("tRuE", true)] {
            let configuration = try AffinityEnvironment.resolve(environment: [name: text])
            let read =
                name.contains("LARGE")
                ? configuration.largeMachine.enabled
                : name.contains("RUNTIME") ? configuration.runtimeAffinityEnabled : configuration.schedule.enabled
            #expect(read == value, "\(name)=\(text)")
        }
        for text in ["yes", "on", "2", "t"] {
            #expect(
                problems([name: text]) == ["\(name)=\"\(text)\": must be one of true, false, 1, 0 (case-insensitive)"])
        }
    }

    @Test(arguments: [
        "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT", "KUBERNETES_SCHEDULE_ANTI_AFFINITY_WEIGHT",
        "KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT", "KUBERNETES_RUNTIME_AFFINITY_WEIGHT", "ROOST_STICKINESS_WEIGHT",
        "KUBERNETES_SCHEDULED_RUN_AFFINITY_WEIGHT", "KUBERNETES_SCHEDULED_RUN_ANTI_AFFINITY_WEIGHT",
    ])
    func weightsAreIntegersFrom1To100(name: String) throws {
        for text in ["1", "100"] { _ = try AffinityEnvironment.resolve(environment: [name: text]) }
        for text in ["0", "101", "-5", "50.5", "ten", "1e2"] {
            #expect(problems([name: text]) == ["\(name)=\"\(text)\": must be an integer from 1 to 100"])
        }
    }

    @Test func labelKeysAndValuesAreValidated() {
        let keyMessage =
            #"must be a valid label key: key: Invalid value: "bad key": name part must consist of alphanumeric characters, "#
            + #"'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "#
            + #"or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
        let valueMessage =
            #"must be a valid label value: values[0][value]: Invalid value: "-cron": a valid label must be an empty "#
            + #"string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "#
            + #"alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "#
            + #"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
        #expect(
            problems([
                "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY": "bad key",
                "KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE": "-cron",
                "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY": "bad key",
                "KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE": "-cron",
                "KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY": "bad key",
            ]) == [
                #"KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_KEY="bad key": "# + keyMessage,
                #"KUBERNETES_SCHEDULE_AFFINITY_POOL_LABEL_VALUE="-cron": "# + valueMessage,
                #"KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_KEY="bad key": "# + keyMessage,
                #"KUBERNETES_LARGE_MACHINE_AFFINITY_POOL_LABEL_VALUE="-cron": "# + valueMessage,
                #"KUBERNETES_RUNTIME_AFFINITY_TOPOLOGY_KEY="bad key": "# + keyMessage,
            ])
    }

    @Test func eachBadTolerationEntryIsItsOwnLine() {
        #expect(
            problems([
                "KUBERNETES_RUNNER_TOLERATIONS": "a=b:Foo,ok:NoSchedule,c", "KUBERNETES_SCHEDULE_TOLERATIONS": ",x:NoExecute",
            ])
                == [
                    #"KUBERNETES_SCHEDULE_TOLERATIONS=",x:NoExecute": entry "": empty entry; entries are key=value:Effect or key:Effect, separated by commas"#,
                    #"KUBERNETES_RUNNER_TOLERATIONS="a=b:Foo,ok:NoSchedule,c": entry "a=b:Foo": effect "Foo" is not one of NoSchedule, NoExecute, PreferNoSchedule"#,
                    #"KUBERNETES_RUNNER_TOLERATIONS="a=b:Foo,ok:NoSchedule,c": entry "c": missing effect; write key=value:Effect or key:Effect"#,
                ])
    }

    @Test func everyProblemIsReportedTogetherAndValuesStayOnOneLine() {
        let lines = problems([
            "KUBERNETES_SCHEDULE_AFFINITY_WEIGHT": "0",
            "KUBERNETES_SCHEDULE_AFFINITY_ENABLED": "yes\nplease",
            "KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT": "\"101\"",
            "ROOST_STICKINESS_WEIGHT": "0",
        ])
        #expect(
            lines == [
                #"KUBERNETES_SCHEDULE_AFFINITY_ENABLED="yes\nplease": must be one of true, false, 1, 0 (case-insensitive)"#,
                #"KUBERNETES_SCHEDULE_AFFINITY_WEIGHT="0": must be an integer from 1 to 100"#,
                #"KUBERNETES_LARGE_MACHINE_AFFINITY_WEIGHT="\"101\"": must be an integer from 1 to 100"#,
                #"ROOST_STICKINESS_WEIGHT="0": must be an integer from 1 to 100"#,
            ])
        #expect(lines.allSatisfy { !$0.contains("\n") })
    }
}
