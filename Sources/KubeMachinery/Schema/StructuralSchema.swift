public import KubeModel

/// A problem in a schema document, naming where it is (e.g.
/// `properties[spec].properties[pool].minimum`) and what is wrong.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the schema has.
    public enum Reason: Sendable, Hashable {
        /// The node is not a JSON object.
        case notAnObject
        /// A keyword holds a value of the wrong JSON type; `expected` names the type wanted.
        case wrongValueType(expected: String)
        /// `type` is not one of object, array, string, integer, number, boolean.
        case unknownType(String)
        /// `pattern` does not compile.
        case invalidPattern(String)
        /// A keyword holds a value outside its allowed set or range.
        case invalidValue(String)
    }

    /// Where the problem is, relative to the schema root; empty for the root itself.
    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let location = path.isEmpty ? "schema root" : path
        switch reason {
        case .notAnObject: return "\(location): must be a JSON object"
        case .wrongValueType(let expected): return "\(location): must be \(expected)"
        case .unknownType(let type): return "\(location): unsupported type \(GoFormat.quote(type))"
        case .invalidPattern(let detail): return "\(location): invalid regular expression: \(detail)"
        case .invalidValue(let detail): return "\(location): \(detail)"
        }
    }
}

/// An OpenAPI v3 schema as a CustomResourceDefinition version carries it in
/// `schema.openAPIV3Schema`, parsed into a typed tree (the counterpart of
/// `apiextensions.JSONSchemaProps` and, for the parts that matter to pruning and defaulting, of
/// `k8s.io/apiextensions-apiserver/pkg/apiserver/schema.Structural`).
///
/// Properties keep their document order so that validation errors come out in a stable order
/// (the Go server iterates a map, so its order is unspecified).
public final class StructuralSchema: Sendable {
    /// How `additionalProperties` is given: a boolean or a schema.
    public enum AdditionalProperties: Sendable {
        case allowed(Bool)
        case schema(StructuralSchema)
    }

    /// `x-kubernetes-list-type`.
    public enum ListType: String, Sendable {
        case atomic, set, map
    }

    public let type: String?
    public let format: String?
    public let title: String?
    public let description: String?
    /// Property schemas by name; see ``propertyNames`` for document order.
    public let properties: [String: StructuralSchema]
    /// Property names in document order.
    public let propertyNames: [String]
    public let required: [String]
    public let items: StructuralSchema?
    public let additionalProperties: AdditionalProperties?
    public let enumValues: [JSONValue]?
    public let maximum: Double?
    public let exclusiveMaximum: Bool
    public let minimum: Double?
    public let exclusiveMinimum: Bool
    public let multipleOf: Double?
    public let maxLength: Int64?
    public let minLength: Int64?
    public let pattern: String?
    public let maxItems: Int64?
    public let minItems: Int64?
    public let uniqueItems: Bool
    public let maxProperties: Int64?
    public let minProperties: Int64?
    public let nullable: Bool
    public let defaultValue: JSONValue?
    public let allOf: [StructuralSchema]
    public let anyOf: [StructuralSchema]
    public let oneOf: [StructuralSchema]
    public let not: StructuralSchema?
    /// `x-kubernetes-preserve-unknown-fields`; nil when absent (it may be given as false).
    public let preserveUnknownFields: Bool?
    /// `x-kubernetes-int-or-string`.
    public let intOrString: Bool
    /// `x-kubernetes-embedded-resource`.
    public let embeddedResource: Bool
    public let listType: ListType?
    public let listMapKeys: [String]
    /// `x-kubernetes-map-type` (granular or atomic), kept for completeness.
    public let mapType: String?

    /// The JSON types `type` may name.
    public static let knownTypes: Set<String> = [
        "object", "array", "string", "integer", "number", "boolean",
    ]

    /// Parses a schema node.
    ///
    /// - Parameter json: the `openAPIV3Schema` object (or any nested node).
    /// - Throws: ``SchemaError`` naming the path of the first malformed keyword: a node that is
    ///   not an object, a keyword of the wrong JSON type, an unknown `type`, a `pattern` that does
    ///   not compile, a negative length/count, a non-positive `multipleOf`, an unknown
    ///   `x-kubernetes-list-type`, or list-map keys without `x-kubernetes-list-type: map`.
    ///   Unknown keywords are ignored, as the Go decoder drops them.
    public convenience init(_ json: JSONValue) throws(SchemaError) {
        try self.init(json, path: "")
    }

    private init(_ json: JSONValue, path: String) throws(SchemaError) {
        guard case .object(let node) = json else {
            throw SchemaError(path: path, reason: .notAnObject)
        }
        func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        func string(_ key: String) throws(SchemaError) -> String? {
            guard let value = node[key] else { return nil }
            guard case .string(let string) = value else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "a string"))
            }
            return string
        }
        func bool(_ key: String) throws(SchemaError) -> Bool? {
            guard let value = node[key] else { return nil }
            guard case .bool(let bool) = value else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "a boolean"))
            }
            return bool
        }
        func number(_ key: String) throws(SchemaError) -> Double? {
            guard let value = node[key] else { return nil }
            guard let double = value.doubleValue else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "a number"))
            }
            return double
        }
        func count(_ key: String) throws(SchemaError) -> Int64? {
            guard let value = node[key] else { return nil }
            guard let int = value.intValue else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "an integer"))
            }
            guard int >= 0 else {
                throw SchemaError(
                    path: at(key), reason: .invalidValue("must be greater than or equal to 0"))
            }
            return int
        }
        func strings(_ key: String) throws(SchemaError) -> [String] {
            guard let value = node[key] else { return [] }
            guard case .array(let array) = value else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "an array of strings"))
            }
            var result: [String] = []
            for (index, element) in array.enumerated() {
                guard case .string(let string) = element else {
                    throw SchemaError(
                        path: at(key) + "[\(index)]", reason: .wrongValueType(expected: "a string"))
                }
                result.append(string)
            }
            return result
        }
        func schemas(_ key: String) throws(SchemaError) -> [StructuralSchema] {
            guard let value = node[key] else { return [] }
            guard case .array(let array) = value else {
                throw SchemaError(path: at(key), reason: .wrongValueType(expected: "an array of schemas"))
            }
            var result: [StructuralSchema] = []
            for (index, element) in array.enumerated() {
                result.append(try StructuralSchema(element, path: at(key) + "[\(index)]"))
            }
            return result
        }

        let type = try string("type")
        if let type, !type.isEmpty, !StructuralSchema.knownTypes.contains(type) {
            throw SchemaError(path: at("type"), reason: .unknownType(type))
        }
        self.type = (type?.isEmpty ?? true) ? nil : type
        format = try string("format")
        title = try string("title")
        description = try string("description")

        var properties: [String: StructuralSchema] = [:]
        var propertyNames: [String] = []
        if let value = node["properties"] {
            guard case .object(let object) = value else {
                throw SchemaError(
                    path: at("properties"), reason: .wrongValueType(expected: "an object of schemas"))
            }
            for member in object.members {
                properties[member.key] = try StructuralSchema(
                    member.value, path: at("properties") + "[\(member.key)]")
                propertyNames.append(member.key)
            }
        }
        self.properties = properties
        self.propertyNames = propertyNames
        required = try strings("required")

        if let value = node["items"] {
            if case .array = value {
                throw SchemaError(
                    path: at("items"), reason: .invalidValue("items must be a schema object, not an array"))
            }
            items = try StructuralSchema(value, path: at("items"))
        } else {
            items = nil
        }
        switch node["additionalProperties"] {
        case nil: additionalProperties = nil
        case .bool(let allowed)?: additionalProperties = .allowed(allowed)
        case let value?:
            additionalProperties = .schema(try StructuralSchema(value, path: at("additionalProperties")))
        }

        if let value = node["enum"] {
            guard case .array(let array) = value else {
                throw SchemaError(path: at("enum"), reason: .wrongValueType(expected: "an array"))
            }
            enumValues = array
        } else {
            enumValues = nil
        }
        maximum = try number("maximum")
        exclusiveMaximum = try bool("exclusiveMaximum") ?? false
        minimum = try number("minimum")
        exclusiveMinimum = try bool("exclusiveMinimum") ?? false
        multipleOf = try number("multipleOf")
        if let multipleOf, multipleOf <= 0 {
            throw SchemaError(path: at("multipleOf"), reason: .invalidValue("must be greater than 0"))
        }
        maxLength = try count("maxLength")
        minLength = try count("minLength")
        let pattern = try string("pattern")
        if let pattern {
            do {
                _ = try Regex(pattern)
            } catch {
                throw SchemaError(path: at("pattern"), reason: .invalidPattern(String(describing: error)))
            }
        }
        self.pattern = pattern
        maxItems = try count("maxItems")
        minItems = try count("minItems")
        uniqueItems = try bool("uniqueItems") ?? false
        maxProperties = try count("maxProperties")
        minProperties = try count("minProperties")
        nullable = try bool("nullable") ?? false
        defaultValue = node["default"]
        allOf = try schemas("allOf")
        anyOf = try schemas("anyOf")
        oneOf = try schemas("oneOf")
        not = try node["not"].map { (value) throws(SchemaError) in
            try StructuralSchema(value, path: at("not"))
        }

        preserveUnknownFields = try bool("x-kubernetes-preserve-unknown-fields")
        intOrString = try bool("x-kubernetes-int-or-string") ?? false
        embeddedResource = try bool("x-kubernetes-embedded-resource") ?? false
        if let listType = try string("x-kubernetes-list-type") {
            guard let parsed = ListType(rawValue: listType) else {
                throw SchemaError(
                    path: at("x-kubernetes-list-type"),
                    reason: .invalidValue(
                        "must be one of \"atomic\", \"set\", \"map\", not \(GoFormat.quote(listType))"))
            }
            self.listType = parsed
        } else {
            listType = nil
        }
        listMapKeys = try strings("x-kubernetes-list-map-keys")
        if !listMapKeys.isEmpty, listType != .map {
            throw SchemaError(
                path: at("x-kubernetes-list-map-keys"),
                reason: .invalidValue("must be empty if x-kubernetes-list-type is not map"))
        }
        mapType = try string("x-kubernetes-map-type")
    }

    /// Whether unknown fields are kept at this level (`x-kubernetes-preserve-unknown-fields: true`).
    public var preservesUnknownFields: Bool { preserveUnknownFields == true }

    /// The types a value may have: `["integer", "string"]` for int-or-string, else `[type]`, or
    /// empty when the schema does not constrain the type (kube-openapi's `spec.StringOrArray`).
    var allowedTypes: [String] {
        if intOrString { return ["integer", "string"] }
        if let type { return [type] }
        return []
    }
}
