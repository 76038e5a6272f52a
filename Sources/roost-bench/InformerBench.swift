import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeSim
import Synchronization

/// `roost-bench informer`: initial sync of 50,000 pods and 5,000 nodes into informer stores,
/// peak memory and bytes per cached pod, then sustained watch events into the store with the
/// event-to-handler latency. The simulated cluster runs in a child process (`serve-sim`), so
/// the memory figures are the informers' own.
struct InformerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informer", abstract: "Measure KubeRuntime informers: initial sync, memory, watch throughput and latency.")

    @OptionGroup var report: ReportOptions

    @Option(help: "Pods in the cluster.")
    var pods = 50_000

    @Option(help: "Nodes in the cluster.")
    var nodes = 5_000

    @Option(help: "Watch events generated for the throughput phase.")
    var events = 100_000

    @Option(help: "Target rate of generated watch events, per second.")
    var rate = 20_000

    @Option(help: "Use this cluster instead of a simulated one (no events are generated then).")
    var kubeconfig: String?

    func run() async throws {
        let out = Report(bench: "informer", jsonOnly: report.jsonOnly)
        var child: SimChild?
        let configuration: ClientConfiguration
        if let kubeconfig {
            configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig)
        } else {
            out.note("starting the simulated cluster with \(pods) pods and \(nodes) nodes in a child process ...")
            let started = try SimChild.start(pods: pods, nodes: nodes)
            child = started
            configuration = try ClientConfiguration.load(kubeconfigPath: started.kubeconfig, environment: [:])
        }
        defer { child?.stop() }
        var options = KubeClient.Options()
        options.qps = nil
        options.requestTimeout = 300
        let client = try KubeClient(configuration: configuration, options: options)
        let baseline = currentRSSMegabytes()

        let latencies = LatencyRecorder()
        let podInformer = Informer<CoreV1.Pod>(
            client: client, resource: .pods, configuration: ReflectorConfiguration(namespace: child == nil ? nil : "agents"),
            indexers: [
                "node": { [$0.spec.nodeName] },
                "runtime-state": {
                    ["\($0.metadata.labels["roost.dev/runtime"] ?? "")/\($0.metadata.labels["roost.dev/state"] ?? "")"]
                },
            ])
        podInformer.addHandler { delta in
            if case .updated(_, let pod) = delta, let sent = pod.metadata.labels["bench/sent-at"].flatMap(Double.init) {
                latencies.record(Timestamp.monotonic() - sent)
            }
        }
        let nodeInformer = Informer<CoreV1.Node>(client: client, resource: .nodes)
        out.note("syncing ...")
        let start = Timestamp.monotonic()
        let podTask = Task { await podInformer.run() }
        let nodeTask = Task { await nodeInformer.run() }
        while !(podInformer.hasSynced && nodeInformer.hasSynced) { try await Task.sleep(for: .milliseconds(5)) }
        let syncSeconds = Timestamp.monotonic() - start
        let synced = currentRSSMegabytes()
        out.add("initial_sync_s", syncSeconds, "s")
        out.add("cached_pods", Double(podInformer.store.count), "pods")
        out.add("cached_nodes", Double(nodeInformer.store.count), "nodes")
        out.add(
            "bytes_per_cached_pod",
            (synced - baseline) * 1_048_576 / Double(max(1, podInformer.store.count + nodeInformer.store.count)), "bytes")

        if let child {
            out.note("generating \(events) pod changes at \(rate)/s ...")
            let churnStart = Timestamp.monotonic()
            try child.churn(events: events, rate: rate, pods: pods)
            while latencies.count < events && Timestamp.monotonic() - churnStart < Double(events) / Double(rate) * 4 + 30 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let elapsed = latencies.lastAt - churnStart
            out.add("watch_events_per_s", Double(latencies.count) / max(elapsed, 0.001), "1/s")
            out.add("watch_events_received", Double(latencies.count), "events")
            out.add("event_to_handler_p50_ms", latencies.percentile(0.50) * 1000, "ms")
            out.add("event_to_handler_p99_ms", latencies.percentile(0.99) * 1000, "ms")
        }
        out.add("peak_rss_mb", peakRSSMegabytes(), "MB")
        podTask.cancel()
        nodeTask.cancel()
        out.table()
    }
}

/// Event-to-handler latencies, seconds.
final class LatencyRecorder: Sendable {
    private let state = Mutex<(values: [Double], lastAt: Double)>(([], 0))

    func record(_ latency: Double) {
        state.withLock { state in
            state.values.append(latency)
            state.lastAt = Timestamp.monotonic()
        }
    }

    var count: Int { state.withLock { $0.values.count } }
    var lastAt: Double { state.withLock { $0.lastAt } }

    func percentile(_ fraction: Double) -> Double {
        let sorted = state.withLock { $0.values }.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// Current resident set size, megabytes (VmRSS).
func currentRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Double(String(line.filter(\.isNumber))) ?? 0) / 1024
    }
    return 0
}

/// The simulated cluster in a child process (`roost-bench serve-sim`), driven over its stdin.
struct SimChild {
    let process: Process
    let input: FileHandle
    let kubeconfig: String

    static func start(pods: Int, nodes: Int) throws -> SimChild {
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent(
            "roost-bench-\(UUID().uuidString).kubeconfig"
        ).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["serve-sim", "--pods", String(pods), "--nodes", String(nodes), "--kubeconfig-out", kubeconfig]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The child prints "ready" once the objects are stored and the kubeconfig is written.
        let line = String(decoding: output.fileHandleForReading.availableDataUntilNewline(), as: UTF8.self)
        guard line.hasPrefix("ready") else { throw ValidationError("the simulated cluster did not start: \(line)") }
        return SimChild(process: process, input: input.fileHandleForWriting, kubeconfig: kubeconfig)
    }

    func churn(events: Int, rate: Int, pods: Int) throws {
        input.write(Data("churn \(events) \(rate) \(pods)\n".utf8))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: kubeconfig)
    }
}

extension FileHandle {
    /// Reads until a newline (or end of file).
    func availableDataUntilNewline() -> Data {
        var data = Data()
        while true {
            let chunk = readData(ofLength: 1)
            if chunk.isEmpty || chunk == Data("\n".utf8) { return data }
            data.append(chunk)
        }
    }
}

/// `roost-bench serve-sim`: the child side — a simulated cluster with the given objects, which
/// then changes pods on request ("churn EVENTS RATE PODS" on stdin), stamping each change with
/// the monotonic time in a `bench/sent-at` label so the parent can measure latency.
struct ServeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-sim", abstract: "Internal: the informer benchmark's cluster.", shouldDisplay: false)

    @Option var pods = 50_000
    @Option var nodes = 5_000
    @Option(name: .customLong("kubeconfig-out")) var kubeconfigOut: String

    func run() async throws {
        var configuration = KubeSim.Configuration()
        configuration.nodes = []
        configuration.runKubelet = false
        configuration.runScheduler = false
        configuration.historyLimit = 400_000
        configuration.api.bookmarkIntervalSeconds = 5
        let sim = try KubeSim(configuration)
        let group = NodeGroup(pool: "bench", count: nodes)
        for index in 0..<nodes {
            try sim.api.addNode(group, index: index, address: "10.\(index / 62500).\(index / 250 % 250).\(index % 250 + 2)")
        }
        try sim.api.createNamespaceIfMissing("agents")
        let resource = GroupResource(group: "", resource: "pods")
        for index in 0..<pods {
            let pod = BenchPod.make(index, nodes: max(1, nodes))
            sim.store.update(resource, ObjectKey(namespace: "agents", name: BenchPod.name(index)), kind: "Pod", apiVersion: "v1")
            {
                _ -> (StoreWrite, Void) in (.put(pod), ())
            }
        }
        try sim.writeKubeconfig(to: kubeconfigOut)
        FileHandle.standardOutput.write(Data("ready \(sim.url)\n".utf8))
        while let line = readLine() {
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[0] == "churn", let events = Int(parts[1]), let rate = Int(parts[2]),
                let pods = Int(parts[3])
            else {
                continue
            }
            let interval = 1.0 / Double(max(1, rate))
            let start = Timestamp.monotonic()
            for index in 0..<events {
                let due = start + Double(index) * interval
                let wait = due - Timestamp.monotonic()
                if wait > 0.002 { try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9))) }
                let name = BenchPod.name(index % max(1, pods))
                sim.store.update(resource, ObjectKey(namespace: "agents", name: name), kind: "Pod", apiVersion: "v1") {
                    current -> (StoreWrite, Void) in
                    guard let current else { return (.none, ()) }
                    var pod = current.json
                    pod.set(path: ["metadata", "labels", "bench/sent-at"], to: .string(String(Timestamp.monotonic())))
                    return (.put(pod), ())
                }
            }
        }
        sim.shutdown()
    }
}
