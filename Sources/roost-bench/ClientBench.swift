import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import KubeSim

/// `roost-bench client`: how fast KubeClient turns a watch stream and a list of ~3.4 KB pods
/// into typed `CoreV1.Pod` values, compared with bare line splitting of the same stream in the
/// same run.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Measure KubeClient: typed watch decoding, line splitting, a 50,000-pod list.")

    @OptionGroup var report: ReportOptions

    @Option(help: "Pods in the watch stream and the list (stored in the simulated cluster first).")
    var pods = 50_000

    @Option(help: "Use this cluster instead of starting the simulated one (its pods are read, none are created).")
    var kubeconfig: String?

    @Option(help: "Namespace to read.")
    var namespace = "agents"

    func run() async throws {
        let out = Report(bench: "client", jsonOnly: report.jsonOnly)
        var sim: KubeSim?
        let configuration: ClientConfiguration
        if let kubeconfig {
            configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig)
        } else {
            var simConfiguration = KubeSim.Configuration()
            simConfiguration.nodes = []
            simConfiguration.runKubelet = false
            simConfiguration.runScheduler = false
            let started = try KubeSim(simConfiguration)
            sim = started
            try started.api.createNamespaceIfMissing(namespace)
            out.note("storing \(pods) pods in the simulated cluster ...")
            let resource = GroupResource(group: "", resource: "pods")
            for index in 0..<pods {
                let pod = BenchPod.make(index, nodes: 200)
                started.store.update(
                    resource, ObjectKey(namespace: namespace, name: BenchPod.name(index)), kind: "Pod", apiVersion: "v1"
                ) {
                    _ -> (StoreWrite, Void) in (.put(pod), ())
                }
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "roost-bench-\(UUID().uuidString).kubeconfig"
            ).path
            try started.writeKubeconfig(to: path)
            configuration = try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        }
        defer { sim?.shutdown() }
        var options = KubeClient.Options()
        options.qps = nil
        options.requestTimeout = 300
        let client = try KubeClient(configuration: configuration, options: options)

        // A watch from resourceVersion "0" starts with one ADDED event per existing pod.
        let watchOptions = WatchOptions(resourceVersion: "0", allowWatchBookmarks: false, timeoutSeconds: 600)
        out.note("splitting the watch stream into lines ...")
        var start = Timestamp.monotonic()
        var lines = 0
        var bytes = 0
        let rawStream = try await client.watchLines(.pods, namespace: namespace, options: watchOptions)
        for try await line in rawStream {
            lines += 1
            bytes += line.count
            if lines == pods { break }
        }
        rawStream.cancel()
        let splitSeconds = Timestamp.monotonic() - start
        let splitRate = Double(lines) / splitSeconds

        out.note("decoding the watch stream into CoreV1.Pod ...")
        start = Timestamp.monotonic()
        var decoded = 0
        var ready = 0
        let typedStream = try await client.watch(CoreV1.Pod.self, .pods, namespace: namespace, options: watchOptions)
        for try await event in typedStream {
            if case .object(let pod) = event.payload {
                decoded += 1
                if pod.status.conditions.contains(where: { $0.type == "Ready" && $0.status == "True" }) { ready += 1 }
            }
            if decoded == lines { break }
        }
        typedStream.cancel()
        let watchRate = Double(decoded) / (Timestamp.monotonic() - start)

        out.add("line_split_events_per_s", splitRate, "1/s")
        out.add("watch_events_per_s", watchRate, "1/s")
        out.add("watch_to_split_ratio", watchRate / splitRate, "ratio")
        out.add("watch_event_bytes", Double(bytes) / Double(max(1, lines)), "bytes")

        out.note("listing \(decoded) pods in one response, decoded into CoreV1.Pod ...")
        start = Timestamp.monotonic()
        let list = try await client.list(CoreV1.Pod.self, .pods, namespace: namespace)
        let listSeconds = Timestamp.monotonic() - start
        out.add("list_50k_pods_s", listSeconds, "s")
        out.add("list_items", Double(list.items.count), "pods")

        out.note("listing in pages of 500 ...")
        start = Timestamp.monotonic()
        var token: String?
        var paged = 0
        repeat {
            let page = try await client.list(
                CoreV1.Pod.self, .pods, namespace: namespace, options: ListOptions(limit: 500, continueToken: token))
            paged += page.items.count
            token = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        out.add("list_paginated_pods_s", Timestamp.monotonic() - start, "s")
        out.add("peak_rss_mb", peakRSSMegabytes(), "MB")
        if ready == 0 || paged != list.items.count {
            out.note("warning: ready=\(ready) paged=\(paged) listed=\(list.items.count)")
        }
        out.table()
    }
}
