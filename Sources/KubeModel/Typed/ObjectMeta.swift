/// The slim `metadata` of every object Roost reads: the fields of `ObjectMeta`
/// (`k8s.io/apimachinery/pkg/apis/meta/v1/types.go`) that Roost uses or writes back.
///
/// Strings that Go declares as plain `string` are empty when absent; timestamps are kept as the
/// RFC 3339 strings the API server sends (`"2026-09-21T10:14:01Z"`, UTC, second precision).
/// `managedFields` and the `kubectl.kubernetes.io/last-applied-configuration` annotation are
/// dropped while decoding unless ``DecodingOptions`` asks to keep them.
public struct ObjectMeta: Sendable, Equatable, KubeDecodable {
    public var name: String
    /// Prefix the server uses to generate `name` when it is empty.
    public var generateName: String
    public var namespace: String
    public var uid: String
    /// Opaque version of the object, for optimistic concurrency and watches.
    public var resourceVersion: String
    /// Sequence number of spec changes (0 when absent).
    public var generation: Int64
    public var creationTimestamp: String?
    /// When graceful deletion was requested; nil when the object is not being deleted.
    public var deletionTimestamp: String?
    /// Seconds the object has left to terminate gracefully.
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [OwnerReference]
    public var finalizers: [String]
    /// The raw `managedFields` array, only with ``DecodingOptions/keepManagedFields``.
    public var managedFields: JSONValue?

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(
        name: String = "", generateName: String = "", namespace: String = "", uid: String = "",
        resourceVersion: String = "", generation: Int64 = 0, creationTimestamp: String? = nil,
        deletionTimestamp: String? = nil, deletionGracePeriodSeconds: Int64? = nil, labels: [String: String] = [:],
        annotations: [String: String] = [:], ownerReferences: [OwnerReference] = [], finalizers: [String] = [],
        managedFields: JSONValue? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }

    /// The annotation `kubectl apply` stores the last applied object in.
    public static let lastAppliedConfigurationAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> ObjectMeta {
        var meta = ObjectMeta()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "name": try reader.read(&meta.name)
            case "namespace": try reader.read(&meta.namespace)
            case "uid": try reader.read(&meta.uid)
            case "resourceVersion": try reader.read(&meta.resourceVersion)
            case "generation": try reader.read(&meta.generation)
            case "creationTimestamp": try reader.read(&meta.creationTimestamp)
            case "deletionTimestamp": try reader.read(&meta.deletionTimestamp)
            case "deletionGracePeriodSeconds": try reader.read(&meta.deletionGracePeriodSeconds)
            case "labels": try reader.read(&meta.labels)
            case "annotations":
                meta.annotations = try reader.readStringMap(
                    dropping: reader.options.keepLastAppliedConfiguration
                        ? nil : "kubectl.kubernetes.io/last-applied-configuration")
            case "ownerReferences": try reader.read(&meta.ownerReferences)
            case "finalizers": try reader.read(&meta.finalizers)
            case "generateName": try reader.read(&meta.generateName)
            case "managedFields":
                if reader.options.keepManagedFields { try reader.read(&meta.managedFields) }
            default: break
            }
        }
        return meta
    }
}

/// An owner of an object (`OwnerReference` in `meta/v1`): garbage collection and controller
/// ownership.
public struct OwnerReference: Sendable, Equatable, KubeDecodable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    /// True when the owner is the managing controller; nil when absent.
    public var controller: Bool?

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(apiVersion: String = "", kind: String = "", name: String = "", uid: String = "", controller: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> OwnerReference {
        var owner = OwnerReference()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "apiVersion": try reader.read(&owner.apiVersion)
            case "kind": try reader.read(&owner.kind)
            case "name": try reader.read(&owner.name)
            case "uid": try reader.read(&owner.uid)
            case "controller": try reader.read(&owner.controller)
            default: break
            }
        }
        return owner
    }
}

/// The `metadata` of a list (`ListMeta` in `meta/v1`).
public struct ListMeta: Sendable, Equatable, KubeDecodable {
    public var resourceVersion: String
    /// Token for the next page; nil (or empty) on the last page.
    public var `continue`: String?
    /// Items left after this page when the server can tell.
    public var remainingItemCount: Int64?

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(resourceVersion: String = "", continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> ListMeta {
        var meta = ListMeta()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "resourceVersion": try reader.read(&meta.resourceVersion)
            case "continue": try reader.read(&meta.continue)
            case "remainingItemCount": try reader.read(&meta.remainingItemCount)
            default: break
            }
        }
        return meta
    }
}
