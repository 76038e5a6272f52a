import KubeModel

/// The description of one protobuf message: its fields by number, each with its JSON name.
///
/// Only what the simulated cluster needs to read is described; fields not listed are skipped, as
/// a reader of an older schema skips fields it does not know.
struct ProtobufMessage: Sendable {
    /// The Go type name, used in error messages ("ObjectMeta").
    var name: String
    /// The fields in the order their JSON members are written.
    var fields: [ProtobufField]

    /// The field with this number, or nil for a field the description leaves out.
    func field(_ number: Int) -> ProtobufField? { fields.first { $0.number == number } }
}

/// One field of a ``ProtobufMessage``.
struct ProtobufField: Sendable {
    /// How the JSON encoding of a Go struct treats a field with a zero value.
    enum Emptiness: Sendable {
        /// A non-pointer field tagged `omitempty`: zero values are left out. gogo-protobuf writes such
        /// fields whatever their value, so the wire alone cannot tell "unset" from "zero".
        case omitEmpty
        /// A pointer field (`*bool`, `*int64`, `*string`, a pointer to a struct) or a struct: present
        /// on the wire exactly when set, and then written even when zero.
        case keepWhenPresent
        /// A non-pointer field without `omitempty`: always written, zero when absent from the wire.
        case always
    }

    /// The field number in the `.proto` file.
    var number: Int
    /// The JSON member name.
    var name: String
    var type: ProtobufFieldType
    var emptiness: Emptiness

    init(_ number: Int, _ name: String, _ type: ProtobufFieldType, _ emptiness: Emptiness = .omitEmpty) {
        self.number = number
        self.name = name
        self.type = type
        self.emptiness = emptiness
    }
}

/// The type of a field, and so how its wire value becomes JSON.
indirect enum ProtobufFieldType: Sendable {
    /// `string`: a JSON string.
    case string
    /// `bytes`: a base64 JSON string, as Go's `encoding/json` writes `[]byte`.
    case bytes
    /// `int64` (two's complement in a varint, negatives as 10 bytes).
    case int64
    /// `int32` (negatives are sign-extended to 10 bytes on the wire).
    case int32
    /// `bool`.
    case bool
    /// `meta/v1 Time` ({1: seconds, 2: nanos}): an RFC 3339 string with whole seconds, as
    /// `time_proto.go` keeps only the seconds; an empty message is the zero time and is left out.
    case time
    /// A nested message: a JSON object.
    case message(ProtobufMessage)
    /// `repeated T`: a JSON array (not packed; the described fields are all strings or messages).
    case repeated(ProtobufFieldType)
    /// `map<string, V>`: repeated entry messages {1: key, 2: value}; a JSON object.
    case map(value: ProtobufFieldType)
}

/// Message descriptions, with field numbers from the Kubernetes `.proto` files:
/// `k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto` (ObjectMeta, OwnerReference,
/// DeleteOptions, Preconditions, Time), `k8s.io/api/core/v1/generated.proto` (Namespace,
/// NamespaceSpec, ConfigMap, Secret, ServiceAccount, ObjectReference, LocalObjectReference) and
/// `k8s.io/api/policy/v1/generated.proto` (Eviction). The emptiness of each field follows the JSON
/// tags of the Go types in `k8s.io/api` and `k8s.io/apimachinery` (`types.go`).
enum ProtobufSchemas {
    /// `meta/v1 OwnerReference`: its strings have no `omitempty`.
    static let ownerReference = ProtobufMessage(
        name: "OwnerReference",
        fields: [
            ProtobufField(5, "apiVersion", .string, .always),
            ProtobufField(1, "kind", .string, .always),
            ProtobufField(3, "name", .string, .always),
            ProtobufField(4, "uid", .string, .always),
            ProtobufField(6, "controller", .bool, .keepWhenPresent),
            ProtobufField(7, "blockOwnerDeletion", .bool, .keepWhenPresent),
        ])

    /// `meta/v1 ObjectMeta`, without managedFields and selfLink.
    static let objectMeta = ProtobufMessage(
        name: "ObjectMeta",
        fields: [
            ProtobufField(1, "name", .string),
            ProtobufField(2, "generateName", .string),
            ProtobufField(3, "namespace", .string),
            ProtobufField(5, "uid", .string),
            ProtobufField(6, "resourceVersion", .string),
            ProtobufField(7, "generation", .int64),
            ProtobufField(8, "creationTimestamp", .time),
            ProtobufField(9, "deletionTimestamp", .time),
            ProtobufField(10, "deletionGracePeriodSeconds", .int64, .keepWhenPresent),
            ProtobufField(11, "labels", .map(value: .string)),
            ProtobufField(12, "annotations", .map(value: .string)),
            ProtobufField(13, "ownerReferences", .repeated(.message(ownerReference))),
            ProtobufField(14, "finalizers", .repeated(.string)),
        ])

    /// `meta/v1 Preconditions`: both fields are pointers.
    static let preconditions = ProtobufMessage(
        name: "Preconditions",
        fields: [
            ProtobufField(1, "uid", .string, .keepWhenPresent),
            ProtobufField(2, "resourceVersion", .string, .keepWhenPresent),
        ])

    /// `meta/v1 DeleteOptions`.
    static let deleteOptions = ProtobufMessage(
        name: "DeleteOptions",
        fields: [
            ProtobufField(1, "gracePeriodSeconds", .int64, .keepWhenPresent),
            ProtobufField(2, "preconditions", .message(preconditions), .keepWhenPresent),
            ProtobufField(3, "orphanDependents", .bool, .keepWhenPresent),
            ProtobufField(4, "propagationPolicy", .string, .keepWhenPresent),
            ProtobufField(5, "dryRun", .repeated(.string)),
        ])

    /// `core/v1 NamespaceSpec`.
    static let namespaceSpec = ProtobufMessage(
        name: "NamespaceSpec", fields: [ProtobufField(1, "finalizers", .repeated(.string))])

    /// `core/v1 Namespace` (status is set by the server and not read).
    static let namespace = ProtobufMessage(
        name: "Namespace",
        fields: [
            ProtobufField(1, "metadata", .message(objectMeta), .keepWhenPresent),
            ProtobufField(2, "spec", .message(namespaceSpec), .keepWhenPresent),
        ])

    /// `core/v1 ConfigMap`.
    static let configMap = ProtobufMessage(
        name: "ConfigMap",
        fields: [
            ProtobufField(1, "metadata", .message(objectMeta), .keepWhenPresent),
            ProtobufField(4, "immutable", .bool, .keepWhenPresent),
            ProtobufField(2, "data", .map(value: .string)),
            ProtobufField(3, "binaryData", .map(value: .bytes)),
        ])

    /// `core/v1 Secret`.
    static let secret = ProtobufMessage(
        name: "Secret",
        fields: [
            ProtobufField(1, "metadata", .message(objectMeta), .keepWhenPresent),
            ProtobufField(5, "immutable", .bool, .keepWhenPresent),
            ProtobufField(2, "data", .map(value: .bytes)),
            ProtobufField(4, "stringData", .map(value: .string)),
            ProtobufField(3, "type", .string),
        ])

    /// `core/v1 ObjectReference`.
    static let objectReference = ProtobufMessage(
        name: "ObjectReference",
        fields: [
            ProtobufField(1, "kind", .string),
            ProtobufField(2, "namespace", .string),
            ProtobufField(3, "name", .string),
            ProtobufField(4, "uid", .string),
            ProtobufField(5, "apiVersion", .string),
            ProtobufField(6, "resourceVersion", .string),
            ProtobufField(7, "fieldPath", .string),
        ])

    /// `core/v1 LocalObjectReference`.
    static let localObjectReference = ProtobufMessage(
        name: "LocalObjectReference", fields: [ProtobufField(1, "name", .string)])

    /// `core/v1 ServiceAccount`.
    static let serviceAccount = ProtobufMessage(
        name: "ServiceAccount",
        fields: [
            ProtobufField(1, "metadata", .message(objectMeta), .keepWhenPresent),
            ProtobufField(2, "secrets", .repeated(.message(objectReference))),
            ProtobufField(3, "imagePullSecrets", .repeated(.message(localObjectReference))),
            ProtobufField(4, "automountServiceAccountToken", .bool, .keepWhenPresent),
        ])

    /// `policy/v1 Eviction` (policy/v1beta1 has the same fields).
    static let eviction = ProtobufMessage(
        name: "Eviction",
        fields: [
            ProtobufField(1, "metadata", .message(objectMeta), .keepWhenPresent),
            ProtobufField(2, "deleteOptions", .message(deleteOptions), .keepWhenPresent),
        ])

    /// The description of a top-level kind, or nil when the simulated cluster cannot read it.
    /// DeleteOptions is accepted in any group version, as every group registers it.
    static func message(apiVersion: String, kind: String) -> ProtobufMessage? {
        switch (apiVersion, kind) {
        case ("v1", "Namespace"): namespace
        case ("v1", "ConfigMap"): configMap
        case ("v1", "Secret"): secret
        case ("v1", "ServiceAccount"): serviceAccount
        case ("policy/v1", "Eviction"), ("policy/v1beta1", "Eviction"): eviction
        case (_, "DeleteOptions"): deleteOptions
        default: nil
        }
    }
}
