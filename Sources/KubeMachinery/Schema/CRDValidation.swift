public import KubeModel

/// A CustomResourceDefinition (`apiextensions.k8s.io/v1`) read from its JSON, with the pieces
/// the simulated apiserver serves from, and the most important checks of
/// `k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go`.
///
/// Defaults of `SetDefaults_CustomResourceDefinition` are applied when reading: `singular` is the
/// lower-cased kind and `listKind` is `<kind>List` when absent.
public struct CRDValidation: Sendable {
    /// `spec.names`.
    public struct Names: Sendable, Hashable {
        public var plural: String
        public var singular: String
        public var kind: String
        public var listKind: String
        public var shortNames: [String]
        public var categories: [String]
    }

    /// One entry of `spec.additionalPrinterColumns` of a version.
    public struct PrinterColumn: Sendable, Hashable {
        public var name: String
        public var type: String
        public var jsonPath: String
        public var description: String?
        public var priority: Int64
        public var format: String?
    }

    /// `subresources.scale`.
    public struct ScaleSubresource: Sendable, Hashable {
        public var specReplicasPath: String
        public var statusReplicasPath: String
        public var labelSelectorPath: String?
    }

    /// One entry of `spec.versions`.
    public struct Version: Sendable {
        public var name: String
        public var served: Bool
        public var storage: Bool
        public var deprecated: Bool
        public var deprecationWarning: String?
        /// The parsed `schema.openAPIV3Schema`; nil when absent.
        public var schema: StructuralSchema?
        /// The raw `schema.openAPIV3Schema`.
        public var rawSchema: JSONValue?
        /// Why the schema did not parse, if it did not.
        public var schemaError: SchemaError?
        public var statusSubresource: Bool
        public var scale: ScaleSubresource?
        public var printerColumns: [PrinterColumn]
    }

    /// The whole CRD object as given.
    public let object: JSONValue
    public let name: String
    public let group: String
    public let names: Names
    /// `Namespaced` or `Cluster`.
    public let scope: String
    public let versions: [Version]

    /// Reads a CRD object. Never fails: missing or mistyped members read as empty, and
    /// ``validate()`` reports them.
    public init(_ object: JSONValue) {
        self.object = object
        name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let spec = object["spec"] ?? .object(JSONObject())
        group = spec["group"]?.stringValue ?? ""
        scope = spec["scope"]?.stringValue ?? ""
        let rawNames = spec["names"] ?? .object(JSONObject())
        let kind = rawNames["kind"]?.stringValue ?? ""
        func strings(_ value: JSONValue?) -> [String] {
            value?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        names = Names(
            plural: rawNames["plural"]?.stringValue ?? "",
            singular: rawNames["singular"]?.stringValue ?? kind.lowercased(),
            kind: kind,
            listKind: rawNames["listKind"]?.stringValue ?? (kind.isEmpty ? "" : kind + "List"),
            shortNames: strings(rawNames["shortNames"]),
            categories: strings(rawNames["categories"]))
        versions = (spec["versions"]?.arrayValue ?? []).map { version in
            let raw = version[path: ["schema", "openAPIV3Schema"]]
            var parsed: StructuralSchema?
            var schemaError: SchemaError?
            if let raw {
                do throws(SchemaError) { parsed = try StructuralSchema(raw) } catch { schemaError = error }
            }
            let subresources = version["subresources"]
            var scale: ScaleSubresource?
            if let rawScale = subresources?["scale"] {
                scale = ScaleSubresource(
                    specReplicasPath: rawScale["specReplicasPath"]?.stringValue ?? "",
                    statusReplicasPath: rawScale["statusReplicasPath"]?.stringValue ?? "",
                    labelSelectorPath: rawScale["labelSelectorPath"]?.stringValue)
            }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).map { column in
                PrinterColumn(
                    name: column["name"]?.stringValue ?? "",
                    type: column["type"]?.stringValue ?? "",
                    jsonPath: column["jsonPath"]?.stringValue ?? "",
                    description: column["description"]?.stringValue,
                    priority: column["priority"]?.intValue ?? 0,
                    format: column["format"]?.stringValue)
            }
            return Version(
                name: version["name"]?.stringValue ?? "",
                served: version["served"]?.boolValue ?? false,
                storage: version["storage"]?.boolValue ?? false,
                deprecated: version["deprecated"]?.boolValue ?? false,
                deprecationWarning: version["deprecationWarning"]?.stringValue,
                schema: parsed,
                rawSchema: raw,
                schemaError: schemaError,
                statusSubresource: subresources?["status"] != nil,
                scale: scale,
                printerColumns: columns)
        }
    }

    /// The names of the served versions, in document order.
    public var servedVersions: [String] { versions.filter(\.served).map(\.name) }

    /// The storage version's name, when exactly one version is marked `storage: true`.
    public var storageVersion: String? {
        let storage = versions.filter(\.storage)
        return storage.count == 1 ? storage[0].name : nil
    }

    /// The version named `name`.
    public func version(_ name: String) -> Version? { versions.first { $0.name == name } }

    /// The parsed schema of version `name`.
    public func schema(forVersion name: String) -> StructuralSchema? { version(name)?.schema }

    // MARK: - Validation

    static let dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

    /// `validation.IsDNS1035Label`'s messages, joined with "," as the CRD validation joins them.
    static func dns1035Errors(_ value: String) -> String? {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !Formats.matches(value, pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$") {
            errors.append(dns1035Message)
        }
        return errors.isEmpty ? nil : errors.joined(separator: ",")
    }

    static func dns1123SubdomainErrors(_ value: String) -> String? {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        if !Formats.matches(
            value, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
        {
            errors.append(dns1123SubdomainMessage)
        }
        return errors.isEmpty ? nil : errors.joined(separator: ",")
    }

    /// Checks the CRD as kube-apiserver does on create, for the rules that matter most:
    ///
    /// - `metadata.name` must be `<spec.names.plural>.<spec.group>`
    ///   (`Invalid value: "x": must be spec.names.plural+"."+spec.group`);
    /// - `spec.group` required, a DNS subdomain with at least one dot;
    /// - `spec.scope` must be `Cluster` or `Namespaced`;
    /// - at least one version, exactly one storage version, unique DNS-1035 version names;
    /// - every version has a schema (`...openAPIV3Schema: Required value: schemas are required`)
    ///   that parses and is structural (a root of type object; `type` set on every specified
    ///   field and array item unless int-or-string or an embedded resource);
    /// - names: plural, singular, kind, listKind required; DNS-1035 labels (kind and listKind
    ///   case-insensitively); kind and listKind differ; short names and categories DNS-1035.
    ///
    /// Messages and ordering follow `ValidateCustomResourceDefinition`; where Go would print a
    /// Go struct as the bad value (the version list), a short Go-like rendering is used.
    ///
    /// - Returns: the field errors, empty when the CRD is acceptable.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if name.isEmpty {
            errors.append(.required("metadata.name", "name or generateName is required"))
        } else {
            if let message = CRDValidation.dns1123SubdomainErrors(name) {
                errors.append(.invalid("metadata.name", .string(name), message))
            }
            if name != names.plural + "." + group {
                errors.append(
                    .invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
            }
        }

        if group.isEmpty {
            errors.append(.required("spec.group"))
        } else if let message = CRDValidation.dns1123SubdomainErrors(group) {
            errors.append(.invalid("spec.group", .string(group), message))
        } else if !group.contains(".") {
            errors.append(
                .invalid("spec.group", .string(group), "should be a domain with at least one dot"))
        }

        if scope.isEmpty {
            errors.append(.required("spec.scope"))
        } else if scope != "Cluster", scope != "Namespaced" {
            errors.append(.notSupported("spec.scope", .string(scope), ["Cluster", "Namespaced"]))
        }

        var seenVersions = Set<String>()
        var uniqueNames = true
        for (index, version) in versions.enumerated() {
            let path = "spec.versions[\(index)]"
            if !seenVersions.insert(version.name).inserted { uniqueNames = false }
            if let message = CRDValidation.dns1035Errors(version.name) {
                errors.append(.invalid(path + ".name", .string(version.name), message))
            }
            errors += validateSchema(of: version, path: path + ".schema.openAPIV3Schema")
        }
        let versionsValue = FieldError.BadValue.verbatim(
            "[]apiextensions.CustomResourceDefinitionVersion{"
                + versions.map {
                    "apiextensions.CustomResourceDefinitionVersion{Name:\(GoFormat.quote($0.name)), Served:\($0.served), Storage:\($0.storage), ...}"
                }.joined(separator: ", ") + "}")
        if versions.isEmpty {
            errors.append(
                FieldError(
                    type: .required, field: "spec.versions",
                    detail: "must have exactly one version marked as storage version"))
        } else if versions.filter(\.storage).count != 1 {
            errors.append(
                FieldError(
                    type: .invalid, field: "spec.versions", badValue: versionsValue,
                    detail: "must have exactly one version marked as storage version"))
        }
        if !uniqueNames {
            errors.append(
                FieldError(
                    type: .invalid, field: "spec.versions", badValue: versionsValue,
                    detail: "must contain unique version names"))
        }

        errors += validateNames()
        return errors
    }

    private func validateNames() -> [FieldError] {
        var errors: [FieldError] = []
        let rawNames = object[path: ["spec", "names"]]
        if names.plural.isEmpty { errors.append(.required("spec.names.plural")) }
        if (rawNames?["singular"]?.stringValue ?? names.singular).isEmpty {
            errors.append(.required("spec.names.singular"))
        }
        if names.kind.isEmpty { errors.append(.required("spec.names.kind")) }
        if names.listKind.isEmpty { errors.append(.required("spec.names.listKind")) }
        if !names.plural.isEmpty, let message = CRDValidation.dns1035Errors(names.plural) {
            errors.append(.invalid("spec.names.plural", .string(names.plural), message))
        }
        if !names.singular.isEmpty, let message = CRDValidation.dns1035Errors(names.singular) {
            errors.append(.invalid("spec.names.singular", .string(names.singular), message))
        }
        if !names.kind.isEmpty, let message = CRDValidation.dns1035Errors(names.kind.lowercased()) {
            errors.append(
                .invalid(
                    "spec.names.kind", .string(names.kind),
                    "may have mixed case, but should otherwise match: " + message))
        }
        if !names.listKind.isEmpty,
            let message = CRDValidation.dns1035Errors(names.listKind.lowercased())
        {
            errors.append(
                .invalid(
                    "spec.names.listKind", .string(names.listKind),
                    "may have mixed case, but should otherwise match: " + message))
        }
        for (index, shortName) in names.shortNames.enumerated() {
            if let message = CRDValidation.dns1035Errors(shortName) {
                errors.append(.invalid("spec.names.shortNames[\(index)]", .string(shortName), message))
            }
        }
        if !names.kind.isEmpty, names.kind == names.listKind {
            errors.append(
                .invalid(
                    "spec.names.listKind", .string(names.listKind), "kind and listKind may not be the same"))
        }
        for (index, category) in names.categories.enumerated() {
            if let message = CRDValidation.dns1035Errors(category) {
                errors.append(.invalid("spec.names.categories[\(index)]", .string(category), message))
            }
        }
        return errors
    }

    private func validateSchema(of version: Version, path: String) -> [FieldError] {
        guard version.rawSchema != nil else {
            return [.required(path, "schemas are required")]
        }
        if let schemaError = version.schemaError {
            let field = schemaError.path.isEmpty ? path : path + "." + schemaError.path
            return [.invalid(field, "", schemaError.description)]
        }
        guard let schema = version.schema else { return [] }
        var errors: [FieldError] = []
        if let type = schema.type, type != "object" {
            errors.append(.invalid(path + ".type", .string(type), "must be object at the root"))
        }
        CRDValidation.structuralErrors(schema, level: .root, path: path, into: &errors)
        return errors
    }

    enum Level { case root, item, field }

    /// The completeness rules of `apiserver/schema/validation.go` (`validateStructuralInvariants`
    /// and `validateStructuralCompleteness`), the common subset.
    static func structuralErrors(
        _ schema: StructuralSchema, level: Level, path: String, into errors: inout [FieldError]
    ) {
        if schema.type == nil, !schema.intOrString,
            !(schema.embeddedResource && schema.preservesUnknownFields)
        {
            let detail: String
            switch level {
            case .root: detail = "must not be empty at the root"
            case .item: detail = "must not be empty for specified array items"
            case .field: detail = "must not be empty for specified object fields"
            }
            errors.append(.required(path + ".type", detail))
        }
        if schema.embeddedResource, let type = schema.type, type != "object" {
            errors.append(
                .invalid(
                    path + ".type", .string(type), "must be object if x-kubernetes-embedded-resource is true")
            )
        }
        if schema.intOrString, let type = schema.type {
            errors.append(
                .invalid(
                    path + ".type", .string(type), "must be empty if x-kubernetes-int-or-string is true"))
        }
        if schema.uniqueItems {
            errors.append(
                .forbidden(
                    path + ".uniqueItems",
                    "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if !schema.properties.isEmpty, schema.additionalProperties != nil {
            errors.append(
                .forbidden(
                    path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"
                ))
        }
        if schema.listType == .map, schema.listMapKeys.isEmpty {
            errors.append(
                .required(
                    path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"
                ))
        }
        for name in schema.propertyNames {
            if let property = schema.properties[name] {
                structuralErrors(
                    property, level: .field, path: path + ".properties[\(name)]", into: &errors)
            }
        }
        if let items = schema.items {
            structuralErrors(items, level: .item, path: path + ".items", into: &errors)
        } else if schema.type == "array" {
            errors.append(.required(path + ".items", "must be specified"))
        }
        if case .schema(let additional)? = schema.additionalProperties {
            structuralErrors(
                additional, level: .field, path: path + ".additionalProperties", into: &errors)
        }
    }
}
