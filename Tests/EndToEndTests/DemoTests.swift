import Foundation
import KubeModel
import RoostDemo
import Synchronization
import Testing

/// `roost demo` end to end, shortened: every session is bound and Ready, the report adds up.
@Suite(.timeLimit(.minutes(3))) struct DemoTests {
    @Test func aShortDemoBindsEverySessionAndReportsIt() async throws {
        var configuration = Demo.Configuration()
        configuration.arrivalSeconds = 4
        configuration.arrivalsPerSecond = 3
        configuration.lifetime = 0.5...1
        configuration.timeScale = 0.05
        let progress = ProgressLog()
        let report = try await Demo(configuration: configuration).run { progress.add($0) }
        #expect(!report.placements.isEmpty)
        #expect(report.placements.allSatisfy { !$0.kind.isEmpty && $0.createdToReady != nil }, "every session bound and Ready")
        #expect(report.placements.allSatisfy { ($0.createdToBound ?? 99) <= ($0.createdToReady ?? 0) })
        #expect(report.placements.contains { $0.kind == "claimed" }, "warm workers are claimed")
        #expect(
            report.placements.filter { $0.runtime == "reviewer" }.allSatisfy { $0.pool == "scheduled-runs" },
            "the nightly reviews run in the scheduled pool")
        #expect(progress.count > 0)

        let json = report.json
        #expect(json["summary"]?["sessions"] == .int(Int64(report.placements.count)))
        #expect(json["placements"]?.arrayValue?.count == report.placements.count)
        #expect(json["placements"]?.arrayValue?.first?["triggerSource"]?.stringValue != nil)
        let table = report.table
        #expect(table.hasPrefix("SESSION"))
        #expect(table.contains("cold-start share"))
        #expect(table.contains("by node pool:"))
    }
}

/// Progress callbacks seen.
final class ProgressLog: Sendable {
    private let seen = Mutex(0)
    func add(_ progress: Demo.Progress) { seen.withLock { $0 += 1 } }
    var count: Int { seen.withLock { $0 } }
}
