import Logging
import Metrics

/// What one reconcile asks for next.
public enum ReconcileResult: Sendable, Equatable {
    /// Nothing more to do until the key is added again.
    case done
    /// Reconcile again after this many seconds (the key's failure count is reset).
    case requeueAfter(Double)
    /// Reconcile again, rate-limited like a failure.
    case requeue
}

/// An error that retrying cannot fix (e.g. an invalid object): the key is not requeued.
/// controller-runtime's `reconcile.TerminalError`.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The reconcile loop: workers take keys from a ``WorkQueue`` and reconcile them, never one key
/// twice at once; failures are retried with per-key exponential backoff under an overall rate
/// limit. Reconciles start only once every cache the controller reads has synced.
///
/// Result handling and metric names follow controller-runtime
/// (`pkg/internal/controller/controller.go`, `pkg/internal/controller/metrics`):
/// `controller_runtime_reconcile_total{controller,result}` (success, error, requeue,
/// requeue_after), `controller_runtime_reconcile_errors_total{controller}`,
/// `controller_runtime_terminal_reconcile_errors_total{controller}` and
/// `controller_runtime_reconcile_time_seconds{controller}`.
public final class Controller<Key: Hashable & Sendable>: Sendable {
    public let name: String
    public let queue: WorkQueue<Key>
    public let concurrency: Int
    private let cachesSynced: @Sendable () -> Bool
    private let reconcile: @Sendable (Key) async throws -> ReconcileResult
    private let logger: Logger
    private let factory: any MetricsFactory
    private let metrics: ControllerMetrics
    /// Seconds allowed for in-flight reconciles to finish on shutdown.
    public let drainTimeout: Double

    /// - Parameters:
    ///   - concurrency: workers reconciling in parallel (distinct keys only).
    ///   - cachesSynced: true once every store the reconciler reads is ready.
    ///   - reconcile: the reconciler; throw ``TerminalError`` for failures retrying cannot fix.
    public init(
        name: String, queue: WorkQueue<Key>, concurrency: Int = 1, drainTimeout: Double = 30,
        cachesSynced: @escaping @Sendable () -> Bool, logger: Logger = Logger(label: "roost.controller"),
        metricsFactory: (any MetricsFactory)? = nil,
        reconcile: @escaping @Sendable (Key) async throws -> ReconcileResult
    ) {
        self.name = name
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.drainTimeout = drainTimeout
        self.cachesSynced = cachesSynced
        self.logger = logger
        let factory = metricsFactory ?? MetricsSystem.factory
        self.factory = factory
        self.metrics = ControllerMetrics(controller: name, factory: factory)
        self.reconcile = reconcile
    }

    /// Waits for the caches, then runs the workers and the queue's timers until the task is
    /// cancelled; then stops taking keys and lets in-flight reconciles finish (up to
    /// `drainTimeout` seconds).
    public func run() async {
        while !cachesSynced() {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
        logger.info("controller \(name) started with \(concurrency) workers")
        Gauge(label: "controller_runtime_max_concurrent_reconciles", dimensions: [("controller", name)], factory: factory)
            .record(concurrency)
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.queue.run() }
                for _ in 0..<concurrency {
                    group.addTask { await self.worker() }
                }
            }
        } onCancel: {
            Task { await self.queue.shutDownWithDrain(timeout: self.drainTimeout) }
        }
    }

    private func worker() async {
        let active = Metrics.Meter(
            label: "controller_runtime_active_workers", dimensions: [("controller", name)], factory: factory)
        while let key = await queue.get() {
            active.increment(by: 1)
            await process(key)
            active.decrement(by: 1)
            queue.done(key)
        }
    }

    /// Reconciles one key and decides how it is requeued.
    func process(_ key: Key) async {
        let started = ContinuousClock.now
        let result: String
        do {
            switch try await reconcile(key) {
            case .done:
                queue.forget(key)
                result = "success"
            case .requeueAfter(let seconds):
                queue.forget(key)
                queue.add(key, after: seconds)
                result = "requeue_after"
            case .requeue:
                queue.addRateLimited(key)
                result = "requeue"
            }
        } catch let error as TerminalError {
            queue.forget(key)
            result = "error"
            metrics.terminalErrors.increment()
            metrics.errors.increment()
            logger.error("reconcile \(key) of \(name) failed for good: \(error)")
        } catch {
            queue.addRateLimited(key)
            result = "error"
            metrics.errors.increment()
            logger.warning("reconcile \(key) of \(name) failed; retrying: \(error)")
        }
        let elapsed = ContinuousClock.now - started
        metrics.reconcileTime.record(duration: elapsed)
        metrics.results[result]?.increment()
        logger.trace("reconciled \(key) of \(name) in \(elapsed): \(result)")
    }

    /// The controller's metrics, made once: constructing one is a registry lookup under a lock,
    /// and `process` runs for every key.
    private struct ControllerMetrics: Sendable {
        let reconcileTime: CoreMetrics.Timer
        let errors: Counter
        let terminalErrors: Counter
        let results: [String: Counter]

        init(controller: String, factory: any MetricsFactory) {
            let dimensions = [("controller", controller)]
            reconcileTime = CoreMetrics.Timer(
                label: "controller_runtime_reconcile_time_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds,
                factory: factory)
            errors = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: dimensions, factory: factory)
            terminalErrors = Counter(
                label: "controller_runtime_terminal_reconcile_errors_total", dimensions: dimensions, factory: factory)
            var results: [String: Counter] = [:]
            for result in ["success", "error", "requeue", "requeue_after"] {
                results[result] = Counter(
                    label: "controller_runtime_reconcile_total", dimensions: dimensions + [("result", result)],
                    factory: factory)
            }
            self.results = results
        }
    }
}
