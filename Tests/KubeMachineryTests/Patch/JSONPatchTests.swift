import KubeMachinery
import KubeModel
import Testing

@Suite("JSON patch (RFC 6902)")
struct JSONPatchTests {
    func apply(_ patch: String, _ document: String) throws(PatchError) -> JSONValue {
        try JSONPatch.apply(json(patch), to: json(document))
    }

    @Test("A.1 adding an object member") func a1() throws {
        #expect(
            try apply(#"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"foo":"bar"}"#)
                == json(#"{"baz":"qux","foo":"bar"}"#))
    }

    @Test("A.2 adding an array element") func a2() throws {
        #expect(
            try apply(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","baz"]}"#)
                == json(#"{"foo":["bar","qux","baz"]}"#))
    }

    @Test("A.3 removing an object member") func a3() throws {
        #expect(
            try apply(#"[{"op":"remove","path":"/baz"}]"#, #"{"baz":"qux","foo":"bar"}"#)
                == json(#"{"foo":"bar"}"#))
    }

    @Test("A.4 removing an array element") func a4() throws {
        #expect(
            try apply(#"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","qux","baz"]}"#)
                == json(#"{"foo":["bar","baz"]}"#))
    }

    @Test("A.5 replacing a value") func a5() throws {
        #expect(
            try apply(#"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"qux","foo":"bar"}"#)
                == json(#"{"baz":"boo","foo":"bar"}"#))
    }

    @Test("A.6 moving a value") func a6() throws {
        #expect(
            try apply(
                #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
                #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#)
                == json(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#))
    }

    @Test("A.7 moving an array element") func a7() throws {
        #expect(
            try apply(
                #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
                #"{"foo":["all","grass","cows","eat"]}"#)
                == json(#"{"foo":["all","cows","eat","grass"]}"#))
    }

    @Test("A.8 testing a value: success") func a8() throws {
        let document = #"{"baz":"qux","foo":["a",2,"c"]}"#
        #expect(
            try apply(
                #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
                document)
                == json(document))
    }

    @Test("A.9 testing a value: error") func a9() {
        #expect(throws: PatchError.testFailed(path: "/baz")) {
            try apply(#"[{"op":"test","path":"/baz","value":"bar"}]"#, #"{"baz":"qux"}"#)
        }
        #expect(
            PatchError.testFailed(path: "/spec/x").description
                == "testing value /spec/x failed: test failed")
    }

    @Test("A.10 adding a nested member object") func a10() throws {
        #expect(
            try apply(#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar"}"#)
                == json(#"{"foo":"bar","child":{"grandchild":{}}}"#))
    }

    @Test("A.11 ignoring unrecognized elements") func a11() throws {
        #expect(
            try apply(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar"}"#)
                == json(#"{"foo":"bar","baz":"qux"}"#))
    }

    @Test("A.12 adding to a nonexistent target") func a12() {
        let error = #expect(throws: PatchError.self) {
            try apply(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, #"{"foo":"bar"}"#)
        }
        #expect(error == .missingPath(op: "add", path: "/baz/bat"))
        #expect(
            error?.description
                == #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#)
        #expect(error?.httpStatus == 422)
    }

    @Test("A.14 ~ escape ordering") func a14() throws {
        let document = #"{"/":9,"~1":10}"#
        #expect(try apply(#"[{"op":"test","path":"/~01","value":10}]"#, document) == json(document))
    }

    @Test("A.15 comparing strings and numbers") func a15() {
        #expect(throws: PatchError.testFailed(path: "/~01")) {
            try apply(#"[{"op":"test","path":"/~01","value":"10"}]"#, #"{"/":9,"~1":10}"#)
        }
    }

    @Test("A.16 adding an array value") func a16() throws {
        #expect(
            try apply(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar"]}"#)
                == json(#"{"foo":["bar",["abc","def"]]}"#))
    }

    @Test func copyAndReplaceRoot() throws {
        #expect(
            try apply(#"[{"op":"copy","from":"/a","path":"/b"}]"#, #"{"a":{"x":1}}"#)
                == json(#"{"a":{"x":1},"b":{"x":1}}"#))
        #expect(try apply(#"[{"op":"replace","path":"","value":[1]}]"#, #"{"a":1}"#) == json("[1]"))
    }

    @Test func testIgnoresMemberOrderAndNumberSpelling() throws {
        let document = #"{"a":{"x":1,"y":[1.0,2]}}"#
        #expect(
            try apply(#"[{"op":"test","path":"/a","value":{"y":[1,2.0],"x":1.0}}]"#, document)
                == json(document))
    }

    @Test func failuresAreAtomicAndDescriptive() {
        #expect(throws: PatchError.invalidIndex(op: "add", path: "/a/5", index: "5")) {
            try apply(#"[{"op":"add","path":"/a/5","value":1}]"#, #"{"a":[0]}"#)
        }
        #expect(throws: PatchError.invalidIndex(op: "remove", path: "/a/1", index: "1")) {
            try apply(#"[{"op":"remove","path":"/a/1"}]"#, #"{"a":[0]}"#)
        }
        #expect(throws: PatchError.invalidIndex(op: "add", path: "/a/01", index: "01")) {
            try apply(#"[{"op":"add","path":"/a/01","value":1}]"#, #"{"a":[0,1]}"#)
        }
        #expect(throws: PatchError.missingKey(op: "remove", path: "/b", key: "b")) {
            try apply(#"[{"op":"remove","path":"/b"}]"#, #"{"a":1}"#)
        }
        #expect(throws: PatchError.missingKey(op: "replace", path: "/b", key: "b")) {
            try apply(#"[{"op":"replace","path":"/b","value":1}]"#, #"{"a":1}"#)
        }
        #expect(throws: PatchError.unknownOperation(index: 1, op: "frob")) {
            try apply(#"[{"op":"add","path":"/b","value":1},{"op":"frob","path":"/b"}]"#, #"{"a":1}"#)
        }
        #expect(throws: PatchError.moveIntoChild(from: "/a", path: "/a/b")) {
            try apply(#"[{"op":"move","from":"/a","path":"/a/b"}]"#, #"{"a":{}}"#)
        }
        #expect(throws: PatchError.missingOperationField(index: 0, op: "add", field: "value")) {
            try apply(#"[{"op":"add","path":"/b"}]"#, #"{"a":1}"#)
        }
    }

    @Test func malformedDocumentsAre400() {
        let error = #expect(throws: PatchError.self) { try apply(#"{"op":"add"}"#, "{}") }
        #expect(
            error?.description
                == "json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp")
        #expect(error?.isMalformedPatch == true)
        #expect(error?.httpStatus == 400)
        #expect(
            throws: PatchError.invalidPatchDocument(
                reason: "json: cannot unmarshal string into Go value of type handlers.jsonPatchOp")
        ) {
            try apply(#"["add"]"#, "{}")
        }
        #expect(
            throws: PatchError.invalidPatchDocument(
                reason: "json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string"
            )
        ) {
            try apply(#"[{"op":"add","path":1}]"#, "{}")
        }
    }

    @Test func pointerTokens() {
        #expect(JSONPatch.referenceTokens(of: "") == [])
        #expect(JSONPatch.referenceTokens(of: "/a~1b/~0c/") == ["a/b", "~c", ""])
        #expect(JSONPatch.referenceTokens(of: "a") == nil)
        #expect(JSONPatch.escapeToken("a/~b") == "a~1~0b")
    }
}
