import KubeModel
import Testing

// MARK: - Helpers

/// Parses `text`, recording an issue (and returning nil) when it is not JSON.
private func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
    do {
        return try JSONValue.parse(text)
    } catch {
        Issue.record("unexpected syntax error for \(text.debugDescription): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The syntax error `text` produces, or nil (with a recorded issue) when it parses.
private func syntaxError(
    _ text: String, maxDepth: Int = 512, sourceLocation: SourceLocation = #_sourceLocation
) -> JSONSyntaxError? {
    do {
        let value = try JSONValue.parse(Array(text.utf8), maxDepth: maxDepth)
        Issue.record("\(text.prefix(60).debugDescription) parsed as \(value), expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func encodedString(_ value: JSONValue) -> String { String(decoding: value.encoded(), as: UTF8.self) }

// MARK: - Round trips

@Suite struct JSONRoundTripTests {
    @Test(arguments: [
        ("null", "null"),
        ("true", "boolean"),
        ("false", "boolean"),
        ("0", "integer"),
        ("-42", "integer"),
        ("9223372036854775807", "integer"),
        ("-9223372036854775808", "integer"),
        ("1.5", "number"),
        ("-2.25", "number"),
        ("1e-7", "number"),
        ("6.02e23", "number"),
        (#""""#, "string"),
        (#""héllo \"w\" \\ \n 😀""#, "string"),
        ("[]", "array"),
        (#"[1,"a",null,[true,false],{"k":[]}]"#, "array"),
        ("{}", "object"),
        (#"{"a":{"b":[1,2.5,"c"]},"d":null,"e":{}}"#, "object"),
    ])
    func everyKindRoundTrips(text: String, typeName: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value.typeName == typeName)
        let reparsed = try JSONValue.parse(value.encoded())
        #expect(reparsed == value)
        #expect(reparsed.typeName == typeName)
        // A second cycle is a fixed point byte for byte.
        #expect(reparsed.encoded() == value.encoded())
    }

    @Test func constructedValuesRoundTrip() throws {
        let value: JSONValue = [
            "null": nil, "bool": true, "int": -7, "double": 0.25, "string": "x\u{0}y",
            "array": [1, "two", [3.5]], "object": ["nested": ["deeper": false]],
        ]
        #expect(try JSONValue.parse(value.encoded()) == value)
        #expect(try JSONValue.parse(value.prettyEncoded()) == value)
    }

    @Test func nonContiguousCollectionParsesLikeAnArray() throws {
        // ReversedCollection has no contiguous storage, so parse takes its copying path.
        let reversed = Array(#"]}2:"b",1:"a"{,1["#.utf8).reversed()
        let value = try JSONValue.parse(reversed)
        #expect(value == [1, ["a": 1, "b": 2]])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array("]1".utf8).reversed()) }
    }
}

// MARK: - Objects

@Suite struct JSONObjectTests {
    @Test func memberOrderIsPreservedOnEncode() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":true,"b":false},"beta":3}"#
        let value = try JSONValue.parse(text)
        #expect(encodedString(value) == text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid", "beta"])
        #expect(value["mid"]?.objectValue?.keys == ["y", "b"])
    }

    @Test func replacingKeepsPositionAndAddingAppends() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["b"] = 10
        object["c"] = 3
        #expect(object.keys == ["b", "a", "c"])
        #expect(encodedString(.object(object)) == #"{"b":10,"a":2,"c":3}"#)
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.removeValue(forKey: "a") == 2)
        #expect(object.removeValue(forKey: "missing") == nil)
        #expect(object.keys == ["c"])
        #expect(object.count == 1)
        #expect(object[0] == JSONObject.Member(key: "c", value: 3))
    }

    @Test func dictionaryLiteralWithDuplicateKeysKeepsLast() {
        let object: JSONObject = ["a": 1, "b": 2, "a": 3]
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func equalityAndHashIgnoreMemberOrder() throws {
        let first = try JSONValue.parse(#"{"a":1,"b":[1,2],"c":{"x":null,"y":"z"}}"#)
        let second = try JSONValue.parse(#"{"c":{"y":"z","x":null},"b":[1,2],"a":1}"#)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
        // Encodings still differ: order is kept, only equality ignores it.
        #expect(first.encoded() != second.encoded())
    }

    @Test func inequalities() throws {
        let base = try JSONValue.parse(#"{"a":1,"b":[1,2]}"#)
        #expect(base != (try JSONValue.parse(#"{"a":1,"b":[2,1]}"#)), "array order matters")
        #expect(base != (try JSONValue.parse(#"{"a":1}"#)))
        #expect(base != (try JSONValue.parse(#"{"a":1,"b":[1,2],"c":3}"#)))
        #expect(base != (try JSONValue.parse(#"{"a":2,"b":[1,2]}"#)))
        #expect(base != (try JSONValue.parse(#"{"A":1,"b":[1,2]}"#)))
        #expect(JSONValue.int(1) != JSONValue.double(1), "integers and doubles are different kinds")
        #expect(JSONValue.string("1") != JSONValue.int(1))
    }

    @Test func duplicateKeysLastWins() throws {
        let value = try JSONValue.parse(#"{"a":1,"b":2,"a":{"x":3}}"#)
        #expect(value["a"] == ["x": 3])
        #expect(value.objectValue?.count == 2)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(encodedString(value) == #"{"a":{"x":3},"b":2}"#)
    }
}

// MARK: - Numbers

@Suite struct JSONNumberTests {
    @Test(
        arguments: [
            ("0", JSONValue.int(0)),
            ("-0", .int(0)),
            ("7", .int(7)),
            ("-15", .int(-15)),
            ("9223372036854775807", .int(Int64.max)),
            ("-9223372036854775808", .int(Int64.min)),
            ("1.5", .double(1.5)),
            ("-0.5", .double(-0.5)),
            ("1e3", .double(1000)),
            ("1E+3", .double(1000)),
            ("25e-1", .double(2.5)),
            ("1.0", .double(1)),
            ("0e0", .double(0)),
            ("9223372036854775808", .double(9.223372036854775808e18)),
            ("-9223372036854775809", .double(-9.223372036854775809e18)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ] as [(String, JSONValue)])
    func numberKinds(text: String, expected: JSONValue) throws {
        let value = try JSONValue.parse(text)
        #expect(value == expected)
        #expect(value.typeName == expected.typeName)
    }

    @Test(arguments: [
        ("01", 1),
        ("-01", 2),
        ("1.", 2),
        ("-", 1),
        ("1e", 2),
        ("1e+", 3),
        ("1.e3", 2),
        (".5", 0),
        ("+1", 0),
        ("--1", 1),
        ("0x10", 1),
        ("[1.]", 3),
        ("1e400", 0),
        ("-1e400", 0),
    ])
    func invalidNumbersAreRejected(text: String, offset: Int) {
        #expect(syntaxError(text)?.offset == offset)
    }

    @Test func doubleEncoding() throws {
        #expect(encodedString(.double(1.5)) == "1.5")
        #expect(encodedString(.double(1000)) == "1000", "integral doubles have no fraction, as in Go")
        #expect(encodedString(.double(-3)) == "-3")
        #expect(encodedString(.double(0.1)) == "0.1")
        // Exponent forms are not pinned (Swift's and Go's spellings differ); their values survive.
        for double in [1e15, 1e20, 1e-7, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude] {
            #expect(try JSONValue.parse(JSONValue.double(double).encoded()).doubleValue == double)
        }
        #expect(encodedString(.double(.nan)) == "null")
        #expect(encodedString(.double(.infinity)) == "null")
        #expect(encodedString(.int(Int64.min)) == "-9223372036854775808")
        // 1e3 is a double, written as 1000, which reads back as an integer: the documented
        // Go-compatible behaviour, not an identity.
        #expect(try JSONValue.parse(JSONValue.parse("1e3").encoded()) == .int(1000))
        // Large doubles keep their value through a cycle.
        let big = try JSONValue.parse("1.5e300")
        #expect(try JSONValue.parse(big.encoded()) == big)
    }

    @Test func numericAccessors() {
        #expect(JSONValue.int(5).intValue == 5)
        #expect(JSONValue.double(3).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.double(1e19).intValue == nil)
        #expect(JSONValue.string("3").intValue == nil)
        #expect(JSONValue.int(5).doubleValue == 5)
        #expect(JSONValue.double(2.5).doubleValue == 2.5)
        #expect(JSONValue.bool(true).doubleValue == nil)
    }
}

// MARK: - Strings

@Suite struct JSONStringTests {
    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""caf\u00e9""#, "café"),
        (#""caf\u00E9""#, "café"),
        (#""\u0000\u001f""#, "\u{0}\u{1F}"),
        (#""\ud83d\ude00""#, "😀"),
        (#""a\uD83D\uDE00b""#, "a😀b"),
        (#""\ud83d""#, "\u{FFFD}"),
        (#""\ud83dx""#, "\u{FFFD}x"),
        (#""\ude00""#, "\u{FFFD}"),
        (#""\ud83d\u0041""#, "\u{FFFD}A"),
        (#""\ud83d\n""#, "\u{FFFD}\n"),
        (#""\ud83d\ud83d\ude00""#, "\u{FFFD}😀"),
        (#""raw é 😀 utf8""#, "raw é 😀 utf8"),
        (#""before\nafter é""#, "before\nafter é"),
    ])
    func escapesDecode(text: String, expected: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value == .string(expected))
        #expect(value.stringValue == expected)
    }

    @Test(arguments: [
        ("\"a\u{01}b\"", 2),
        ("\"a\nb\"", 2),
        ("\"tab\there\"", 4),
        ("\"\\n\u{1F}\"", 3),
        (#""\x""#, 2),
        (#""\u12G4""#, 5),
        (#""\u12""#, 3),
        (#""abc"#, 4),
        (#""abc\"#, 5),
        (#""a\nb"#, 5),
    ])
    func invalidStringsAreRejected(text: String, offset: Int) {
        #expect(syntaxError(text)?.offset == offset)
    }

    @Test func serializerEscapes() {
        let value = JSONValue.string("q\"b\\s/c\u{01}\u{1F}\n\r\t\u{8}é😀")
        #expect(encodedString(value) == #""q\"b\\s/c\u0001\u001f\n\r\t\u0008é😀""#)
    }

    @Test func serializerKeepsNonASCIIAsUTF8() {
        let bytes = JSONValue.string("é😀").encoded()
        #expect(bytes == [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    @Test func serializerEscapesKeys() throws {
        let value: JSONValue = ["a\"b\n": 1]
        let text = encodedString(value)
        #expect(text == #"{"a\"b\n":1}"#)
        #expect(try JSONValue.parse(text) == value)
    }

    @Test func everyControlCharacterRoundTrips() throws {
        let string = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        let bytes = JSONValue.string(string).encoded()
        #expect(!bytes.contains { $0 < 0x20 }, "no raw control character in the encoding")
        #expect(try JSONValue.parse(bytes) == .string(string))
    }
}

// MARK: - Structure errors

@Suite struct JSONSyntaxTests {
    @Test func emptyInput() {
        #expect(syntaxError("")?.offset == 0)
        #expect(syntaxError("   ")?.offset == 3)
        #expect(syntaxError(" \n\t\r")?.offset == 4)
    }

    @Test func whitespaceTolerance() throws {
        let spaced = try JSONValue.parse(" \t\n\r{ \"a\" :\n[ 1 ,\t2 ] , \"b\" : { } ,\"c\":[ ] } \r\n ")
        #expect(spaced == (try JSONValue.parse(#"{"a":[1,2],"b":{},"c":[]}"#)))
        #expect(try JSONValue.parse("  42  ") == 42)
        // Only the four JSON whitespace characters count.
        #expect(syntaxError("\u{0C}1")?.offset == 0)
        #expect(syntaxError("1\u{0B}")?.offset == 1)
        #expect(syntaxError("[1,\u{A0}2]")?.offset == 3)
    }

    @Test(arguments: [
        (#"{"a":1} x"#, 8),
        ("[1]]", 3),
        ("1 2", 2),
        ("truex", 4),
        ("null,", 4),
        (#""a""b""#, 3),
        ("{}{}", 2),
    ])
    func trailingGarbage(text: String, offset: Int) {
        let error = syntaxError(text)
        #expect(error?.offset == offset)
        #expect(error?.reason.contains("after the top-level value") == true)
    }

    @Test(arguments: [
        ("nul", 0),
        ("tru", 0),
        ("fals", 0),
        ("nulx", 0),
        ("[1,]", 3),
        ("[1 2]", 3),
        ("[", 1),
        ("{", 1),
        (#"{"a"}"#, 4),
        (#"{"a":}"#, 5),
        (#"{"a":1,}"#, 7),
        (#"{a:1}"#, 1),
        (#"{"a":1 "b":2}"#, 7),
        (#"{"a":1"#, 6),
        ("]", 0),
        ("'a'", 0),
    ])
    func malformedStructure(text: String, offset: Int) {
        #expect(syntaxError(text)?.offset == offset)
    }

    @Test func errorDescriptionNamesTheOffset() {
        let error = syntaxError("[1]]")
        #expect(error?.description.hasPrefix("invalid JSON at byte 3: ") == true)
    }

    @Test func nestingAtTheLimitParses() throws {
        let depth = 512
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let value = try JSONValue.parse(text)
        var current = value
        var levels = 0
        while case .array(let elements) = current {
            levels += 1
            guard let first = elements.first else { break }
            current = first
        }
        #expect(levels == depth)
        #expect(try JSONValue.parse(value.encoded()) == value)
    }

    @Test func nestingBeyondTheLimitIsAnError() {
        let depth = 513
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = syntaxError(text)
        #expect(error?.offset == 512)
        #expect(error?.reason.contains("nesting") == true)
    }

    @Test func hostileNestingDoesNotCrash() {
        let text = String(repeating: "[", count: 200_000)
        #expect(syntaxError(text)?.offset == 512)
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(syntaxError(objects)?.offset == 512 * 5)
    }

    @Test func customMaxDepth() throws {
        #expect(try JSONValue.parse(Array("[[1]]".utf8), maxDepth: 2) == [[1]])
        #expect(syntaxError("[[[1]]]", maxDepth: 2)?.offset == 2)
        #expect(syntaxError(#"{"a":{"a":{}}}"#, maxDepth: 2)?.offset == 10)
        #expect(try JSONValue.parse(Array("7".utf8), maxDepth: 0) == 7)
        #expect(syntaxError("[]", maxDepth: 0)?.offset == 0)
    }
}

// MARK: - Accessors and paths

@Suite struct JSONAccessTests {
    @Test func setPathCreatesIntermediateObjects() {
        var value: JSONValue = ["kind": "Pod"]
        value.set(path: ["metadata", "labels", "app"], to: "web")
        #expect(encodedString(value) == #"{"kind":"Pod","metadata":{"labels":{"app":"web"}}}"#)
        value.set(path: ["metadata", "name"], to: "p")
        value.set(path: ["metadata", "labels", "app"], to: "api")
        #expect(encodedString(value) == #"{"kind":"Pod","metadata":{"labels":{"app":"api"},"name":"p"}}"#)
    }

    @Test func setPathNilRemoves() {
        var value: JSONValue = ["metadata": ["labels": ["app": "web", "tier": "fe"], "name": "p"]]
        value.set(path: ["metadata", "labels", "app"], to: nil)
        #expect(value == ["metadata": ["labels": ["tier": "fe"], "name": "p"]])
        value.set(path: ["metadata", "labels"], to: nil)
        #expect(value == ["metadata": ["name": "p"]])
        // Removing an absent path creates nothing.
        value.set(path: ["spec", "containers"], to: nil)
        #expect(value == ["metadata": ["name": "p"]])
        #expect(value["spec"] == nil)
    }

    @Test func setPathThroughNonObjectDoesNothing() {
        var value: JSONValue = ["a": 1, "b": [1]]
        let before = value
        value.set(path: ["a", "x"], to: 2)
        value.set(path: ["b", "0"], to: 2)
        #expect(value == before)
        var array: JSONValue = [1, 2]
        array.set(path: ["a"], to: 1)
        #expect(array == [1, 2])
        var null: JSONValue = nil
        null.set(path: ["a"], to: 1)
        #expect(null == .null)
    }

    @Test func setEmptyPathReplacesTheValue() {
        var value: JSONValue = ["a": 1]
        value.set(path: [String](), to: 5)
        #expect(value == 5)
        value.set(path: [String](), to: nil)
        #expect(value == .null)
    }

    @Test func subscripts() throws {
        var value = try JSONValue.parse(#"{"metadata":{"name":"p","labels":{"app":"web"}},"spec":{"n":[1]}}"#)
        #expect(value["metadata"]?["name"] == "p")
        #expect(value[path: ["metadata", "labels", "app"]] == "web")
        #expect(value[path: ["metadata", "missing", "app"]] == nil)
        #expect(value[path: ["spec", "n", "0"]] == nil, "arrays are not indexed by key")
        #expect(value[path: []] == value)
        #expect(JSONValue.array([1])["a"] == nil)
        value["metadata"]?["name"] = "q"
        #expect(value[path: ["metadata", "name"]] == "q")
        value["spec"] = nil
        #expect(value.objectValue?.keys == ["metadata"])
        var scalar: JSONValue = "s"
        scalar["a"] = 1
        #expect(scalar == "s")
    }

    @Test func typedAccessors() {
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.string("true").boolValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(["a": 1]).arrayValue == nil)
        #expect(JSONValue.object(["a": 1]).objectValue == ["a": 1])
        #expect(JSONValue.array([]).objectValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.int(0).isNull)
        #expect(JSONValue.double(1).typeName == "number")
        #expect(JSONValue.object([:]).typeName == "object")
    }

    @Test func encodeIntoAppends() {
        var buffer = Array("prefix:".utf8)
        JSONValue.array([true, nil]).encode(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix:[true,null]")
        let object = JSONObject(members: [.init(key: "k", value: 1), .init(key: "j", value: 2)])
        #expect(encodedString(.object(object)) == #"{"k":1,"j":2}"#)
    }

    @Test func descriptionIsCompactJSON() {
        let value: JSONValue = ["a": [1, "b"], "c": nil]
        #expect(value.description == #"{"a":[1,"b"],"c":null}"#)
        #expect(value.jsonString == value.description)
    }
}

// MARK: - Pretty printing

@Suite struct JSONPrettyTests {
    @Test func prettyShape() throws {
        let value = try JSONValue.parse(#"{"a":[1,{"b":null}],"c":{},"d":[],"e":"x\n"}"#)
        let expected = """
            {
                "a": [
                    1,
                    {
                        "b": null
                    }
                ],
                "c": {},
                "d": [],
                "e": "x\\n"
            }
            """
        #expect(value.prettyEncoded() == expected)
        #expect(!value.prettyEncoded().hasSuffix("\n"))
        #expect(try JSONValue.parse(value.prettyEncoded()) == value)
    }

    @Test func prettyScalarsAndEmptyContainersAreCompact() {
        #expect(JSONValue.int(3).prettyEncoded() == "3")
        #expect(JSONValue.string("é").prettyEncoded() == "\"é\"")
        #expect(JSONValue.array([]).prettyEncoded() == "[]")
        #expect(JSONValue.object([:]).prettyEncoded() == "{}")
    }
}

// MARK: - A realistic document

@Suite struct JSONPodDocumentTests {
    /// A compact pod as kube-apiserver would return it (about 3 KB), one line per source line.
    static let pod: String = #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d4b9c6f5d-x2x9q","generateName":"web-7d4b9c6f5d-",
        "namespace":"production","uid":"5f0c3a8e-1b2d-4c6e-9f7a-0b1c2d3e4f50","resourceVersion":"123456","generation":1,
        "creationTimestamp":"2024-05-01T12:34:56Z","labels":{"app":"web","pod-template-hash":"7d4b9c6f5d","tier":"frontend"},
        "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"}}\n",
        "description":"café – naïve 😀 \"quoted\" back\\slash\ttab","prometheus.io/scrape":"true"},
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c6f5d","uid":"0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "controller":true,"blockOwnerDeletion":true}],"finalizers":["example.com/cleanup"],
        "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2024-05-01T12:34:56Z",
        "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}}]},
        "spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420,"items":[{"key":"app.yaml","path":"app.yaml"}]}},
        {"name":"kube-api-access-abcde","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}],"defaultMode":420}}],
        "containers":[{"name":"web","image":"nginx:1.25.3","command":["/bin/sh","-c"],"args":["exec nginx -g 'daemon off;'"],
        "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"MODE","value":"production"},
        {"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},{"name":"EMPTY","value":""}],
        "resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"250m","memory":"128Mi"}},
        "volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"}],
        "livenessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent",
        "securityContext":{"runAsUser":1000,"runAsNonRoot":true,"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","nodeSelector":{"kubernetes.io/os":"linux"},
        "serviceAccountName":"default","nodeName":"node-1","securityContext":{"fsGroup":2000},"schedulerName":"default-scheduler",
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
        {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
        "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
        "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T12:34:56Z"},
        {"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T12:35:02Z"},
        {"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T12:34:56Z"}],
        "hostIP":"10.0.0.11","podIP":"10.244.1.23","podIPs":[{"ip":"10.244.1.23"}],"startTime":"2024-05-01T12:34:56Z",
        "containerStatuses":[{"name":"web","state":{"running":{"startedAt":"2024-05-01T12:35:00Z"}},"lastState":{},"ready":true,
        "restartCount":0,"image":"docker.io/library/nginx:1.25.3","imageID":"docker.io/library/nginx@sha256:0123456789abcdef","containerID":"containerd://abc123","started":true}],
        "qosClass":"Burstable","extra":{"ratio":0.75,"negative":-12,"big":9007199254740993,"list":[[],{},[null]]}}}
        """#.split(separator: "\n").joined()

    @Test func podRoundTripsByteIdentically() throws {
        let input = Array(Self.pod.utf8)
        #expect(input.count > 3000)
        let value = try JSONValue.parse(input)
        let output = value.encoded()
        #expect(output == input)
        if output != input {
            let mismatch =
                zip(output, input).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(output.count, input.count)
            Issue.record(
                "first difference at byte \(mismatch): \(String(decoding: output.dropFirst(max(0, mismatch - 40)).prefix(80), as: UTF8.self))"
            )
        }
        #expect(value[path: ["metadata", "name"]] == "web-7d4b9c6f5d-x2x9q")
        #expect(value[path: ["metadata", "generation"]] == .int(1))
        #expect(value[path: ["status", "extra", "big"]] == .int(9_007_199_254_740_993))
        #expect(
            value[path: ["metadata", "annotations", "description"]]?.stringValue?.hasPrefix("café – naïve 😀 \"quoted\"") == true)
        #expect(try JSONValue.parse(value.prettyEncoded()) == value)
    }
}
