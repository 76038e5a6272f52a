import KubeModel
import Roost
import Testing

@Suite struct TolerationListTests {
    @Test func equalAndExistsEntriesInOrder() throws {
        let tolerations = try TolerationList.parse("dedicated=scheduled:NoSchedule,spot:PreferNoSchedule,gpu=a100:NoExecute")
        #expect(
            tolerations == [
                CoreV1.Toleration(key: "dedicated", operator: "Equal", value: "scheduled", effect: "NoSchedule"),
                CoreV1.Toleration(key: "spot", operator: "Exists", effect: "PreferNoSchedule"),
                CoreV1.Toleration(key: "gpu", operator: "Equal", value: "a100", effect: "NoExecute"),
            ])
    }

    @Test func whitespaceAroundEntriesIsIgnored() throws {
        let tolerations = try TolerationList.parse("  a=b:NoSchedule ,\tnode.example.com/c:NoExecute  ")
        #expect(
            tolerations == [
                CoreV1.Toleration(key: "a", operator: "Equal", value: "b", effect: "NoSchedule"),
                CoreV1.Toleration(key: "node.example.com/c", operator: "Exists", effect: "NoExecute"),
            ])
    }

    @Test(arguments: ["", "   ", "\n"])
    func blankTextIsNoTolerations(text: String) throws {
        #expect(try TolerationList.parse(text).isEmpty)
    }

    @Test func everyBadEntryIsReported() {
        #expect(throws: TolerationList.ParseError.self) { try TolerationList.parse("a=b:Foo") }
        do {
            _ = try TolerationList.parse(
                "a=b:Foo,ok:NoSchedule,,nocolon,=v:NoSchedule,k=:NoSchedule,bad key:NoExecute,k=bad value:NoSchedule,a=b:noschedule"
            )
            Issue.record("expected a parse error")
        } catch {
            #expect(
                error.entries.map(\.description) == [
                    #"entry "a=b:Foo": effect "Foo" is not one of NoSchedule, NoExecute, PreferNoSchedule"#,
                    #"entry "": empty entry; entries are key=value:Effect or key:Effect, separated by commas"#,
                    #"entry "nocolon": missing effect; write key=value:Effect or key:Effect"#,
                    #"entry "=v:NoSchedule": missing key before the effect"#,
                    #"entry "k=:NoSchedule": empty value after "="; write key:Effect to tolerate any value"#,
                    #"entry "bad key:NoExecute": key is not a valid label key: "#
                        + #"key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', "#
                        + #"and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "#
                        + #"regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#,
                    #"entry "k=bad value:NoSchedule": value is not a valid label value: "#
                        + #"values[0][k]: Invalid value: "bad value": a valid label must be an empty string or consist of "#
                        + #"alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "#
                        + #"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#,
                    #"entry "a=b:noschedule": effect "noschedule" is not one of NoSchedule, NoExecute, PreferNoSchedule"#,
                ])
        }
    }

    @Test func effectIsTakenAfterTheLastColon() throws {
        // Label keys and values cannot hold ':', so the last colon always starts the effect.
        #expect(throws: TolerationList.ParseError.self) { try TolerationList.parse("a:b:NoSchedule") }
        #expect(
            try TolerationList.parse("example.com/a=b:NoSchedule")
                == [CoreV1.Toleration(key: "example.com/a", operator: "Equal", value: "b", effect: "NoSchedule")])
    }
}
