public import KubeModel

/// JSON patch, RFC 6902 (`application/json-patch+json`), as kube-apiserver applies it with
/// `gopkg.in/evanphx/json-patch.v4` (`patch.go`).
public enum JSONPatch {
    /// Applies the operations in `operations` (a JSON array of operation objects) to `target`.
    ///
    /// Supports `add`, `remove`, `replace`, `move`, `copy` and `test`; paths are JSON pointers
    /// (RFC 6901, `~0` and `~1` escapes); `-` as the last token of an `add` path appends to an array.
    /// `test` compares with ``KubeModel/JSONValue/isJSONEqual(to:)`` (member order irrelevant,
    /// `1` equals `1.0`); like evanphx/json-patch, testing an absent member against `null` succeeds.
    /// The patch is atomic: when an operation fails, no change is visible (the result is simply
    /// not returned).
    ///
    /// - Throws: ``PatchError/invalidPatchDocument(reason:)`` (400) when `operations` is not an
    ///   array of objects with string `op`/`path`/`from`; otherwise (422)
    ///   ``PatchError/unknownOperation(index:op:)``, ``PatchError/missingOperationField(index:op:field:)``,
    ///   ``PatchError/invalidPointer(op:pointer:)``, ``PatchError/missingPath(op:path:)``,
    ///   ``PatchError/missingKey(op:path:key:)``, ``PatchError/invalidIndex(op:path:index:)``,
    ///   ``PatchError/testFailed(path:)`` or ``PatchError/moveIntoChild(from:path:)``.
    public static func apply(_ operations: JSONValue, to target: JSONValue) throws(PatchError)
        -> JSONValue
    {
        let decoded = try decode(operations)
        var document = target
        for (index, operation) in decoded.enumerated() {
            try perform(operation, index: index, on: &document)
        }
        return document
    }

    /// Splits a JSON pointer (RFC 6901) into its unescaped reference tokens; nil when the pointer
    /// is neither empty nor starts with `/`. The empty pointer denotes the whole document.
    public static func referenceTokens(of pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            token in
            String(token).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    /// Escapes one reference token for use in a JSON pointer (`~` → `~0`, `/` → `~1`).
    public static func escapeToken(_ token: String) -> String {
        token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    // MARK: - Decoding

    struct Operation {
        var op: String
        var path: String?
        var from: String?
        var value: JSONValue?
    }

    static func decode(_ operations: JSONValue) throws(PatchError) -> [Operation] {
        let elements: [JSONValue]
        switch operations {
        case .null: return []
        case .array(let array): elements = array
        default:
            throw .invalidPatchDocument(
                reason:
                    "json: cannot unmarshal \(operations.goTypeWord) into Go value of type []handlers.jsonPatchOp"
            )
        }
        var result: [Operation] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let object) = element else {
                throw .invalidPatchDocument(
                    reason:
                        "json: cannot unmarshal \(element.goTypeWord) into Go value of type handlers.jsonPatchOp"
                )
            }
            func string(_ field: String) throws(PatchError) -> String? {
                switch object[field] {
                case nil, .null?: return nil
                case .string(let string)?: return string
                case let other?:
                    throw .invalidPatchDocument(
                        reason:
                            "json: cannot unmarshal \(other.goTypeWord) into Go struct field jsonPatchOp.\(field) of type string"
                    )
                }
            }
            result.append(
                Operation(
                    op: try string("op") ?? "", path: try string("path"), from: try string("from"),
                    value: object["value"]))
        }
        return result
    }

    // MARK: - Applying

    static func perform(_ operation: Operation, index: Int, on document: inout JSONValue)
        throws(PatchError)
    {
        let op = operation.op
        guard ["add", "remove", "replace", "move", "copy", "test"].contains(op) else {
            throw .unknownOperation(index: index, op: op)
        }
        guard let path = operation.path else {
            throw .missingOperationField(index: index, op: op, field: "path")
        }
        guard let tokens = referenceTokens(of: path) else {
            throw .invalidPointer(op: op, pointer: path)
        }
        func requiredValue() throws(PatchError) -> JSONValue {
            guard let value = operation.value else {
                throw .missingOperationField(index: index, op: op, field: "value")
            }
            return value
        }
        func source() throws(PatchError) -> (pointer: String, tokens: [String]) {
            guard let from = operation.from else {
                throw .missingOperationField(index: index, op: op, field: "from")
            }
            guard let fromTokens = referenceTokens(of: from) else {
                throw .invalidPointer(op: op, pointer: from)
            }
            return (from, fromTokens)
        }
        switch op {
        case "add":
            try add(try requiredValue(), at: tokens, path: path, op: op, in: &document)
        case "remove":
            _ = try remove(at: tokens, path: path, op: op, in: &document)
        case "replace":
            let value = try requiredValue()
            try withContainer(of: tokens, path: path, op: op, in: &document) {
                container throws(PatchError) in
                guard let last = tokens.last else {
                    container = value
                    return
                }
                switch container {
                case .object(var object):
                    guard object[last] != nil else { throw .missingKey(op: op, path: path, key: last) }
                    object[last] = value
                    container = .object(object)
                case .array(var array):
                    guard let position = arrayIndex(last), position < array.count else {
                        throw .invalidIndex(op: op, path: path, index: last)
                    }
                    array[position] = value
                    container = .array(array)
                default:
                    throw .missingPath(op: op, path: path)
                }
            }
        case "move":
            let (from, fromTokens) = try source()
            if fromTokens == tokens { return }
            if fromTokens.count < tokens.count, Array(tokens.prefix(fromTokens.count)) == fromTokens {
                throw .moveIntoChild(from: from, path: path)
            }
            let value = try remove(at: fromTokens, path: from, op: op, in: &document)
            try add(value, at: tokens, path: path, op: op, in: &document)
        case "copy":
            let (from, fromTokens) = try source()
            guard let value = try value(at: fromTokens, path: from, op: op, in: document) else {
                throw .missingKey(op: op, path: from, key: fromTokens.last ?? "")
            }
            try add(value, at: tokens, path: path, op: op, in: &document)
        default:  // test
            let expected = try requiredValue()
            let actual = try value(at: tokens, path: path, op: op, in: document)
            guard let actual else {
                if case .null = expected { return }
                throw .testFailed(path: path)
            }
            guard actual.isJSONEqual(to: expected) else { throw .testFailed(path: path) }
        }
    }

    /// Parses an array index token: decimal digits without leading zeros.
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if token.count > 1, token.hasPrefix("0") { return nil }
        return Int(token)
    }

    /// Runs `body` on the container holding the location `tokens` (the document itself for the
    /// empty pointer), writing the changes back.
    static func withContainer(
        of tokens: [String], path: String, op: String, in document: inout JSONValue,
        _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        try descend(tokens.dropLast(), path: path, op: op, in: &document, body)
    }

    private static func descend(
        _ tokens: ArraySlice<String>, path: String, op: String, in value: inout JSONValue,
        _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        guard let first = tokens.first else {
            try body(&value)
            return
        }
        switch value {
        case .object(var object):
            guard var child = object[first] else { throw .missingPath(op: op, path: path) }
            try descend(tokens.dropFirst(), path: path, op: op, in: &child, body)
            object[first] = child
            value = .object(object)
        case .array(var array):
            guard let position = arrayIndex(first), position < array.count else {
                throw .missingPath(op: op, path: path)
            }
            try descend(tokens.dropFirst(), path: path, op: op, in: &array[position], body)
            value = .array(array)
        default:
            throw .missingPath(op: op, path: path)
        }
    }

    static func value(at tokens: [String], path: String, op: String, in document: JSONValue)
        throws(PatchError)
        -> JSONValue?
    {
        var container = document
        for token in tokens.dropLast() {
            switch container {
            case .object(let object):
                guard let child = object[token] else { throw .missingPath(op: op, path: path) }
                container = child
            case .array(let array):
                guard let position = arrayIndex(token), position < array.count else {
                    throw .missingPath(op: op, path: path)
                }
                container = array[position]
            default:
                throw .missingPath(op: op, path: path)
            }
        }
        guard let last = tokens.last else { return document }
        switch container {
        case .object(let object):
            return object[last]
        case .array(let array):
            guard let position = arrayIndex(last), position < array.count else {
                throw .invalidIndex(op: op, path: path, index: last)
            }
            return array[position]
        default:
            throw .missingPath(op: op, path: path)
        }
    }

    static func add(
        _ value: JSONValue, at tokens: [String], path: String, op: String, in document: inout JSONValue
    )
        throws(PatchError)
    {
        try withContainer(of: tokens, path: path, op: op, in: &document) {
            container throws(PatchError) in
            guard let last = tokens.last else {
                container = value
                return
            }
            switch container {
            case .object(var object):
                object[last] = value
                container = .object(object)
            case .array(var array):
                if last == "-" {
                    array.append(value)
                } else {
                    guard let position = arrayIndex(last), position <= array.count else {
                        throw .invalidIndex(op: op, path: path, index: last)
                    }
                    array.insert(value, at: position)
                }
                container = .array(array)
            default:
                throw .missingPath(op: op, path: path)
            }
        }
    }

    static func remove(at tokens: [String], path: String, op: String, in document: inout JSONValue)
        throws(PatchError) -> JSONValue
    {
        guard let last = tokens.last else { throw .missingPath(op: op, path: path) }
        var removed = JSONValue.null
        try withContainer(of: tokens, path: path, op: op, in: &document) {
            container throws(PatchError) in
            switch container {
            case .object(var object):
                guard let value = object.removeValue(forKey: last) else {
                    throw .missingKey(op: op, path: path, key: last)
                }
                removed = value
                container = .object(object)
            case .array(var array):
                guard let position = arrayIndex(last), position < array.count else {
                    throw .invalidIndex(op: op, path: path, index: last)
                }
                removed = array.remove(at: position)
                container = .array(array)
            default:
                throw .missingPath(op: op, path: path)
            }
        }
        return removed
    }
}
