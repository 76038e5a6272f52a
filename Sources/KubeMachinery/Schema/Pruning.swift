public import KubeModel

extension StructuralSchema {
    /// The members every Kubernetes object root (and every embedded resource) keeps.
    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

    /// Removes fields the schema does not specify, as kube-apiserver prunes custom resources
    /// (`k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go`):
    ///
    /// - object members not in `properties` are dropped unless `additionalProperties` gives a
    ///   schema (or is `true`), or `x-kubernetes-preserve-unknown-fields: true` applies at that
    ///   level; below a preserved level, members that *are* specified are still pruned by their
    ///   own schemas;
    /// - `apiVersion`, `kind` and `metadata` are kept at the resource root (the value passed
    ///   here is treated as a resource root) and in `x-kubernetes-embedded-resource` objects;
    /// - under `additionalProperties: true` (no schema) nested objects lose all members, as the
    ///   Go algorithm prunes against a nil schema.
    ///
    /// - Parameter value: the object, pruned in place.
    /// - Returns: the paths of the removed fields, sorted, e.g. `["spec.foo", "spec.items[0].bar"]`
    ///   (what the server reports as `unknown field "spec.foo"` warnings, or errors with
    ///   `fieldValidation=Strict`).
    @discardableResult
    public func prune(_ value: inout JSONValue) -> [String] {
        var removed: [String] = []
        StructuralSchema.prune(&value, schema: self, path: "", isRoot: true, removed: &removed)
        return removed.sorted()
    }

    /// The fields ``prune(_:)`` would remove, without changing the value.
    public func unknownFields(in value: JSONValue) -> [String] {
        var copy = value
        return prune(&copy)
    }

    private static func child(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    private static func prune(
        _ value: inout JSONValue, schema: StructuralSchema?, path: String, isRoot: Bool,
        removed: inout [String]
    ) {
        if let schema, schema.preservesUnknownFields {
            skipPrune(&value, schema: schema, path: path, isRoot: isRoot, removed: &removed)
            return
        }
        switch value {
        case .object(var object):
            guard let schema else {
                for member in object.members { removed.append(child(path, member.key)) }
                value = .object(JSONObject())
                return
            }
            let keepsMeta = isRoot || schema.embeddedResource
            for member in object.members {
                if keepsMeta, metaFields.contains(member.key) { continue }
                var sub = member.value
                if let property = schema.properties[member.key] {
                    prune(
                        &sub, schema: property, path: child(path, member.key), isRoot: false, removed: &removed)
                } else if let additional = schema.additionalProperties,
                    case .schema(let additionalSchema) = additional
                {
                    prune(
                        &sub, schema: additionalSchema, path: child(path, member.key), isRoot: false,
                        removed: &removed)
                } else if case .allowed(true)? = schema.additionalProperties {
                    prune(&sub, schema: nil, path: child(path, member.key), isRoot: false, removed: &removed)
                } else {
                    removed.append(child(path, member.key))
                    object[member.key] = nil
                    continue
                }
                if sub != member.value { object[member.key] = sub }
            }
            value = .object(object)
        case .array(var array):
            for index in array.indices {
                prune(
                    &array[index], schema: schema?.items, path: path + "[\(index)]", isRoot: false,
                    removed: &removed)
            }
            value = .array(array)
        default:
            return
        }
    }

    /// The walk below a preserving level: unknown members stay, known ones are pruned by their
    /// schemas (`skipPrune`).
    private static func skipPrune(
        _ value: inout JSONValue, schema: StructuralSchema, path: String, isRoot: Bool,
        removed: inout [String]
    ) {
        switch value {
        case .object(var object):
            let keepsMeta = isRoot || schema.embeddedResource
            for member in object.members {
                if keepsMeta, metaFields.contains(member.key) { continue }
                var sub = member.value
                if let property = schema.properties[member.key] {
                    prune(
                        &sub, schema: property, path: child(path, member.key), isRoot: false, removed: &removed)
                } else if case .schema(let additional)? = schema.additionalProperties {
                    prune(
                        &sub, schema: additional, path: child(path, member.key), isRoot: false,
                        removed: &removed)
                } else {
                    continue
                }
                if sub != member.value { object[member.key] = sub }
            }
            value = .object(object)
        case .array(var array):
            guard let items = schema.items else { return }
            for index in array.indices {
                skipPrune(
                    &array[index], schema: items, path: path + "[\(index)]", isRoot: false, removed: &removed)
            }
            value = .array(array)
        default:
            return
        }
    }
}
