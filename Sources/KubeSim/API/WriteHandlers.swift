import KubeMachinery
import KubeModel

/// create, update (main resource and /status), patch (JSON, merge, strategic, server-side apply),
/// delete (preconditions, finalizers, graceful pod deletion), deletecollection and pods/binding.
///
/// Follows `k8s.io/apiserver/pkg/endpoints/handlers/{create,update,patch,delete}.go` and the
/// generic registry (`registry/generic/registry/store.go`): optimistic concurrency on
/// `metadata.resourceVersion` (409 Conflict), no write when an update changes nothing, deletion
/// that waits for finalizers, `dryRun=All`.
extension APIServer {
    /// What the write pipeline needs to know about one request.
    struct WriteContext {
        var type: ResourceType
        var key: ObjectKey
        var subresource: String?
        var manager: String
        var dryRun: Bool
        var now: Double
    }

    func writeContext(_ type: ResourceType, key: ObjectKey, subresource: String?, request: APIRequest) throws(APIError)
        -> WriteContext
    {
        if let dryRun = request.parameter("dryRun"), !dryRun.isEmpty, dryRun != "All" {
            throw .badRequest("dryRun: Unsupported value: \"\(dryRun)\": supported values: \"All\"")
        }
        return WriteContext(
            type: type, key: key, subresource: subresource, manager: fieldManager(request),
            dryRun: request.parameter("dryRun") == "All", now: Timestamp.now())
    }

    /// The field manager: the `fieldManager` parameter, else the User-Agent's product name, as
    /// `managedfields.prefixFromUserAgent` derives it.
    func fieldManager(_ request: APIRequest) -> String {
        if let manager = request.parameter("fieldManager"), !manager.isEmpty { return manager }
        let agent = request.headers["user-agent"] ?? "unknown"
        let product = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? agent
        return String(product.prefix(128))
    }

    func namespaceMustExist(_ type: ResourceType, namespace: String, forCreate: Bool) throws(APIError) {
        guard type.namespaced else { return }
        let namespaces = GroupResource(group: "", resource: "namespaces")
        guard let stored = store.get(namespaces, ObjectKey(namespace: "", name: namespace)) else {
            throw .namespaceNotFound(namespace)
        }
        if forCreate, stored.fields["status.phase"] == "Terminating" {
            throw APIError(
                code: 403, reason: "Forbidden",
                message:
                    "\(type.qualifiedName) is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                details: ["kind": .string(type.plural)])
        }
    }

    // MARK: create

    func create(_ type: ResourceType, namespace: String, request: APIRequest) throws(APIError) -> APIResponse {
        var object = try decodeBody(request)
        try checkTypeMeta(&object, type: type)
        guard case .object = object else {
            throw .badRequest("the object provided is unrecognized (must be of type \(type.kind))")
        }
        if type.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.set(path: ["metadata", "namespace"], to: .string(namespace))
        } else {
            object.set(path: ["metadata", "namespace"], to: nil)
        }
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let generate = object[path: ["metadata", "generateName"]]?.stringValue, !generate.isEmpty {
            name = Self.generateName(prefix: generate)
            object.set(path: ["metadata", "name"], to: .string(name))
        }
        if name.isEmpty {
            throw .invalid(type, name: "", errors: [.required("metadata.name", "name or generateName is required")])
        }
        try namespaceMustExist(type, namespace: namespace, forCreate: true)
        let context = try writeContext(
            type, key: ObjectKey(namespace: type.namespaced ? namespace : "", name: name), subresource: nil, request: request)
        let stored = try createObject(object, context: context, request: request)
        return .bytes(stored, status: 201)
    }

    /// Stores a new object after the create strategy and validation; returns its encoding.
    func createObject(_ object: JSONValue, context: WriteContext, request: APIRequest) throws(APIError) -> [UInt8] {
        var object = object
        let type = context.type
        prepareForCreate(type, &object, now: context.now)
        try validateFieldStrictness(type, object, request: request)
        applyDefaults(type, &object)
        try validate(type, object, old: nil)
        recordManagedFields(old: nil, new: &object, context: context)
        if context.dryRun {
            if store.get(type.storageKey, context.key) != nil { throw .alreadyExists(type, name: context.key.name) }
            return object.encoded()
        }
        let result = try store.update(type.storageKey, context.key, kind: type.kind, apiVersion: type.apiVersion) {
            current throws(APIError) -> (StoreWrite, Void) in
            if current != nil { throw .alreadyExists(type, name: context.key.name) }
            return (.put(object), ())
        }
        guard let stored = result.object else { throw .internalError("object vanished during create") }
        didCommit(type, stored: stored)
        return stored.bytes
    }

    /// Requires apiVersion and kind to name this resource (`runtime.Decode` with defaults).
    func checkTypeMeta(_ object: inout JSONValue, type: ResourceType) throws(APIError) {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        if kind.isEmpty && apiVersion.isEmpty {
            object["apiVersion"] = .string(type.apiVersion)
            object["kind"] = .string(type.kind)
            return
        }
        if kind.isEmpty { throw .badRequest("Object 'Kind' is missing in '\(object.jsonString.prefix(200))'") }
        if apiVersion.isEmpty { object["apiVersion"] = .string(type.apiVersion) }
        if kind != type.kind {
            throw .badRequest(
                "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): no kind \"\(kind)\" is registered for version \"\(apiVersion)\" in scheme"
            )
        }
        if !apiVersion.isEmpty, apiVersion != type.apiVersion {
            throw .badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion))")
        }
    }

    static func generateName(prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var suffix = ""
        for _ in 0..<5 { suffix.append(alphabet[Int.random(in: 0..<alphabet.count)]) }
        return String(prefix.prefix(58)) + suffix
    }

    // MARK: update

    func update(_ type: ResourceType, key: ObjectKey, subresource: String?, request: APIRequest) throws(APIError) -> APIResponse {
        var object = try decodeBody(request)
        try checkTypeMeta(&object, type: type)
        let bodyName = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if bodyName != key.name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(key.name))")
        }
        if type.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != key.namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.set(path: ["metadata", "namespace"], to: .string(key.namespace))
        }
        try validateFieldStrictness(type, object, request: request)
        let context = try writeContext(type, key: key, subresource: subresource, request: request)
        let proposed = object
        let (bytes, _) = try updateObject(context: context) { current throws(APIError) in
            let bodyRV = proposed[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            if bodyRV.isEmpty, type.isCustom {
                throw .invalid(
                    type, name: key.name,
                    errors: [.invalid("metadata.resourceVersion", value: .string("0x0"), "must be specified for an update")])
            }
            return proposed
        }
        return .bytes(bytes)
    }

    /// The shared update pipeline of PUT and PATCH: read the current object, compute the proposed
    /// one, check the resourceVersion precondition, apply the update strategy and validation, and
    /// write only when something changed. A terminating object whose last finalizer is removed is deleted.
    /// - Returns: the encoding of the object after the write, and whether it was created.
    func updateObject(
        context: WriteContext,
        createIfMissing: ((WriteContext) throws(APIError) -> JSONValue)? = nil,
        proposed compute: (JSONValue) throws(APIError) -> JSONValue
    ) throws(APIError) -> ([UInt8], Bool) {
        let type = context.type
        if createIfMissing != nil, store.get(type.storageKey, context.key) == nil {
            try namespaceMustExist(type, namespace: context.key.namespace, forCreate: true)
        } else {
            try namespaceMustExist(type, namespace: context.key.namespace, forCreate: false)
        }
        enum Outcome: Equatable { case stored, created, dryRun([UInt8]), finalized }
        let result = try store.update(type.storageKey, context.key, kind: type.kind, apiVersion: type.apiVersion) {
            current throws(APIError) -> (StoreWrite, Outcome) in
            guard let current else {
                guard let createIfMissing else { throw .notFound(type, name: context.key.name) }
                var object = try createIfMissing(context)
                prepareForCreate(type, &object, now: context.now)
                applyDefaults(type, &object)
                try validate(type, object, old: nil)
                if context.dryRun { return (.none, .dryRun(object.encoded())) }
                return (.put(object), .created)
            }
            let old = current.json
            var object = try compute(old)
            let requestedRV = object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            if !requestedRV.isEmpty, requestedRV != String(current.resourceVersion) {
                throw .staleResourceVersion(type, name: context.key.name)
            }
            prepareForUpdate(type, &object, old: old, subresource: context.subresource)
            applyDefaults(type, &object)
            try validate(type, object, old: old)
            recordManagedFields(old: old, new: &object, context: context)
            let terminating = object[path: ["metadata", "deletionTimestamp"]] != nil
            let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            if terminating, finalizers.isEmpty, shouldDeleteWhenFinalized(type, object) {
                if context.dryRun { return (.none, .dryRun(object.encoded())) }
                return (.deleteAs(object), .finalized)
            }
            if Self.sameContent(object, old) { return (.none, .stored) }
            if context.dryRun { return (.none, .dryRun(object.encoded())) }
            return (.put(object), .stored)
        }
        switch result.extra {
        case .dryRun(let bytes): return (bytes, false)
        case .finalized:
            didDelete(type, key: context.key)
            // The answer is the object as it was when it went away, as kube-apiserver returns it.
            return (result.deleted?.bytes ?? [], false)
        case .created, .stored:
            guard let stored = result.object else { throw .internalError("object vanished during update") }
            didCommit(type, stored: stored)
            return (stored.bytes, result.extra == .created)
        }
    }

    /// Two versions are the same when they differ at most in resourceVersion and managedFields
    /// timestamps: such an update is not written (`GuaranteedUpdate` skips no-op writes).
    static func sameContent(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var a = a
        var b = b
        for path in [["metadata", "resourceVersion"], ["metadata", "managedFields"]] {
            a.set(path: path, to: nil)
            b.set(path: path, to: nil)
        }
        return a == b
    }

    // MARK: patch

    func patch(_ type: ResourceType, key: ObjectKey, subresource: String?, request: APIRequest) throws(APIError) -> APIResponse {
        if request.body.count > options.maxBodyBytes { throw .requestEntityTooLarge(limit: options.maxBodyBytes) }
        let contentType = request.contentType
        let context = try writeContext(type, key: key, subresource: subresource, request: request)
        switch contentType {
        case "application/json-patch+json":
            let operations: JSONValue
            do { operations = try JSONValue.parse(request.body) } catch {
                throw .badRequest("error decoding patch: \(error.description)")
            }
            let (bytes, _) = try updateObject(context: context) { current throws(APIError) in
                do throws(PatchError) { return try JSONPatch.apply(operations, to: current) } catch {
                    throw patchFailure(error, type: type, name: key.name)
                }
            }
            return .bytes(bytes)
        case "application/merge-patch+json":
            let patch = try parsePatchBody(request)
            let (bytes, _) = try updateObject(context: context) { current throws(APIError) in
                let patched = JSONMergePatch.apply(patch, to: current)
                try validateFieldStrictness(type, patched, request: request)
                return patched
            }
            return .bytes(bytes)
        case "application/strategic-merge-patch+json":
            guard let schema = PatchSchema.forKind(type.isCustom ? "" : type.kind) else {
                throw APIError.unsupportedMediaType(accepted: [
                    "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
                ])
            }
            let patch = try parsePatchBody(request)
            let (bytes, _) = try updateObject(context: context) { current throws(APIError) in
                do throws(PatchError) { return try StrategicMergePatch.apply(patch, to: current, schema: schema) } catch {
                    throw patchFailure(error, type: type, name: key.name)
                }
            }
            return .bytes(bytes)
        case "application/apply-patch+yaml":
            return try serverSideApply(type, key: key, context: context, request: request)
        default:
            throw APIError.unsupportedMediaType(accepted: [
                "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
            ])
        }
    }

    private func parsePatchBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        let patch: JSONValue
        do { patch = try JSONValue.parse(request.body) } catch {
            throw .badRequest("error decoding patch: \(error.description)")
        }
        guard case .object = patch else {
            throw .badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        return patch
    }

    /// 400 for patches that cannot be read; 422 for patches that cannot be applied, built as
    /// `patch.go` builds it with `errors.NewGenericServerResponse(422, ...)`: a generic message and
    /// the patch library's text as the cause.
    func patchFailure(_ error: PatchError, type: ResourceType, name: String) -> APIError {
        if error.isMalformedPatch { return .badRequest(error.description) }
        return APIError(
            code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
            details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string(error.description)]]])
    }

    private func serverSideApply(_ type: ResourceType, key: ObjectKey, context: WriteContext, request: APIRequest)
        throws(APIError)
        -> APIResponse
    {
        guard let manager = request.parameter("fieldManager"), !manager.isEmpty else {
            throw .badRequest("PATCH /\(type.plural)/\(key.name): fieldManager is required for apply requests")
        }
        var applied: JSONValue
        do { applied = try YAMLDocument.parse(request.body) } catch {
            throw .badRequest("error decoding YAML: \(error.description)")
        }
        guard case .object = applied else { throw .badRequest("error decoding YAML: the apply configuration must be an object") }
        try checkTypeMeta(&applied, type: type)
        if let name = applied[path: ["metadata", "name"]]?.stringValue, name != key.name {
            throw .badRequest("the name of the object (\(name)) does not match the name on the URL (\(key.name))")
        }
        applied.set(path: ["metadata", "name"], to: .string(key.name))
        if type.namespaced { applied.set(path: ["metadata", "namespace"], to: .string(key.namespace)) }
        try validateFieldStrictness(type, applied, request: request)
        let force = request.flag("force")
        let schema = PatchSchema.forKind(type.isCustom ? "" : type.kind)
        let time = Timestamp.rfc3339(context.now)
        let (bytes, created) = try updateObject(
            context: context,
            createIfMissing: { _ throws(APIError) in
                do throws(ApplyError) {
                    return try ServerSideApply.apply(applied, to: nil, manager: manager, force: force, schema: schema, now: time)
                } catch { throw self.applyFailure(error, type: type, name: key.name) }
            },
            proposed: { current throws(APIError) in
                do throws(ApplyError) {
                    return try ServerSideApply.apply(
                        applied, to: current, manager: manager, force: force, schema: schema, now: time)
                } catch { throw self.applyFailure(error, type: type, name: key.name) }
            })
        return .bytes(bytes, status: created ? 201 : 200)
    }

    func applyFailure(_ error: ApplyError, type: ResourceType, name: String) -> APIError {
        switch error {
        case .conflicts(let conflicts):
            let causes: [JSONValue] = conflicts.map { conflict in
                [
                    "reason": "FieldManagerConflict", "message": .string("conflict with \"\(conflict.manager)\""),
                    "field": .string(conflict.field),
                ]
            }
            var details = APIError.details(name: name, resource: type, causes: causes)
            details["kind"] = .string(type.plural)
            return APIError(code: 409, reason: "Conflict", message: error.description, details: details)
        default:
            return APIError(
                code: 422, reason: "Invalid", message: error.description, details: APIError.details(name: name, resource: type))
        }
    }

    func recordManagedFields(old: JSONValue?, new object: inout JSONValue, context: WriteContext) {
        // Apply requests maintain their own entries; every other write records an Update entry.
        object = ManagedFields.recordUpdate(
            old: old, new: object, manager: context.manager,
            now: Timestamp.rfc3339(context.now), subresource: context.subresource)
    }

    // MARK: delete

    /// DeleteOptions from the body or the query (`handlers/delete.go`).
    struct DeleteOptions {
        var gracePeriodSeconds: Int64?
        var propagationPolicy: String?
        var preconditionUID: String?
        var preconditionResourceVersion: String?
        var dryRun = false

        init() {}

        /// Reads a `meta/v1 DeleteOptions` object (a DELETE body, or an Eviction's `deleteOptions`).
        init(_ body: JSONValue) {
            gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
            propagationPolicy = body["propagationPolicy"]?.stringValue
            if body["orphanDependents"]?.boolValue == true, propagationPolicy == nil { propagationPolicy = "Orphan" }
            preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
            preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            dryRun = body["dryRun"]?.arrayValue?.contains("All") ?? false
        }
    }

    func deleteOptions(_ request: APIRequest) throws(APIError) -> DeleteOptions {
        var options = DeleteOptions()
        if !request.body.isEmpty {
            let protobuf = request.contentType == KubernetesProtobufEnvelope.mediaType
            guard protobuf || ["", "application/json", "*/*"].contains(request.contentType) else {
                throw APIError.unsupportedMediaType(accepted: ["application/json", "application/yaml"])
            }
            let body: JSONValue
            if protobuf {
                body = try decodeProtobufDeleteOptions(request.body)
            } else {
                do { body = try JSONValue.parse(request.body) } catch {
                    throw .badRequest("error decoding DeleteOptions: \(error.description)")
                }
            }
            options = DeleteOptions(body)
        }
        if let grace = request.parameter("gracePeriodSeconds"), let value = Int64(grace) { options.gracePeriodSeconds = value }
        if let policy = request.parameter("propagationPolicy") { options.propagationPolicy = policy }
        if request.parameter("dryRun") == "All" { options.dryRun = true }
        if let policy = options.propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw .invalid(
                ResourceType(
                    group: "meta.k8s.io", version: "v1", plural: "deleteoptions", singular: "", kind: "DeleteOptions",
                    namespaced: false),
                name: "",
                errors: [
                    FieldProblem(
                        reason: "FieldValueNotSupported", field: "propagationPolicy",
                        message:
                            "Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                    )
                ])
        }
        return options
    }

    func delete(_ type: ResourceType, key: ObjectKey, request: APIRequest) throws(APIError) -> APIResponse {
        let options = try deleteOptions(request)
        return .bytes(try deleteObject(type, key: key, options: options))
    }

    /// Deletes one object: checks preconditions, marks it terminating when finalizers (or a
    /// graceful pod deletion) must run first, removes it otherwise. Answers with the object.
    func deleteObject(_ type: ResourceType, key: ObjectKey, options: DeleteOptions) throws(APIError) -> [UInt8] {
        let now = Timestamp.now()
        enum Outcome { case marked, removed([UInt8]), unchanged([UInt8]), dryRun([UInt8]) }
        let result = try store.update(type.storageKey, key, kind: type.kind, apiVersion: type.apiVersion) {
            current throws(APIError) -> (StoreWrite, Outcome) in
            guard let current else { throw .notFound(type, name: key.name) }
            if let uid = options.preconditionUID, uid != current.uid {
                throw .conflict(
                    type, name: key.name,
                    detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            if let rv = options.preconditionResourceVersion, rv != String(current.resourceVersion) {
                throw .conflict(
                    type, name: key.name,
                    detail:
                        "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)"
                )
            }
            var object = current.json
            let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            let grace = gracefulDeletionSeconds(type, object, requested: options.gracePeriodSeconds)
            let alreadyTerminating = object[path: ["metadata", "deletionTimestamp"]] != nil
            // Namespaces always pass through Terminating while their content is removed.
            let isNamespace = type.kind == "Namespace" && !type.isCustom
            if finalizers.isEmpty && grace == 0 && !isNamespace {
                if options.dryRun { return (.none, .dryRun(current.bytes)) }
                return (.delete, .removed(current.bytes))
            }
            if alreadyTerminating {
                // A shorter grace period may shorten a running graceful deletion.
                let currentGrace = object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0
                guard grace < currentGrace else { return (.none, .unchanged(current.bytes)) }
                if grace == 0 && finalizers.isEmpty && !isNamespace { return (.delete, .removed(current.bytes)) }
                object.set(path: ["metadata", "deletionGracePeriodSeconds"], to: .int(grace))
                object.set(path: ["metadata", "deletionTimestamp"], to: .string(Timestamp.rfc3339(now + Double(grace))))
            } else {
                object.set(path: ["metadata", "deletionTimestamp"], to: .string(Timestamp.rfc3339(now + Double(grace))))
                object.set(path: ["metadata", "deletionGracePeriodSeconds"], to: .int(grace))
                if isNamespace { object.set(path: ["status", "phase"], to: "Terminating") }
            }
            if options.dryRun { return (.none, .dryRun(object.encoded())) }
            return (.put(object), .marked)
        }
        switch result.extra {
        case .removed(let bytes):
            didDelete(type, key: key, orphan: options.propagationPolicy == "Orphan")
            return result.deleted?.bytes ?? bytes
        case .marked:
            if let stored = result.object {
                didMarkTerminating(type, stored: stored, orphan: options.propagationPolicy == "Orphan")
                return stored.bytes
            }
            return []
        case .unchanged(let bytes), .dryRun(let bytes):
            return bytes
        }
    }

    /// Seconds a deletion waits before the object goes: pods on a node get their grace period
    /// (the kubelet finishes the deletion); namespaces wait for their content; everything else 0.
    func gracefulDeletionSeconds(_ type: ResourceType, _ object: JSONValue, requested: Int64?) -> Int64 {
        guard !type.isCustom, type.group.isEmpty else { return 0 }
        switch type.kind {
        case "Pod":
            let phase = object[path: ["status", "phase"]]?.stringValue ?? ""
            guard object[path: ["spec", "nodeName"]]?.stringValue?.isEmpty == false, phase != "Succeeded", phase != "Failed"
            else {
                return 0
            }
            let grace = requested ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
            return max(0, grace)
        default:
            return 0
        }
    }

    func deleteCollection(_ type: ResourceType, namespace: String?, request: APIRequest) throws(APIError) -> APIResponse {
        let options = try deleteOptions(request)
        let filter = try makeFilter(type, namespace: namespace, request: request)
        let objects: [StoredObject]
        do { objects = try store.list(type.storageKey, filter: filter).objects } catch {
            throw .internalError("listing for deletecollection failed")
        }
        var deleted: [UInt8] = []
        deleted.append(contentsOf: #"{"kind":""#.utf8)
        deleted.append(contentsOf: type.listKind.utf8)
        deleted.append(contentsOf: #"","apiVersion":""#.utf8)
        deleted.append(contentsOf: type.apiVersion.utf8)
        deleted.append(contentsOf: #"","metadata":{},"items":["#.utf8)
        var first = true
        for object in objects {
            guard let bytes = try? deleteObject(type, key: object.key, options: options) else { continue }
            if !first { deleted.append(UInt8(ascii: ",")) }
            first = false
            deleted.append(contentsOf: bytes)
        }
        deleted.append(contentsOf: "]}".utf8)
        return .bytes(deleted)
    }

    // MARK: pods/binding

    /// `POST pods/{name}/binding` (`pkg/registry/core/pod/storage/storage.go`, BindingREST):
    /// sets spec.nodeName once and the PodScheduled condition.
    func bind(_ type: ResourceType, key: ObjectKey, request: APIRequest) throws(APIError) -> APIResponse {
        let binding = try decodeBody(request)
        guard let node = binding[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw .invalid(
                ResourceType(group: "", version: "v1", plural: "bindings", singular: "", kind: "Binding", namespaced: true),
                name: key.name, errors: [.required("target.name")])
        }
        if let kind = binding[path: ["target", "kind"]]?.stringValue, !kind.isEmpty, kind != "Node" {
            throw .badRequest("invalid binding target kind \(kind)")
        }
        try bindPod(key: key, node: node, uid: binding[path: ["metadata", "uid"]]?.stringValue, manager: fieldManager(request))
        return .json(
            ["kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Success", "code": 201],
            status: 201)
    }

    /// Assigns a pod to a node; 409 when it already has one or is terminating.
    public func bindPod(key: ObjectKey, node: String, uid: String? = nil, manager: String = "default-scheduler") throws(APIError)
    {
        guard let type = registry.lookup(group: "", version: "v1", plural: "pods") else { throw .notFoundPath() }
        let now = Timestamp.now()
        let result = try store.update(type.storageKey, key, kind: type.kind, apiVersion: type.apiVersion) {
            current throws(APIError) -> (StoreWrite, Void) in
            guard let current else { throw .notFound(type, name: key.name) }
            if let uid, !uid.isEmpty, uid != current.uid {
                throw .conflict(
                    type, name: key.name,
                    detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            var pod = current.json
            if pod[path: ["metadata", "deletionTimestamp"]] != nil {
                throw .conflict(type, name: key.name, detail: "pod \(key.name) is being deleted, cannot be assigned to a host")
            }
            if let existing = pod[path: ["spec", "nodeName"]]?.stringValue, !existing.isEmpty {
                throw .conflict(type, name: key.name, detail: "pod \(key.name) is already assigned to node \"\(existing)\"")
            }
            pod.set(path: ["spec", "nodeName"], to: .string(node))
            PodStatus.setCondition(&pod, type: "PodScheduled", status: "True", reason: nil, message: nil, now: now)
            pod = ManagedFields.recordUpdate(
                old: current.json, new: pod, manager: manager, now: Timestamp.rfc3339(now), subresource: "binding")
            return (.put(pod), ())
        }
        if let stored = result.object { didCommit(type, stored: stored) }
    }
}

extension WatchEventType: Equatable {}
