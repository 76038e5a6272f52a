import KubeRuntime
import Testing

@testable import Roost

@Suite struct ExpectationsTests {
    let session = ObjectName(namespace: "team", name: "s1")
    let worker = ObjectName(namespace: "team", name: "coder-abc")

    @Test func bindingIsPendingUntilTheCacheShowsTheWorkerBusyForIt() {
        let expectations = Expectations(timeout: 300)
        expectations.expectBinding(session: session, worker: worker, at: 100)
        #expect(expectations.pendingWorker(forSession: session, at: 101) == worker)
        #expect(expectations.isClaimed(worker: worker))
        // The cache still shows the worker idle: the claim is not visible yet.
        expectations.observeWorker(worker, servingSession: nil)
        #expect(expectations.pendingBindings(at: 102) == [session: worker])
        expectations.observeWorker(worker, servingSession: "s1")
        #expect(expectations.pendingWorker(forSession: session, at: 103) == nil)
        #expect(!expectations.isClaimed(worker: worker))
    }

    @Test func anotherSessionOnTheWorkerVoidsTheExpectation() {
        let expectations = Expectations()
        expectations.expectBinding(session: session, worker: worker, at: 0)
        expectations.observeWorker(worker, servingSession: "s2")
        #expect(expectations.pendingBindings(at: 1).isEmpty)
    }

    @Test func deletedWorkerVoidsTheExpectation() {
        let expectations = Expectations()
        expectations.expectBinding(session: session, worker: worker, at: 0)
        expectations.workerGone(worker)
        #expect(expectations.pendingWorker(forSession: session, at: 1) == nil)
    }

    @Test func unobservedBindingLapsesAfterTheTimeout() {
        let expectations = Expectations(timeout: 10)
        expectations.expectBinding(session: session, worker: worker, at: 0)
        #expect(expectations.pendingWorker(forSession: session, at: 9.9) == worker)
        #expect(expectations.pendingWorker(forSession: session, at: 10) == nil)
        #expect(!expectations.isClaimed(worker: worker))
    }

    @Test func creationsCountDownAsPodsShowAndLapse() {
        let expectations = Expectations(timeout: 10)
        let runtime = ObjectName(namespace: "team", name: "coder")
        expectations.expectCreations(runtime: runtime, count: 3, at: 0)
        #expect(expectations.pendingCreations(runtime: runtime, at: 1) == 3)
        expectations.creationObserved(runtime: runtime)
        expectations.creationObserved(runtime: runtime)
        #expect(expectations.pendingCreations(runtime: runtime, at: 2) == 1)
        #expect(expectations.pendingCreations(runtime: ObjectName(namespace: "team", name: "other"), at: 2) == 0)
        expectations.creationObserved(runtime: runtime)
        expectations.creationObserved(runtime: runtime)
        #expect(expectations.pendingCreations(runtime: runtime, at: 3) == 0, "never below zero")
        expectations.expectCreations(runtime: runtime, count: 2, at: 5)
        #expect(expectations.pendingCreations(runtime: runtime, at: 15) == 0, "lapsed")
    }

    @Test func abandonedCreationsStopBeingExpectedAtOnce() {
        let expectations = Expectations(timeout: 300)
        let runtime = ObjectName(namespace: "team", name: "coder")
        expectations.expectCreations(runtime: runtime, count: 3, at: 0)
        expectations.creationObserved(runtime: runtime)
        // The second create failed: it and the third, never sent, will not show.
        expectations.creationsAbandoned(runtime: runtime, count: 2)
        #expect(expectations.pendingCreations(runtime: runtime, at: 1) == 0)
        expectations.expectCreations(runtime: runtime, count: 1, at: 2)
        expectations.creationsAbandoned(runtime: runtime, count: 5)
        #expect(expectations.pendingCreations(runtime: runtime, at: 3) == 0, "never below zero")
        expectations.creationsAbandoned(runtime: runtime, count: 0)
        #expect(expectations.pendingCreations(runtime: runtime, at: 3) == 0)
    }
}
