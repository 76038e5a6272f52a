import KubeMachinery
import KubeModel
import Testing

@Suite struct LabelSelectorParsingTests {
    @Test(arguments: [
        ("", ""),
        ("a=b", "a=b"),
        ("a==b", "a==b"),
        ("a!=b", "a!=b"),
        ("a in (c,b)", "a in (b,c)"),
        ("a notin (b)", "a notin (b)"),
        ("a", "a"),
        ("!a", "!a"),
        ("a>5", "a>5"),
        ("a<5", "a<5"),
        ("  z = 1 ,\ta\n", "a,z=1"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("a=", "a="),
        ("in=notin", "in=notin"),
        ("x in (in)", "x in (in)"),
        ("example.com/app=web", "example.com/app=web"),
    ])
    func roundTrip(input: String, canonical: String) throws {
        let selector = try LabelSelector(parsing: input)
        #expect(selector.description == canonical)
    }

    @Test(arguments: [
        ("a=b,", "found '', expected: identifier after ','"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
        ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("!=a", "found '!=', expected: !, identifier, or 'end of string'"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        (
            "a>b",
            "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"
        ),
        (
            "a/b/c=d",
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ),
        (
            "Foo.com/a",
            "unable to parse requirement: <nil>: Invalid value: \"Foo.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ),
        (
            "a=-b",
            "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ),
    ])
    func errors(input: String, message: String) {
        #expect(throws: SelectionError(kind: .labelSelectorSyntax, input: input, message: message)) {
            try LabelSelector(parsing: input)
        }
    }

    @Test func keyTooLongAndEmptyName() throws {
        let long = String(repeating: "a", count: 64)
        let error = #expect(throws: SelectionError.self) { try LabelSelector(parsing: long) }
        #expect(error?.message.contains("name part must be no more than 63 characters") == true)
        let empty = #expect(throws: SelectionError.self) { try LabelSelector(parsing: "foo/") }
        #expect(error != nil)
        #expect(
            empty?.message.hasPrefix(
                "unable to parse requirement: <nil>: Invalid value: \"foo/\": name part must be non-empty; name part must consist"
            )
                == true)
    }
}

@Suite struct LabelSelectorMatchingTests {
    let labels = ["app": "web", "tier": "front", "gen": "7"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app=db", false), ("missing=x", false),
        ("app!=db", true), ("app!=web", false), ("missing!=x", true),
        ("app in (db,web)", true), ("app in (db)", false), ("missing in (x)", false),
        ("app notin (db)", true), ("app notin (web)", false), ("missing notin (x)", true),
        ("app", true), ("missing", false), ("!missing", true), ("!app", false),
        ("gen>6", true), ("gen>7", false), ("gen<8", true), ("gen<7", false), ("app>1", false),
        ("missing<1", false),
        ("app=web,tier=front", true), ("app=web,tier=back", false), ("", true),
        ("missing=", false), ("missing!=", true),
    ])
    func matching(selector: String, expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels) == expected)
    }

    @Test func everythingAndNothing() throws {
        #expect(try LabelSelector(parsing: "").isEverything)
        #expect(LabelSelector.everything.matches([:]))
        #expect(!LabelSelector.nothing.matches([:]))
        #expect(!LabelSelector.nothing.isEverything)
        #expect(try LabelSelector(json: .null) == .nothing)
        #expect(try LabelSelector(json: [:]).isEverything)
        #expect(try LabelSelector(json: ["matchLabels": [:], "matchExpressions": []]).isEverything)
    }

    @Test func exactMatch() throws {
        let selector = try LabelSelector(parsing: "a in (x),b=y,c in (p,q)")
        #expect(selector.requiredExactValue(for: "a") == "x")
        #expect(selector.requiredExactValue(for: "b") == "y")
        #expect(selector.requiredExactValue(for: "c") == nil)
    }
}

@Suite struct LabelSelectorJSONTests {
    @Test func structured() throws {
        let json: JSONValue = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "tier", "operator": "In", "values": ["front", "edge"]],
                ["key": "legacy", "operator": "DoesNotExist"],
                ["key": "zone", "operator": "Exists"],
                ["key": "env", "operator": "NotIn", "values": ["dev"]],
            ],
        ]
        let selector = try LabelSelector(json: json)
        #expect(selector.description == "app=web,env notin (dev),!legacy,tier in (edge,front),zone")
        #expect(selector.matches(["app": "web", "tier": "edge", "zone": "a"]))
        #expect(!selector.matches(["app": "web", "tier": "edge", "zone": "a", "legacy": "1"]))
        #expect(!selector.matches(["app": "web", "tier": "edge"]))
    }

    @Test func errors() {
        #expect(
            throws: SelectionError(
                kind: .labelSelectorInvalid, input: "labelSelector.matchExpressions[0]",
                message: "\"Gt\" is not a valid label selector operator")
        ) {
            try LabelSelector(json: [
                "matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]
            ])
        }
        let empty = #expect(throws: SelectionError.self) {
            try LabelSelector(json: ["matchExpressions": [["key": "a", "operator": "In"]]])
        }
        #expect(
            empty?.message
                == "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty")
        let exists = #expect(throws: SelectionError.self) {
            try LabelSelector(json: [
                "matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]
            ])
        }
        #expect(
            exists?.message
                == "values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist")
        let key = #expect(throws: SelectionError.self) {
            try LabelSelector(json: ["matchLabels": ["-a": "b"]])
        }
        #expect(key?.message.hasPrefix("key: Invalid value: \"-a\": name part must consist") == true)
        let both = #expect(throws: SelectionError.self) {
            try LabelSelector(json: ["matchExpressions": [["key": "-a", "operator": "In", "values": []]]])
        }
        #expect(both?.message.hasPrefix("[key: Invalid value: \"-a\"") == true)
        #expect(
            both?.message.hasSuffix(
                ", values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty]")
                == true)
        #expect(throws: SelectionError.self) { try LabelSelector(json: ["matchLabels": ["a": 1]]) }
        #expect(throws: SelectionError.self) { try LabelSelector(json: "app=web") }
    }
}

@Suite struct FieldSelectorTests {
    @Test func parsingAndMatching() throws {
        let selector = try FieldSelector(parsing: "status.phase!=Failed,metadata.name==web-0")
        #expect(selector.description == "metadata.name=web-0,status.phase!=Failed")
        #expect(selector.fieldLabels == ["metadata.name", "status.phase"])
        #expect(selector.matches(["metadata.name": "web-0", "status.phase": "Running"]))
        #expect(!selector.matches(["metadata.name": "web-0", "status.phase": "Failed"]))
        #expect(!selector.matches(["status.phase": "Running"]))
        #expect(try FieldSelector(parsing: "").isEverything)
        #expect(try FieldSelector(parsing: ",,").isEverything)
        #expect(try FieldSelector(parsing: "a=").matches([:]))
        #expect(try FieldSelector(parsing: "a=b").requiredExactValue(for: "a") == "b")
    }

    @Test func escapes() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b\=c\\d,spec.x!=y"#)
        #expect(selector.requirements[0].value == #"a,b=c\d"#)
        #expect(selector.matches(["metadata.name": #"a,b=c\d"#]))
        #expect(selector.description == #"metadata.name=a\,b\=c\\d,spec.x!=y"#)
        #expect(FieldSelector.escape("a=b,c") == #"a\=b\,c"#)
        // "==" is found before "=", so "a==b" never leaves "=b" as the value.
        #expect(try FieldSelector(parsing: "a==b").requirements[0].value == "b")
    }

    @Test(arguments: [
        ("abc", "invalid selector: 'abc'; can't understand 'abc'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        (#"a=b\x"#, #"invalid field selector: invalid escape sequence: \x"#),
        (#"a=b\"#, #"invalid field selector: invalid escape sequence: \"#),
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    ])
    func errors(input: String, message: String) {
        #expect(throws: SelectionError(kind: .fieldSelectorSyntax, input: input, message: message)) {
            try FieldSelector(parsing: input)
        }
    }

    @Test func unsupportedLabels() throws {
        let selector = try FieldSelector(parsing: "spec.foo=1,metadata.name=a")
        #expect(
            throws: SelectionError(
                kind: .unsupportedFieldLabel, input: "pods: spec.foo",
                message: "field label not supported: spec.foo")
        ) {
            try selector.validate(supported: ["metadata.name", "spec.nodeName"], resource: "pods")
        }
        try selector.validate(supported: ["metadata.name", "spec.foo"], resource: "pods")
        let error = #expect(throws: SelectionError.self) { try selector.validateMetadataOnly() }
        #expect(
            error?.message
                == "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        )
    }
}
