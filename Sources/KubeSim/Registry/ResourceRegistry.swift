import KubeMachinery
import KubeModel
import Synchronization

/// A custom resource version served because a CustomResourceDefinition says so.
public struct CustomResourceVersion: Sendable {
    public var type: ResourceType
    /// The structural form of `schema.openAPIV3Schema`, parsed once when the CRD is written.
    public var structural: StructuralSchema?
    /// `additionalPrinterColumns` of this version.
    public var printerColumns: [CRDValidation.PrinterColumn]
    public var storage: Bool
    /// `schema.openAPIV3Schema` as written, published in the group version's OpenAPI v3 document.
    public var openAPISchema: JSONValue?
}

/// Every resource the server serves right now: the built-in ones and those defined by
/// CustomResourceDefinitions, which appear and disappear as CRDs are created and deleted
/// (`k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go`).
public final class ResourceRegistry: Sendable {
    private struct State {
        var builtins: [ResourceType]
        var custom: [String: [CustomResourceVersion]] = [:]  // CRD name -> versions
    }

    private let state: Mutex<State>

    init(builtins: [ResourceType]) {
        state = Mutex(State(builtins: builtins))
    }

    /// All served resources (all versions).
    public var all: [ResourceType] {
        state.withLock { state in state.builtins + state.custom.values.flatMap { $0.map(\.type) } }
    }

    /// The resource served at group/version/plural, if any.
    public func lookup(group: String, version: String, plural: String) -> ResourceType? {
        state.withLock { state in
            if let builtin = state.builtins.first(where: { $0.group == group && $0.version == version && $0.plural == plural }) {
                return builtin
            }
            for versions in state.custom.values {
                if let match = versions.first(where: {
                    $0.type.group == group && $0.type.version == version && $0.type.plural == plural
                }) {
                    return match.type
                }
            }
            return nil
        }
    }

    /// A served version of a stored resource (any one: they share storage), without building
    /// the full list — this runs on every write.
    public func lookup(_ resource: GroupResource) -> ResourceType? {
        state.withLock { state in
            if let builtin = state.builtins.first(where: { $0.storageKey == resource }) { return builtin }
            for versions in state.custom.values {
                if let match = versions.first(where: { $0.type.storageKey == resource }) { return match.type }
            }
            return nil
        }
    }

    /// The custom resource version for a type, when it is a custom resource.
    public func customVersion(of type: ResourceType) -> CustomResourceVersion? {
        state.withLock { state in
            for versions in state.custom.values {
                if let match = versions.first(where: { $0.type == type }) { return match }
            }
            return nil
        }
    }

    /// The group versions served, in discovery order: core first, then groups by name with
    /// their versions as declared.
    public func groupVersions() -> [(group: String, versions: [String])] {
        let all = self.all
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for type in all {
            if versions[type.group] == nil { order.append(type.group) }
            if !(versions[type.group]?.contains(type.version) ?? false) {
                versions[type.group, default: []].append(type.version)
            }
        }
        return order.map { ($0, versions[$0] ?? []) }
    }

    /// Registers (or replaces) the served versions of a CRD; called when the CRD is written.
    func setCustom(crdName: String, versions: [CustomResourceVersion]) {
        state.withLock { $0.custom[crdName] = versions.isEmpty ? nil : versions }
    }

    func removeCustom(crdName: String) {
        _ = state.withLock { $0.custom.removeValue(forKey: crdName) }
    }

    /// Builds the served versions from a CRD object; versions not served are skipped.
    static func customVersions(fromCRD object: JSONValue) -> [CustomResourceVersion] {
        let crd = CRDValidation(object)
        guard !crd.group.isEmpty, !crd.names.plural.isEmpty, !crd.names.kind.isEmpty else { return [] }
        return crd.versions.filter(\.served).map { version in
            var subresources: Set<String> = []
            if version.statusSubresource { subresources.insert("status") }
            if version.scale != nil { subresources.insert("scale") }
            let raw = object["spec"]?["versions"]?.arrayValue?.first { $0["name"]?.stringValue == version.name }
            let selectable =
                raw?["selectableFields"]?.arrayValue?.compactMap { field -> String? in
                    guard let path = field["jsonPath"]?.stringValue else { return nil }
                    return path.hasPrefix(".") ? String(path.dropFirst()) : path
                } ?? []
            let type = ResourceType(
                group: crd.group, version: version.name, plural: crd.names.plural, singular: crd.names.singular,
                kind: crd.names.kind, namespaced: crd.scope != "Cluster", shortNames: crd.names.shortNames,
                categories: crd.names.categories, subresources: subresources, extraFieldLabels: selectable,
                isCustom: true, listKind: crd.names.listKind)
            return CustomResourceVersion(
                type: type, structural: version.schema, printerColumns: version.printerColumns, storage: version.storage,
                openAPISchema: raw?["schema"]?["openAPIV3Schema"])
        }
    }
}
