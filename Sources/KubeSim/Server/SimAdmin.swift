import KubeModel

/// The `/_sim/` admin API: fault injection, statistics and the audit log, node lifecycle, the
/// kubelet's start records and token management. Every answer is JSON; bad input gets a 400
/// Status naming what was wrong.
///
/// | method and path | effect |
/// |---|---|
/// | GET /_sim/stats | request counts per "verb resource", audit log, watcher and object counts |
/// | POST /_sim/stats/reset | clears counts and audit log |
/// | GET, POST, DELETE /_sim/faults | shows, sets (fields below) or clears the faults |
/// | POST /_sim/watches/drop | ends every open watch now |
/// | POST /_sim/compact | drops the watch history (resumes get 410 Expired) |
/// | POST /_sim/nodes | adds nodes: `{"pool": "p", "count": 1, "pods": 110, "labels": {}, "taints": []}` |
/// | DELETE /_sim/nodes/NAME | removes a node (pod GC removes its pods) |
/// | POST /_sim/nodes/NAME/{cordon,uncordon,notready,ready} | node lifecycle |
/// | POST /_sim/nodes/NAME/warm | `{"runtime": "r"}` pre-warms the node's cache |
/// | GET /_sim/starts | the kubelet's start records |
/// | POST /_sim/tokens, DELETE /_sim/tokens/TOKEN | `{"token": "t", "user": "u"}` adds a bearer token |
///
/// Fault fields of POST /_sim/faults: `failNext` `{count, code (500|429|503|504), retryAfterSeconds,
/// verbs, pathPrefix}`, `latencySeconds`, `watchDelaySeconds`, `stallWatches`, `stallRequests`,
/// `dropWatchesEverySeconds`.
struct SimAdmin: Sendable {
    let api: APIServer
    let kubelet: Kubelet
    let authenticator: Authenticator

    func handle(_ request: APIRequest) -> APIResponse {
        let segments = request.path.split(separator: "/").map(String.init).dropFirst()
        do throws(APIError) {
            return try route(request, Array(segments))
        } catch {
            return .error(error)
        }
    }

    private func route(_ request: APIRequest, _ path: [String]) throws(APIError) -> APIResponse {
        switch (request.method, path) {
        case ("GET", ["stats"]):
            var stats = api.stats.snapshot
            stats["watchers"] = .int(Int64(api.store.watcherCount))
            stats["resourceVersion"] = .int(api.store.currentResourceVersion)
            var objects = JSONObject()
            for (resource, count) in api.store.counts().sorted(by: { $0.key.description < $1.key.description }) {
                objects[resource.description] = .int(Int64(count))
            }
            stats["objects"] = .object(objects)
            return .json(stats)
        case ("POST", ["stats", "reset"]):
            api.stats.reset()
            return ok()
        case ("GET", ["faults"]):
            return .json(api.faults.snapshot)
        case ("DELETE", ["faults"]):
            api.faults.reset()
            return ok()
        case ("POST", ["faults"]):
            try applyFaults(try body(request))
            return .json(api.faults.snapshot)
        case ("POST", ["watches", "drop"]):
            let count = api.store.watcherCount
            api.store.terminateAllWatches()
            return .json(["dropped": .int(Int64(count))])
        case ("POST", ["compact"]):
            api.store.compact()
            return .json(["compactedResourceVersion": .int(api.store.compactedRevision)])
        case ("POST", ["nodes"]):
            return try addNodes(try body(request))
        case ("DELETE", let parts) where parts.count == 2 && parts[0] == "nodes":
            try api.removeNode(parts[1])
            kubelet.forget(node: parts[1])
            return ok()
        case ("POST", let parts) where parts.count == 3 && parts[0] == "nodes":
            switch parts[2] {
            case "cordon": try api.setNodeUnschedulable(parts[1], true)
            case "uncordon": try api.setNodeUnschedulable(parts[1], false)
            case "notready": try api.setNodeReady(parts[1], false)
            case "ready": try api.setNodeReady(parts[1], true)
            case "warm":
                guard let runtime = try body(request)["runtime"]?.stringValue, !runtime.isEmpty else {
                    throw .badRequest("warm needs {\"runtime\": \"NAME\"}")
                }
                kubelet.warm(node: parts[1], runtime: runtime)
            default: throw .badRequest("unknown node action \"\(parts[2])\": expected cordon, uncordon, notready, ready or warm")
            }
            return ok()
        case ("GET", ["starts"]):
            return .json(
                .array(
                    kubelet.starts.map { start in
                        [
                            "namespace": .string(start.namespace), "pod": .string(start.pod), "node": .string(start.node),
                            "runtime": .string(start.runtime), "warm": .bool(start.warm),
                            "delaySeconds": .double(start.delaySeconds),
                            "boundAt": .string(Timestamp.rfc3339Micro(start.boundAt)),
                            "readyAt": .string(Timestamp.rfc3339Micro(start.readyAt)),
                        ]
                    }))
        case ("POST", ["tokens"]):
            let object = try body(request)
            guard let token = object["token"]?.stringValue, !token.isEmpty, let user = object["user"]?.stringValue, !user.isEmpty
            else {
                throw .badRequest("tokens needs {\"token\": \"...\", \"user\": \"...\"}")
            }
            authenticator.setToken(token, user: user)
            return ok()
        case ("DELETE", let parts) where parts.count == 2 && parts[0] == "tokens":
            authenticator.removeToken(parts[1])
            return ok()
        default:
            return .error(.notFoundPath())
        }
    }

    private func ok() -> APIResponse { .json(["status": "ok"]) }

    private func body(_ request: APIRequest) throws(APIError) -> JSONValue {
        if request.body.isEmpty { return .object(JSONObject()) }
        do {
            let value = try JSONValue.parse(request.body)
            guard case .object = value else { throw APIError.badRequest("the body must be a JSON object") }
            return value
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("invalid JSON body: \(error)")
        }
    }

    private func number(_ value: JSONValue?, _ name: String) throws(APIError) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue, number >= 0 else { throw .badRequest("\(name) must be a non-negative number") }
        return number
    }

    private func applyFaults(_ object: JSONValue) throws(APIError) {
        let known: Set<String> = [
            "failNext", "latencySeconds", "watchDelaySeconds", "stallWatches", "stallRequests", "dropWatchesEverySeconds",
        ]
        for key in object.objectValue?.keys ?? [] where !known.contains(key) {
            throw .badRequest("unknown fault \"\(key)\": expected one of \(known.sorted().joined(separator: ", "))")
        }
        if let fail = object["failNext"] {
            let count = fail["count"]?.intValue ?? 1
            let code = fail["code"]?.intValue ?? 500
            guard count > 0, [500, 429, 503, 504].contains(code) else {
                throw .badRequest("failNext needs count > 0 and code 500, 429, 503 or 504")
            }
            api.faults.addFailures(
                .init(
                    remaining: Int(count), code: Int(code),
                    retryAfterSeconds: fail["retryAfterSeconds"]?.intValue.map { Int($0) },
                    verbs: Set(fail["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []),
                    pathPrefix: fail["pathPrefix"]?.stringValue ?? ""))
        }
        if let latency = try number(object["latencySeconds"], "latencySeconds") { api.faults.latencySeconds = latency }
        if let delay = try number(object["watchDelaySeconds"], "watchDelaySeconds") { api.faults.watchDelaySeconds = delay }
        if let every = try number(object["dropWatchesEverySeconds"], "dropWatchesEverySeconds") {
            api.faults.dropWatchesEverySeconds = every
        }
        if let stalls = try number(object["stallRequests"], "stallRequests") { api.faults.stallRequests(Int(stalls)) }
        if let stall = object["stallWatches"] {
            guard let flag = stall.boolValue else { throw .badRequest("stallWatches must be true or false") }
            api.faults.stallWatches = flag
        }
    }

    private func addNodes(_ object: JSONValue) throws(APIError) -> APIResponse {
        guard let pool = object["pool"]?.stringValue, ObjectMetaValidation.isDNS1123Label(pool) else {
            throw .badRequest("nodes needs {\"pool\": NAME} with a DNS-1123 label as the name")
        }
        var group = NodeGroup(pool: pool, count: Int(object["count"]?.intValue ?? 1))
        group.maxPods = Int(object["pods"]?.intValue ?? 110)
        for member in object["labels"]?.objectValue ?? JSONObject() {
            group.labels[member.key] = member.value.stringValue ?? ""
        }
        group.taints = object["taints"]?.arrayValue ?? []
        // New nodes continue the pool's numbering.
        let existing = (try? api.store.list(GroupResource(group: "", resource: "nodes"), filter: .everything).objects) ?? []
        var next = 0
        for node in existing where node.key.name.hasPrefix(pool + "-") {
            if let index = Int(node.key.name.dropFirst(pool.count + 1)) { next = max(next, index + 1) }
        }
        var names: [JSONValue] = []
        for index in next..<(next + group.count) {
            try api.addNode(group, index: index, address: "10.1.\(index / 250).\(index % 250 + 2)")
            names.append(.string("\(pool)-\(index)"))
        }
        return .json(["added": .array(names)])
    }
}
