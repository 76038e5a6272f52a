import KubeModel

/// A group of identical simulated nodes, as `--nodes` describes them.
///
/// Syntax: groups separated by commas, each `POOL:COUNT[:OPTION[;OPTION...]]` where an option is
/// `pods=N` (allocatable pods, default 110), `label=KEY=VALUE` or `taint=KEY[=VALUE]:EFFECT`.
/// Nodes are named `POOL-0`, `POOL-1`, ... and labelled with the pool under
/// `node.cluster.x-k8s.io/machinepool`. Example: `default:3,scheduled-runs:2,large-machines:1:pods=20`.
public struct NodeGroup: Sendable, Equatable {
    public var pool: String
    public var count: Int
    public var maxPods: Int = 110
    public var labels: [String: String] = [:]
    public var taints: [JSONValue] = []

    /// The label key that carries the node pool.
    public static let poolLabel = "node.cluster.x-k8s.io/machinepool"

    public init(pool: String, count: Int, maxPods: Int = 110, labels: [String: String] = [:], taints: [JSONValue] = []) {
        self.pool = pool
        self.count = count
        self.maxPods = maxPods
        self.labels = labels
        self.taints = taints
    }

    /// Why a node specification could not be read.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses a `--nodes` value.
    /// - Throws: ``ParseError`` naming the bad group and what is expected.
    public static func parse(_ text: String) throws(ParseError) -> [NodeGroup] {
        var groups: [NodeGroup] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = raw.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, let count = Int(parts[1]), count >= 0, count <= 100_000 else {
                throw ParseError(
                    description: "invalid node group \"\(raw)\": expected POOL:COUNT[:OPTIONS], e.g. default:3 or large:2:pods=20"
                )
            }
            guard ObjectMetaValidation.isDNS1123Label(parts[0]) else {
                throw ParseError(
                    description: "invalid node pool name \"\(parts[0])\": \(ObjectMetaValidation.dns1123LabelMessage)")
            }
            var group = NodeGroup(pool: parts[0], count: count)
            if parts.count == 3 {
                for option in parts[2].split(separator: ";", omittingEmptySubsequences: true) {
                    let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else {
                        throw ParseError(
                            description:
                                "invalid node option \"\(option)\" in \"\(raw)\": expected pods=N, label=K=V or taint=K[=V]:EFFECT"
                        )
                    }
                    switch pair[0] {
                    case "pods":
                        guard let pods = Int(pair[1]), pods > 0 else {
                            throw ParseError(description: "invalid pods=\(pair[1]) in \"\(raw)\": must be a positive integer")
                        }
                        group.maxPods = pods
                    case "label":
                        let label = pair[1].split(separator: "=", maxSplits: 1).map(String.init)
                        guard label.count == 2, !label[0].isEmpty else {
                            throw ParseError(description: "invalid label \"\(pair[1])\" in \"\(raw)\": expected KEY=VALUE")
                        }
                        group.labels[label[0]] = label[1]
                    case "taint":
                        group.taints.append(try parseTaint(pair[1], in: String(raw)))
                    default:
                        throw ParseError(
                            description: "unknown node option \"\(pair[0])\" in \"\(raw)\": expected pods, label or taint")
                    }
                }
            }
            groups.append(group)
        }
        return groups
    }

    static func parseTaint(_ text: String, in group: String) throws(ParseError) -> JSONValue {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(parts[1]) else {
            throw ParseError(
                description:
                    "invalid taint \"\(text)\" in \"\(group)\": expected KEY[=VALUE]:EFFECT with EFFECT NoSchedule, PreferNoSchedule or NoExecute"
            )
        }
        let keyValue = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
        var taint: JSONObject = ["key": .string(keyValue[0]), "effect": .string(parts[1])]
        if keyValue.count == 2 { taint["value"] = .string(keyValue[1]) }
        return .object(taint)
    }

    /// The Node object of the `index`-th node of this group.
    func node(index: Int, address: String, now: Double) -> JSONValue {
        let name = "\(pool)-\(index)"
        var labels: JSONObject = [
            "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            .init(stringLiteral: NodeGroup.poolLabel): .string(pool),
        ]
        for (key, value) in self.labels.sorted(by: { $0.key < $1.key }) { labels[key] = .string(value) }
        let time = JSONValue.string(Timestamp.rfc3339(now))
        var spec: JSONObject = ["podCIDR": .string("10.244.\(index % 256).0/24")]
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        let capacity: JSONValue = ["cpu": "8", "memory": "32Gi", "pods": .string(String(maxPods)), "ephemeral-storage": "100Gi"]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(labels)],
            "spec": .object(spec),
            "status": [
                "capacity": capacity, "allocatable": capacity,
                "conditions": [
                    [
                        "type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
                        "message": "kubelet has sufficient memory available", "lastHeartbeatTime": time,
                        "lastTransitionTime": time,
                    ],
                    [
                        "type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure",
                        "message": "kubelet has no disk pressure", "lastHeartbeatTime": time, "lastTransitionTime": time,
                    ],
                    [
                        "type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID",
                        "message": "kubelet has sufficient PID available", "lastHeartbeatTime": time, "lastTransitionTime": time,
                    ],
                    [
                        "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                        "lastHeartbeatTime": time, "lastTransitionTime": time,
                    ],
                ],
                "addresses": [
                    ["type": "InternalIP", "address": .string(address)], ["type": "Hostname", "address": .string(name)],
                ],
                "nodeInfo": [
                    "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux",
                    "architecture": "amd64",
                    "containerRuntimeVersion": "containerd://1.7.24", "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "kernelVersion": "6.1.0-roost-sim", "machineID": "", "systemUUID": "", "bootID": "",
                ],
            ],
        ]
    }
}

/// Node lifecycle actions of the simulated cluster: add, remove, cordon, NotReady — done with
/// the same writes the real actors make (kubectl cordon patches spec.unschedulable; the node
/// lifecycle controller taints NotReady nodes with `node.kubernetes.io/not-ready` and marks their
/// pods not Ready, `pkg/controller/nodelifecycle`).
extension APIServer {
    /// Creates a node; the node pool label comes from `group`.
    public func addNode(_ group: NodeGroup, index: Int, address: String) throws(APIError) {
        guard let type = registry.lookup(group: "", version: "v1", plural: "nodes") else { throw .notFoundPath() }
        let now = Timestamp.now()
        let node = group.node(index: index, address: address, now: now)
        let context = WriteContext(
            type: type, key: ObjectKey(namespace: "", name: "\(group.pool)-\(index)"), subresource: nil,
            manager: "kubelet", dryRun: false, now: now)
        var withStatus = node
        prepareForCreate(type, &withStatus, now: now)
        withStatus["status"] = node["status"]
        _ = try store.update(type.storageKey, context.key, kind: type.kind, apiVersion: type.apiVersion) {
            current throws(APIError) -> (StoreWrite, Void) in
            if current != nil { throw .alreadyExists(type, name: context.key.name) }
            return (.put(withStatus), ())
        }
    }

    /// Deletes a node (its pods are then removed by pod GC).
    public func removeNode(_ name: String) throws(APIError) {
        guard let type = registry.lookup(group: "", version: "v1", plural: "nodes") else { throw .notFoundPath() }
        _ = try deleteObject(type, key: ObjectKey(namespace: "", name: name), options: DeleteOptions())
    }

    /// Sets or clears `spec.unschedulable`, as `kubectl cordon`/`uncordon` do.
    public func setNodeUnschedulable(_ name: String, _ unschedulable: Bool) throws(APIError) {
        try modifyNode(name) { node in
            node.set(path: ["spec", "unschedulable"], to: unschedulable ? .bool(true) : nil)
            var taints = node[path: ["spec", "taints"]]?.arrayValue ?? []
            taints.removeAll { $0["key"]?.stringValue == "node.kubernetes.io/unschedulable" }
            if unschedulable {
                taints.append([
                    "key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                    "timeAdded": .string(Timestamp.rfc3339(Timestamp.now())),
                ])
            }
            node.set(path: ["spec", "taints"], to: taints.isEmpty ? nil : .array(taints))
        }
    }

    /// Flips the node's Ready condition; a NotReady node is tainted and its pods marked not Ready.
    public func setNodeReady(_ name: String, _ ready: Bool) throws(APIError) {
        let now = Timestamp.now()
        try modifyNode(name) { node in
            var conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
            if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == "Ready" }) {
                let wasReady = conditions[index]["status"]?.stringValue == "True"
                conditions[index]["status"] = ready ? "True" : "Unknown"
                conditions[index]["reason"] = ready ? "KubeletReady" : "NodeStatusUnknown"
                conditions[index]["message"] = ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status."
                if wasReady != ready { conditions[index]["lastTransitionTime"] = .string(Timestamp.rfc3339(now)) }
            }
            node.set(path: ["status", "conditions"], to: .array(conditions))
            var taints = node[path: ["spec", "taints"]]?.arrayValue ?? []
            taints.removeAll { $0["key"]?.stringValue == "node.kubernetes.io/unreachable" }
            if !ready {
                taints.append([
                    "key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": .string(Timestamp.rfc3339(now)),
                ])
            }
            node.set(path: ["spec", "taints"], to: taints.isEmpty ? nil : .array(taints))
        }
        guard !ready, let pods = registry.lookup(group: "", version: "v1", plural: "pods") else { return }
        let filter = ObjectFilter { _, fields in fields["spec.nodeName"] == name }
        for pod in (try? store.list(pods.storageKey, filter: filter).objects) ?? [] {
            _ = store.update(pods.storageKey, pod.key, kind: pods.kind, apiVersion: pods.apiVersion) {
                current -> (StoreWrite, Void) in
                guard let current else { return (.none, ()) }
                var object = current.json
                PodStatus.setCondition(&object, type: "Ready", status: "False", reason: "NodeNotReady", message: nil, now: now)
                return (.put(object), ())
            }
        }
    }

    private func modifyNode(_ name: String, _ change: @escaping (inout JSONValue) -> Void) throws(APIError) {
        guard let type = registry.lookup(group: "", version: "v1", plural: "nodes") else { throw .notFoundPath() }
        _ = try store.update(type.storageKey, ObjectKey(namespace: "", name: name), kind: type.kind, apiVersion: type.apiVersion)
        {
            current throws(APIError) -> (StoreWrite, Void) in
            guard let current else { throw .notFound(type, name: name) }
            var node = current.json
            change(&node)
            return (.put(node), ())
        }
    }
}
