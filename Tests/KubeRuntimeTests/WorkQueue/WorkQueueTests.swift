import MetricsTestKit
import Testing

@testable import KubeRuntime

/// Keys in flight per key, and the last change each processing saw, for the hammer test.
private actor InFlightTracker {
    var inFlight: [Int: Int] = [:]
    var maxInFlight = 0
    var versions: [Int: Int] = [:]
    var seen: [Int: Int] = [:]
    var processed = 0

    func bump(_ key: Int) {
        versions[key, default: 0] += 1
    }

    func begin(_ key: Int) {
        inFlight[key, default: 0] += 1
        maxInFlight = max(maxInFlight, inFlight[key, default: 0])
        seen[key] = versions[key, default: 0]
        processed += 1
    }

    func end(_ key: Int) {
        inFlight[key, default: 0] -= 1
    }
}

private func makeQueue<Key>(
    _: Key.Type = Key.self, clock: ManualWorkQueueClock = ManualWorkQueueClock(), metrics: TestMetrics = TestMetrics()
) -> WorkQueue<Key> {
    WorkQueue<Key>(name: "test", clock: clock, metricsFactory: metrics, unfinishedWorkUpdatePeriod: nil)
}

/// Waits, without any timing assumption, until `count` getters are suspended in `get()`.
private func waitForGetters<Key>(_ queue: WorkQueue<Key>, _ count: Int) async {
    while queue.waitingGetterCount < count { await Task.yield() }
}

@Suite struct WorkQueueTests {
    @Test func addsOfAWaitingKeyAreDeduplicated() async {
        let queue = makeQueue(String.self)
        queue.add("a")
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.len == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(queue.len == 0)
        #expect(queue.processingCount == 2)
    }

    @Test func keyAddedWhileProcessingIsRequeuedAfterDone() async {
        let queue = makeQueue(String.self)
        queue.add("a")
        #expect(await queue.get() == "a")
        queue.add("a")
        queue.add("a")
        // Dirty, not queued: no second worker may take it.
        #expect(queue.len == 0)
        queue.add("b")
        #expect(await queue.get() == "b")
        queue.done("a")
        #expect(queue.len == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.len == 0)
        #expect(queue.processingCount == 0)
    }

    @Test func doneOfAKeyThatIsNotProcessingIsIgnored() {
        let queue = makeQueue(String.self)
        queue.add("a")
        queue.done("a")
        queue.done("x")
        #expect(queue.len == 1)
    }

    @Test func getWaitsForAnAdd() async {
        let queue = makeQueue(String.self)
        async let key = queue.get()
        await waitForGetters(queue, 1)
        queue.add("late")
        #expect(await key == "late")
    }

    @Test func oneKeyIsNeverProcessedByTwoWorkersAtOnce() async {
        let queue = makeQueue(Int.self)
        let tracker = InFlightTracker()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let key = await queue.get() {
                        await tracker.begin(key)
                        await Task.yield()
                        await tracker.end(key)
                        queue.done(key)
                    }
                }
            }
            await withTaskGroup(of: Void.self) { producers in
                for producer in 0..<4 {
                    producers.addTask {
                        for round in 0..<200 {
                            let key = (round * 7 + producer) % 20
                            await tracker.bump(key)
                            queue.add(key)
                            if round % 5 == 0 { await Task.yield() }
                        }
                    }
                }
            }
            // Queued and dirty keys are still handed out after shutdown; workers stop once
            // the queue is empty.
            queue.shutDown()
        }
        #expect(await tracker.maxInFlight == 1)
        // Every key was processed after its last add: nothing was lost.
        let versions = await tracker.versions
        let seen = await tracker.seen
        #expect(versions.count == 20)
        #expect(seen == versions)
        #expect(queue.len == 0)
        #expect(queue.processingCount == 0)
    }

    @Test func shutDownWakesBlockedGettersWithNil() async {
        let queue = makeQueue(String.self)
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<3 {
                group.addTask { await queue.get() }
            }
            await waitForGetters(queue, 3)
            queue.shutDown()
            for await key in group {
                #expect(key == nil)
            }
        }
        #expect(queue.isShuttingDown)
    }

    @Test func queuedKeysAreHandedOutAfterShutDownAndAddsAreIgnored() async {
        let queue = makeQueue(String.self)
        queue.add("a")
        queue.add("later", after: 1)
        queue.shutDown()
        queue.add("b")
        queue.add("c", after: 1)
        #expect(queue.delayedCount == 0)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == nil)
    }

    @Test func cancelledGetReturnsNil() async {
        let queue = makeQueue(String.self)
        let task = Task { await queue.get() }
        await waitForGetters(queue, 1)
        task.cancel()
        #expect(await task.value == nil)
        #expect(queue.waitingGetterCount == 0)
        // The key is not swallowed by the cancelled getter.
        queue.add("a")
        #expect(queue.len == 1)
    }

    @Test func shutDownWithDrainWaitsForInFlightWork() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(String.self, clock: clock)
        queue.add("a")
        queue.add("b")
        #expect(await queue.get() == "a")
        let drain = Task { await queue.shutDownWithDrain(timeout: 30) }
        // The drain is under way once its timeout sleeps; it cannot be over while "a" runs.
        await clock.waitForSleepers(1)
        #expect(queue.isShuttingDown)
        // Queued keys are still handed out while draining.
        #expect(await queue.get() == "b")
        queue.done("a")
        #expect(queue.processingCount == 1)
        queue.done("b")
        #expect(await drain.value == true)
    }

    @Test func shutDownWithDrainGivesUpAfterTheTimeout() async {
        let clock = ManualWorkQueueClock()
        let queue = makeQueue(String.self, clock: clock)
        queue.add("stuck")
        #expect(await queue.get() == "stuck")
        let drain = Task { await queue.shutDownWithDrain(timeout: 5) }
        await clock.waitForSleepers(1)
        #expect(clock.sleeperDeadlines == [5])
        clock.advance(by: 5)
        #expect(await drain.value == false)
        #expect(queue.processingCount == 1)
    }

    @Test func shutDownWithDrainOfAnIdleQueueReturnsAtOnce() async {
        let queue = makeQueue(String.self)
        #expect(await queue.shutDownWithDrain(timeout: 1) == true)
    }
}
