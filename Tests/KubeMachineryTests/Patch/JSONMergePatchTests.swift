import KubeMachinery
import KubeModel
import Testing

@Suite("JSON merge patch (RFC 7386)")
struct JSONMergePatchTests {
    /// RFC 7386 appendix A, every row: original, patch, result.
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("RFC 7386 appendix A", arguments: 0..<appendixA.count)
    func appendix(row: Int) {
        let (original, patch, expected) = Self.appendixA[row]
        #expect(JSONMergePatch.apply(json(patch), to: json(original)) == json(expected))
    }

    @Test func keepsMemberOrderOfTarget() {
        let result = JSONMergePatch.apply(json(#"{"b":2}"#), to: json(#"{"a":1,"b":1,"c":3}"#))
        #expect(result.objectValue?.keys == ["a", "b", "c"])
    }

    @Test func diffRoundTrips() {
        let original = json(
            #"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":1,"x":[1]},"gone":true}"#)
        let modified = json(#"{"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"replicas":2,"x":[1]}}"#)
        let patch = JSONMergePatch.diff(from: original, to: modified)
        #expect(
            patch
                == json(#"{"gone":null,"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"replicas":2}}"#))
        #expect(JSONMergePatch.apply(patch, to: original) == modified)
        #expect(JSONMergePatch.diff(from: modified, to: modified) == json("{}"))
        #expect(JSONMergePatch.diff(from: json("[1]"), to: json("[2]")) == json("[2]"))
    }
}
