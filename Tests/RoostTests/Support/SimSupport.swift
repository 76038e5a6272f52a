import Foundation
import KubeModel
import KubeSim

/// Starts a simulated cluster for one test and stops it afterwards. The body runs on a thread of
/// its own because it blocks (kubectl, polling) and must not hold a thread of Swift's small
/// cooperative pool meanwhile.
func withSim<T: Sendable>(tls: Bool = false, _ body: @escaping @Sendable (KubeSim) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(
                with: Result {
                    var configuration = KubeSim.Configuration()
                    configuration.tls = tls
                    configuration.timing.timeScale = 0.01
                    let sim = try KubeSim(configuration)
                    defer { sim.shutdown() }
                    return try body(sim)
                })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// A request to the simulated API server in process (no HTTP), as the admin user.
struct SimResponse {
    var status: Int
    var body: JSONValue
}

extension KubeSim {
    /// Sends `method path` with a JSON body straight to the API layer.
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/json")
        -> SimResponse
    {
        let request = APIRequest(
            method: method, uri: path, headers: ["content-type": contentType], body: body?.encoded() ?? [], user: "admin")
        switch api.handle(request) {
        case .full(let status, _, let bytes, _):
            return SimResponse(status: status, body: (try? JSONValue.parse(bytes)) ?? .null)
        case .watch:
            return SimResponse(status: 0, body: .null)
        }
    }
}

/// The real kubectl, run against a simulated cluster with a private kubeconfig and cache.
struct Kubectl {
    /// The kubectl on `PATH`, or nil when it is not installed.
    static let path: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    let directory: URL
    let kubeconfig: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with kubectl pointed at a fresh TLS cluster.
    static func withCluster(_ body: @escaping @Sendable (Kubectl, KubeSim) throws -> Void) async throws {
        try await withSim(tls: true) { sim in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "roost-kubectl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try sim.writeKubeconfig(to: kubeconfig)
            try body(Kubectl(directory: directory, kubeconfig: kubeconfig), sim)
        }
    }

    /// Runs kubectl with `arguments`; returns standard output, throws with standard error when it fails.
    func run(_ arguments: String...) throws -> String {
        guard let path = Kubectl.path else { throw Failure(description: "kubectl is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments =
            ["--kubeconfig", kubeconfig, "--cache-dir", directory.appendingPathComponent("cache").path]
            + arguments
        let output = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let error = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        try Data().write(to: output)
        try Data().write(to: error)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: try Data(contentsOf: error), as: UTF8.self)
            throw Failure(description: "kubectl \(arguments.joined(separator: " ")) failed: \(stderr)")
        }
        return stdout
    }
}
