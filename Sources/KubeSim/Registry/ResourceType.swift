import KubeModel

/// One kind of object the simulated API server serves: the facts discovery publishes and the
/// storage layer needs, for built-in kinds and for custom resources alike.
///
/// Mirrors what kube-apiserver's `APIResource` (k8s.io/apimachinery/pkg/apis/meta/v1/types.go)
/// publishes, plus the storage strategy the generic registry (`k8s.io/apiserver/pkg/registry/generic/registry/store.go`) applies.
public struct ResourceType: Sendable, Hashable {
    /// API group; "" for the core group.
    public var group: String
    public var version: String
    /// Plural resource name as it appears in URLs ("pods").
    public var plural: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources served besides the main resource ("status", "binding").
    public var subresources: Set<String>
    /// Field selector keys the resource supports besides metadata.name and metadata.namespace.
    public var extraFieldLabels: [String]
    /// Whether this resource was defined by a CustomResourceDefinition.
    public var isCustom: Bool

    public init(
        group: String, version: String, plural: String, singular: String, kind: String,
        namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
        subresources: Set<String> = [], extraFieldLabels: [String] = [], isCustom: Bool = false,
        listKind: String? = nil
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.extraFieldLabels = extraFieldLabels
        self.isCustom = isCustom
    }

    /// "v1" for the core group, "group/version" otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The key under which objects of this resource are stored (independent of version).
    public var storageKey: GroupResource { GroupResource(group: group, resource: plural) }

    /// "pods" or "agentruntimes.roost.dev", as error messages name a resource.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// "Pod" or "AgentRuntime.roost.dev", as Invalid errors name a kind.
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

    /// The URL path prefix of the group version: "/api/v1" or "/apis/group/version".
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The field selector keys accepted on lists and watches of this resource.
    public var fieldLabels: Set<String> {
        var labels: Set<String> = ["metadata.name"]
        if namespaced { labels.insert("metadata.namespace") }
        labels.formUnion(extraFieldLabels)
        return labels
    }

    /// The verbs discovery advertises.
    public var verbs: [String] {
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

/// A resource independent of version: the unit of storage.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
