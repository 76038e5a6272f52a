import KubeMachinery
import KubeModel
import Synchronization

/// The simulated kube-apiserver's request handling, independent of the HTTP transport: routing,
/// discovery, the REST verbs over ``ObjectStore``, and the per-kind strategies.
///
/// Behaviour follows kube-apiserver 1.32: `k8s.io/apiserver/pkg/endpoints/handlers` (get, list,
/// watch, create, update, patch, delete), `k8s.io/apiserver/pkg/registry/generic/registry/store.go`
/// (preconditions, finalizers, graceful deletion, dry run) and the API-concepts documentation
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/) for resourceVersion semantics,
/// chunking and watch bookmarks.
public final class APIServer: Sendable {
    public let store: ObjectStore
    public let registry: ResourceRegistry
    public let faults: FaultInjector
    public let stats: RequestStats
    let options: Options

    /// Behaviour switches of the API layer.
    public struct Options: Sendable {
        /// Largest accepted request body, bytes (kube-apiserver: 3 MiB).
        public var maxBodyBytes = 3 * 1024 * 1024
        /// Seconds between watch bookmarks (kube-apiserver sends one about every minute).
        public var bookmarkIntervalSeconds = 60.0
        /// Server-chosen watch timeout when the client gives none (kube-apiserver: 30–60 min).
        public var defaultWatchTimeoutSeconds = 1800.0
        /// Reported by /version.
        public var gitVersion = "v1.32.0-roost-sim"

        public init() {}
    }

    init(store: ObjectStore, registry: ResourceRegistry, faults: FaultInjector, stats: RequestStats, options: Options) {
        self.store = store
        self.registry = registry
        self.faults = faults
        self.stats = stats
        self.options = options
    }

    // MARK: Routing

    /// Answers one request.
    public func handle(_ request: APIRequest) -> APIResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map {
            APIRequest.percentDecode(String($0))
        }
        guard let first = segments.first else { return rootPaths() }
        switch first {
        case "version" where segments.count == 1: return .json(versionInfo())
        case "healthz", "livez", "readyz":
            return .full(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok".utf8), headers: [])
        case "api":
            if segments.count == 1 { return .json(coreVersions(request)) }
            if segments.count == 2 { return discoveryResources(group: "", version: segments[1]) }
            return resourceRequest(request, group: "", version: segments[1], rest: Array(segments.dropFirst(2)))
        case "apis":
            if segments.count == 1 { return .json(groupList()) }
            if segments.count == 2 { return discoveryGroup(segments[1]) }
            if segments.count == 3 { return discoveryResources(group: segments[1], version: segments[2]) }
            return resourceRequest(request, group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
        case "openapi":
            return openAPI(Array(segments.dropFirst()))
        default:
            return .error(.notFoundPath())
        }
    }

    private func rootPaths() -> APIResponse {
        var paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]
        for (group, versions) in registry.groupVersions() where !group.isEmpty {
            paths.append("/apis/\(group)")
            for version in versions { paths.append("/apis/\(group)/\(version)") }
        }
        return .json(["paths": .array(paths.sorted().map { .string($0) })])
    }

    /// Parses the part of a resource URL after the group version.
    func parseResourcePath(group: String, version: String, rest: [String]) -> ResourcePath? {
        var rest = rest
        var watchPrefix = false
        if rest.first == "watch" {
            watchPrefix = true
            rest.removeFirst()
        }
        guard !rest.isEmpty else { return nil }
        if rest[0] == "namespaces", rest.count >= 3, group.isEmpty || true,
            registry.lookup(group: group, version: version, plural: rest[2])?.namespaced == true
        {
            return ResourcePath(
                group: group, version: version, namespace: rest[1], resource: rest[2],
                name: rest.count > 3 ? rest[3] : nil, subresource: rest.count > 4 ? rest[4] : nil,
                watchPrefix: watchPrefix)
        }
        guard rest.count <= 3 else { return nil }
        return ResourcePath(
            group: group, version: version, namespace: nil, resource: rest[0],
            name: rest.count > 1 ? rest[1] : nil, subresource: rest.count > 2 ? rest[2] : nil, watchPrefix: watchPrefix)
    }

    private func resourceRequest(_ request: APIRequest, group: String, version: String, rest: [String]) -> APIResponse {
        guard let path = parseResourcePath(group: group, version: version, rest: rest),
            let type = registry.lookup(group: group, version: version, plural: path.resource)
        else {
            stats.count(verb: request.method.lowercased(), resource: "unknown")
            return .error(.notFoundPath())
        }
        if let subresource = path.subresource, !type.subresources.contains(subresource) {
            return .error(.notFoundPath())
        }
        if !type.namespaced, path.namespace != nil { return .error(.notFoundPath()) }
        let verb = Self.verb(method: request.method, path: path, request: request)
        let statsResource = path.subresource.map { "\(type.qualifiedName)/\($0)" } ?? type.qualifiedName
        stats.count(verb: verb, resource: statsResource)
        if let failure = faults.failure(verb: verb, path: request.path) {
            return .error(failure)
        }
        let response: APIResponse
        do throws(APIError) {
            response = try dispatch(verb: verb, type: type, path: path, request: request)
        } catch {
            response = .error(error)
        }
        if ["create", "update", "patch", "delete", "deletecollection"].contains(verb) {
            var code = 200
            var name = path.name ?? ""
            if case .full(let status, _, let body, _) = response {
                code = status
                if name.isEmpty, status == 201 {
                    name = (try? JSONValue.parse(body))?[path: ["metadata", "name"]]?.stringValue ?? ""
                }
            }
            stats.audit(
                .init(
                    time: Timestamp.now(), verb: verb, resource: statsResource, namespace: path.namespace ?? "",
                    name: name, code: code, user: request.user ?? "system:anonymous"))
        }
        return response
    }

    /// The Kubernetes verb of a request (`requestinfo.go`).
    static func verb(method: String, path: ResourcePath, request: APIRequest) -> String {
        switch method {
        case "GET", "HEAD":
            if path.watchPrefix || request.flag("watch") { return "watch" }
            return path.name == nil ? "list" : "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return path.name == nil ? "deletecollection" : "delete"
        default: return method.lowercased()
        }
    }

    private func dispatch(verb: String, type: ResourceType, path: ResourcePath, request: APIRequest) throws(APIError)
        -> APIResponse
    {
        let namespace = path.namespace ?? ""
        switch (verb, path.subresource) {
        case ("list", nil): return try list(type, namespace: path.namespace, request: request)
        case ("watch", nil): return try watch(type, namespace: path.namespace, name: path.name, request: request)
        case ("get", "scale"):
            return try getScale(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""))
        case ("update", "scale"), ("patch", "scale"):
            return try writeScale(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), request: request)
        case ("get", _):
            return try get(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), request: request)
        case ("create", nil):
            guard path.name == nil else { throw .methodNotSupported(type, verb: "POST") }
            return try create(type, namespace: namespace, request: request)
        case ("create", "binding"):
            return try bind(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), request: request)
        case ("create", "eviction"):
            return try evict(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), request: request)
        case ("update", let subresource):
            return try update(
                type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), subresource: subresource, request: request)
        case ("patch", let subresource):
            return try patch(
                type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), subresource: subresource, request: request)
        case ("delete", nil):
            return try delete(type, key: ObjectKey(namespace: namespace, name: path.name ?? ""), request: request)
        case ("deletecollection", nil):
            return try deleteCollection(type, namespace: path.namespace, request: request)
        default:
            throw .methodNotSupported(type, verb: request.method)
        }
    }

    // MARK: Body decoding

    /// Decodes a request body as JSON, YAML or Kubernetes protobuf (by Content-Type), as the
    /// server's negotiated serializers do.
    /// - Throws: 415 for unsupported media types, 400 for malformed documents.
    func decodeBody(_ request: APIRequest, allowYAML: Bool = true) throws(APIError) -> JSONValue {
        if request.body.count > options.maxBodyBytes { throw .requestEntityTooLarge(limit: options.maxBodyBytes) }
        let contentType = request.contentType
        switch contentType {
        case "", "application/json", "*/*":
            do {
                return try JSONValue.parse(request.body)
            } catch {
                throw .badRequest("json: \(error.description)")
            }
        case "application/yaml" where allowYAML, "application/apply-patch+yaml" where allowYAML:
            do {
                return try YAMLDocument.parse(request.body)
            } catch {
                throw .badRequest("error converting YAML to JSON: \(error)")
            }
        case KubernetesProtobufEnvelope.mediaType:
            return try decodeProtobufBody(request.body)
        default:
            throw APIError.unsupportedMediaType(accepted: ["application/json", "application/yaml"])
        }
    }
}

extension String {
    func hasPrefix(_ prefixes: [String]) -> Bool { prefixes.contains { hasPrefix($0) } }
}
