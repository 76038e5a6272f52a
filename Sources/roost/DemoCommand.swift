import ArgumentParser
import Foundation
import KubeModel
import RoostDemo

/// `roost demo`: the embedded default — a simulated cluster, Roost, and a seeded workload.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Roost on an in-process simulated cluster with a seeded workload and report its placements.")

    @Flag(help: "Print the report as one JSON document instead of a table.")
    var json = false

    @Option(help: "Seed of the workload.")
    var seed: UInt64 = 42

    @Option(help: "Seconds during which sessions arrive (wall clock).")
    var duration = 24.0

    @Option(help: "Time scale of the simulated kubelet (0.25: a cold start of 8 s takes 2 s).")
    var timeScale = 0.25

    func validate() throws {
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard timeScale > 0, timeScale <= 1 else { throw ValidationError("--time-scale must be in (0, 1]") }
    }

    func run() async throws {
        var configuration = Demo.Configuration()
        configuration.seed = seed
        configuration.arrivalSeconds = duration
        configuration.timeScale = timeScale
        let interactive = isatty(STDERR_FILENO) != 0
        FileHandle.standardError.write(
            Data("roost demo: simulated cluster (general ×4, scheduled-runs ×2, large-machines ×2), seed \(seed)\n".utf8))
        let report = try await Demo(configuration: configuration).run { progress in
            let line = String(
                format: "[%5.1fs] sessions %d created, %d bound (%d claimed, %d spawned), %d ready; workers %d idle, %d busy",
                progress.elapsed, progress.created, progress.bound, progress.claimed, progress.spawned, progress.ready,
                progress.idleWorkers, progress.busyWorkers)
            FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        if json {
            print(String(decoding: report.json.encoded(), as: UTF8.self))
        } else {
            print(report.table)
        }
    }
}
