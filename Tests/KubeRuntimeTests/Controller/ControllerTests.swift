import Foundation
import Metrics
import MetricsTestKit
import Synchronization
import Testing

@testable import KubeRuntime

/// Records what the reconciler saw.
final class ReconcileLog: Sendable {
    private let state = Mutex<(calls: [String], inFlight: [String: Int], maxInFlight: Int)>(([], [:], 0))

    func begin(_ key: String) {
        state.withLock { state in
            state.calls.append(key)
            state.inFlight[key, default: 0] += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight[key] ?? 0)
        }
    }

    func end(_ key: String) { state.withLock { $0.inFlight[key, default: 1] -= 1 } }

    func count(_ key: String) -> Int { state.withLock { $0.calls.filter { $0 == key }.count } }

    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
}

@Suite struct ControllerTests {
    func makeQueue(_ metrics: TestMetrics) -> WorkQueue<String> {
        WorkQueue(
            name: "test", rateLimiter: ItemExponentialFailureRateLimiter<String>(baseDelay: 0.001, maxDelay: 0.01),
            metricsFactory: metrics)
    }

    @Test func waitsForCachesThenHandlesEveryResult() async throws {
        let metrics = TestMetrics()
        let queue = makeQueue(metrics)
        let log = ReconcileLog()
        let synced = Atomic<Bool>(false)
        let controller = Controller<String>(
            name: "sessions", queue: queue, concurrency: 2, cachesSynced: { synced.load(ordering: .relaxed) },
            metricsFactory: metrics
        ) { key in
            log.begin(key)
            defer { log.end(key) }
            switch key {
            case "flaky": if log.count(key) < 4 { throw CancellationError() } else { return .done }
            case "broken": throw TerminalError("invalid object")
            case "later": return log.count(key) < 3 ? .requeueAfter(0.01) : .done
            case "again": return log.count(key) < 2 ? .requeue : .done
            default: return .done
            }
        }
        for key in ["ok", "flaky", "broken", "later", "again"] { queue.add(key) }
        let running = Task { await controller.run() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(log.count("ok") == 0, "no reconcile before the caches sync")
        synced.store(true, ordering: .relaxed)
        #expect(
            await waitUntil {
                log.count("flaky") == 4 && log.count("later") == 3 && log.count("again") == 2 && log.count("ok") == 1
            })
        try await Task.sleep(for: .milliseconds(100))
        #expect(log.count("broken") == 1, "a terminal error is not retried")
        #expect(log.count("flaky") == 4, "success ends the retries")
        running.cancel()
        _ = await running.value

        #expect(
            metrics.counterTotal(
                label: "controller_runtime_reconcile_total", dimensions: [("controller", "sessions"), ("result", "error")]) == 4)
        #expect(
            metrics.counterTotal(
                label: "controller_runtime_reconcile_total",
                dimensions: [("controller", "sessions"), ("result", "requeue_after")]) == 2)
        #expect(
            metrics.counterTotal(
                label: "controller_runtime_terminal_reconcile_errors_total", dimensions: [("controller", "sessions")]) == 1)
        #expect(
            metrics.counterTotal(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", "sessions")])
                == 4)
    }

    @Test func oneKeyIsNeverReconciledTwiceAtOnce() async throws {
        let metrics = TestMetrics()
        let queue = makeQueue(metrics)
        let log = ReconcileLog()
        let controller = Controller<String>(
            name: "pods", queue: queue, concurrency: 4, cachesSynced: { true }, metricsFactory: metrics
        ) {
            key in
            log.begin(key)
            try? await Task.sleep(for: .milliseconds(2))
            log.end(key)
            return .done
        }
        let running = Task { await controller.run() }
        for round in 0..<200 {
            queue.add("key-\(round % 5)")
            if round % 20 == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(await waitUntil { queue.len == 0 && queue.processingCount == 0 })
        #expect(log.maxInFlight == 1)
        for index in 0..<5 { #expect(log.count("key-\(index)") >= 1) }
        let maxConcurrent = try metrics.expectGauge(
            "controller_runtime_max_concurrent_reconciles", [("controller", "pods")])
        #expect(maxConcurrent.lastValue == 4)
        let active = try metrics.expectMeter("controller_runtime_active_workers", [("controller", "pods")])
        #expect(active.lastValue == 0, "no worker is active once the queue is drained")
        #expect(active.values.contains(1))
        running.cancel()
        _ = await running.value
    }

    @Test func shutdownLetsInFlightReconcilesFinish() async throws {
        let metrics = TestMetrics()
        let queue = makeQueue(metrics)
        let finished = Atomic<Bool>(false)
        let started = Atomic<Bool>(false)
        let controller = Controller<String>(name: "slow", queue: queue, cachesSynced: { true }, metricsFactory: metrics) { _ in
            started.store(true, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(300))
            finished.store(true, ordering: .relaxed)
            return .done
        }
        queue.add("x")
        let running = Task { await controller.run() }
        #expect(await waitUntil { started.load(ordering: .relaxed) })
        running.cancel()
        _ = await running.value
        #expect(await waitUntil { finished.load(ordering: .relaxed) }, "the in-flight reconcile completed")
        #expect(queue.isShuttingDown)
    }
}
