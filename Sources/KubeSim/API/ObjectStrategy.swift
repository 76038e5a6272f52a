import KubeMachinery
import KubeModel

/// The per-kind rules the generic registry applies around each write: what create and update
/// reset, defaulting, validation, and what happens after a commit.
///
/// Follows `k8s.io/apiserver/pkg/registry/rest/{create,update}.go` (BeforeCreate/BeforeUpdate),
/// `pkg/registry/core/pod/strategy.go`, `pkg/apis/core/v1/defaults.go`,
/// `pkg/apis/core/validation/validation.go` (ValidatePodUpdate) and
/// `k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go`.
extension APIServer {
    func prepareForCreate(_ type: ResourceType, _ object: inout JSONValue, now: Double) {
        object.set(path: ["metadata", "uid"], to: .string(UID.random()))
        object.set(path: ["metadata", "creationTimestamp"], to: .string(Timestamp.rfc3339(now)))
        object.set(path: ["metadata", "resourceVersion"], to: nil)
        object.set(path: ["metadata", "deletionTimestamp"], to: nil)
        object.set(path: ["metadata", "deletionGracePeriodSeconds"], to: nil)
        object.set(path: ["metadata", "selfLink"], to: nil)
        object.set(path: ["metadata", "generation"], to: Self.tracksGeneration(type) ? .int(1) : nil)
        Self.dropEmptyMaps(&object)
        if type.subresources.contains("status"), type.isCustom {
            object["status"] = nil
        }
        guard !type.isCustom else { return }
        switch (type.group, type.kind) {
        case ("", "Pod"):
            PodDefaults.apply(&object)
            object["status"] = ["phase": "Pending", "qosClass": .string(PodDefaults.qosClass(object))]
        case ("", "Namespace"):
            object.set(path: ["spec", "finalizers"], to: ["kubernetes"])
            object["status"] = ["phase": "Active"]
            var labels = object[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
            labels["kubernetes.io/metadata.name"] = object[path: ["metadata", "name"]] ?? ""
            object.set(path: ["metadata", "labels"], to: .object(labels))
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            object["status"] = CustomResources.acceptedStatus(of: object, now: now)
        default:
            break
        }
    }

    func prepareForUpdate(_ type: ResourceType, _ object: inout JSONValue, old: JSONValue, subresource: String?) {
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            object.set(path: ["metadata", field], to: old[path: ["metadata", field]])
        }
        if subresource == "status" {
            // Only the status stanza (and, for pods, labels and annotations) changes through /status.
            var merged = old
            merged["status"] = object["status"]
            merged.set(path: ["metadata", "managedFields"], to: object[path: ["metadata", "managedFields"]])
            merged.set(path: ["metadata", "resourceVersion"], to: object[path: ["metadata", "resourceVersion"]])
            if type.kind == "Pod", !type.isCustom {
                merged.set(path: ["metadata", "labels"], to: object[path: ["metadata", "labels"]])
                merged.set(path: ["metadata", "annotations"], to: object[path: ["metadata", "annotations"]])
            }
            object = merged
            return
        }
        if type.subresources.contains("status") {
            object["status"] = old["status"]
        }
        if type.kind == "CustomResourceDefinition", !type.isCustom {
            object["status"] = CustomResources.acceptedStatus(of: object, now: Timestamp.now())
        }
        Self.dropEmptyMaps(&object)
        if Self.tracksGeneration(type), Self.specChanged(object, old) {
            let generation = old[path: ["metadata", "generation"]]?.intValue ?? 1
            object.set(path: ["metadata", "generation"], to: .int(generation + 1))
        }
    }

    /// Kinds whose strategy maintains metadata.generation (custom resources, workloads, CRDs,
    /// PodDisruptionBudgets); ConfigMaps, Secrets, pods (in 1.32) and the like carry none.
    static func tracksGeneration(_ type: ResourceType) -> Bool {
        type.isCustom
            || ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "PodDisruptionBudget", "CustomResourceDefinition"]
                .contains(
                    type.kind)
    }

    /// Empty label and annotation maps are not stored (Go's `omitempty` drops them on the wire).
    static func dropEmptyMaps(_ object: inout JSONValue) {
        for key in ["labels", "annotations"] {
            if let map = object[path: ["metadata", key]], map.objectValue?.isEmpty == true || map == .null {
                object.set(path: ["metadata", key], to: nil)
            }
        }
    }

    /// Whether anything besides metadata and status differs: what bumps metadata.generation.
    static func specChanged(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var a = a
        var b = b
        for key in ["metadata", "status", "apiVersion", "kind"] {
            a[key] = nil
            b[key] = nil
        }
        return a != b
    }

    func applyDefaults(_ type: ResourceType, _ object: inout JSONValue) {
        guard type.isCustom, let version = registry.customVersion(of: type), let schema = version.structural else { return }
        schema.applyDefaults(to: &object)
        schema.prune(&object)
    }

    /// With `fieldValidation=Strict`, unknown fields of custom resources are a 400 (`strict decoding error`).
    func validateFieldStrictness(_ type: ResourceType, _ object: JSONValue, request: APIRequest) throws(APIError) {
        guard request.parameter("fieldValidation") == "Strict", type.isCustom,
            let schema = registry.customVersion(of: type)?.structural
        else { return }
        let unknown = schema.unknownFields(in: object)
        guard !unknown.isEmpty else { return }
        let listed = unknown.map { "unknown field \"\($0.hasPrefix(".") ? String($0.dropFirst()) : $0)\"" }.joined(
            separator: ", ")
        throw .badRequest(
            "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: \(listed)")
    }

    /// Validation common to every kind (object meta) plus the kind's own rules.
    /// - Throws: 422 Invalid listing every problem.
    func validate(_ type: ResourceType, _ object: JSONValue, old: JSONValue?) throws(APIError) {
        var problems = ObjectMetaValidation.validate(object, type: type, old: old)
        if type.isCustom {
            if let schema = registry.customVersion(of: type)?.structural {
                problems += schema.validate(object).map {
                    FieldProblem(reason: $0.type.rawValue, field: $0.field, message: $0.message)
                }
            }
        } else {
            switch (type.group, type.kind) {
            case ("", "Pod"): problems += PodValidation.validate(object, old: old)
            case ("apiextensions.k8s.io", "CustomResourceDefinition"): problems += CustomResources.validateDefinition(object)
            default: break
            }
        }
        if !problems.isEmpty {
            throw .invalid(type, name: object[path: ["metadata", "name"]]?.stringValue ?? "", errors: problems)
        }
    }

    /// Whether a terminating object with no finalizers left goes now. Pods being gracefully
    /// deleted on a node wait for the kubelet; namespaces wait for their content.
    func shouldDeleteWhenFinalized(_ type: ResourceType, _ object: JSONValue) -> Bool {
        guard !type.isCustom, type.group.isEmpty else { return true }
        switch type.kind {
        case "Pod":
            return (object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) == 0
                || (object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
        case "Namespace":
            return false
        default:
            return true
        }
    }

    /// Side effects of a committed create or update.
    func didCommit(_ type: ResourceType, stored: StoredObject) {
        if type.kind == "CustomResourceDefinition", type.group == "apiextensions.k8s.io" {
            let crd = stored.json
            registry.setCustom(crdName: stored.key.name, versions: ResourceRegistry.customVersions(fromCRD: crd))
        }
    }

    /// Side effects of an object that is gone.
    func didDelete(_ type: ResourceType, key: ObjectKey, orphan: Bool = false) {
        if type.kind == "CustomResourceDefinition", type.group == "apiextensions.k8s.io" {
            // The CRD's custom resources go with it (the apiextensions "customresourcecleanup" finalizer).
            if let served = registry.all.first(where: { $0.isCustom && "\($0.plural).\($0.group)" == key.name }) {
                let objects = (try? store.list(served.storageKey, filter: .everything).objects) ?? []
                for object in objects {
                    _ = store.update(served.storageKey, object.key, kind: served.kind, apiVersion: served.apiVersion) {
                        _ -> (StoreWrite, Void) in (.delete, ())
                    }
                }
            }
            registry.removeCustom(crdName: key.name)
        }
    }

    /// Side effects of an object becoming terminating (deletionTimestamp set).
    func didMarkTerminating(_ type: ResourceType, stored: StoredObject, orphan: Bool) {
        if type.kind == "Namespace", type.group.isEmpty, !type.isCustom {
            finalizeNamespace(stored.key.name)
        }
    }

    /// The namespace controller's work: delete everything in a terminating namespace, then the
    /// namespace itself once it is empty (`pkg/controller/namespace/deletion`).
    public func finalizeNamespace(_ name: String) {
        let namespaces = GroupResource(group: "", resource: "namespaces")
        guard let namespace = store.get(namespaces, ObjectKey(namespace: "", name: name)),
            namespace.fields["status.phase"] == "Terminating"
        else { return }
        var remaining = 0
        for type in registry.all where type.namespaced {
            let objects = (try? store.list(type.storageKey, filter: ObjectFilter(namespace: name)).objects) ?? []
            for object in objects {
                var options = DeleteOptions()
                options.gracePeriodSeconds = 0
                _ = try? deleteObject(type, key: object.key, options: options)
                if store.get(type.storageKey, object.key) != nil { remaining += 1 }
            }
        }
        guard remaining == 0, let type = registry.lookup(group: "", version: "v1", plural: "namespaces") else { return }
        _ = store.update(namespaces, ObjectKey(namespace: "", name: name), kind: type.kind, apiVersion: type.apiVersion) {
            current -> (StoreWrite, Void) in
            guard let current, current.fields["status.phase"] == "Terminating" else { return (.none, ()) }
            return (.delete, ())
        }
    }
}

/// Random UIDs in the RFC 4122 version 4 form Kubernetes uses.
enum UID {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { byte -> String in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }
}
