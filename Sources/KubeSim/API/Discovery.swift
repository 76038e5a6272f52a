import KubeModel

/// Discovery documents (`/api`, `/apis`, group and group-version resource lists), `/version`
/// and the OpenAPI v3 index kubectl consults before it sends `fieldValidation`.
///
/// Shapes follow `k8s.io/apimachinery/pkg/apis/meta/v1/types.go` (APIVersions, APIGroupList,
/// APIGroup, APIResourceList). The server answers only the unaggregated form with
/// `Content-Type: application/json`; kubectl then falls back from aggregated discovery
/// (`k8s.io/client-go/discovery/discovery_client.go`), as it does against any server without it.
/// The OpenAPI v3 documents carry, per resource, the PATCH operation with its
/// `x-kubernetes-group-version-kind` and the `fieldValidation` parameter, which is what
/// `k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go` reads; they list no
/// strategic-merge-patch body, so kubectl computes strategic patches from its compiled-in types.
extension APIServer {
    func versionInfo() -> JSONValue {
        let parts = options.gitVersion.dropFirst().split(separator: ".")
        return [
            "major": .string(parts.first.map(String.init) ?? "1"),
            "minor": .string(parts.count > 1 ? String(parts[1]) : "32"),
            "gitVersion": .string(options.gitVersion), "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    func coreVersions(_ request: APIRequest) -> JSONValue {
        let host = request.headers["host"] ?? "127.0.0.1"
        return [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(host)]],
        ]
    }

    private func groupDocument(_ group: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return [
            "name": .string(group), "versions": .array(entries),
            "preferredVersion": entries.first ?? .null,
        ]
    }

    func groupList() -> JSONValue {
        let groups = registry.groupVersions().filter { !$0.group.isEmpty }.map {
            groupDocument($0.group, versions: preferredFirst($0.group, $0.versions))
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    /// Orders versions so the storage (or first served) version is preferred.
    private func preferredFirst(_ group: String, _ versions: [String]) -> [String] {
        let storage = registry.all.first { $0.group == group && registry.customVersion(of: $0)?.storage == true }?.version
        guard let storage, let index = versions.firstIndex(of: storage) else { return versions }
        var ordered = versions
        ordered.remove(at: index)
        return [storage] + ordered
    }

    func discoveryGroup(_ group: String) -> APIResponse {
        guard let entry = registry.groupVersions().first(where: { $0.group == group && !group.isEmpty }) else {
            return .error(.notFoundPath())
        }
        var document = groupDocument(group, versions: preferredFirst(group, entry.versions))
        document["kind"] = "APIGroup"
        document["apiVersion"] = "v1"
        return .json(document)
    }

    func discoveryResources(group: String, version: String) -> APIResponse {
        let types = registry.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return .error(.notFoundPath()) }
        var resources: [JSONValue] = []
        for type in types {
            var entry: JSONObject = [
                "name": .string(type.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(.object(entry))
            for subresource in type.subresources.sorted() {
                let (kind, verbs): (String, [String]) =
                    switch subresource {
                    case "binding": ("Binding", ["create"])
                    case "eviction": ("Eviction", ["create"])
                    case "scale": ("Scale", ["get", "patch", "update"])
                    default: (type.kind, ["get", "patch", "update"])
                    }
                var sub: JSONObject = [
                    "name": .string("\(type.plural)/\(subresource)"), "singularName": "",
                    "namespaced": .bool(type.namespaced), "kind": .string(kind),
                    "verbs": .array(verbs.map { .string($0) }),
                ]
                if subresource == "scale" { sub["group"] = "autoscaling"; sub["version"] = "v1" }
                if subresource == "eviction" { sub["group"] = "policy"; sub["version"] = "v1" }
                resources.append(.object(sub))
            }
        }
        return .json([
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
        ])
    }

    // MARK: OpenAPI v3

    func openAPI(_ rest: [String]) -> APIResponse {
        guard rest.first == "v3" else { return .error(.notFoundPath()) }
        let groupVersions = registry.groupVersions().flatMap { entry in entry.versions.map { (entry.group, $0) } }
        if rest.count == 1 {
            var paths = JSONObject()
            for (group, version) in groupVersions {
                let key = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
                paths[key] = [
                    "serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(openAPIHash(group: group, version: version))")
                ]
            }
            return .json(["paths": .object(paths)])
        }
        let group: String
        let version: String
        if rest.count == 3, rest[1] == "api" {
            (group, version) = ("", rest[2])
        } else if rest.count == 4, rest[1] == "apis" {
            (group, version) = (rest[2], rest[3])
        } else {
            return .error(.notFoundPath())
        }
        let types = registry.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return .error(.notFoundPath()) }
        var paths = JSONObject()
        var schemas = JSONObject()
        for type in types {
            // A custom resource's schema, named and tagged as kube-apiserver publishes it
            // (`k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder`), so `kubectl explain` finds it.
            if type.isCustom, var schema = registry.customVersion(of: type)?.openAPISchema?.objectValue {
                let reversedGroup = type.group.split(separator: ".").reversed().joined(separator: ".")
                schema["x-kubernetes-group-version-kind"] = [
                    ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
                ]
                schemas["\(reversedGroup).\(type.version).\(type.kind)"] = .object(schema)
            }
            let base = type.groupVersionPath + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural + "/{name}"
            let gvk: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
            let content: JSONObject = [
                "application/json-patch+json": ["schema": ["type": "object"]],
                "application/merge-patch+json": ["schema": ["type": "object"]],
                "application/apply-patch+yaml": ["schema": ["type": "object"]],
            ]
            paths[base] = [
                "patch": [
                    "operationId": .string("patch\(type.kind)"),
                    "parameters": [
                        ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]],
                        ["name": "fieldManager", "in": "query", "schema": ["type": "string"]],
                        ["name": "force", "in": "query", "schema": ["type": "boolean"]],
                        ["name": "dryRun", "in": "query", "schema": ["type": "string"]],
                    ],
                    "requestBody": ["content": .object(content)],
                    "responses": ["200": ["description": "OK"]],
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                ]
            ]
        }
        return .json([
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(options.gitVersion)],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ])
    }

    private func openAPIHash(group: String, version: String) -> String {
        let names = registry.all.filter { $0.group == group && $0.version == version }.map(\.kind).sorted().joined(separator: ",")
        return FNV1a.hex64(names.utf8, uppercase: true)
    }
}
