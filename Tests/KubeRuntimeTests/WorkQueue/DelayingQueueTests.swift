import MetricsTestKit
import Testing

@testable import KubeRuntime

private func makeQueue(clock: ManualWorkQueueClock, metrics: TestMetrics = TestMetrics()) -> WorkQueue<String> {
    WorkQueue<String>(name: "delaying", clock: clock, metricsFactory: metrics, unfinishedWorkUpdatePeriod: nil)
}

@Suite struct DelayingQueueTests {
    @Test func delayedKeysBecomeReadyInDeadlineOrder() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.add("a", after: 3)
        queue.add("b", after: 1)
        queue.add("c", after: 2)
        queue.add("d", after: 2)
        #expect(queue.len == 0)
        #expect(queue.delayedCount == 4)
        clock.advance(to: 0.999)
        #expect(queue.len == 0)
        clock.advance(to: 1)
        #expect(queue.len == 1)
        #expect(await queue.get() == "b")
        clock.advance(to: 10)
        // Equal deadlines keep the order of the adds.
        #expect(await queue.get() == "c")
        #expect(await queue.get() == "d")
        #expect(await queue.get() == "a")
        #expect(queue.delayedCount == 0)
    }

    @Test func zeroOrNegativeDelayAddsAtOnce() {
        let queue = makeQueue(clock: ManualWorkQueueClock())
        queue.add("now", after: 0)
        queue.add("past", after: -1)
        #expect(queue.len == 2)
        #expect(queue.delayedCount == 0)
    }

    @Test func immediateAddReplacesADelayedOne() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.add("x", after: 5)
        queue.add("x")
        #expect(queue.len == 1)
        #expect(queue.delayedCount == 0)
        #expect(await queue.get() == "x")
        queue.done("x")
        clock.advance(to: 100)
        // Not processed a second time at the old deadline.
        #expect(queue.len == 0)
    }

    @Test func earlierDeadlineWins() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.add("x", after: 5)
        queue.add("x", after: 2)
        queue.add("x", after: 10)
        #expect(queue.delayedCount == 1)
        clock.advance(to: 1.9)
        #expect(queue.len == 0)
        clock.advance(to: 2)
        #expect(queue.len == 1)
        #expect(await queue.get() == "x")
        queue.done("x")
        clock.advance(to: 20)
        // The superseded deadlines (5 and 10) do not bring it back.
        #expect(queue.len == 0)
        #expect(queue.delayedCount == 0)
    }

    @Test func delayedAddOfAKeyBeingProcessedMarksItDirtyAtTheDeadline() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.add("x")
        #expect(await queue.get() == "x")
        queue.add("x", after: 1)
        clock.advance(to: 1)
        #expect(queue.len == 0)
        queue.done("x")
        #expect(queue.len == 1)
    }

    @Test func runWakesAWaitingWorkerAtTheDeadline() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            queue.add("x", after: 4)
            // The runner sleeps until the deadline (it re-plans when an earlier one arrives).
            await clock.waitForSleepers(1)
            #expect(clock.sleeperDeadlines == [4])
            queue.add("y", after: 2)
            while clock.sleeperDeadlines != [2] { await Task.yield() }
            async let first = queue.get()
            while queue.waitingGetterCount < 1 { await Task.yield() }
            clock.advance(to: 2)
            #expect(await first == "y")
            async let second = queue.get()
            while queue.waitingGetterCount < 1 { await Task.yield() }
            clock.advance(to: 4)
            #expect(await second == "x")
            queue.shutDown()
        }
    }

    @Test func runStopsWhenCancelled() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.add("x", after: 4)
        let runner = Task { await queue.run() }
        await clock.waitForSleepers(1)
        runner.cancel()
        await runner.value
        #expect(clock.sleeperCount == 0)
        #expect(!queue.isShuttingDown)
    }

    @Test func rateLimitedAddsFollowTheLimiter() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(clock: clock)
        queue.addRateLimited("x")
        #expect(queue.numRequeues("x") == 1)
        #expect(queue.len == 0)
        clock.advance(by: 0.005)
        #expect(await queue.get() == "x")
        queue.done("x")
        queue.addRateLimited("x")
        #expect(queue.numRequeues("x") == 2)
        clock.advance(by: 0.009)
        #expect(queue.len == 0)
        clock.advance(by: 0.001)
        #expect(queue.len == 1)
        queue.forget("x")
        #expect(queue.numRequeues("x") == 0)
    }
}
