import MetricsTestKit
import Testing

@testable import KubeRuntime

@Suite struct SystemClockTests {
    @Test func systemClockIsMonotonicAndSleeps() async throws {
        let clock = SystemWorkQueueClock()
        let start = clock.now
        try await clock.sleep(until: start + 0.01)
        #expect(clock.now >= start + 0.01)
        // A past deadline returns at once.
        try await clock.sleep(until: start)
    }

    @Test func systemClockSleepIsCancellable() async {
        let clock = SystemWorkQueueClock()
        let sleeper = Task { try await clock.sleep(until: clock.now + 3600) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    /// Only eventual delivery is asserted, not how long it took.
    @Test func delayedKeyArrivesOnTheRealClock() async {
        let queue = WorkQueue<String>(name: "real", metricsFactory: TestMetrics())
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            queue.add("x", after: 0.02)
            #expect(await queue.get() == "x")
            queue.done("x")
            #expect(await queue.shutDownWithDrain(timeout: 10) == true)
        }
    }
}
