import KubeClient
import KubeModel
import Logging
import Metrics
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, following client-go
/// (`k8s.io/client-go/tools/leaderelection/leaderelection.go`, `resourcelock/leaselock.go`).
///
/// ``run(onStartedLeading:onStoppedLeading:onNewLeader:)`` tries to acquire the Lease every
/// ``LeaderElectionConfig/retryPeriod`` (jittered) until it succeeds, then runs the leading work
/// while renewing every `retryPeriod`, and returns when leadership ends:
///
/// - **Acquire**: GET the Lease; create it when missing; take it over when it has no holder, when
///   it has expired (`renewTime + leaseDurationSeconds < now`), or when it already names this
///   identity; otherwise wait. Every write is a PUT carrying the `resourceVersion` that was read,
///   so of two candidates racing for the same version one gets 409 Conflict and stays a follower.
/// - **Renew**: PUT the Lease as last written (client-go's optimistic fast path), falling back to a
///   GET and a PUT on any failure. Each attempt is limited to
///   ``LeaderElectionConfig/renewAttemptTimeout`` and to the time left before the renew deadline.
/// - **Stop**: when no renewal has succeeded for ``LeaderElectionConfig/renewDeadline`` seconds
///   after the start of the last successful one, when the Lease is seen held by someone else, or
///   when the calling task is cancelled. The ``LeadershipTerm`` turns invalid at once, the
///   `onStartedLeading` task is cancelled and awaited, then (with
///   ``LeaderElectionConfig/releaseOnCancel``) the Lease is released, then `onStoppedLeading` runs.
///
/// Differences from client-go: leadership ends at `lastRenew + renewDeadline` (client-go allows up
/// to a retry period more), and immediately when the Lease is seen in another holder's hands
/// (client-go waits for the deadline); expiry is judged from the Lease's `renewTime` (the
/// candidates' wall clocks must agree to well within `leaseDuration - renewDeadline`), falling back
/// to client-go's local observation time when `renewTime` is missing or malformed; a new term of
/// the same identity also increments `leaseTransitions`, which makes it a fencing token.
///
/// The metric `leader_election_master_status{name}` is 1 while leading and 0 otherwise.
public final class LeaderElector: Sendable {
    /// How ``run(onStartedLeading:onStoppedLeading:onNewLeader:)`` ended.
    public enum Outcome: Sendable, Equatable {
        /// Cancelled before the Lease was acquired.
        case cancelledBeforeLeading
        /// Led, then stopped for `reason`.
        case stoppedLeading(LeadershipLossReason)
        /// Another `run` of this elector was already in progress; nothing was done.
        case alreadyRunning
    }

    /// The validated configuration.
    public let config: LeaderElectionConfig
    let lock: LeaseLock
    let logger: Logger
    private let masterStatus: Gauge
    private let shared = Mutex(Shared())

    private struct Shared {
        var running = false
        var term: LeadershipTerm?
        var observedLeader: String?
    }

    /// - Parameters:
    ///   - client: the client the Lease is read and written with.
    ///   - metricsFactory: where `leader_election_master_status` is recorded; the global
    ///     `MetricsSystem.factory` when nil.
    /// - Throws: ``LeaderElectionConfigError`` when `config` fails ``LeaderElectionConfig/validate()``.
    public init(
        client: KubeClient, config: LeaderElectionConfig, metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger = Logger(label: "roost.leaderelection")
    ) throws(LeaderElectionConfigError) {
        try config.validate()
        self.config = config
        lock = LeaseLock(client: client, namespace: config.leaseNamespace, name: config.leaseName)
        var logger = logger
        logger[metadataKey: "lease"] = "\(config.leaseDescription)"
        logger[metadataKey: "identity"] = "\(config.identity)"
        self.logger = logger
        masterStatus = Gauge(
            label: "leader_election_master_status", dimensions: [("name", config.name)],
            factory: metricsFactory ?? MetricsSystem.factory)
        masterStatus.record(0)
    }

    /// True while this elector leads with a valid term (false again the moment the term ends).
    public var isLeader: Bool {
        shared.withLock { $0.term?.isValid ?? false }
    }

    /// The current term while leading; nil otherwise.
    public var currentTerm: LeadershipTerm? {
        shared.withLock { state in state.term.flatMap { $0.isValid ? $0 : nil } }
    }

    /// The holder identity last seen in the Lease (or written by this elector); nil before the
    /// first read or while the Lease has no holder.
    public var observedLeader: String? {
        shared.withLock { $0.observedLeader }
    }

    /// Competes for the Lease, leads, and returns when leadership ends or the calling task is cancelled.
    ///
    /// - Parameters:
    ///   - onStartedLeading: the leading work, run in a child task once the Lease is acquired. It
    ///     is cancelled when the term ends and awaited before `run` continues; check
    ///     ``LeadershipTerm/isValid`` before every write.
    ///   - onStoppedLeading: called once when `run` ends, whether or not it led (as client-go's
    ///     `OnStoppedLeading`, deferred in `Run`); after the leading work has returned and the
    ///     Lease was released. Typical use: exit the process.
    ///   - onNewLeader: called with the holder identity each time the observed holder changes,
    ///     including to this identity (an empty holder is not reported). Must return quickly.
    /// - Returns: how it ended. An elector runs one `run` at a time; once `run` returns it may be
    ///   called again to compete for a new term.
    @discardableResult
    public func run(
        onStartedLeading: @escaping @Sendable (LeadershipTerm) async -> Void,
        onStoppedLeading: @escaping @Sendable () async -> Void,
        onNewLeader: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> Outcome {
        let claimed = shared.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard claimed else { return .alreadyRunning }
        defer { shared.withLock { $0.running = false } }

        var session = Session()
        guard let acquisition = await acquire(&session, onNewLeader: onNewLeader) else {
            logger.info("leader election cancelled before acquiring the Lease")
            await onStoppedLeading()
            return .cancelledBeforeLeading
        }
        let term = LeadershipTerm(
            number: Int64(acquisition.record.leaseTransitions ?? 0), identity: config.identity,
            lease: config.leaseDescription, acquireTime: acquisition.record.acquireTime ?? "",
            validUntil: acquisition.started + .seconds(config.renewDeadline))
        shared.withLock { $0.term = term }
        masterStatus.record(1)
        logger.info("became leader", metadata: ["term": "\(term.number)"])

        let reason = await withTaskGroup(of: Void.self, returning: LeadershipLossReason.self) { group in
            group.addTask { await onStartedLeading(term) }
            let reason = await renew(&session, term: term, onNewLeader: onNewLeader)
            term.revoke()
            masterStatus.record(0)
            group.cancelAll()
            await group.waitForAll()
            return reason
        }
        shared.withLock { $0.term = nil }
        logger.info("stopped leading", metadata: ["term": "\(term.number)", "reason": "\(reason)"])

        if config.releaseOnCancel, reason.mayRelease, let lease = session.lease {
            // A fresh task: the caller may be cancelled (graceful shutdown) and the release must
            // still be sent. It is bounded by its own timeout.
            let release = Task { await self.release(lease, term: term) }
            await release.value
        }
        await onStoppedLeading()
        return .stoppedLeading(reason)
    }

    // MARK: Loops

    /// What the acquire and renew loops remember between attempts (owned by `run`'s task).
    struct Session {
        /// The Lease as last read or written, with its resourceVersion.
        var lease: JSONValue?
        /// The last record seen and when it was first seen with that content (client-go's
        /// `observedRecord` / `observedTime`), for Leases without a usable `renewTime`.
        var observation: Observation?
        var reportedLeader: String?
    }

    struct Observation: Sendable {
        var record: CoordinationV1.LeaseSpec
        var since: ContinuousClock.Instant
    }

    struct Acquisition {
        var record: CoordinationV1.LeaseSpec
        var started: ContinuousClock.Instant
    }

    /// Tries until the Lease is ours; nil when cancelled.
    private func acquire(_ session: inout Session, onNewLeader: @Sendable (String) -> Void) async -> Acquisition? {
        logger.info("attempting to acquire the leader Lease")
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let outcome = await attempt(session, leading: nil, timeout: config.renewAttemptTimeout)
            observe(outcome, in: &session, onNewLeader: onNewLeader)
            switch outcome {
            case .acquired(let lease, _):
                return Acquisition(record: CoordinationV1.LeaseSpec(lease: lease), started: started)
            case .heldByOther(_, let holder, _):
                logger.debug("Lease is held by \(holder) and has not yet expired")
            case .lost(_, let holder):
                logger.debug("Lease is held by \(holder)")
            case .failed(let error, _):
                if error.isConflict {
                    logger.debug("lost the race for the Lease: \(error)")
                } else if !Task.isCancelled {
                    logger.warning("error acquiring the Lease: \(error)")
                }
            }
            let wait = config.retryPeriod * (1 + Double.random(in: 0..<max(config.jitterFactor, .ulpOfOne)))
            do { try await Task.sleep(for: .seconds(wait)) } catch { return nil }
        }
        return nil
    }

    /// Renews every retry period until leadership ends; returns why.
    private func renew(_ session: inout Session, term: LeadershipTerm, onNewLeader: @Sendable (String) -> Void) async
        -> LeadershipLossReason
    {
        var lastError: LeaderElectionError?
        let leading = Leading(
            transitions: Int32(clamping: term.number), acquireTime: term.acquireTime)
        while true {
            let deadline = term.validUntil
            let wake = min(ContinuousClock.now + .seconds(config.retryPeriod), deadline)
            do { try await Task.sleep(until: wake, clock: .continuous) } catch { return .cancelled }
            let started = ContinuousClock.now
            let left = (deadline - started).seconds
            guard term.isValid, left > 0 else {
                return .renewDeadlineExceeded(lastError: lastError?.description)
            }
            let timeout = min(config.renewAttemptTimeout, left)
            let outcome = await attempt(session, leading: leading, timeout: timeout)
            observe(outcome, in: &session, onNewLeader: onNewLeader)
            if Task.isCancelled { return .cancelled }
            switch outcome {
            case .acquired:
                guard term.extend(until: started + .seconds(config.renewDeadline)) else {
                    return .renewDeadlineExceeded(lastError: "the renewal succeeded after the renew deadline")
                }
                lastError = nil
                logger.trace("renewed the Lease")
            case .lost(_, let holder), .heldByOther(_, let holder, _):
                logger.warning("the Lease is now held by \"\(holder)\"")
                return .leaseTakenOver(by: holder)
            case .failed(let error, _):
                logger.warning("failed to renew the Lease: \(error)")
                // An attempt cut short by the deadline says less than the failure before it.
                if case .timedOut = error, timeout < config.renewAttemptTimeout, lastError != nil { continue }
                lastError = error
            }
        }
    }

    /// Records what an attempt saw and reports a new holder.
    private func observe(_ outcome: AttemptOutcome, in session: inout Session, onNewLeader: @Sendable (String) -> Void) {
        if let lease = outcome.lease { session.lease = lease }
        if let observation = outcome.observation { session.observation = observation }
        guard let lease = outcome.lease else { return }
        let holder = CoordinationV1.LeaseSpec(lease: lease).holderIdentity ?? ""
        shared.withLock { $0.observedLeader = holder.isEmpty ? nil : holder }
        guard !holder.isEmpty, holder != session.reportedLeader else { return }
        session.reportedLeader = holder
        onNewLeader(holder)
    }

    // MARK: One attempt

    /// The term a renewal keeps: its transitions count and acquire time.
    struct Leading: Sendable {
        var transitions: Int32
        var acquireTime: String
    }

    enum AttemptOutcome: Sendable {
        /// The Lease is ours; the object as written.
        case acquired(lease: JSONValue, observation: Observation)
        /// Another holder's Lease has not expired (only while acquiring).
        case heldByOther(lease: JSONValue, holder: String, observation: Observation)
        /// While leading: the Lease names another holder or another term.
        case lost(lease: JSONValue, holder: String)
        /// The attempt failed; the Lease if it was read.
        case failed(LeaderElectionError, lease: JSONValue?)

        var lease: JSONValue? {
            switch self {
            case .acquired(let lease, _), .heldByOther(let lease, _, _), .lost(let lease, _): return lease
            case .failed(_, let lease): return lease
            }
        }

        var observation: Observation? {
            switch self {
            case .acquired(_, let observation), .heldByOther(_, _, let observation): return observation
            case .lost, .failed: return nil
            }
        }
    }

    /// One `tryAcquireOrRenew`, limited to `timeout` seconds.
    private func attempt(_ session: Session, leading: Leading?, timeout: Double) async -> AttemptOutcome {
        let cached = session.lease
        let previous = session.observation
        let lease = config.leaseDescription
        let result = await withTaskGroup(of: AttemptOutcome?.self, returning: AttemptOutcome?.self) { group in
            group.addTask { await self.tryAcquireOrRenew(cached: cached, previous: previous, leading: leading) }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return result ?? .failed(.timedOut(seconds: timeout, lease: lease), lease: nil)
    }

    /// client-go's `tryAcquireOrRenew`: returns whether the Lease is (still) ours.
    private func tryAcquireOrRenew(cached: JSONValue?, previous: Observation?, leading: Leading?) async -> AttemptOutcome {
        let now = Timestamp.now()
        let nowTime = Timestamp.rfc3339Micro(now)
        var record = CoordinationV1.LeaseSpec(
            holderIdentity: config.identity, leaseDurationSeconds: config.leaseDurationSeconds, acquireTime: nowTime,
            renewTime: nowTime, leaseTransitions: 0)

        // 1. Fast path: the leader updates the Lease it last wrote, assuming nobody else did.
        if let leading, let cached {
            record.acquireTime = leading.acquireTime
            record.leaseTransitions = leading.transitions
            do {
                let written = try await lock.update(cached, record)
                return .acquired(lease: written, observation: Observation(record: record, since: .now))
            } catch {
                if error.isCancelled || Task.isCancelled { return .failed(error, lease: nil) }
                logger.debug("optimistic Lease update failed, falling back to a read: \(error)")
            }
        }

        // 2. Read the Lease, or create it.
        let current: JSONValue
        do {
            current = try await lock.get()
        } catch {
            guard case .request(let cause, _, _) = error, cause.isNotFound else { return .failed(error, lease: nil) }
            if let leading {
                // Deleted under us: recreate it with our term so the fencing token does not restart.
                record.acquireTime = leading.acquireTime
                record.leaseTransitions = leading.transitions
            }
            do {
                let created = try await lock.create(record)
                return .acquired(lease: created, observation: Observation(record: record, since: .now))
            } catch {
                return .failed(error, lease: nil)
            }
        }

        // 3. Check the holder and the time.
        let existing = CoordinationV1.LeaseSpec(lease: current)
        let observation =
            previous.flatMap { $0.record == existing ? $0 : nil } ?? Observation(record: existing, since: .now)
        let holder = existing.holderIdentity ?? ""
        if let leading {
            guard holder == config.identity, existing.leaseTransitions ?? 0 == leading.transitions else {
                return .lost(lease: current, holder: holder)
            }
            record.acquireTime = leading.acquireTime
            record.leaseTransitions = leading.transitions
        } else {
            if !holder.isEmpty, holder != config.identity, isHeld(existing, now: now, observedSince: observation.since) {
                return .heldByOther(lease: current, holder: holder, observation: observation)
            }
            let transitions = existing.leaseTransitions ?? 0
            record.leaseTransitions = transitions == .max ? .max : transitions + 1
        }

        // 4. Write, conditional on the resourceVersion just read.
        do {
            let written = try await lock.update(current, record)
            return .acquired(lease: written, observation: Observation(record: record, since: .now))
        } catch {
            return .failed(error, lease: current)
        }
    }

    /// Whether another holder's Lease is still valid: `renewTime + leaseDurationSeconds >= now`;
    /// without a readable `renewTime`, client-go's rule (first seen + duration, local clock).
    private func isHeld(_ record: CoordinationV1.LeaseSpec, now: Double, observedSince: ContinuousClock.Instant) -> Bool {
        let duration = Double(record.leaseDurationSeconds ?? 0)
        if let renewed = record.renewTime.flatMap(Timestamp.parse) {
            return renewed + duration >= now
        }
        return ContinuousClock.now < observedSince + .seconds(duration)
    }

    // MARK: Release

    /// Gives the Lease up (client-go `release`): holderIdentity "", leaseDurationSeconds 1,
    /// acquire and renew time now, transitions kept; conditional on the last written version, so
    /// it never clobbers another holder's write.
    ///
    /// A renewal cancelled by the shutdown may still have reached the server, leaving the version
    /// we hold one behind. On 409 the Lease is read again and, while it still names this identity
    /// in this term, the release is retried once with the fresh version; a Lease that names
    /// anyone else, or another term, is left alone.
    private func release(_ lease: JSONValue, term: LeadershipTerm) async {
        guard ownsTerm(lease, term: term) else { return }
        let timeout = config.releaseTimeout
        let lock = self.lock
        typealias Attempt = Result<Void, LeaderElectionError>
        let result: Attempt? = await withTaskGroup(of: Attempt?.self, returning: Attempt?.self) { group in
            group.addTask { [self] () async -> Attempt? in
                do throws(LeaderElectionError) {
                    do throws(LeaderElectionError) {
                        _ = try await lock.update(lease, releasedRecord(lease))
                    } catch  where error.isConflict {
                        let current = try await lock.get()
                        guard ownsTerm(current, term: term) else { return .failure(error) }
                        _ = try await lock.update(current, releasedRecord(current))
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch result {
        case .success: logger.info("released the Lease")
        case .failure(let error): logger.warning("failed to release the Lease: \(error)")
        case nil: logger.warning("failed to release the Lease: timed out after \(timeout) s")
        }
    }

    /// Whether `lease` names this identity as holder in `term`.
    private func ownsTerm(_ lease: JSONValue, term: LeadershipTerm) -> Bool {
        let spec = CoordinationV1.LeaseSpec(lease: lease)
        return spec.holderIdentity == config.identity && spec.leaseTransitions ?? 0 == Int32(clamping: term.number)
    }

    /// The record that gives `lease` up: no holder, 1 s duration, times now, transitions kept.
    private func releasedRecord(_ lease: JSONValue) -> CoordinationV1.LeaseSpec {
        let now = Timestamp.rfc3339Micro(Timestamp.now())
        return CoordinationV1.LeaseSpec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
            leaseTransitions: CoordinationV1.LeaseSpec(lease: lease).leaseTransitions)
    }
}

/// Why a leader stopped leading.
public enum LeadershipLossReason: Sendable, Equatable, CustomStringConvertible {
    /// The task running ``LeaderElector/run(onStartedLeading:onStoppedLeading:onNewLeader:)`` was cancelled.
    case cancelled
    /// No renewal succeeded within the renew deadline; the last failure's description.
    case renewDeadlineExceeded(lastError: String?)
    /// The Lease was found naming another holder ("" when released by someone else) or another term.
    case leaseTakenOver(by: String)

    /// A short phrase for logs.
    public var description: String {
        switch self {
        case .cancelled: return "cancelled"
        case .renewDeadlineExceeded(let error): return "renew deadline exceeded" + (error.map { " (\($0))" } ?? "")
        case .leaseTakenOver(let holder): return "Lease taken over by \"\(holder)\""
        }
    }

    var mayRelease: Bool {
        if case .leaseTakenOver = self { return false }
        return true
    }
}
