/// A lossless JSON value: the representation Roost uses for every Kubernetes object (or part of
/// one) that it passes through without modelling, so an object read and written back loses nothing.
///
/// Numbers follow Go's `unstructured` decoding, which is what kube-apiserver does with custom
/// resources (`k8s.io/apimachinery/pkg/runtime/converter.go`): a literal without a fraction or
/// exponent that fits in 64 bits is an integer, everything else is a double.
/// Objects keep their members in document order; two objects compare equal when they hold the same
/// members whatever their order, as JSON's data model says.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object that keeps its members in insertion order.
///
/// Lookups are linear, which beats hashing for the small objects Kubernetes uses (a pod's
/// `metadata` has about ten members) and keeps the order kubectl and users wrote.
public struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral, RandomAccessCollection {
    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() { members = [] }

    public init(members: [Member]) { self.members = members }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    /// The keys in document order.
    public var keys: [String] { members.map(\.key) }

    /// The value of `key`, or nil when absent. Setting nil removes the member; setting a value
    /// replaces the member in place or appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Removes `key` and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = members.firstIndex(where: { $0.key == key }) else { return nil }
        return members.remove(at: index).value
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine each member's own hash commutatively.
        var sum = 0
        for member in members {
            var inner = Hasher()
            inner.combine(member.key)
            inner.combine(member.value)
            sum = sum &+ inner.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }
}

extension JSONValue {
    /// The member `key` of an object; nil for absent members and for values that are not objects.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            guard case .object(var object) = self else { return }
            object[key] = newValue
            self = .object(object)
        }
    }

    /// The value at a path of object keys, e.g. `["metadata", "name"]`.
    public subscript(path path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// Sets the value at a path of object keys, creating intermediate objects as needed.
    /// Setting nil removes the last key. Does nothing when a non-object sits on the path.
    public mutating func set(path: some Collection<String>, to value: JSONValue?) {
        guard let first = path.first else {
            self = value ?? .null
            return
        }
        guard case .object(var object) = self else { return }
        let rest = path.dropFirst()
        if rest.isEmpty {
            object[first] = value
        } else {
            if value == nil, object[first] == nil { return }
            var child = object[first] ?? .object(JSONObject())
            child.set(path: rest, to: value)
            object[first] = child
        }
        self = .object(object)
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The value as an integer; doubles with no fractional part convert too.
    public var intValue: Int64? {
        switch self {
        case .int(let int): return int
        case .double(let double) where double.rounded() == double && abs(double) < 9.2e18:
            return Int64(double)
        default: return nil
        }
    }

    /// The value as a double, for integers and doubles.
    public var doubleValue: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON type name as OpenAPI and kube-apiserver's error messages spell it:
    /// "null", "boolean", "integer", "number", "string", "array", "object".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral,
    ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
