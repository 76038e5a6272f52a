import Synchronization

/// One continuous period of leadership, handed to the leading work.
///
/// Check ``isValid`` (or call ``checkValid()``) right before every write whose result was computed
/// while leading, and stamp writes with ``number`` where the target can compare it (a fencing
/// token): a result computed in an earlier term must never be applied in a later one.
///
/// Validity ends at the earliest of: the renew deadline (``LeaderElectionConfig/renewDeadline``
/// seconds after the start of the last successful renewal — checked against the clock on every
/// read, so it turns false on time even if the renewing task is delayed), the Lease observed in
/// someone else's hands, or cancellation of ``LeaderElector/run(onStartedLeading:onStoppedLeading:onNewLeader:)``.
/// Once false it never turns true again; a new acquisition is a new term. The task running
/// `onStartedLeading` is cancelled when the term ends.
public final class LeadershipTerm: Sendable, CustomStringConvertible {
    /// The fencing token: the Lease's `spec.leaseTransitions` written when this term began. Every
    /// new term (another holder's, or this identity's after it stopped leading) increments it, so
    /// it grows strictly from term to term as long as the Lease is not deleted.
    public let number: Int64
    /// The holder identity of this term.
    public let identity: String
    /// "namespace/name" of the Lease.
    public let lease: String
    /// `spec.acquireTime` of this term (MicroTime, `2006-01-02T15:04:05.000000Z`).
    public let acquireTime: String

    private struct State {
        var revoked = false
        var validUntil: ContinuousClock.Instant
    }

    private let state: Mutex<State>

    init(number: Int64, identity: String, lease: String, acquireTime: String, validUntil: ContinuousClock.Instant) {
        self.number = number
        self.identity = identity
        self.lease = lease
        self.acquireTime = acquireTime
        state = Mutex(State(validUntil: validUntil))
    }

    /// A term for a process that runs without leader election (a single replica): valid until
    /// the work is stopped, with number 0 and no Lease.
    public static func unelected(identity: String) -> LeadershipTerm {
        LeadershipTerm(
            number: 0, identity: identity, lease: "", acquireTime: "",
            validUntil: .now.advanced(by: .seconds(100 * 365 * 86_400)))
    }

    /// Ends the term now: for the owner of an ``unelected(identity:)`` term when it stops its
    /// work (elected terms are ended by their elector).
    public func end() {
        revoke()
    }

    /// True while this process may act as the leader of this term.
    public var isValid: Bool {
        state.withLock { !$0.revoked && ContinuousClock.now < $0.validUntil }
    }

    /// Throws unless the term is still valid; call right before a write.
    /// - Throws: ``LeadershipLostError`` naming the term and the Lease.
    public func checkValid() throws(LeadershipLostError) {
        guard isValid else { throw LeadershipLostError(term: number, identity: identity, lease: lease) }
    }

    /// "term N of identity on Lease namespace/name", or "unelected term of identity".
    public var description: String {
        lease.isEmpty ? "unelected term of \(identity) (leader election off)" : "term \(number) of \(identity) on Lease \(lease)"
    }

    /// Moves the end of validity to `until` after a successful renewal; refuses (false) when the
    /// term has already ended, so an expired term can never come back to life.
    func extend(until: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            guard !state.revoked, ContinuousClock.now < state.validUntil else { return false }
            state.validUntil = max(state.validUntil, until)
            return true
        }
    }

    /// When validity ends unless extended (the past once revoked).
    var validUntil: ContinuousClock.Instant {
        state.withLock { $0.revoked ? .now : $0.validUntil }
    }

    /// Ends the term now.
    func revoke() {
        state.withLock { $0.revoked = true }
    }
}

/// Leadership was lost: a write guarded by ``LeadershipTerm/checkValid()`` must not happen.
public struct LeadershipLostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``LeadershipTerm/number`` of the ended term.
    public var term: Int64
    /// The holder identity of the ended term.
    public var identity: String
    /// "namespace/name" of the Lease.
    public var lease: String

    /// Names the term, identity and Lease.
    public var description: String { "leadership term \(term) of \(identity) on Lease \(lease) has ended" }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
