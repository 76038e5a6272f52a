public import KubeModel

extension StructuralSchema {
    /// Validates a value (a whole custom resource, or the part of one this schema describes)
    /// the way kube-apiserver validates custom resources on create and update.
    ///
    /// First the OpenAPI value validation of kube-openapi's `validate.SchemaValidator`, converted
    /// to field errors as `kubeOpenAPIResultToFieldErrors` in
    /// `k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go` does; then the
    /// `x-kubernetes-list-type` set/map uniqueness of `.../pkg/apiserver/schema/listtype`.
    /// Per node the checks run in kube-openapi's order: type, allOf/anyOf/oneOf/not, string
    /// (maxLength, minLength, pattern; the first failure only), format, number (multipleOf,
    /// maximum, minimum), array (items, minItems, maxItems, uniqueItems), enum, object
    /// (min/maxProperties, which end the object's checks; additionalProperties; properties in
    /// schema order; required).
    ///
    /// - Parameters:
    ///   - value: the JSON value to check.
    ///   - path: the field path of `value`; empty for a resource root (then a field-less error is
    ///     reported on `<nil>`, as the Go server prints a nil `*field.Path`).
    ///   - checkIntegerFormats: also reject integers outside the range of `format: int32` /
    ///     `int64`, reported like a `minimum`/`maximum` failure. kube-apiserver does not do this
    ///     (kube-openapi's number validator ignores numeric formats), so it is off by default.
    /// - Returns: the errors, empty when the value is valid.
    public func validate(_ value: JSONValue, root path: String = "", checkIntegerFormats: Bool = false) -> [FieldError] {
        var validator = OpenAPIValidator(root: path)
        validator.checkIntegerFormats = checkIntegerFormats
        validator.validate(value, schema: self, name: "")
        var errors = validator.errors
        errors += ListTypeValidator.validate(value, schema: self, path: path)
        return errors
    }
}

/// The value validation of kube-openapi's `pkg/validation/validate`, producing field errors.
struct OpenAPIValidator {
    let root: String
    var errors: [FieldError] = []
    var checkIntegerFormats = false

    init(root: String) { self.root = root }

    /// The field path of a kube-openapi error name (`errPath.Child(strings.TrimPrefix(name, "."))`).
    func field(_ name: String) -> String {
        guard !name.isEmpty, name != "." else { return root.isEmpty ? "<nil>" : root }
        let trimmed = name.hasPrefix(".") ? String(name.dropFirst()) : name
        return root.isEmpty ? trimmed : root + "." + trimmed
    }

    /// A composite (non-`*errors.Validation`) error: reported on the validator's root path.
    mutating func composite(_ message: String) {
        errors.append(.invalid(root.isEmpty ? "<nil>" : root, "", message))
    }

    mutating func typeFailure(_ name: String, expected: String, got: String) {
        errors.append(
            .typeInvalid(
                field(name), .string(got),
                "\(name) in body must be of type \(expected): \(GoFormat.quote(got))"))
    }

    /// Validates `value` against `schema` at kube-openapi path `name`.
    mutating func validate(_ value: JSONValue, schema: StructuralSchema, name: String) {
        let types = schema.allowedTypes
        if value == .null {
            if !types.isEmpty, !schema.nullable {
                typeFailure(name, expected: types.joined(separator: ","), got: "null")
            }
            validateEnum(value, schema: schema, name: name)
            return
        }
        if !types.isEmpty || schema.format.map({ !$0.isEmpty }) == true {
            validateType(value, schema: schema, types: types, name: name)
        }
        validateCombinators(value, schema: schema, name: name)
        if case .string(let string) = value {
            validateString(string, schema: schema, name: name)
            if let format = schema.format, let checker = Formats.checker(for: format), !checker(string) {
                errors.append(
                    .typeInvalid(
                        field(name), value,
                        "\(name) in body must be of type \(format): \(GoFormat.quote(string))"))
            }
        }
        switch value {
        case .int, .double: validateNumber(value, schema: schema, name: name)
        case .array(let array): validateArray(array, schema: schema, name: name)
        default: break
        }
        validateEnum(value, schema: schema, name: name)
        if case .object(let object) = value {
            validateObject(object, schema: schema, name: name)
        }
    }

    /// kube-openapi's `typeValidator`.
    private mutating func validateType(
        _ value: JSONValue, schema: StructuralSchema, types: [String], name: String
    ) {
        let schType = value.typeName
        let dataFormat: String
        switch value {
        case .int: dataFormat = "int64"
        case .double: dataFormat = "float64"
        default: dataFormat = ""
        }
        let isFloatInt: Bool
        if case .double(let double) = value {
            isFloatInt = Formats.isJSONInteger(double) && types.contains("integer")
        } else {
            isFloatInt = false
        }
        let isIntFloat = schType == "integer" && types.contains("number")
        let format = schema.format ?? ""
        let isStringOrArray: Bool
        switch value {
        case .string, .array: isStringOrArray = true
        default: isStringOrArray = false
        }
        if !isStringOrArray, !format.isEmpty,
            !(types.contains(schType) || dataFormat == format || isFloatInt || isIntFloat)
        {
            typeFailure(name, expected: format, got: dataFormat)
            return
        }
        if !(types.contains("number") || types.contains("integer")), !format.isEmpty, isStringOrArray {
            return
        }
        if !(types.contains(schType) || isFloatInt || isIntFloat) {
            typeFailure(name, expected: types.joined(separator: ","), got: schType)
        }
    }

    /// kube-openapi's `schemaPropsValidator`: anyOf, oneOf, allOf, not. The best failing
    /// alternative is approximated as the one with the fewest errors (kube-openapi counts passed
    /// checks).
    private mutating func validateCombinators(
        _ value: JSONValue, schema: StructuralSchema, name: String
    ) {
        func run(_ sub: StructuralSchema) -> [FieldError] {
            var nested = OpenAPIValidator(root: root)
            nested.validate(value, schema: sub, name: name)
            return nested.errors
        }
        let quotedName = GoFormat.quote(name)
        if !schema.anyOf.isEmpty {
            var best: [FieldError]?
            var succeeded = false
            for sub in schema.anyOf {
                let result = run(sub)
                if result.isEmpty {
                    succeeded = true
                    best = nil
                    break
                }
                if best == nil || result.count < (best?.count ?? 0) { best = result }
            }
            if !succeeded { composite("\(quotedName) must validate at least one schema (anyOf)") }
            errors += best ?? []
        }
        if !schema.oneOf.isEmpty {
            var best: [FieldError]?
            var validated = 0
            for sub in schema.oneOf {
                let result = run(sub)
                if result.isEmpty {
                    validated += 1
                    best = nil
                    continue
                }
                if validated == 0, best == nil || result.count < (best?.count ?? 0) { best = result }
            }
            if validated != 1 {
                let extra = validated == 0 ? "Found none valid" : "Found \(validated) valid alternatives"
                composite("\(quotedName) must validate one and only one schema (oneOf). \(extra)")
                errors += best ?? []
            }
        }
        if !schema.allOf.isEmpty {
            var validated = 0
            for sub in schema.allOf {
                let result = run(sub)
                if result.isEmpty { validated += 1 }
                errors += result
            }
            if validated != schema.allOf.count {
                composite(
                    "\(quotedName) must validate all the schemas (allOf)\(validated == 0 ? ". None validated" : "")"
                )
            }
        }
        if let not = schema.not, run(not).isEmpty {
            composite("\(quotedName) must not validate the schema (not)")
        }
    }

    /// kube-openapi's `stringValidator`: only the first failing check is reported.
    private mutating func validateString(_ string: String, schema: StructuralSchema, name: String) {
        let length = Int64(string.unicodeScalars.count)
        if let maxLength = schema.maxLength, length > maxLength {
            errors.append(.tooLong(field(name), .string(string), maxLength: maxLength))
            return
        }
        if let minLength = schema.minLength, length < minLength {
            errors.append(
                .invalid(
                    field(name), .string(string), "\(name) in body should be at least \(minLength) chars long"
                ))
            return
        }
        if let pattern = schema.pattern, !Formats.matches(string, pattern: pattern) {
            errors.append(
                .invalid(field(name), .string(string), "\(name) in body should match '\(pattern)'"))
        }
    }

    /// kube-openapi's `numberValidator`: integers are compared with the bounds truncated to
    /// integers (`MinimumNativeType`), doubles with the bounds as doubles.
    private mutating func validateNumber(_ value: JSONValue, schema: StructuralSchema, name: String) {
        if checkIntegerFormats, let format = schema.format.map(Formats.normalized),
            format == "int32" || format == "int64"
        {
            let lower: Double = format == "int32" ? Double(Int32.min) : -9.223372036854775808e18
            let upper: Double = format == "int32" ? Double(Int32.max) : 9.223372036854775807e18
            if let double = value.doubleValue {
                if double < lower {
                    let bound = format == "int32" ? String(Int32.min) : String(Int64.min)
                    errors.append(
                        .invalid(field(name), value, "\(name) in body should be greater than or equal to \(bound)"))
                } else if double > upper || (format == "int64" && value.intValue == nil && double >= upper) {
                    let bound = format == "int32" ? String(Int32.max) : String(Int64.max)
                    errors.append(
                        .invalid(field(name), value, "\(name) in body should be less than or equal to \(bound)"))
                }
            }
        }
        if let multipleOf = schema.multipleOf {
            if case .int(let int) = value, let factor = Formats.truncated(multipleOf), factor != 0 {
                if int % factor != 0 {
                    errors.append(
                        .invalid(field(name), value, "\(name) in body should be a multiple of \(factor)"))
                }
            } else if let double = value.doubleValue {
                let quotient = multipleOf < 1 ? 1 / multipleOf * double : double / multipleOf
                if !Formats.isJSONInteger(quotient) {
                    errors.append(
                        .invalid(
                            field(name), value,
                            "\(name) in body should be a multiple of \(GoFormat.float(multipleOf))"))
                }
            }
        }
        if let maximum = schema.maximum {
            let exclusive = schema.exclusiveMaximum
            let relation = exclusive ? "less than" : "less than or equal to"
            if case .int(let int) = value, let bound = Formats.truncated(maximum) {
                if exclusive ? int >= bound : int > bound {
                    errors.append(
                        .invalid(field(name), value, "\(name) in body should be \(relation) \(bound)"))
                }
            } else if let double = value.doubleValue, exclusive ? double >= maximum : double > maximum {
                errors.append(
                    .invalid(
                        field(name), value, "\(name) in body should be \(relation) \(GoFormat.float(maximum))"))
            }
        }
        if let minimum = schema.minimum {
            let exclusive = schema.exclusiveMinimum
            let relation = exclusive ? "greater than" : "greater than or equal to"
            if case .int(let int) = value, let bound = Formats.truncated(minimum) {
                if exclusive ? int <= bound : int < bound {
                    errors.append(
                        .invalid(field(name), value, "\(name) in body should be \(relation) \(bound)"))
                }
            } else if let double = value.doubleValue, exclusive ? double <= minimum : double < minimum {
                errors.append(
                    .invalid(
                        field(name), value, "\(name) in body should be \(relation) \(GoFormat.float(minimum))"))
            }
        }
    }

    /// kube-openapi's `schemaSliceValidator`.
    private mutating func validateArray(_ array: [JSONValue], schema: StructuralSchema, name: String) {
        if let items = schema.items {
            for (index, element) in array.enumerated() {
                validate(element, schema: items, name: "\(name)[\(index)]")
            }
        }
        let size = Int64(array.count)
        if let minItems = schema.minItems, size < minItems {
            errors.append(
                .invalid(field(name), .int(size), "\(name) in body should have at least \(minItems) items"))
        }
        if let maxItems = schema.maxItems, size > maxItems {
            errors.append(.tooMany(field(name), actual: size, max: maxItems))
        }
        if schema.uniqueItems {
            var seen = Set<JSONValue>()
            for element in array where !seen.insert(element).inserted {
                errors.append(.invalid(field(name), "", "\(name) in body shouldn't contain duplicates"))
                break
            }
        }
    }

    /// kube-openapi's `basicCommonValidator` (enum), reported as `field.NotSupported` with the
    /// allowed values (strings as they are, others JSON-encoded).
    private mutating func validateEnum(_ value: JSONValue, schema: StructuralSchema, name: String) {
        guard let allowed = schema.enumValues, !allowed.isEmpty else { return }
        for candidate in allowed where Formats.enumEqual(value, candidate) { return }
        let supported = allowed.map { candidate -> String in
            if case .string(let string) = candidate { return string }
            return GoFormat.json(candidate)
        }
        errors.append(.notSupported(field(name), value, supported))
    }

    /// kube-openapi's `objectValidator`.
    private mutating func validateObject(_ object: JSONObject, schema: StructuralSchema, name: String) {
        let count = Int64(object.count)
        if let minProperties = schema.minProperties, count < minProperties {
            errors.append(
                .invalid(
                    field(name), .int(count),
                    "\(name) in body should have at least \(minProperties) properties"))
            return
        }
        if let maxProperties = schema.maxProperties, count > maxProperties {
            errors.append(.tooMany(field(name), actual: count, max: maxProperties))
            return
        }
        switch schema.additionalProperties {
        case .allowed(false)?:
            for member in object.members where schema.properties[member.key] == nil {
                errors.append(
                    .invalid(
                        field(name), .string(member.key),
                        "\(name).\(member.key) in body is a forbidden property"))
            }
        case .schema(let additional)?:
            for member in object.members where schema.properties[member.key] == nil {
                validate(member.value, schema: additional, name: name + "." + member.key)
            }
        default:
            break
        }
        for propertyName in schema.propertyNames {
            guard let propertySchema = schema.properties[propertyName],
                let propertyValue = object[propertyName]
            else {
                continue
            }
            validate(
                propertyValue, schema: propertySchema,
                name: name.isEmpty ? propertyName : name + "." + propertyName)
        }
        for key in schema.required where object[key] == nil {
            errors.append(.required(field(name + "." + key)))
        }
    }
}

/// The `x-kubernetes-list-type` invariants of
/// `k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go`: items of a
/// `set` are unique, items of a `map` are objects unique by their `x-kubernetes-list-map-keys`.
enum ListTypeValidator {
    static func validate(_ value: JSONValue, schema: StructuralSchema, path: String) -> [FieldError] {
        guard case .object(let object) = value else { return [] }
        return validateObject(object, schema: schema, path: path)
    }

    private static func child(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    private static func validateObject(_ object: JSONObject, schema: StructuralSchema, path: String)
        -> [FieldError]
    {
        var errors: [FieldError] = []
        if case .schema(let additional)? = schema.additionalProperties {
            for member in object.members {
                errors += validateValue(member.value, schema: additional, path: path + "[\(member.key)]")
            }
        }
        for member in object.members {
            if let sub = schema.properties[member.key] {
                errors += validateValue(member.value, schema: sub, path: child(path, member.key))
            }
        }
        return errors
    }

    private static func validateValue(_ value: JSONValue, schema: StructuralSchema, path: String)
        -> [FieldError]
    {
        switch value {
        case .object(let object): return validateObject(object, schema: schema, path: path)
        case .array(let array):
            var errors: [FieldError] = []
            switch schema.listType {
            case .set?: errors += validateSet(array, path: path)
            case .map?: errors += validateMap(array, schema: schema, path: path)
            default: break
            }
            if let items = schema.items {
                for (index, element) in array.enumerated() {
                    errors += validateValue(element, schema: items, path: path + "[\(index)]")
                }
            }
            return errors
        default: return []
        }
    }

    private static func validateSet(_ array: [JSONValue], path: String) -> [FieldError] {
        guard array.count > 1 else { return [] }
        var seen: [JSONValue: Int] = [:]
        var errors: [FieldError] = []
        for (index, element) in array.enumerated() {
            let times = seen[element, default: 0]
            seen[element] = times + 1
            if times == 1 { errors.append(.duplicate(path + "[\(index)]", element)) }
        }
        return errors
    }

    private static func validateMap(_ array: [JSONValue], schema: StructuralSchema, path: String)
        -> [FieldError]
    {
        for (index, element) in array.enumerated() {
            switch element {
            case .null, .object: continue
            default:
                return [
                    .invalid(path + "[\(index)]", element, "must be an object for an array of list-type map")
                ]
            }
        }
        guard array.count > 1 else { return [] }
        var seen: [JSONValue: Int] = [:]
        var errors: [FieldError] = []
        for (index, element) in array.enumerated() {
            guard case .object(let object) = element else { continue }
            var keys = JSONObject()
            for key in schema.listMapKeys {
                if let value = object[key] ?? schema.items?.properties[key]?.defaultValue {
                    keys[key] = value
                }
            }
            let identity = JSONValue.object(keys)
            let times = seen[identity, default: 0]
            seen[identity] = times + 1
            if times == 1 { errors.append(.duplicate(path + "[\(index)]", identity)) }
        }
        return errors
    }
}
