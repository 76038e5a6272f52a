import Foundation
import KubeModel

@testable import KubeSim

/// Starts a simulated cluster for one test and stops it afterwards. The body runs on a thread
/// of its own: it blocks (sockets, kubectl, polling), and must not hold one of the few threads
/// of Swift's cooperative pool that async tests and the client need meanwhile.
func withSim<T: Sendable>(
    tls: Bool = false, nodes: String = "default:3", timeScale: Double = 0.01, history: Int = 50_000,
    bookmarkInterval: Double = 60, runKubelet: Bool = true, _ body: @escaping @Sendable (KubeSim, RawHTTP) throws -> T
) async throws -> T {
    try await offThread {
        var configuration = KubeSim.Configuration()
        configuration.tls = tls
        configuration.nodes = try NodeGroup.parse(nodes)
        configuration.timing.timeScale = timeScale
        configuration.historyLimit = history
        configuration.api.bookmarkIntervalSeconds = bookmarkInterval
        configuration.runKubelet = runKubelet
        let sim = try KubeSim(configuration)
        defer { sim.shutdown() }
        return try body(sim, RawHTTP(port: sim.port, token: sim.adminToken))
    }
}

/// Runs blocking work on a new thread and waits for it without blocking the caller's thread.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

/// A pod manifest with one container.
func podManifest(_ name: String, labels: [String: String] = [:], extraSpec: JSONObject = [:]) -> JSONValue {
    var labelObject = JSONObject()
    for (key, value) in labels.sorted(by: { $0.key < $1.key }) { labelObject[key] = .string(value) }
    var spec: JSONObject = ["containers": [["name": "main", "image": "busybox:1.36"]]]
    for member in extraSpec { spec[member.key] = member.value }
    return [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "labels": .object(labelObject)],
        "spec": .object(spec),
    ]
}

/// The directory holding test fixtures.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
