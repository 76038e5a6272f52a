import KubeModel

/// One node of the OpenAPI v3 schema of Roost's CRDs, built next to the Swift type it describes so
/// field names, defaults, bounds and enums are written once: the types' default values and limits
/// are the constants these builders are given, and ``RoostCRDs`` renders the tree.
///
/// The node is the JSON it renders to (`apiextensions.k8s.io/v1` `JSONSchemaProps`), with members in
/// a fixed order so the generated manifests are stable.
struct APISchema: Sendable {
    /// The rendered node.
    var json: JSONObject

    private init(type: String?, _ description: String) {
        json = [:]
        if !description.isEmpty { json["description"] = .string(description) }
        if let type { json["type"] = .string(type) }
    }

    /// An object with the given properties in order (none: any object, as `metadata` is described);
    /// `default` is usually `{}` so the server fills the nested defaults when the whole object is
    /// left out.
    static func object(
        _ description: String, required: [String] = [], default defaultValue: JSONValue? = nil,
        _ properties: KeyValuePairs<String, APISchema>
    ) -> APISchema {
        var schema = APISchema(type: "object", description)
        if let defaultValue { schema.json["default"] = defaultValue }
        var members = JSONObject()
        for (name, property) in properties { members[name] = .object(property.json) }
        if !members.isEmpty { schema.json["properties"] = .object(members) }
        if !required.isEmpty { schema.json["required"] = .array(required.map { .string($0) }) }
        return schema
    }

    /// The root schema of a Roost kind: `apiVersion`, `kind`, `metadata`, then `spec` and `status`.
    static func kind(_ kind: String, _ description: String, spec: APISchema, status: APISchema) -> APISchema {
        object(
            description,
            [
                "apiVersion": .string("APIVersion of the object: \(RoostAPI.apiVersion)."),
                "kind": .string("Kind of the object: \(kind)."),
                "metadata": .object("Standard object metadata.", [:]),
                "spec": spec,
                "status": status,
            ])
    }

    /// An object whose members the server keeps whatever they are
    /// (`x-kubernetes-preserve-unknown-fields`), optionally with some members described.
    static func preservedObject(_ description: String, _ properties: KeyValuePairs<String, APISchema> = [:]) -> APISchema {
        var schema = properties.isEmpty ? APISchema(type: "object", description) : object(description, properties)
        schema.json["x-kubernetes-preserve-unknown-fields"] = true
        return schema
    }

    /// A map from any key to values of one schema (`additionalProperties`).
    static func map(_ description: String, values: APISchema) -> APISchema {
        var schema = APISchema(type: "object", description)
        schema.json["additionalProperties"] = .object(values.json)
        return schema
    }

    /// A list. `mapKeys` makes it an `x-kubernetes-list-type: map` keyed by those members (as
    /// `metav1.Condition` lists are, keyed by `type`).
    static func array(_ description: String, items: APISchema, mapKeys: [String] = []) -> APISchema {
        var schema = APISchema(type: "array", description)
        schema.json["items"] = .object(items.json)
        if !mapKeys.isEmpty {
            schema.json["x-kubernetes-list-type"] = "map"
            schema.json["x-kubernetes-list-map-keys"] = .array(mapKeys.map { .string($0) })
        }
        return schema
    }

    /// A string, optionally limited to `values`, a `pattern` (RE2 syntax, as the API server reads
    /// it) or a minimum length.
    static func string(
        _ description: String, default defaultValue: String? = nil, values: [String] = [], pattern: String? = nil,
        minLength: Int64? = nil, format: String? = nil
    ) -> APISchema {
        var schema = APISchema(type: "string", description)
        if let format { schema.json["format"] = .string(format) }
        if !values.isEmpty { schema.json["enum"] = .array(values.map { .string($0) }) }
        if let defaultValue { schema.json["default"] = .string(defaultValue) }
        if let minLength { schema.json["minLength"] = .int(minLength) }
        if let pattern { schema.json["pattern"] = .string(pattern) }
        return schema
    }

    /// An integer within `minimum...maximum` (either bound optional).
    static func integer(
        _ description: String, default defaultValue: Int? = nil, minimum: Int? = nil, maximum: Int? = nil,
        format: String? = nil
    ) -> APISchema {
        var schema = APISchema(type: "integer", description)
        if let format { schema.json["format"] = .string(format) }
        if let defaultValue { schema.json["default"] = .int(Int64(defaultValue)) }
        if let minimum { schema.json["minimum"] = .int(Int64(minimum)) }
        if let maximum { schema.json["maximum"] = .int(Int64(maximum)) }
        return schema
    }

    /// A number (JSON integer or fraction), optionally with a lower bound.
    static func number(_ description: String, minimum: Int? = nil) -> APISchema {
        var schema = APISchema(type: "number", description)
        if let minimum { schema.json["minimum"] = .int(Int64(minimum)) }
        return schema
    }

    /// A boolean.
    static func boolean(_ description: String, default defaultValue: Bool? = nil) -> APISchema {
        var schema = APISchema(type: "boolean", description)
        if let defaultValue { schema.json["default"] = .bool(defaultValue) }
        return schema
    }

    /// A Go duration (`time.ParseDuration`: `5m`, `1h30m`, `0`), non-negative.
    static func duration(_ description: String, default defaultValue: GoDuration) -> APISchema {
        string(description, default: defaultValue.shortText, pattern: durationPattern)
    }

    /// A non-negative Go duration: `0`, or one or more number+unit parts.
    static let durationPattern = #"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"#

    /// A `resource.Quantity` (`4`, `500m`, `8Gi`) as the schema `k8s.io/apimachinery` publishes for
    /// it: an int-or-string matching the quantity grammar of `resource/quantity.go`.
    static func quantity(_ description: String) -> APISchema {
        var schema = APISchema(type: nil, description)
        schema.json["anyOf"] = [["type": "integer"], ["type": "string"]]
        schema.json["pattern"] = .string(
            #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#)
        schema.json["x-kubernetes-int-or-string"] = true
        return schema
    }

    /// A status condition list: `CoreV1.Condition` entries keyed by `type`.
    static func conditions(_ description: String) -> APISchema {
        array(
            description,
            items: object(
                "One condition: its type, True/False/Unknown, since when, and why.", required: ["type", "status"],
                [
                    "type": string("The condition's type, e.g. Ready.", minLength: 1),
                    "status": string("True, False or Unknown.", values: ["True", "False", "Unknown"]),
                    "lastTransitionTime": string("When the status last changed, RFC 3339.", format: "date-time"),
                    "reason": string("A CamelCase reason for the status."),
                    "message": string("A human-readable explanation."),
                ]), mapKeys: ["type"])
    }
}

extension GoDuration {
    /// The shortest Go text for a whole number of hours, minutes or seconds (`8h`, `5m`, `0`),
    /// else Go's `String` form; what Roost writes for defaults so manifests read as users write them.
    var shortText: String {
        let second: Int64 = 1_000_000_000
        if nanoseconds == 0 { return "0" }
        for (unit, size) in [("h", 3600 * second), ("m", 60 * second), ("s", second)]
        where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(unit)"
        }
        return description
    }
}
