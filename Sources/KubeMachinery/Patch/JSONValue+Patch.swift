public import KubeModel

extension JSONValue {
    /// JSON equality as `evanphx/json-patch` applies it in `test` operations and as
    /// structured-merge-diff compares values: object member order is irrelevant and numbers compare
    /// by value, so `1` equals `1.0`.
    public func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Int64(exactly: b) == a
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for (left, right) in zip(a, b) where !left.isJSONEqual(to: right) { return false }
            return true
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for member in a.members {
                guard let value = b[member.key], member.value.isJSONEqual(to: value) else { return false }
            }
            return true
        default: return false
        }
    }

    /// The word Go's `encoding/json` uses for this value's type in unmarshal errors.
    var goTypeWord: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
