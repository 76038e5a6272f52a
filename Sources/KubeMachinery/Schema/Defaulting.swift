public import KubeModel

extension StructuralSchema {
    /// Applies schema defaults to a value as kube-apiserver does when it decodes a custom
    /// resource, following `k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting`
    /// (`PruneNonNullableNullsWithoutDefaults` then `Default`):
    ///
    /// - a null in a field that is not `nullable` and has no default is removed;
    /// - a property that is absent, or null while not `nullable`, gets a copy of its `default`;
    /// - an array item or `additionalProperties` value that is null while not `nullable` gets
    ///   the item/value schema's default;
    /// - defaulting then recurses into every property, `additionalProperties` value and array
    ///   item, including values that were just defaulted (so a default object is itself
    ///   defaulted).
    ///
    /// - Parameter value: the object to default, in place; scalars are left alone.
    public func applyDefaults(to value: inout JSONValue) {
        StructuralSchema.pruneNonNullableNulls(&value, schema: self)
        StructuralSchema.applyDefaults(&value, schema: self)
    }

    private static func isNonNullableNull(_ value: JSONValue, _ schema: StructuralSchema) -> Bool {
        value == .null && !schema.nullable
    }

    private static func applyDefaults(_ value: inout JSONValue, schema: StructuralSchema) {
        switch value {
        case .object(var object):
            for name in schema.propertyNames {
                guard let property = schema.properties[name], let defaultValue = property.defaultValue
                else { continue }
                if let current = object[name], !isNonNullableNull(current, property) { continue }
                object[name] = defaultValue
            }
            for member in object.members {
                var child = member.value
                if let property = schema.properties[member.key] {
                    applyDefaults(&child, schema: property)
                } else if case .schema(let additional)? = schema.additionalProperties {
                    if isNonNullableNull(child, additional), let defaultValue = additional.defaultValue {
                        child = defaultValue
                    }
                    applyDefaults(&child, schema: additional)
                } else {
                    continue
                }
                if child != member.value { object[member.key] = child }
            }
            value = .object(object)
        case .array(var array):
            guard let items = schema.items else { return }
            for index in array.indices {
                if isNonNullableNull(array[index], items), let defaultValue = items.defaultValue {
                    array[index] = defaultValue
                }
                applyDefaults(&array[index], schema: items)
            }
            value = .array(array)
        default:
            return
        }
    }

    private static func pruneNonNullableNulls(_ value: inout JSONValue, schema: StructuralSchema) {
        switch value {
        case .object(var object):
            for member in object.members {
                let sub: StructuralSchema
                if let property = schema.properties[member.key] {
                    sub = property
                } else if case .schema(let additional)? = schema.additionalProperties {
                    sub = additional
                } else {
                    continue
                }
                if member.value == .null {
                    if !sub.nullable, sub.defaultValue == nil { object[member.key] = nil }
                } else {
                    var child = member.value
                    pruneNonNullableNulls(&child, schema: sub)
                    if child != member.value { object[member.key] = child }
                }
            }
            value = .object(object)
        case .array(var array):
            guard let items = schema.items else { return }
            for index in array.indices {
                pruneNonNullableNulls(&array[index], schema: items)
            }
            value = .array(array)
        default:
            return
        }
    }
}
