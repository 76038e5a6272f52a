import KubeModel
import NIOCore
import Synchronization

/// One simulated container start, for `/_sim/starts` and the demo's report.
public struct PodStart: Sendable, Equatable {
    public var namespace: String
    public var pod: String
    public var node: String
    /// The runtime whose cache was consulted (`roost.dev/runtime`, else the first image).
    public var runtime: String
    /// Whether the node's cache was already warm for that runtime.
    public var warm: Bool
    /// Simulated start delay in unscaled seconds (cold 8 s, warm 0.5 s by default).
    public var delaySeconds: Double
    /// Wall-clock seconds when the kubelet saw the pod bound, and when it reported it Ready.
    public var boundAt: Double
    public var readyAt: Double
}

/// The kubelets of every simulated node: move bound pods to Running/Ready after a start delay
/// that depends on whether the node's image cache is warm for the pod's runtime, and finish
/// graceful deletions. Status fields follow what a real kubelet reports
/// (`pkg/kubelet/status/status_manager.go`, `generateAPIPodStatus`): phase, conditions
/// (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled), hostIP,
/// podIP(s), startTime and containerStatuses.
public final class Kubelet: Sendable {
    /// Start delays and the global time scale.
    public struct Timing: Sendable {
        public var coldStartSeconds = 8.0
        public var warmStartSeconds = 0.5
        /// Multiplies every simulated delay (0.01 makes a cold start take 80 ms).
        public var timeScale = 1.0
        /// Longest simulated wait for a graceful pod deletion, before scaling (the real grace
        /// period is honoured up to this bound so tests need not wait 30 s).
        public var maxTerminationSeconds = 1.0

        public init() {}
    }

    private struct State {
        var warmCaches: [String: Set<String>] = [:]
        var inFlight: Set<String> = []
        var terminating: Set<String> = []
        var starts: [PodStart] = []
        var nodeAddresses: [String: String] = [:]
        var podIPCounter: UInt32 = 0
    }

    private let api: APIServer
    public let timing: Timing
    private let loop: any EventLoop
    private let state = Mutex(State())

    /// - Parameter loop: the controllers' own event loop; every kubelet action runs there.
    init(api: APIServer, timing: Timing, loop: any EventLoop) {
        self.api = api
        self.timing = timing
        self.loop = loop
    }

    /// Every start so far, oldest first.
    public var starts: [PodStart] { state.withLock { $0.starts } }

    /// Marks a node's cache warm for a runtime (a pre-pulled image).
    public func warm(node: String, runtime: String) {
        _ = state.withLock { $0.warmCaches[node, default: []].insert(runtime) }
    }

    /// Forgets a node's caches (the node was removed or replaced).
    public func forget(node: String) {
        _ = state.withLock { $0.warmCaches.removeValue(forKey: node) }
    }

    func observe(_ event: HistoryEvent) {
        guard event.resource == GroupResource(group: "", resource: "pods") else { return }
        if event.type == .deleted {
            state.withLock { state in
                state.inFlight.remove(event.object.uid)
                state.terminating.remove(event.object.uid)
            }
            return
        }
        guard let node = event.object.fields["spec.nodeName"], !node.isEmpty else { return }
        loop.execute { [self] in handle(event) }
    }

    private func handle(_ event: HistoryEvent) {
        let key = event.object.uid
        let pod = event.object.json
        if pod[path: ["metadata", "deletionTimestamp"]] != nil {
            guard state.withLock({ $0.terminating.insert(key).inserted }) else { return }
            let grace = Double(pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0)
            after(seconds: min(grace, timing.maxTerminationSeconds)) { [self] in finishDeletion(event.object) }
            return
        }
        let phase = pod[path: ["status", "phase"]]?.stringValue ?? ""
        guard phase == "Pending" || phase.isEmpty, pod[path: ["status", "startTime"]] == nil else { return }
        guard state.withLock({ $0.inFlight.insert(key).inserted }) else { return }
        start(event.object, pod: pod)
    }

    /// Runs `action` on the controllers' loop after a simulated (scaled) delay.
    private func after(seconds: Double, _ action: @escaping @Sendable () -> Void) {
        let scaled = seconds * timing.timeScale
        if scaled <= 0 {
            loop.execute(action)
        } else {
            loop.scheduleTask(in: .nanoseconds(Int64(scaled * 1e9)), action)
        }
    }

    private func start(_ stored: StoredObject, pod: JSONValue) {
        let boundAt = Timestamp.now()
        let node = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let runtime =
            pod[path: ["metadata", "labels", "roost.dev/runtime"]]?.stringValue
            ?? pod[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue ?? ""
        let warm = state.withLock { $0.warmCaches[node]?.contains(runtime) ?? false }
        let delay = warm ? timing.warmStartSeconds : timing.coldStartSeconds
        let hostIP = hostIP(node: node)
        update(stored) { pod, now in Self.reportCreating(&pod, hostIP: hostIP, now: now) }
        after(seconds: delay) { [self] in
            let podIP = nextPodIP()
            let started = update(stored) { pod, now in
                Self.reportRunning(&pod, hostIP: hostIP, podIP: podIP, now: now)
            }
            guard started else { return }
            let readyAt = Timestamp.now()
            recordStartEvents(stored, pod: pod, node: node, warm: warm, delay: delay)
            state.withLock { state in
                state.warmCaches[node, default: []].insert(runtime)
                state.starts.append(
                    PodStart(
                        namespace: stored.key.namespace, pod: stored.key.name, node: node, runtime: runtime, warm: warm,
                        delaySeconds: delay, boundAt: boundAt, readyAt: readyAt))
            }
        }
    }

    /// Pulled (warm: already present; cold: pulled in the simulated time) and Started, per
    /// container, as the kubelet reports them.
    private func recordStartEvents(_ stored: StoredObject, pod: JSONValue, node: String, warm: Bool, delay: Double) {
        for container in pod[path: ["spec", "containers"]]?.arrayValue ?? [] {
            let name = container["name"]?.stringValue ?? ""
            let image = container["image"]?.stringValue ?? ""
            let pulled =
                warm
                ? "Container image \"\(image)\" already present on machine"
                : "Successfully pulled image \"\(image)\" in \(delay)s (cache cold for this node)"
            api.recordEvent(
                about: stored, kind: "Pod", apiVersion: "v1", type: "Normal", reason: "Pulled", message: pulled,
                component: "kubelet",
                host: node)
            api.recordEvent(
                about: stored, kind: "Pod", apiVersion: "v1", type: "Normal", reason: "Started",
                message: "Started container \(name)",
                component: "kubelet", host: node)
        }
    }

    private func finishDeletion(_ stored: StoredObject) {
        guard let type = api.registry.lookup(group: "", version: "v1", plural: "pods") else { return }
        var options = APIServer.DeleteOptions()
        options.gracePeriodSeconds = 0
        options.preconditionUID = stored.uid
        _ = try? api.deleteObject(type, key: stored.key, options: options)
        state.withLock { state in
            state.terminating.remove(stored.uid)
            state.inFlight.remove(stored.uid)
        }
    }

    /// Applies a status change to the pod if it is still the same pod, bound and not terminating.
    @discardableResult
    private func update(_ stored: StoredObject, _ change: (inout JSONValue, Double) -> Void) -> Bool {
        guard let type = api.registry.lookup(group: "", version: "v1", plural: "pods") else { return false }
        let result = api.store.update(type.storageKey, stored.key, kind: type.kind, apiVersion: type.apiVersion) {
            current -> (StoreWrite, Bool) in
            guard let current, current.uid == stored.uid else { return (.none, false) }
            var pod = current.json
            guard pod[path: ["metadata", "deletionTimestamp"]] == nil else { return (.none, false) }
            change(&pod, Timestamp.now())
            return (.put(pod), true)
        }
        return result.extra
    }

    /// The node's InternalIP. Must not be called with the store's lock held.
    private func hostIP(node: String) -> String {
        if let address = state.withLock({ $0.nodeAddresses[node] }) { return address }
        let nodes = GroupResource(group: "", resource: "nodes")
        let stored = api.store.get(nodes, ObjectKey(namespace: "", name: node))
        let addresses = stored?.json[path: ["status", "addresses"]]?.arrayValue ?? []
        let address = addresses.first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue ?? "10.0.0.1"
        state.withLock { $0.nodeAddresses[node] = address }
        return address
    }

    private func nextPodIP() -> String {
        state.withLock { state in
            state.podIPCounter &+= 1
            let value = state.podIPCounter
            return "10.244.\(value >> 8 & 0xFF).\(value & 0xFF == 0 ? 1 : value & 0xFF)"
        }
    }

    static func reportCreating(_ pod: inout JSONValue, hostIP: String, now: Double) {
        pod.set(path: ["status", "hostIP"], to: .string(hostIP))
        pod.set(path: ["status", "hostIPs"], to: [["ip": .string(hostIP)]])
        pod.set(path: ["status", "startTime"], to: .string(Timestamp.rfc3339(now)))
        PodStatus.setCondition(&pod, type: "PodReadyToStartContainers", status: "False", reason: nil, message: nil, now: now)
        PodStatus.setCondition(&pod, type: "Initialized", status: "True", reason: nil, message: nil, now: now)
        PodStatus.setCondition(
            &pod, type: "Ready", status: "False", reason: "ContainersNotReady",
            message: "containers with unready status: [\(containerNames(pod).joined(separator: " "))]", now: now)
        PodStatus.setCondition(
            &pod, type: "ContainersReady", status: "False", reason: "ContainersNotReady",
            message: "containers with unready status: [\(containerNames(pod).joined(separator: " "))]", now: now)
        pod.set(
            path: ["status", "containerStatuses"],
            to: .array(
                containers(pod).map { container in
                    [
                        "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "",
                        "ready": false, "started": false, "restartCount": 0,
                        "state": ["waiting": ["reason": "ContainerCreating"]],
                    ]
                }))
    }

    static func reportRunning(_ pod: inout JSONValue, hostIP: String, podIP: String, now: Double) {
        let time = JSONValue.string(Timestamp.rfc3339(now))
        pod.set(path: ["status", "phase"], to: "Running")
        pod.set(path: ["status", "podIP"], to: .string(podIP))
        pod.set(path: ["status", "podIPs"], to: [["ip": .string(podIP)]])
        for type in ["PodReadyToStartContainers", "Ready", "ContainersReady"] {
            PodStatus.setCondition(&pod, type: type, status: "True", reason: nil, message: nil, now: now)
        }
        pod.set(
            path: ["status", "containerStatuses"],
            to: .array(
                containers(pod).map { container in
                    let image = container["image"]?.stringValue ?? ""
                    return [
                        "name": container["name"] ?? "", "image": .string(image),
                        "imageID": .string("docker.io/library/\(image)@sha256:0000"),
                        "containerID": .string("containerd://\(UID.random().replacingDashes())"),
                        "ready": true, "started": true, "restartCount": 0,
                        "state": ["running": ["startedAt": time]],
                    ]
                }))
    }

    private static func containers(_ pod: JSONValue) -> [JSONValue] {
        pod[path: ["spec", "containers"]]?.arrayValue ?? []
    }

    private static func containerNames(_ pod: JSONValue) -> [String] {
        containers(pod).compactMap { $0["name"]?.stringValue }
    }
}

extension String {
    func replacingDashes() -> String { String(filter { $0 != "-" }) }
}
