/// The patch metadata of one field of a Kubernetes object, as the Go struct tags
/// `patchStrategy`/`patchMergeKey` (and the `+listType`/`+listMapKey` markers for server-side
/// apply) declare it in `k8s.io/api`. It is what `k8s.io/apimachinery/pkg/util/strategicpatch`
/// reads through `LookupPatchMeta`, and what structured-merge-diff reads from the OpenAPI schema.
///
/// A schema node describes one value: for an object, ``fields`` gives the schema of known members
/// (unknown members, including the keys of `map[string]...` fields such as `labels`, get
/// ``opaque``: objects merge recursively, lists are atomic); for a list, ``listMergeKey``,
/// ``listIsMergedPrimitives`` and ``items`` say how it merges. A list with neither a merge key nor
/// merged primitives is atomic (`patchStrategy` absent, `+listType=atomic`): patches replace it
/// whole and server-side apply owns it as one field.
public final class PatchSchema: Sendable {
    /// Schemas of the known members of an object value.
    public let fields: [String: PatchSchema]
    /// For a list of objects with `patchStrategy:"merge"`: the `patchMergeKey`.
    public let listMergeKey: String?
    /// For server-side apply: the `+listMapKey` fields identifying an element (defaults to the
    /// merge key alone), e.g. `containerPort` and `protocol` for container ports.
    public let listMapKeys: [String]
    /// For a list of primitives with `patchStrategy:"merge"` (`+listType=set`), e.g.
    /// `metadata.finalizers`: patches union the values.
    public let listIsMergedPrimitives: Bool
    /// The schema of a list's elements.
    public let items: PatchSchema?
    /// Whether the field's `patchStrategy` includes `retainKeys` (e.g. `PodSpec.volumes`,
    /// `DeploymentSpec.strategy`). Informational: the `$retainKeys` directive is honoured wherever
    /// it appears, as kube-apiserver does.
    public let retainKeysStrategy: Bool

    /// Creates a schema node; prefer the static helpers ``object(_:retainKeys:)``,
    /// ``mergeList(key:mapKeys:retainKeys:of:)``, ``primitiveSet`` and ``atomic``.
    public init(
        fields: [String: PatchSchema] = [:], listMergeKey: String? = nil, listMapKeys: [String]? = nil,
        listIsMergedPrimitives: Bool = false, items: PatchSchema? = nil,
        retainKeysStrategy: Bool = false
    ) {
        self.fields = fields
        self.listMergeKey = listMergeKey
        self.listMapKeys = listMapKeys ?? listMergeKey.map { [$0] } ?? []
        self.listIsMergedPrimitives = listIsMergedPrimitives
        self.items = items
        self.retainKeysStrategy = retainKeysStrategy
    }

    /// No metadata: objects merge member by member, lists are atomic.
    public static let opaque = PatchSchema()
    /// An atomic list or value (no `patchStrategy`); the same as ``opaque``, named for clarity.
    public static let atomic = opaque
    /// A list of primitives merged as a set (`patchStrategy:"merge"`, `+listType=set`).
    public static let primitiveSet = PatchSchema(listIsMergedPrimitives: true)

    /// An object with the given known members.
    public static func object(_ fields: [String: PatchSchema], retainKeys: Bool = false)
        -> PatchSchema
    {
        PatchSchema(fields: fields, retainKeysStrategy: retainKeys)
    }

    /// A list of objects merged by `key` (`patchStrategy:"merge" patchMergeKey:"<key>"`).
    public static func mergeList(
        key: String, mapKeys: [String]? = nil, retainKeys: Bool = false, of items: PatchSchema = .opaque
    ) -> PatchSchema {
        PatchSchema(
            listMergeKey: key, listMapKeys: mapKeys, items: items, retainKeysStrategy: retainKeys)
    }

    /// Whether a list with this schema merges (by key or as a set of primitives) rather than
    /// being replaced whole.
    public var isMergedList: Bool { listMergeKey != nil || listIsMergedPrimitives }

    /// The schema of member `name` of an object with this schema; ``opaque`` when unknown.
    public func field(_ name: String) -> PatchSchema { fields[name] ?? .opaque }

    /// The schema of this list's elements; ``opaque`` when not declared.
    public var element: PatchSchema { items ?? .opaque }
}
