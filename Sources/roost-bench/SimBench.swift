import ArgumentParser
import Foundation
import KubeModel
import KubeSim

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `roost-bench sim`: the simulated cluster's own capacity — storing 5,000 nodes and 50,000
/// realistic pods, serving them as one list and in pages of 500, and fanning watch events out
/// to several watchers over loopback HTTP.
struct SimBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Measure the simulated cluster: storage, full and paginated lists, watch fan-out.")

    @OptionGroup var report: ReportOptions

    @Option(help: "Pods to store.")
    var pods = 50_000

    @Option(help: "Nodes to store.")
    var nodes = 5_000

    @Option(help: "Concurrent watchers for the fan-out.")
    var watchers = 4

    @Option(help: "Watch events to generate for the fan-out.")
    var events = 50_000

    @Option(help: "Pods created through the API handler to measure its create rate.")
    var apiCreates = 5_000

    func validate() throws {
        guard pods > 0, nodes > 0, watchers > 0, events > 0, apiCreates >= 0 else {
            throw ValidationError("--pods, --nodes, --watchers and --events must be positive")
        }
    }

    func run() async throws {
        let out = Report(bench: "sim", jsonOnly: report.jsonOnly)
        var configuration = KubeSim.Configuration()
        configuration.nodes = []
        configuration.runKubelet = false
        configuration.runScheduler = false
        configuration.historyLimit = max(events * 2, 100_000)
        let sim = try KubeSim(configuration)
        defer { sim.shutdown() }

        out.note("storing \(nodes) nodes ...")
        var start = Timestamp.monotonic()
        let group = NodeGroup(pool: "bench", count: nodes)
        for index in 0..<nodes {
            try sim.api.addNode(group, index: index, address: "10.\(index / 62500).\(index / 250 % 250).\(index % 250 + 2)")
        }
        out.add("nodes_store_s", Timestamp.monotonic() - start, "s")

        try sim.api.createNamespaceIfMissing("agents")
        out.note("storing \(pods) pods ...")
        start = Timestamp.monotonic()
        let podResource = GroupResource(group: "", resource: "pods")
        for index in 0..<pods {
            let pod = BenchPod.make(index, nodes: nodes)
            sim.store.update(
                podResource, ObjectKey(namespace: "agents", name: BenchPod.name(index)), kind: "Pod", apiVersion: "v1"
            ) {
                _ -> (StoreWrite, Void) in (.put(pod), ())
            }
        }
        out.add("pods_store_s", Timestamp.monotonic() - start, "s")
        let sample = sim.store.get(podResource, ObjectKey(namespace: "agents", name: BenchPod.name(0)))
        out.add("pod_bytes", Double(sample?.bytes.count ?? 0), "bytes")

        if apiCreates > 0 {
            out.note("creating \(apiCreates) pods through the API handler ...")
            start = Timestamp.monotonic()
            for index in 0..<apiCreates {
                var pod = BenchPod.make(pods + index, nodes: nodes)
                pod["status"] = nil
                let request = APIRequest(
                    method: "POST", uri: "/api/v1/namespaces/agents/pods", headers: ["content-type": "application/json"],
                    body: pod.encoded())
                guard case .full(201, _, _, _) = sim.api.handle(request) else { throw ValidationError("create \(index) failed") }
            }
            out.add("api_creates_per_s", Double(apiCreates) / (Timestamp.monotonic() - start), "1/s")
        }

        let session = URLSession(configuration: .ephemeral)
        let base = sim.url
        out.note("listing all pods in one response ...")
        start = Timestamp.monotonic()
        let (body, _) = try await session.data(from: try url("\(base)/api/v1/pods"))
        let listSeconds = Timestamp.monotonic() - start
        out.add("list_all_pods_s", listSeconds, "s")
        out.add("list_all_pods_mb", Double(body.count) / 1_048_576, "MB")

        out.note("listing all pods in pages of 500 ...")
        start = Timestamp.monotonic()
        var token = ""
        var listed = 0
        repeat {
            let url = "\(base)/api/v1/pods?limit=500" + (token.isEmpty ? "" : "&continue=\(token)")
            let (page, _) = try await session.data(from: try self.url(url))
            let json = try JSONValue.parse(Array(page))
            listed += json["items"]?.arrayValue?.count ?? 0
            token = json[path: ["metadata", "continue"]]?.stringValue ?? ""
        } while !token.isEmpty
        out.add("list_paginated_s", Timestamp.monotonic() - start, "s")
        out.add("list_paginated_items", Double(listed), "objects")

        out.note("fanning \(events) events out to \(watchers) watchers ...")
        let revision = sim.store.currentResourceVersion
        let counters = (0..<watchers).map { _ in LineCounter() }
        let watchSession = URLSession(configuration: .ephemeral, delegate: FanOutDelegate(counters: counters), delegateQueue: nil)
        var tasks: [URLSessionDataTask] = []
        for index in 0..<watchers {
            var request = URLRequest(url: try url("\(base)/api/v1/namespaces/agents/pods?watch=true&resourceVersion=\(revision)"))
            request.timeoutInterval = 600
            let task = watchSession.dataTask(with: request)
            task.taskDescription = String(index)
            tasks.append(task)
            task.resume()
        }
        while sim.store.watcherCount < watchers { try await Task.sleep(for: .milliseconds(10)) }
        start = Timestamp.monotonic()
        for index in 0..<events {
            let name = BenchPod.name(index % pods)
            sim.store.update(podResource, ObjectKey(namespace: "agents", name: name), kind: "Pod", apiVersion: "v1") {
                current -> (StoreWrite, Void) in
                guard let current else { return (.none, ()) }
                var pod = current.json
                pod.set(path: ["metadata", "labels", "bench/generation"], to: .string(String(index)))
                return (.put(pod), ())
            }
        }
        let produced = Timestamp.monotonic() - start
        while counters.contains(where: { $0.count < events }) && Timestamp.monotonic() - start < 120 {
            try await Task.sleep(for: .milliseconds(5))
        }
        let delivered = Timestamp.monotonic() - start
        for task in tasks { task.cancel() }
        out.add("watch_events_produced_per_s", Double(events) / produced, "1/s")
        out.add("watch_fanout_events_per_s", Double(events) / delivered, "1/s")
        out.add("watch_fanout_deliveries_per_s", Double(events * watchers) / delivered, "1/s")
        out.add("watch_events_lost", Double(counters.map { events - min(events, $0.count) }.reduce(0, +)), "events")
        out.add("peak_rss_mb", peakRSSMegabytes(), "MB")
        out.table()
    }
}

extension SimBench {
    func url(_ text: String) throws -> URL {
        guard let url = URL(string: text) else { throw ValidationError("bad URL \(text)") }
        return url
    }
}

/// Counts newline-terminated lines received by one watcher.
final class LineCounter: @unchecked Sendable {
    // `@unchecked`: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0

    func add(_ lines: Int) {
        lock.lock()
        value += lines
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// Streams each watch response and counts its event lines.
final class FanOutDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // `@unchecked`: immutable after init; the counters synchronise themselves.
    let counters: [LineCounter]

    init(counters: [LineCounter]) { self.counters = counters }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let index = Int(dataTask.taskDescription ?? ""), counters.indices.contains(index) else { return }
        var lines = 0
        data.withUnsafeBytes { buffer in
            for byte in buffer where byte == 0x0A { lines += 1 }
        }
        counters[index].add(lines)
    }
}

/// A realistic Roost worker pod (about 3.4 KB compact, like `shared/perf/make_pod.py` writes):
/// labels, annotations, owner reference, managed fields, two containers with env and resources,
/// node affinity, a toleration, status with conditions and container statuses.
enum BenchPod {
    static func name(_ index: Int) -> String {
        let suffix = String((index * 7919) % 99991, radix: 16)
        return "coder-large-2x-\(String(repeating: "0", count: max(0, 6 - String(index).count)))\(index)-\(suffix)"
    }

    static func make(_ index: Int, nodes: Int) -> JSONValue {
        let time: JSONValue = .string("2026-09-21T10:14:\(index % 50 + 10)Z")
        let node = JSONValue.string("bench-\(index % nodes)")
        let ip = JSONValue.string("10.42.\(index / 250 % 250).\(index % 250 + 2)")
        let container: (String, String) -> JSONValue = { name, image in
            [
                "name": .string(name), "image": .string(image),
                "env": [
                    ["name": "ROOST_SESSION", "value": .string("session-\(index)")], ["name": "LOG_LEVEL", "value": "info"],
                ],
                "resources": ["requests": ["cpu": "4", "memory": "8Gi"], "limits": ["memory": "8Gi"]],
                "volumeMounts": [["name": "workspace", "mountPath": "/workspace"]],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent",
            ]
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name(index)), "namespace": "agents",
                "uid": .string("00000000-0000-4000-8000-\(String(format: "%012d", index))"),
                "creationTimestamp": time,
                "labels": [
                    "roost.dev/managed-by": "roost", "roost.dev/runtime": "coder", "roost.dev/machine": "large-2x",
                    "roost.dev/state": index % 3 == 0 ? "idle" : "busy", "roost.dev/scheduled": index % 2 == 0 ? "false" : "true",
                    "roost.dev/template-hash": "5f8d7c9b4",
                ],
                "annotations": ["roost.dev/session": .string("session-\(index)"), "roost.dev/idle-since": time],
                "ownerReferences": [
                    [
                        "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "name": "coder",
                        "uid": "7f9d2c1e-4b3a-4e8f-9a61-0c2d3e4f5a6b", "controller": true, "blockOwnerDeletion": true,
                    ]
                ],
                "managedFields": [
                    [
                        "manager": "roost", "operation": "Update", "apiVersion": "v1", "time": time, "fieldsType": "FieldsV1",
                        "fieldsV1": ["f:metadata": ["f:labels": ["f:roost.dev/state": [:]]]],
                    ],
                    [
                        "manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": time, "fieldsType": "FieldsV1",
                        "fieldsV1": ["f:status": ["f:conditions": [:], "f:podIP": [:]]], "subresource": "status",
                    ],
                ],
            ],
            "spec": [
                "containers": [
                    container("agent", "ghcr.io/roost-dev/coder:1.4.2"), container("sidecar", "ghcr.io/roost-dev/proxy:0.9.1"),
                ],
                "volumes": [["name": "workspace", "emptyDir": [:]]],
                "nodeName": node, "restartPolicy": "Never", "schedulerName": "default-scheduler",
                "terminationGracePeriodSeconds": 30, "serviceAccountName": "default",
                "affinity": [
                    "nodeAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 100,
                                "preference": [
                                    "matchExpressions": [
                                        [
                                            "key": "node.cluster.x-k8s.io/machinepool", "operator": "In",
                                            "values": ["large-machines"],
                                        ]
                                    ]
                                ],
                            ]
                        ]
                    ]
                ],
                "tolerations": [["key": "roost.dev/sandbox", "operator": "Exists", "effect": "NoSchedule"]],
            ],
            "status": [
                "phase": "Running", "hostIP": "10.0.1.17", "podIP": ip, "podIPs": [["ip": ip]], "startTime": time,
                "qosClass": "Burstable",
                "conditions": [
                    ["type": "Initialized", "status": "True", "lastTransitionTime": time],
                    ["type": "Ready", "status": "True", "lastTransitionTime": time],
                    ["type": "ContainersReady", "status": "True", "lastTransitionTime": time],
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": time],
                ],
                "containerStatuses": [
                    [
                        "name": "agent", "ready": true, "started": true, "restartCount": 0,
                        "image": "ghcr.io/roost-dev/coder:1.4.2",
                        "imageID": "ghcr.io/roost-dev/coder@sha256:1f2e3d", "containerID": "containerd://9a8b7c6d5e4f",
                        "state": ["running": ["startedAt": time]],
                    ],
                    [
                        "name": "sidecar", "ready": true, "started": true, "restartCount": 0,
                        "image": "ghcr.io/roost-dev/proxy:0.9.1",
                        "imageID": "ghcr.io/roost-dev/proxy@sha256:4c5d6e", "containerID": "containerd://1a2b3c4d5e6f",
                        "state": ["running": ["startedAt": time]],
                    ],
                ],
            ],
        ]
    }
}
