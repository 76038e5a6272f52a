import Metrics
import Synchronization

/// A controller work queue: client-go's rate-limiting, delaying work queue
/// (`k8s.io/client-go/util/workqueue`: `queue.go`, `delaying_queue.go`, `rate_limiting_queue.go`,
/// `metrics.go`) as controller-runtime uses it.
///
/// - De-duplicating: a key added several times before a worker gets it is handed out once.
/// - One worker per key: a key handed out by ``get()`` is *processing* until ``done(_:)``; adding
///   it meanwhile marks it dirty, and ``done(_:)`` puts it back at the end of the queue, so a
///   change is never lost and a key is never processed by two workers at once.
/// - Delaying: ``add(_:after:)`` holds a key back until its deadline; ``run()`` (or any later
///   ``get()`` or ``len``) moves due keys to the queue.
/// - Rate limiting: ``addRateLimited(_:)`` delays a key by what the ``RateLimiter`` says,
///   ``forget(_:)`` resets its history.
///
/// A worker loop:
/// ```swift
/// while let key = await queue.get() {
///     defer { queue.done(key) }
///     do { try await reconcile(key); queue.forget(key) } catch { queue.addRateLimited(key) }
/// }
/// ```
///
/// Concurrency: a `final class` whose state sits behind one `Mutex`, so that adding, ``done(_:)``
/// and ``forget(_:)`` are synchronous (callable from informer event handlers) while ``get()``
/// suspends. Waiting workers are handed keys first come, first served.
///
/// Deviation from client-go, by specification: an immediate add of a key that waits with a
/// delay removes the delayed entry (client-go would process it a second time at the deadline).
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    /// The queue's name, the `name` dimension of its metrics.
    public let name: String
    /// How often ``run()`` refreshes `workqueue_unfinished_work_seconds` and
    /// `workqueue_longest_running_processor_seconds`, seconds; `nil` when only
    /// ``updateUnfinishedWork()`` does.
    public let unfinishedWorkUpdatePeriod: Double?

    private let rateLimiter: any RateLimiter<Key>
    private let clock: any WorkQueueClock
    private let metrics: WorkQueueMetrics
    private let state = Mutex(State())

    /// Creates an empty queue.
    ///
    /// - Parameters:
    ///   - name: the `name` dimension of the queue's metrics (controller-runtime uses the
    ///     controller's name).
    ///   - rateLimiter: the limiter of ``addRateLimited(_:)``; by default client-go's
    ///     `DefaultControllerRateLimiter` (``MaxOfRateLimiter/defaultController(clock:)`` on
    ///     `clock`).
    ///   - clock: time source of delays and metrics.
    ///   - metricsFactory: where metrics go; `nil` means `MetricsSystem.factory`.
    ///   - unfinishedWorkUpdatePeriod: see ``unfinishedWorkUpdatePeriod``; client-go uses 0.5.
    public init(
        name: String,
        rateLimiter: (any RateLimiter<Key>)? = nil,
        clock: any WorkQueueClock = SystemWorkQueueClock(),
        metricsFactory: (any MetricsFactory)? = nil,
        unfinishedWorkUpdatePeriod: Double? = 0.5
    ) {
        self.name = name
        self.clock = clock
        self.rateLimiter = rateLimiter ?? MaxOfRateLimiter<Key>.defaultController(clock: clock)
        self.metrics = WorkQueueMetrics(name: name, factory: metricsFactory ?? MetricsSystem.factory)
        self.unfinishedWorkUpdatePeriod = unfinishedWorkUpdatePeriod.map { max($0, 0.001) }
    }

    // MARK: - Adding

    /// Adds `key` to the queue now (client-go's `Add`).
    ///
    /// Ignored while shutting down. A key already waiting in the queue is not added twice; a key
    /// being processed is marked dirty and re-queued by ``done(_:)``; a key waiting with a delay
    /// loses its delay.
    public func add(_ key: Key) {
        let now = clock.now
        let wakeups = state.withLock { state -> Wakeups in
            guard !state.shuttingDown else { return Wakeups() }
            state.waiting.removeValue(forKey: key)
            insert(key, at: now, into: &state)
            return dispatch(&state, now: now)
        }
        wakeups.resume()
    }

    /// Adds `key` once `seconds` have passed (client-go's `AddAfter`); at once when `seconds`
    /// is 0 or less.
    ///
    /// Ignored while shutting down. When `key` already waits with a delay, the earlier deadline
    /// wins. Counts in `workqueue_retries_total`, as client-go's `AddAfter` does.
    public func add(_ key: Key, after seconds: Double) {
        let now = clock.now
        let wakeups = state.withLock { state -> Wakeups in
            guard !state.shuttingDown else { return Wakeups() }
            metrics.retries.increment()
            guard seconds > 0 else {
                state.waiting.removeValue(forKey: key)
                insert(key, at: now, into: &state)
                return dispatch(&state, now: now)
            }
            let deadline = now + seconds
            if let existing = state.waiting[key], existing.deadline <= deadline {
                return Wakeups()
            }
            state.sequence += 1
            state.waiting[key] = (deadline, state.sequence)
            state.delayed.push(.init(deadline: deadline, sequence: state.sequence, key: key))
            var wakeups = Wakeups()
            if deadline < state.armedDeadline {
                // A runner sleeps past this deadline: wake it to sleep again, shorter.
                state.generation &+= 1
                wakeups.runners = Array(state.runners.values)
                state.runners.removeAll()
            }
            return wakeups
        }
        wakeups.resume()
    }

    /// Adds `key` after the delay the rate limiter gives it (client-go's `AddRateLimited`).
    public func addRateLimited(_ key: Key) {
        guard !isShuttingDown else { return }
        add(key, after: rateLimiter.when(key))
    }

    /// Tells the rate limiter that `key` succeeded: its back-off starts over (client-go's
    /// `Forget`). Does not remove `key` from the queue.
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
    }

    /// How many times `key` was rate-limited since it was last forgotten (client-go's
    /// `NumRequeues`).
    public func numRequeues(_ key: Key) -> Int {
        rateLimiter.numRequeues(key)
    }

    // MARK: - Processing

    /// Waits for a key to process and marks it processing until ``done(_:)`` (client-go's `Get`).
    ///
    /// - Returns: the next key, or `nil` once the queue shuts down and has no queued key left
    ///   (keys queued before ``shutDown()`` are still handed out), or when the calling task is
    ///   cancelled while waiting. A key handed over just as the task is cancelled is returned;
    ///   the caller must then call ``done(_:)`` for it as usual.
    public func get() async -> Key? {
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let now = clock.now
                let (immediate, wakeups) = state.withLock { state -> (Key??, Wakeups) in
                    var wakeups = promoteDue(&state, now: now)
                    if state.getters.isEmpty, let key = pop(&state, now: now) {
                        return (.some(key), wakeups)
                    }
                    if state.shuttingDown || Task.isCancelled {
                        return (.some(nil), wakeups)
                    }
                    state.getters.append((id, continuation))
                    wakeups.merge(dispatch(&state, now: now))
                    return (nil, wakeups)
                }
                wakeups.resume()
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let getter = state.withLock { state -> CheckedContinuation<Key?, Never>? in
                guard let index = state.getters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.getters.remove(at: index).continuation
            }
            getter?.resume(returning: nil)
        }
    }

    /// Marks `key` as processed (client-go's `Done`). If it was added while processing it goes
    /// back to the queue. Ignored for a key that is not processing.
    public func done(_ key: Key) {
        let now = clock.now
        let wakeups = state.withLock { state -> Wakeups in
            guard state.processing.remove(key) != nil else { return Wakeups() }
            if let started = state.processingStarted.removeValue(forKey: key) {
                metrics.workDuration.recordNanoseconds(WorkQueueMetrics.nanoseconds(now - started))
            }
            if state.dirty.contains(key) {
                state.queue.push(key)
            }
            var wakeups = dispatch(&state, now: now)
            if state.processing.isEmpty {
                wakeups.drains = Array(state.drainWaiters.values)
                state.drainWaiters.removeAll()
            }
            return wakeups
        }
        wakeups.resume()
    }

    // MARK: - Shutting down

    /// Stops the queue (client-go's `ShutDown`): later adds are ignored, delayed keys are
    /// dropped, waiting ``get()`` calls return `nil`, keys already queued are still handed out,
    /// and ``run()`` returns. Ends a running ``shutDownWithDrain(timeout:)`` wait at once.
    public func shutDown() {
        let wakeups = state.withLock { state -> Wakeups in
            var wakeups = beginShutdown(&state)
            wakeups.drains = Array(state.drainWaiters.values)
            state.drainWaiters.removeAll()
            return wakeups
        }
        wakeups.resume()
    }

    /// Stops the queue like ``shutDown()``, then waits until no key is processing, that is
    /// until every key handed out has been marked ``done(_:)`` (client-go's `ShutDownWithDrain`,
    /// with the timeout controller-runtime adds around it).
    ///
    /// - Parameter timeout: longest wait, seconds.
    /// - Returns: `true` when no key was processing any more; `false` after `timeout`, after
    ///   ``shutDown()`` ended the wait, or when the calling task was cancelled.
    @discardableResult
    public func shutDownWithDrain(timeout: Double) async -> Bool {
        let wakeups = state.withLock { beginShutdown(&$0) }
        wakeups.resume()
        let deadline = clock.now + max(0, timeout)
        let clock = self.clock
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilDrained() }
            group.addTask {
                try? await clock.sleep(until: deadline)
                return false
            }
            let drained = await group.next() ?? false
            group.cancelAll()
            return drained
        }
    }

    /// Whether ``shutDown()`` or ``shutDownWithDrain(timeout:)`` was called.
    public var isShuttingDown: Bool {
        state.withLock { $0.shuttingDown }
    }

    // MARK: - Inspecting

    /// How many keys wait in the queue, ready to be handed out (client-go's `Len`): neither
    /// keys being processed nor keys waiting for a delay count.
    public var len: Int {
        let now = clock.now
        let (count, wakeups) = state.withLock { state -> (Int, Wakeups) in
            let wakeups = promoteDue(&state, now: now)
            return (state.queue.count, wakeups)
        }
        wakeups.resume()
        return count
    }

    /// How many keys wait for a delay to pass.
    public var delayedCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// How many keys are being processed: handed out by ``get()`` and not yet ``done(_:)``.
    public var processingCount: Int {
        state.withLock { $0.processing.count }
    }

    /// How many ``get()`` calls are waiting for a key (for tests and diagnostics).
    var waitingGetterCount: Int {
        state.withLock { $0.getters.count }
    }

    // MARK: - Timers

    /// Runs the queue's timers until the queue shuts down or the task is cancelled (client-go's
    /// `waitingLoop` and the metrics' `updateUnfinishedWorkLoop`): moves delayed keys to the
    /// queue at their deadline and refreshes the unfinished-work gauges every
    /// ``unfinishedWorkUpdatePeriod`` seconds.
    ///
    /// Run it in the controller's task group next to the workers. Without it, delayed keys are
    /// only moved when ``get()`` or ``len`` is next called: a worker already suspended in
    /// ``get()`` is not woken at the deadline.
    public func run() async {
        var nextMetricsUpdate = clock.now
        while !Task.isCancelled {
            let now = clock.now
            if let period = unfinishedWorkUpdatePeriod, now >= nextMetricsUpdate {
                updateUnfinishedWork()
                nextMetricsUpdate = now + period
            }
            let metricsDeadline = unfinishedWorkUpdatePeriod == nil ? Double.infinity : nextMetricsUpdate
            let plan = state.withLock { state -> (wake: Double, generation: UInt64, wakeups: Wakeups)? in
                guard !state.shuttingDown else { return nil }
                let wakeups = promoteDue(&state, now: now)
                let wake = min(state.delayed.first?.deadline ?? .infinity, metricsDeadline)
                state.armedDeadline = min(state.armedDeadline, wake)
                return (wake, state.generation, wakeups)
            }
            guard let plan else { return }
            plan.wakeups.resume()
            let clock = self.clock
            await withTaskGroup(of: Void.self) { group in
                if plan.wake.isFinite {
                    group.addTask { try? await clock.sleep(until: plan.wake) }
                }
                group.addTask { await self.waitForRearm(generation: plan.generation) }
                await group.next()
                group.cancelAll()
            }
            state.withLock { $0.armedDeadline = .infinity }
        }
    }

    /// Sets `workqueue_unfinished_work_seconds` to the summed age of the keys being processed
    /// and `workqueue_longest_running_processor_seconds` to the oldest one's, both in seconds
    /// (client-go's `updateUnfinishedWork`). ``run()`` calls it periodically.
    public func updateUnfinishedWork() {
        let now = clock.now
        state.withLock { state in
            var total = 0.0
            var oldest = 0.0
            for started in state.processingStarted.values {
                let age = max(0, now - started)
                total += age
                oldest = max(oldest, age)
            }
            metrics.unfinishedWork.record(total)
            metrics.longestRunningProcessor.record(oldest)
        }
    }

    // MARK: - Internals

    private struct State {
        var queue = ReadyQueue<Key>()
        var dirty = Set<Key>()
        var processing = Set<Key>()
        var shuttingDown = false
        /// Keys waiting for a delay: deadline (seconds) and the sequence of their heap entry.
        var waiting: [Key: (deadline: Double, sequence: UInt64)] = [:]
        var delayed = DeadlineHeap<Key>()
        var sequence: UInt64 = 0
        var nextID: UInt64 = 0
        var getters: [(id: UInt64, continuation: CheckedContinuation<Key?, Never>)] = []
        var drainWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var runners: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Bumped whenever sleeping runners must plan again.
        var generation: UInt64 = 0
        /// The earliest time a runner sleeps until, seconds.
        var armedDeadline = Double.infinity
        /// Add time of queued keys (for `workqueue_queue_duration_seconds`), seconds.
        var added: [Key: Double] = [:]
        /// Start time of processing keys (for `workqueue_work_duration_seconds`), seconds.
        var processingStarted: [Key: Double] = [:]
    }

    /// Continuations to resume once the lock is released.
    private struct Wakeups {
        var getters: [(CheckedContinuation<Key?, Never>, Key?)] = []
        var drains: [CheckedContinuation<Bool, Never>] = []
        var runners: [CheckedContinuation<Void, Never>] = []

        mutating func merge(_ other: Wakeups) {
            getters += other.getters
            drains += other.drains
            runners += other.runners
        }

        func resume() {
            for (continuation, key) in getters { continuation.resume(returning: key) }
            for continuation in drains { continuation.resume(returning: true) }
            for continuation in runners { continuation.resume() }
        }
    }

    /// client-go's `Add` once the shutdown check passed.
    private func insert(_ key: Key, at now: Double, into state: inout State) {
        guard state.dirty.insert(key).inserted else { return }
        metrics.adds.increment()
        metrics.depth.record(state.dirty.count)
        if state.added[key] == nil { state.added[key] = now }
        if !state.processing.contains(key) {
            state.queue.push(key)
        }
    }

    /// client-go's `Get` once a key is queued: the key becomes processing.
    private func pop(_ state: inout State, now: Double) -> Key? {
        guard let key = state.queue.pop() else { return nil }
        state.processing.insert(key)
        state.dirty.remove(key)
        metrics.depth.record(state.dirty.count)
        state.processingStarted[key] = now
        if let added = state.added.removeValue(forKey: key) {
            metrics.queueDuration.recordNanoseconds(WorkQueueMetrics.nanoseconds(now - added))
        }
        return key
    }

    /// Hands queued keys to waiting getters, first come first served.
    private func dispatch(_ state: inout State, now: Double) -> Wakeups {
        var wakeups = Wakeups()
        while !state.getters.isEmpty, let key = pop(&state, now: now) {
            wakeups.getters.append((state.getters.removeFirst().continuation, key))
        }
        return wakeups
    }

    /// Moves keys whose deadline passed to the queue, earliest first, added at their deadline.
    private func promoteDue(_ state: inout State, now: Double) -> Wakeups {
        guard !state.shuttingDown else { return Wakeups() }
        while let first = state.delayed.first, first.deadline <= now {
            _ = state.delayed.popFirst()
            guard let waiting = state.waiting[first.key], waiting.sequence == first.sequence else { continue }
            state.waiting.removeValue(forKey: first.key)
            insert(first.key, at: first.deadline, into: &state)
        }
        return dispatch(&state, now: now)
    }

    private func beginShutdown(_ state: inout State) -> Wakeups {
        var wakeups = Wakeups()
        state.shuttingDown = true
        state.waiting.removeAll()
        state.delayed.removeAll()
        // Getters wait only while the queue is empty.
        wakeups.getters = state.getters.map { ($0.continuation, nil) }
        state.getters.removeAll()
        wakeups.runners = Array(state.runners.values)
        state.runners.removeAll()
        state.generation &+= 1
        return wakeups
    }

    /// Returns `true` once no key is processing; `false` when ended by ``shutDown()`` or
    /// cancellation.
    private func waitUntilDrained() async -> Bool {
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        let drained = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = state.withLock { state -> Bool? in
                    if state.processing.isEmpty { return true }
                    if Task.isCancelled { return false }
                    state.drainWaiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.drainWaiters.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
        return drained && state.withLock { $0.processing.isEmpty }
    }

    /// Returns when runners must plan again (a nearer deadline, shutdown) or on cancellation.
    private func waitForRearm(generation: UInt64) async {
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let immediate = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.runners[id] = continuation
                    return false
                }
                if immediate { continuation.resume() }
            }
        } onCancel: {
            let runner = state.withLock { $0.runners.removeValue(forKey: id) }
            runner?.resume()
        }
    }
}
