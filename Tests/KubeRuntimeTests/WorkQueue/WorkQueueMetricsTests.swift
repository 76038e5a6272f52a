import MetricsTestKit
import Testing

@testable import KubeRuntime

@Suite struct WorkQueueMetricsTests {
    private let dimensions = [("name", "metered")]

    @Test func recordsClientGoMetrics() async throws {
        let clock = ManualWorkQueueClock()
        let metrics = TestMetrics()
        let queue = WorkQueue<String>(
            name: "metered", clock: clock, metricsFactory: metrics, unfinishedWorkUpdatePeriod: nil)
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(try metrics.expectCounter("workqueue_adds_total", dimensions).totalValue == 2)
        #expect(try metrics.expectGauge("workqueue_depth", dimensions).lastValue == 2)

        clock.advance(by: 1.5)
        #expect(await queue.get() == "a")
        #expect(try metrics.expectGauge("workqueue_depth", dimensions).lastValue == 1)
        #expect(try metrics.expectTimer("workqueue_queue_duration_seconds", dimensions).values == [1_500_000_000])

        clock.advance(by: 2)
        #expect(await queue.get() == "b")
        clock.advance(by: 1)
        queue.updateUnfinishedWork()
        // "a" has run 3 s, "b" 1 s.
        #expect(try metrics.expectGauge("workqueue_unfinished_work_seconds", dimensions).lastValue == 4)
        #expect(try metrics.expectGauge("workqueue_longest_running_processor_seconds", dimensions).lastValue == 3)

        queue.done("a")
        #expect(try metrics.expectTimer("workqueue_work_duration_seconds", dimensions).values == [3_000_000_000])
        queue.updateUnfinishedWork()
        #expect(try metrics.expectGauge("workqueue_unfinished_work_seconds", dimensions).lastValue == 1)

        queue.addRateLimited("a")
        queue.addRateLimited("c")
        #expect(try metrics.expectCounter("workqueue_retries_total", dimensions).totalValue == 2)
        clock.advance(by: 0.005)
        #expect(queue.len == 2)
        #expect(try metrics.expectCounter("workqueue_adds_total", dimensions).totalValue == 4)
        // Queue time of a delayed key counts from its deadline.
        clock.advance(by: 0.5)
        #expect(await queue.get() == "a")
        let queueDurations = try metrics.expectTimer("workqueue_queue_duration_seconds", dimensions).values
        #expect(queueDurations.last == 500_000_000)
    }

    @Test func runUpdatesUnfinishedWorkPeriodically() async throws {
        let clock = ManualWorkQueueClock()
        let metrics = TestMetrics()
        let queue = WorkQueue<String>(
            name: "metered", clock: clock, metricsFactory: metrics, unfinishedWorkUpdatePeriod: 0.5)
        queue.add("a")
        #expect(await queue.get() == "a")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            await clock.waitForSleepers(1)
            #expect(clock.sleeperDeadlines == [0.5])
            clock.advance(to: 0.5)
            while clock.sleeperDeadlines != [1] { await Task.yield() }
            queue.shutDown()
        }
        let gauge = try metrics.expectGauge("workqueue_unfinished_work_seconds", dimensions)
        #expect(gauge.values == [0, 0.5])
        #expect(try metrics.expectGauge("workqueue_longest_running_processor_seconds", dimensions).lastValue == 0.5)
    }
}
