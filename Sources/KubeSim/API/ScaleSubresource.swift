import KubeMachinery
import KubeModel

/// The `scale` subresource of workloads (`autoscaling/v1 Scale`, as
/// `pkg/registry/apps/deployment/storage/storage.go` ScaleREST serves it): reads show
/// spec.replicas, status.replicas and the selector; writes change only spec.replicas.
extension APIServer {
    func scaleObject(_ object: JSONValue) -> JSONValue {
        var metadata = JSONObject()
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object[path: ["metadata", key]] { metadata[key] = value }
        }
        let selector = (object[path: ["spec", "selector", "matchLabels"]]?.objectValue ?? JSONObject())
            .map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted().joined(separator: ",")
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": ["replicas": object[path: ["spec", "replicas"]] ?? 1],
            "status": ["replicas": object[path: ["status", "replicas"]] ?? 0, "selector": .string(selector)],
        ]
    }

    func getScale(_ type: ResourceType, key: ObjectKey) throws(APIError) -> APIResponse {
        guard let object = store.get(type.storageKey, key) else { throw .notFound(type, name: key.name) }
        return .json(scaleObject(object.json))
    }

    /// PUT or PATCH of `scale`: the new Scale's spec.replicas goes into the object.
    func writeScale(_ type: ResourceType, key: ObjectKey, request: APIRequest) throws(APIError) -> APIResponse {
        let context = try writeContext(type, key: key, subresource: "scale", request: request)
        let body = request.body
        let contentType = request.contentType
        let method = request.method
        let (bytes, _) = try updateObject(context: context) { current throws(APIError) in
            let scale = scaleObject(current)
            let document: JSONValue
            do throws(JSONSyntaxError) { document = try JSONValue.parse(body) } catch {
                throw .badRequest("error decoding Scale: \(error.description)")
            }
            let proposed: JSONValue
            do throws(PatchError) {
                switch (method, contentType) {
                case ("PUT", _): proposed = document
                case (_, "application/json-patch+json"): proposed = try JSONPatch.apply(document, to: scale)
                case (_, "application/merge-patch+json"), (_, "application/strategic-merge-patch+json"):
                    proposed = JSONMergePatch.apply(document, to: scale)
                default:
                    throw PatchError.invalidPatchDocument(reason: "unsupported patch type \(contentType) for scale")
                }
            } catch {
                throw patchFailure(error, type: type, name: key.name)
            }
            guard let replicas = proposed[path: ["spec", "replicas"]]?.intValue, replicas >= 0 else {
                throw .invalid(
                    ResourceType(
                        group: "autoscaling", version: "v1", plural: "scales", singular: "", kind: "Scale", namespaced: true),
                    name: key.name,
                    errors: [
                        .invalid(
                            "spec.replicas", value: proposed[path: ["spec", "replicas"]] ?? .null,
                            "must be greater than or equal to 0")
                    ])
            }
            if let requested = proposed[path: ["metadata", "resourceVersion"]]?.stringValue, !requested.isEmpty,
                requested != current[path: ["metadata", "resourceVersion"]]?.stringValue
            {
                throw .staleResourceVersion(type, name: key.name)
            }
            var updated = current
            updated.set(path: ["spec", "replicas"], to: .int(replicas))
            updated.set(path: ["metadata", "resourceVersion"], to: nil)
            return updated
        }
        let stored = (try? JSONValue.parse(bytes)) ?? .null
        return .json(scaleObject(stored))
    }
}
