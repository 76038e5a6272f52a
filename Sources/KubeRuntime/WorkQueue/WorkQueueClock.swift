import Synchronization

/// The time source of a ``WorkQueue`` and its rate limiters, injectable so that delays can be
/// tested without waiting (client-go injects `k8s.io/utils/clock` the same way).
///
/// Time is a monotonic count of seconds from an arbitrary origin; only differences matter.
public protocol WorkQueueClock: Sendable {
    /// The current time, seconds since the clock's origin.
    var now: Double { get }

    /// Suspends until ``now`` is at or past `deadline` (seconds since the clock's origin).
    /// Returns at once when the deadline has passed.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled before the deadline.
    func sleep(until deadline: Double) async throws
}

/// The real clock: `ContinuousClock` (monotonic, counts time asleep), in seconds since the first
/// use of this type in the process.
public struct SystemWorkQueueClock: WorkQueueClock {
    private static let origin = ContinuousClock.now

    /// Creates the system clock.
    public init() {}

    /// Seconds elapsed since the process-wide origin.
    public var now: Double {
        Self.seconds(ContinuousClock.now - Self.origin)
    }

    /// Sleeps with `Task.sleep(until:clock:)` on the continuous clock.
    ///
    /// - Throws: `CancellationError` when the task is cancelled.
    public func sleep(until deadline: Double) async throws {
        guard deadline > now else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(until: Self.origin + .seconds(deadline), clock: .continuous)
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// A clock that moves only when told to, for deterministic tests of delays and rate limits.
///
/// Sleepers suspended in ``sleep(until:)`` resume when ``advance(by:)`` or ``advance(to:)``
/// moves ``now`` to or past their deadline. ``waitForSleepers(_:)`` lets a test wait until the
/// code under test has actually gone to sleep before it advances the time.
public final class ManualWorkQueueClock: WorkQueueClock {
    private struct Sleeper {
        var deadline: Double
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Double
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var watchers: [UInt64: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    private let state: Mutex<State>

    /// Creates a clock that reads `now` seconds.
    public init(now: Double = 0) {
        state = Mutex(State(now: now))
    }

    /// The current time, seconds.
    public var now: Double {
        state.withLock { $0.now }
    }

    /// How many tasks are suspended in ``sleep(until:)``.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The deadlines of the suspended sleepers, earliest first, seconds.
    public var sleeperDeadlines: [Double] {
        state.withLock { $0.sleepers.values.map(\.deadline).sorted() }
    }

    /// Suspends until ``now`` reaches `deadline`, that is until a test advances the clock.
    ///
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Double) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case ready, cancelled, waiting }
                let (outcome, watchers) = state.withLock { state -> (Outcome, [CheckedContinuation<Void, Never>]) in
                    if state.now >= deadline { return (.ready, []) }
                    if Task.isCancelled { return (.cancelled, []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (.waiting, Self.satisfiedWatchers(&state))
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
                for watcher in watchers { watcher.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `seconds` (>= 0) and wakes the sleepers whose deadline passed.
    public func advance(by seconds: Double) {
        let target = state.withLock { $0.now + max(0, seconds) }
        advance(to: target)
    }

    /// Moves the clock to `time` seconds (never backwards) and wakes the sleepers whose deadline
    /// passed, earliest deadline first.
    public func advance(to time: Double) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, time)
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.keys
            return ids.compactMap { state.sleepers.removeValue(forKey: $0) }.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until at least `count` tasks are suspended in ``sleep(until:)``.
    /// Returns early, without error, when the calling task is cancelled.
    public func waitForSleepers(_ count: Int) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.sleepers.count >= count || Task.isCancelled { return true }
                    state.watchers[id] = (count, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { $0.watchers.removeValue(forKey: id) }
            watcher?.continuation.resume()
        }
    }

    private static func satisfiedWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let count = state.sleepers.count
        let ids = state.watchers.filter { $0.value.count <= count }.keys
        return ids.compactMap { state.watchers.removeValue(forKey: $0)?.continuation }
    }
}
