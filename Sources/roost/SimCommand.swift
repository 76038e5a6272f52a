import ArgumentParser
import Foundation
import KubeSim

/// `roost sim`: serves the simulated cluster alone, for kubectl and end-to-end tests.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a simulated Kubernetes cluster (API server, scheduler, kubelets) on loopback.",
        discussion: """
            Prints one line with the server URL once it is ready, then serves until interrupted.
            Node groups: POOL:COUNT[:OPTION[;OPTION]] separated by commas; options pods=N,
            label=KEY=VALUE, taint=KEY[=VALUE]:EFFECT. Faults are injected at runtime under /_sim/.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Flag(help: "Serve HTTPS with a generated CA; requests then need a token or client certificate.")
    var tls = false

    @Option(help: "Node groups, e.g. default:3,scheduled-runs:2,large-machines:1:pods=20.")
    var nodes: String = "default:3"

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for this cluster to this path.")
    var kubeconfigOut: String?

    @Option(help: "Multiply simulated delays (cold/warm starts) by this factor.")
    var timeScale: Double = 1.0

    @Option(help: "Simulated cold start, seconds.")
    var coldStart: Double = 8

    @Option(help: "Simulated warm start, seconds.")
    var warmStart: Double = 0.5

    @Option(help: "Watch history length (changes) before resumes get 410 Expired.")
    var history: Int = 50_000

    @Option(help: "Seconds between watch bookmarks.")
    var bookmarkInterval: Double = 60

    @Option(help: "Seed of the scheduler's tie-break.")
    var seed: UInt64 = 1

    @Option(help: "Bearer token of the admin user (random when not given).")
    var token: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): must be between 0 and 65535") }
        guard timeScale > 0 else { throw ValidationError("--time-scale \(timeScale): must be greater than 0") }
        guard coldStart >= 0, warmStart >= 0 else { throw ValidationError("--cold-start and --warm-start must not be negative") }
        guard history > 0 else { throw ValidationError("--history \(history): must be positive") }
        guard bookmarkInterval > 0 else { throw ValidationError("--bookmark-interval \(bookmarkInterval): must be positive") }
        do { _ = try NodeGroup.parse(nodes) } catch { throw ValidationError("--nodes: \(error.description)") }
    }

    func run() async throws {
        var configuration = KubeSim.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.tls = tls
        configuration.nodes = try NodeGroup.parse(nodes)
        configuration.timing.timeScale = timeScale
        configuration.timing.coldStartSeconds = coldStart
        configuration.timing.warmStartSeconds = warmStart
        configuration.historyLimit = history
        configuration.api.bookmarkIntervalSeconds = bookmarkInterval
        configuration.seed = seed
        configuration.adminToken = token
        let sim: KubeSim
        do {
            sim = try KubeSim(configuration)
        } catch {
            // A start-up failure is not a usage error: one clear line, no usage text.
            throw CommandFailure("roost sim: \(error)")
        }
        if let kubeconfigOut {
            try sim.writeKubeconfig(to: kubeconfigOut)
        }
        let line = "roost sim: serving on \(sim.url)\(kubeconfigOut.map { " (kubeconfig: \($0))" } ?? "")\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        await waitForTermination()
        sim.shutdown()
    }
}

/// A command that failed for a reason other than its arguments; ArgumentParser prints the
/// message alone and exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// Suspends until SIGINT or SIGTERM arrives.
func waitForTermination() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    var sources: [any DispatchSourceSignal] = []
    for signalNumber in [SIGINT, SIGTERM] {
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { continuation.yield(signalNumber) }
        source.resume()
        sources.append(source)
    }
    for await _ in stream { break }
    for source in sources { source.cancel() }
}
