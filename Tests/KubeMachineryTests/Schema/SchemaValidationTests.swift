import KubeMachinery
import KubeModel
import Testing

private func schema(_ json: JSONValue) throws -> StructuralSchema { try StructuralSchema(json) }

/// An object schema with one property `spec.<name>` of the given schema.
private func specSchema(_ name: String, _ property: JSONValue) throws -> StructuralSchema {
    try schema([
        "type": "object",
        "properties": ["spec": ["type": "object", "properties": .object([name: property])]],
    ])
}

private func messages(_ errors: [FieldError]) -> [String] { errors.map(\.description) }

@Suite struct SchemaValidationTests {
    @Test func minimumAndMaximum() throws {
        let s = try specSchema("n", ["type": "integer", "minimum": 0, "maximum": 10])
        #expect(s.validate(["spec": ["n": 5]]).isEmpty)
        let low = s.validate(["spec": ["n": -1]])
        #expect(
            messages(low) == [
                "spec.n: Invalid value: -1: spec.n in body should be greater than or equal to 0"
            ])
        #expect(low.first?.type == .invalid)
        #expect(
            messages(s.validate(["spec": ["n": 11]]))
                == ["spec.n: Invalid value: 11: spec.n in body should be less than or equal to 10"])
        let exclusive = try specSchema(
            "n",
            [
                "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1e6,
                "exclusiveMaximum": true,
            ])
        #expect(
            messages(exclusive.validate(["spec": ["n": 0]]))
                == ["spec.n: Invalid value: 0: spec.n in body should be greater than 0"])
        #expect(
            messages(exclusive.validate(["spec": ["n": 2.5e6]]))
                == ["spec.n: Invalid value: 2.5e+06: spec.n in body should be less than 1e+06"])
        #expect(
            messages(exclusive.validate(["spec": ["n": 1_000_000]]))
                == ["spec.n: Invalid value: 1000000: spec.n in body should be less than 1000000"])
    }

    @Test func typeMismatch() throws {
        let s = try specSchema("minIdle", ["type": "integer"])
        let errors = s.validate(["spec": ["minIdle": "string"]])
        #expect(
            messages(errors)
                == [
                    "spec.minIdle: Invalid value: \"string\": spec.minIdle in body must be of type integer: \"string\""
                ])
        #expect(errors.first?.type == .typeInvalid)
        #expect(s.validate(["spec": ["minIdle": 3.0]]).isEmpty)
        #expect(
            messages(s.validate(["spec": ["minIdle": 3.5]]))
                == [
                    "spec.minIdle: Invalid value: \"number\": spec.minIdle in body must be of type integer: \"number\""
                ])
        #expect(
            messages(s.validate(["spec": ["minIdle": nil]]))
                == [
                    "spec.minIdle: Invalid value: \"null\": spec.minIdle in body must be of type integer: \"null\""
                ])
        let nullable = try specSchema("minIdle", ["type": "integer", "nullable": true])
        #expect(nullable.validate(["spec": ["minIdle": nil]]).isEmpty)
        let number = try specSchema("x", ["type": "number"])
        #expect(number.validate(["spec": ["x": 3]]).isEmpty)
        #expect(
            messages(try specSchema("o", ["type": "object"]).validate(["spec": ["o": [1]]]))
                == ["spec.o: Invalid value: \"array\": spec.o in body must be of type object: \"array\""])
    }

    @Test func requiredAndNested() throws {
        let s = try schema([
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object", "required": ["runtimeRef"],
                    "properties": [
                        "runtimeRef": ["type": "string"],
                        "pool": [
                            "type": "object", "properties": ["minIdle": ["type": "integer", "minimum": 0]],
                        ],
                    ],
                ]
            ],
        ])
        let errors = s.validate(["spec": ["pool": ["minIdle": -1]]])
        #expect(
            messages(errors) == [
                "spec.pool.minIdle: Invalid value: -1: spec.pool.minIdle in body should be greater than or equal to 0",
                "spec.runtimeRef: Required value",
            ])
        #expect(errors[1].type == .required)
        #expect(
            errors[1].statusCause == [
                "reason": "FieldValueRequired", "message": "Required value", "field": "spec.runtimeRef",
            ])
        #expect(messages(s.validate(["spec": ["runtimeRef": "x"]], root: "")).isEmpty)
        #expect(
            messages(s.validate(["spec": [:]], root: "obj")) == ["obj.spec.runtimeRef: Required value"])
    }

    @Test func enumValues() throws {
        let s = try specSchema("mode", ["type": "string", "enum": ["a", "b"]])
        let errors = s.validate(["spec": ["mode": "bad"]])
        #expect(
            messages(errors) == ["spec.mode: Unsupported value: \"bad\": supported values: \"a\", \"b\""])
        #expect(errors.first?.type == .notSupported)
        #expect(s.validate(["spec": ["mode": "a"]]).isEmpty)
        let numbers = try specSchema("n", ["type": "integer", "enum": [1, 2]])
        #expect(
            messages(numbers.validate(["spec": ["n": 3]])) == [
                "spec.n: Unsupported value: 3: supported values: \"1\", \"2\""
            ])
        #expect(numbers.validate(["spec": ["n": 2.0]]).isEmpty)
    }

    @Test func stringKeywords() throws {
        let pattern = try specSchema("name", ["type": "string", "pattern": "^[a-z]+$"])
        #expect(
            messages(pattern.validate(["spec": ["name": "Bad_Name"]]))
                == ["spec.name: Invalid value: \"Bad_Name\": spec.name in body should match '^[a-z]+$'"])
        #expect(pattern.validate(["spec": ["name": "good"]]).isEmpty)
        let lengths = try specSchema(
            "name", ["type": "string", "minLength": 3, "maxLength": 5, "pattern": "^[a-z]+$"])
        let long = lengths.validate(["spec": ["name": "ABCDEFG"]])
        #expect(messages(long) == ["spec.name: Too long: may not be more than 5 bytes"])
        #expect(long.first?.type == .tooLong)
        #expect(
            messages(lengths.validate(["spec": ["name": "ab"]]))
                == ["spec.name: Invalid value: \"ab\": spec.name in body should be at least 3 chars long"])
        // Lengths count characters (runes), not bytes.
        #expect(lengths.validate(["spec": ["name": "äöü"]]).count == 1)  // pattern only
    }

    @Test func multipleOf() throws {
        let s = try specSchema("n", ["type": "number", "multipleOf": 5])
        #expect(s.validate(["spec": ["n": 10]]).isEmpty)
        #expect(
            messages(s.validate(["spec": ["n": 7]])) == [
                "spec.n: Invalid value: 7: spec.n in body should be a multiple of 5"
            ])
        let fractional = try specSchema("n", ["type": "number", "multipleOf": 0.5])
        #expect(fractional.validate(["spec": ["n": 1.5]]).isEmpty)
        #expect(
            messages(fractional.validate(["spec": ["n": 1.2]]))
                == ["spec.n: Invalid value: 1.2: spec.n in body should be a multiple of 0.5"])
    }

    @Test func arrayKeywords() throws {
        let s = try specSchema(
            "items",
            ["type": "array", "minItems": 1, "maxItems": 2, "items": ["type": "string", "maxLength": 2]])
        #expect(
            messages(s.validate(["spec": ["items": []]]))
                == ["spec.items: Invalid value: 0: spec.items in body should have at least 1 items"])
        let many = s.validate(["spec": ["items": ["a", "b", "c"]]])
        #expect(messages(many) == ["spec.items: Too many: 3: must have at most 2 items"])
        #expect(many.first?.type == .tooMany)
        #expect(
            messages(s.validate(["spec": ["items": ["a", "bcd"]]])) == [
                "spec.items[1]: Too long: may not be more than 2 bytes"
            ])
        let unique = try specSchema(
            "items", ["type": "array", "uniqueItems": true, "items": ["type": "integer"]])
        #expect(
            messages(unique.validate(["spec": ["items": [1, 1]]]))
                == ["spec.items: Invalid value: \"\": spec.items in body shouldn't contain duplicates"])
    }

    @Test func listTypeSetAndMap() throws {
        let set = try specSchema(
            "tags", ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]])
        let duplicate = set.validate(["spec": ["tags": ["a", "b", "a", "a"]]])
        #expect(messages(duplicate) == ["spec.tags[2]: Duplicate value: \"a\""])
        #expect(duplicate.first?.type == .duplicate)
        let map = try specSchema(
            "ports",
            [
                "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": [
                    "type": "object",
                    "properties": ["name": ["type": "string"], "port": ["type": "integer"]],
                ],
            ])
        #expect(
            messages(
                map.validate(["spec": ["ports": [["name": "a", "port": 1], ["name": "a", "port": 2]]]]))
                == ["spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}"])
        #expect(map.validate(["spec": ["ports": [["name": "a"], ["name": "b"]]]]).isEmpty)
    }

    @Test func objectKeywords() throws {
        let s = try specSchema(
            "labels",
            [
                "type": "object", "minProperties": 1, "maxProperties": 2,
                "additionalProperties": ["type": "string"],
            ])
        #expect(
            messages(s.validate(["spec": ["labels": [:]]]))
                == ["spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties"])
        #expect(
            messages(s.validate(["spec": ["labels": ["a": "1", "b": "2", "c": "3"]]]))
                == ["spec.labels: Too many: 3: must have at most 2 items"])
        #expect(
            messages(s.validate(["spec": ["labels": ["a": 1]]]))
                == [
                    "spec.labels.a: Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\""
                ])
    }

    @Test func intOrString() throws {
        let s = try specSchema("port", ["x-kubernetes-int-or-string": true])
        #expect(s.validate(["spec": ["port": 80]]).isEmpty)
        #expect(s.validate(["spec": ["port": "http"]]).isEmpty)
        #expect(
            messages(s.validate(["spec": ["port": true]]))
                == [
                    "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""
                ])
    }

    @Test func formats() throws {
        let dateTime = try specSchema("t", ["type": "string", "format": "date-time"])
        #expect(dateTime.validate(["spec": ["t": "2024-05-01T10:20:30Z"]]).isEmpty)
        #expect(dateTime.validate(["spec": ["t": "2024-05-01T10:20:30.123+02:00"]]).isEmpty)
        let bad = dateTime.validate(["spec": ["t": "yesterday"]])
        #expect(
            messages(bad)
                == [
                    "spec.t: Invalid value: \"yesterday\": spec.t in body must be of type date-time: \"yesterday\""
                ])
        #expect(bad.first?.type == .typeInvalid)
        #expect(dateTime.validate(["spec": ["t": "2024-02-30T10:20:30Z"]]).count == 1)
        let bytes = try specSchema("b", ["type": "string", "format": "byte"])
        #expect(bytes.validate(["spec": ["b": "aGVsbG8="]]).isEmpty)
        #expect(bytes.validate(["spec": ["b": "not base64!"]]).count == 1)
        let uuid = try specSchema("u", ["type": "string", "format": "uuid"])
        #expect(uuid.validate(["spec": ["u": "123e4567-E89B-12d3-a456-426614174000"]]).isEmpty)
        #expect(uuid.validate(["spec": ["u": "123"]]).count == 1)
        let ip = try specSchema("ip", ["type": "string", "format": "ipv4"])
        #expect(ip.validate(["spec": ["ip": "10.0.0.1"]]).isEmpty)
        #expect(ip.validate(["spec": ["ip": "10.0.0.256"]]).count == 1)
        let ip6 = try specSchema("ip", ["type": "string", "format": "ipv6"])
        #expect(ip6.validate(["spec": ["ip": "fe80::1"]]).isEmpty)
        #expect(ip6.validate(["spec": ["ip": "fe80:::1"]]).count == 1)
        let duration = try specSchema("d", ["type": "string", "format": "duration"])
        #expect(duration.validate(["spec": ["d": "1h30m"]]).isEmpty)
        #expect(duration.validate(["spec": ["d": "soon"]]).count == 1)
        let host = try specSchema("h", ["type": "string", "format": "hostname"])
        #expect(host.validate(["spec": ["h": "api.example.com"]]).isEmpty)
        #expect(host.validate(["spec": ["h": "-bad-.com"]]).count == 1)
        // Numeric formats are not checked on strings; a fractional value for an int32 is a type
        // error that names the format, as kube-openapi's type validator reports it.
        let int32 = try specSchema("i", ["type": "integer", "format": "int32"])
        #expect(int32.validate(["spec": ["i": 7]]).isEmpty)
        #expect(
            messages(int32.validate(["spec": ["i": 1.5]]))
                == ["spec.i: Invalid value: \"float64\": spec.i in body must be of type int32: \"float64\""]
        )
        // Range checks of integer formats are opt-in (kube-apiserver does not make them).
        #expect(int32.validate(["spec": ["i": 3_000_000_000]]).isEmpty)
        #expect(
            messages(int32.validate(["spec": ["i": 3_000_000_000]], checkIntegerFormats: true))
                == ["spec.i: Invalid value: 3000000000: spec.i in body should be less than or equal to 2147483647"])
        #expect(int32.validate(["spec": ["i": -5]], checkIntegerFormats: true).isEmpty)
        let int64 = try specSchema("i", ["type": "integer", "format": "int64"])
        #expect(int64.validate(["spec": ["i": 1e19]], checkIntegerFormats: true).count == 2)  // type and range
        // Unknown formats are ignored.
        #expect(
            try specSchema("x", ["type": "string", "format": "no-such"]).validate(["spec": ["x": "y"]])
                .isEmpty)
    }

    @Test func combinators() throws {
        let anyOf = try specSchema(
            "n", ["type": "integer", "anyOf": [["minimum": 10], ["maximum": 0]]])
        #expect(anyOf.validate(["spec": ["n": 11]]).isEmpty)
        #expect(
            messages(anyOf.validate(["spec": ["n": 5]])) == [
                "<nil>: Invalid value: \"\": \"spec.n\" must validate at least one schema (anyOf)",
                "spec.n: Invalid value: 5: spec.n in body should be greater than or equal to 10",
            ])
        let oneOf = try specSchema(
            "n", ["type": "integer", "oneOf": [["minimum": 0], ["maximum": 10]]])
        #expect(oneOf.validate(["spec": ["n": -5]]).isEmpty)
        #expect(
            messages(oneOf.validate(["spec": ["n": 5]]))
                == [
                    "<nil>: Invalid value: \"\": \"spec.n\" must validate one and only one schema (oneOf). Found 2 valid alternatives"
                ])
        let allOf = try specSchema(
            "n", ["type": "integer", "allOf": [["minimum": 0], ["maximum": 10]]])
        #expect(
            messages(allOf.validate(["spec": ["n": 11]])) == [
                "spec.n: Invalid value: 11: spec.n in body should be less than or equal to 10",
                "<nil>: Invalid value: \"\": \"spec.n\" must validate all the schemas (allOf)",
            ])
        let not = try specSchema("s", ["type": "string", "not": ["enum": ["forbidden"]]])
        #expect(not.validate(["spec": ["s": "fine"]]).isEmpty)
        #expect(
            messages(not.validate(["spec": ["s": "forbidden"]]))
                == ["<nil>: Invalid value: \"\": \"spec.s\" must not validate the schema (not)"])
    }

    @Test func schemaErrors() {
        #expect(throws: SchemaError(path: "properties[spec].type", reason: .unknownType("strin"))) {
            try StructuralSchema(["type": "object", "properties": ["spec": ["type": "strin"]]])
        }
        #expect(throws: SchemaError(path: "minimum", reason: .wrongValueType(expected: "a number"))) {
            try StructuralSchema(["type": "integer", "minimum": "0"])
        }
        #expect(throws: SchemaError.self) {
            try StructuralSchema(["type": "string", "pattern": "[a-"])
        }
        #expect(throws: SchemaError.self) {
            try StructuralSchema(["type": "array", "x-kubernetes-list-type": "bag"])
        }
        #expect(throws: SchemaError(path: "properties[a].items", reason: .notAnObject)) {
            try StructuralSchema(["type": "object", "properties": ["a": ["type": "array", "items": 3]]])
        }
    }

    @Test func goFormattingOfBadValues() throws {
        let s = try specSchema("o", ["type": "object", "enum": [["a": 1]]])
        #expect(
            messages(s.validate(["spec": ["o": ["b": "x\n", "a": [1.5, true, nil]]]]))
                == [
                    "spec.o: Unsupported value: map[string]interface {}{\"a\":[]interface {}{1.5, true, interface {}(nil)}, \"b\":\"x\\n\"}: supported values: \"{\\\"a\\\":1}\""
                ])
    }
}
