public import KubeModel

/// One step of a field path, as structured-merge-diff's `fieldpath.PathElement`
/// (`sigs.k8s.io/structured-merge-diff/v4/fieldpath/element.go`).
public enum FieldPathElement: Hashable, Sendable {
    /// An object member: `f:<name>` in fieldsV1, `.name` in messages.
    case field(String)
    /// A list element identified by its key fields: `k:{"name":"c"}`, `[name="c"]`.
    case key(JSONObject)
    /// An element of a set of primitives identified by its value: `v:"x"`, `[="x"]`.
    case value(JSONValue)
    /// A list element identified by position (lists without keys): `i:0`, `[0]`.
    case index(Int)

    /// The element as a key of a fieldsV1 object.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields): return "k:" + JSONValue.object(fields).jsonString
        case .value(let value): return "v:" + value.jsonString
        case .index(let index): return "i:\(index)"
        }
    }

    /// Parses a fieldsV1 key (`f:`, `k:`, `v:` or `i:` prefixed); nil when malformed.
    public init?(fieldsV1Key key: String) {
        let body = String(key.dropFirst(2))
        switch key.prefix(2) {
        case "f:": self = .field(body)
        case "k:":
            guard case .object(let object)? = try? JSONValue.parse(body) else { return nil }
            self = .key(Self.sortedKey(object))
        case "v:":
            guard let value = try? JSONValue.parse(body) else { return nil }
            self = .value(value)
        case "i:":
            guard let index = Int(body) else { return nil }
            self = .index(index)
        default: return nil
        }
    }

    /// The element as structured-merge-diff prints it in conflict messages.
    public var pathString: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields):
            return "[" + fields.members.map { "\($0.key)=\($0.value.jsonString)" }.joined(separator: ",")
                + "]"
        case .value(let value): return "[=" + value.jsonString + "]"
        case .index(let index): return "[\(index)]"
        }
    }

    static func sortedKey(_ object: JSONObject) -> JSONObject {
        JSONObject(members: object.members.sorted { $0.key < $1.key })
    }

    var sortRank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }

    static func precedes(_ a: FieldPathElement, _ b: FieldPathElement) -> Bool {
        if a.sortRank != b.sortRank { return a.sortRank < b.sortRank }
        if case .index(let x) = a, case .index(let y) = b { return x < y }
        return a.fieldsV1Key < b.fieldsV1Key
    }
}

/// A path from the object root to one field.
public typealias FieldPath = [FieldPathElement]

/// Renders a path as structured-merge-diff does, e.g. `.spec.containers[name="c"].image`.
public func fieldPathString(_ path: FieldPath) -> String {
    path.map(\.pathString).joined()
}

/// A set of fields, the content of a managedFields entry's `fieldsV1`
/// (`sigs.k8s.io/structured-merge-diff/v4/fieldpath/set.go`, serialized as in `serialize.go`).
///
/// Members are leaf fields, atomic lists, map entries, and list elements (which are members and
/// may have members below them, written `".": {}` in fieldsV1).
public struct FieldSet: Sendable, Equatable {
    /// The member paths.
    public var paths: Set<FieldPath>

    public init(_ paths: Set<FieldPath> = []) { self.paths = paths }

    public var isEmpty: Bool { paths.isEmpty }

    /// Decodes a fieldsV1 object; malformed keys are skipped.
    public init(fieldsV1: JSONValue) {
        var paths: Set<FieldPath> = []
        Self.decode(fieldsV1, prefix: [], into: &paths)
        self.paths = paths
    }

    private static func decode(
        _ value: JSONValue, prefix: FieldPath, into paths: inout Set<FieldPath>
    ) {
        guard case .object(let object) = value else { return }
        for member in object.members {
            if member.key == "." {
                if !prefix.isEmpty { paths.insert(prefix) }
                continue
            }
            guard let element = FieldPathElement(fieldsV1Key: member.key) else { continue }
            let path = prefix + [element]
            if member.value.objectValue?.isEmpty ?? true {
                paths.insert(path)
            } else {
                decode(member.value, prefix: path, into: &paths)
            }
        }
    }

    /// The fieldsV1 encoding, children sorted (fields, keys, values, indices), `"."` first.
    public var fieldsV1: JSONValue {
        final class Node {
            var isMember = false
            var children: [FieldPathElement: Node] = [:]
        }
        let root = Node()
        for path in paths {
            var node = root
            for element in path {
                if let child = node.children[element] {
                    node = child
                } else {
                    let child = Node()
                    node.children[element] = child
                    node = child
                }
            }
            node.isMember = true
        }
        func encode(_ node: Node) -> JSONValue {
            var object = JSONObject()
            if node.isMember && !node.children.isEmpty { object["."] = .object(JSONObject()) }
            for element in node.children.keys.sorted(by: FieldPathElement.precedes) {
                if let child = node.children[element] { object[element.fieldsV1Key] = encode(child) }
            }
            return .object(object)
        }
        return encode(root)
    }

    public func union(_ other: FieldSet) -> FieldSet { FieldSet(paths.union(other.paths)) }
    public func subtracting(_ other: FieldSet) -> FieldSet {
        FieldSet(paths.subtracting(other.paths))
    }
    public func intersection(_ other: FieldSet) -> FieldSet {
        FieldSet(paths.intersection(other.paths))
    }

    /// Whether the set holds `path` or a path below it.
    public func containsPrefix(_ path: FieldPath) -> Bool {
        paths.contains { $0.count >= path.count && Array($0.prefix(path.count)) == path }
    }
}

/// Walks objects into field paths the way structured-merge-diff's `ToFieldSet` does
/// (`typed/tofieldset.go`), using ``PatchSchema`` for list semantics.
struct FieldWalker {
    /// Leaf values by path; nil values mark non-leaf members (keyed list elements).
    var leaves: [FieldPath: JSONValue?] = [:]
    /// When true, list elements lacking their key fields are identified by index instead of
    /// failing (used for non-apply updates).
    let lenient: Bool

    init(lenient: Bool) { self.lenient = lenient }

    mutating func walkObject(_ object: JSONObject, schema: PatchSchema, prefix: FieldPath)
        throws(ApplyError)
    {
        for member in object.members {
            let path = prefix + [.field(member.key)]
            let childSchema = schema.field(member.key)
            switch member.value {
            case .object(let child) where !child.isEmpty:
                try walkObject(child, schema: childSchema, prefix: path)
            case .array(let list) where childSchema.isMergedList:
                for (offset, element) in list.enumerated() {
                    let elementPath =
                        path + [
                            try Self.element(
                                element, at: offset, schema: childSchema, path: path, lenient: lenient)
                        ]
                    if case .object(let fields) = element, childSchema.listMergeKey != nil {
                        leaves[elementPath] = .some(nil)
                        try walkObject(fields, schema: childSchema.element, prefix: elementPath)
                    } else {
                        leaves[elementPath] = .some(element)
                    }
                }
            default:
                leaves[path] = .some(member.value)
            }
        }
    }

    /// The path element identifying `element` of a merged list.
    static func element(
        _ element: JSONValue, at offset: Int, schema: PatchSchema, path: FieldPath, lenient: Bool
    )
        throws(ApplyError) -> FieldPathElement
    {
        guard schema.listMergeKey != nil else { return .value(element) }
        var key = JSONObject()
        if case .object(let fields) = element {
            for name in schema.listMapKeys.sorted() {
                if let value = fields[name] { key[name] = value }
            }
        }
        if key.isEmpty {
            if lenient { return .index(offset) }
            throw .invalidObject(
                reason:
                    "\(fieldPathString(path)): element \(offset): associative list with keys has an element that omits key field \"\(schema.listMergeKey ?? "")\""
            )
        }
        return .key(key)
    }

    static func fieldSet(of value: JSONValue, schema: PatchSchema, lenient: Bool) throws(ApplyError)
        -> [FieldPath:
        JSONValue?]
    {
        var walker = FieldWalker(lenient: lenient)
        if case .object(let object) = value {
            try walker.walkObject(object, schema: schema, prefix: [])
        }
        return walker.leaves
    }
}

/// The differences between two objects' fields (structured-merge-diff `typed.Comparison`).
struct FieldComparison {
    var added = FieldSet()
    var modified = FieldSet()
    var removed = FieldSet()

    init(old: [FieldPath: JSONValue?], new: [FieldPath: JSONValue?]) {
        for (path, newValue) in new {
            guard let oldValue = old[path] else {
                added.paths.insert(path)
                continue
            }
            switch (oldValue, newValue) {
            case (nil, nil): break
            case (let a?, let b?): if !a.isJSONEqual(to: b) { modified.paths.insert(path) }
            default: modified.paths.insert(path)
            }
        }
        for path in old.keys where new[path] == nil { removed.paths.insert(path) }
    }
}
