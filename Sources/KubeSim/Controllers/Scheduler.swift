import KubeMachinery
import KubeModel
import NIOCore
import Synchronization

/// Binds pods that have no node, as kube-scheduler's default profile does for the plugins that
/// matter to Roost: NodeUnschedulable, TaintToleration, NodeAffinity (required terms filter,
/// preferred terms scored and normalised), node pod capacity, InterPodAffinity (preferred), with a
/// seeded tie-break (`KubeMachinery.Scheduling`). A pod that fits nowhere gets the scheduler's
/// own text on its PodScheduled condition ("0/5 nodes are available: ...") and is retried when
/// nodes or pods change, or after a second.
final class Scheduler: Sendable {
    private let api: APIServer
    private let seed: UInt64
    private let loop: any EventLoop
    private let counter = Mutex<UInt64>(0)
    private let cyclePending = Mutex(false)
    /// Pods bound since start, for stats.
    let bound = Mutex(0)

    /// - Parameter loop: the controllers' own event loop; cycles run there one at a time.
    init(api: APIServer, seed: UInt64, loop: any EventLoop) {
        self.api = api
        self.seed = seed
        self.loop = loop
    }

    /// Asks for a cycle soon; requests made while one is pending coalesce.
    private func wake() {
        let schedule = cyclePending.withLock { pending -> Bool in
            if pending { return false }
            pending = true
            return true
        }
        guard schedule else { return }
        loop.execute { [self] in
            cyclePending.withLock { $0 = false }
            cycle()
        }
    }

    func observe(_ event: HistoryEvent) {
        guard event.resource.group.isEmpty else { return }
        switch event.resource.resource {
        case "pods":
            // New unbound pods need placing; a pod leaving frees capacity for waiting ones.
            if event.type == .added && (event.object.fields["spec.nodeName"] ?? "").isEmpty { wake() }
            if event.type == .deleted { wake() }
        case "nodes":
            wake()
        default:
            break
        }
    }

    /// Starts the once-a-second retry of unschedulable pods.
    /// - Returns: a function that stops it.
    func start() -> @Sendable () -> Void {
        let task = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in wake() }
        return { task.cancel() }
    }

    /// One pass over every pending pod.
    func cycle() {
        guard let podType = api.registry.lookup(group: "", version: "v1", plural: "pods"),
            let nodeType = api.registry.lookup(group: "", version: "v1", plural: "nodes")
        else { return }
        let pending = ObjectFilter { _, fields in
            (fields["spec.nodeName"] ?? "").isEmpty && fields["spec.schedulerName"] == "default-scheduler"
        }
        guard let pendingPods = try? api.store.list(podType.storageKey, filter: pending).objects, !pendingPods.isEmpty,
            let nodeObjects = try? api.store.list(nodeType.storageKey, filter: .everything).objects,
            let allPods = try? api.store.list(podType.storageKey, filter: .everything).objects
        else { return }
        var podsByNode: [String: [ExistingPod]] = [:]
        for pod in allPods {
            guard let node = pod.fields["spec.nodeName"], !node.isEmpty else { continue }
            podsByNode[node, default: []].append(
                ExistingPod(name: pod.key.name, namespace: pod.key.namespace, labels: pod.labels))
        }
        var nodes: [NodeInfo] = nodeObjects.compactMap { stored in
            let pods = podsByNode[stored.key.name] ?? []
            return try? NodeInfo(node: stored.json, pods: pods, podCount: pods.count)
        }
        for stored in pendingPods {
            let pod = stored.json
            if pod[path: ["metadata", "deletionTimestamp"]] != nil { continue }
            let (feasible, failure) = Scheduling.filter(pod: pod, nodes: nodes)
            let scores = Scheduling.score(pod: pod, nodes: feasible, cluster: nodes)
            let draw = counter.withLock { value -> UInt64 in
                value &+= 1
                return value
            }
            guard let chosen = Scheduling.select(scores: scores, seed: seed &+ draw &* 0x9E37_79B9_7F4A_7C15) else {
                markUnschedulable(podType, stored, message: failure ?? "0/\(nodes.count) nodes are available")
                continue
            }
            do {
                try api.bindPod(key: stored.key, node: chosen.name, uid: stored.uid)
                bound.withLock { $0 += 1 }
                api.recordEvent(
                    about: stored, kind: "Pod", apiVersion: "v1", type: "Normal", reason: "Scheduled",
                    message: "Successfully assigned \(stored.key.namespace)/\(stored.key.name) to \(chosen.name)",
                    component: "default-scheduler")
                if let index = nodes.firstIndex(where: { $0.name == chosen.name }) {
                    var pods = nodes[index].pods
                    pods.append(ExistingPod(name: stored.key.name, namespace: stored.key.namespace, labels: stored.labels))
                    if let updated = try? NodeInfo(node: nodes[index].node, pods: pods, podCount: pods.count) {
                        nodes[index] = updated
                    }
                }
            } catch {
                // Deleted or bound meanwhile: the next cycle sees the truth.
                continue
            }
        }
    }

    /// Writes PodScheduled=False/Unschedulable with the scheduler's message, only when it changed.
    /// Also records a FailedScheduling Event when the message changed.
    private func markUnschedulable(_ type: ResourceType, _ stored: StoredObject, message: String) {
        let result = api.store.update(type.storageKey, stored.key, kind: type.kind, apiVersion: type.apiVersion) {
            current -> (StoreWrite, Bool) in
            guard let current, current.uid == stored.uid, (current.fields["spec.nodeName"] ?? "").isEmpty else {
                return (.none, false)
            }
            var pod = current.json
            let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
            if let existing = conditions.first(where: { $0["type"]?.stringValue == "PodScheduled" }),
                existing["status"]?.stringValue == "False", existing["message"]?.stringValue == message
            {
                return (.none, false)
            }
            PodStatus.setCondition(
                &pod, type: "PodScheduled", status: "False", reason: "Unschedulable", message: message, now: Timestamp.now())
            return (.put(pod), true)
        }
        if result.extra, let pod = result.object {
            api.recordEvent(
                about: pod, kind: "Pod", apiVersion: "v1", type: "Warning", reason: "FailedScheduling", message: message,
                component: "default-scheduler")
        }
    }
}
