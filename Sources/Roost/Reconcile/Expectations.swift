import KubeRuntime
import Synchronization

/// What Roost has written but not yet seen back in its caches — client-go's controller
/// "expectations" (`pkg/controller/controller_utils.go`), so that a cache lagging behind Roost's
/// own writes never starts a second claim or an extra spawn (SPEC B3).
///
/// - A binding (session → worker) is expected from the moment its claim is sent until the pod
///   cache shows the worker busy for that session, the session or worker is gone, or
///   ``timeout`` seconds pass (a write whose effect never shows must not block for ever; client-go
///   uses 5 minutes).
/// - Pod creations are expected per runtime until the pod shows in the cache (or the timeout).
public final class Expectations: Sendable {
    /// Seconds after which an unobserved expectation lapses.
    public let timeout: Double
    private let state = Mutex(State())

    private struct State {
        var bindings: [ObjectName: Binding] = [:]
        var claimedWorkers: [ObjectName: ObjectName] = [:]
        var creations: [ObjectName: Creations] = [:]
    }

    private struct Creations {
        var count: Int
        var since: Double
    }

    private struct Binding {
        var worker: ObjectName
        var since: Double
    }

    public init(timeout: Double = 300) {
        self.timeout = timeout
    }

    /// Records a binding about to be written (call before sending the claim).
    public func expectBinding(session: ObjectName, worker: ObjectName, at now: Double) {
        state.withLock { state in
            state.bindings[session] = Binding(worker: worker, since: now)
            state.claimedWorkers[worker] = session
        }
    }

    /// Forgets a binding (its claim failed, or it was observed, or the session was released).
    public func forgetBinding(session: ObjectName) {
        state.withLock { state in
            if let binding = state.bindings.removeValue(forKey: session) {
                state.claimedWorkers.removeValue(forKey: binding.worker)
            }
        }
    }

    /// The worker a session's binding is in flight or unobserved to, when one is.
    public func pendingWorker(forSession session: ObjectName, at now: Double) -> ObjectName? {
        state.withLock { state in
            guard let binding = state.bindings[session] else { return nil }
            guard now - binding.since < timeout else {
                state.bindings.removeValue(forKey: session)
                state.claimedWorkers.removeValue(forKey: binding.worker)
                return nil
            }
            return binding.worker
        }
    }

    /// Whether a worker has a binding in flight or unobserved.
    public func isClaimed(worker: ObjectName) -> Bool {
        state.withLock { $0.claimedWorkers[worker] != nil }
    }

    /// The bindings still expected, session → worker, read at once (for building a placement
    /// snapshot). Read them once, before the worker table: the pod handler updates the table
    /// before it ends an expectation, so a binding is then seen in one or the other — reading
    /// the expectations a second time after the table could miss it in both.
    public func pendingBindings(at now: Double) -> [ObjectName: ObjectName] {
        state.withLock { state in
            for (session, binding) in state.bindings where now - binding.since >= timeout {
                state.bindings.removeValue(forKey: session)
                state.claimedWorkers.removeValue(forKey: binding.worker)
            }
            return state.bindings.mapValues(\.worker)
        }
    }

    /// Observes a worker as the pod cache shows it: a binding ends once the worker names a
    /// session — its own (satisfied) or another (the claim lost); while it names none the claim
    /// is not visible yet and the expectation stays.
    public func observeWorker(_ worker: ObjectName, servingSession session: String?) {
        guard session != nil else { return }
        state.withLock { state in
            if let expected = state.claimedWorkers.removeValue(forKey: worker) {
                state.bindings.removeValue(forKey: expected)
            }
        }
    }

    /// A worker was deleted: any binding expected to it is void.
    public func workerGone(_ worker: ObjectName) {
        state.withLock { state in
            if let session = state.claimedWorkers.removeValue(forKey: worker) {
                state.bindings.removeValue(forKey: session)
            }
        }
    }

    /// Records `count` pod creations about to be sent for `runtime`.
    public func expectCreations(runtime: ObjectName, count: Int, at now: Double) {
        guard count > 0 else { return }
        state.withLock { state in
            var pending = state.creations[runtime] ?? Creations(count: 0, since: now)
            pending.count += count
            pending.since = now
            state.creations[runtime] = pending
        }
    }

    /// A pod of `runtime` showed in the cache.
    public func creationObserved(runtime: ObjectName) {
        creationsAbandoned(runtime: runtime, count: 1)
    }

    /// `count` expected creations for `runtime` will never show: they failed or were not sent.
    public func creationsAbandoned(runtime: ObjectName, count: Int) {
        guard count > 0 else { return }
        state.withLock { state in
            guard var pending = state.creations[runtime] else { return }
            pending.count -= count
            state.creations[runtime] = pending.count > 0 ? pending : nil
        }
    }

    /// Creations sent for `runtime` and not yet seen (0 once they lapse).
    public func pendingCreations(runtime: ObjectName, at now: Double) -> Int {
        state.withLock { state in
            guard let pending = state.creations[runtime] else { return 0 }
            guard now - pending.since < timeout else {
                state.creations[runtime] = nil
                return 0
            }
            return pending.count
        }
    }
}
