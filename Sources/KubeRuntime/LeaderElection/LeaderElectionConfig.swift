import Foundation

/// How a ``LeaderElector`` competes for a `coordination.k8s.io/v1` Lease
/// (`k8s.io/client-go/tools/leaderelection/leaderelection.go` `LeaderElectionConfig`).
///
/// All durations are in seconds. The defaults are client-go's (and controller-runtime's):
/// lease 15 s, renew deadline 10 s, retry period 2 s with a jitter factor of 1.2.
///
/// The timing contract: a leader renews every ``retryPeriod``; when no renewal has succeeded for
/// ``renewDeadline`` seconds since the start of the last successful one, it stops leading at once.
/// Other candidates take the Lease over only after `renewTime + leaseDurationSeconds`, and
/// ``leaseDuration`` > ``renewDeadline``, so the old leader has stopped before anyone else can start.
public struct LeaderElectionConfig: Sendable, Equatable {
    /// Namespace of the Lease.
    public var leaseNamespace: String
    /// Name of the Lease.
    public var leaseName: String
    /// This candidate's identity, written to `spec.holderIdentity`. It must be unique among the
    /// candidates: two live processes with the same identity would both consider the Lease theirs.
    public var identity: String
    /// The `name` label of the `leader_election_master_status` metric; defaults to ``leaseName``.
    public var name: String
    /// Seconds non-leaders wait after the last renewal (`renewTime`) before taking the Lease over.
    /// Written to `spec.leaseDurationSeconds` rounded up to whole seconds (so candidates never wait
    /// less than this). Default 15.
    public var leaseDuration: Double
    /// Seconds a leader keeps leading without a successful renewal, counted from the start of the
    /// last successful one; must be less than ``leaseDuration``. Default 10.
    public var renewDeadline: Double
    /// Seconds between attempts to acquire or renew. Default 2.
    public var retryPeriod: Double
    /// Acquisition attempts of non-leaders wait `retryPeriod * (1 + random(0..<jitterFactor))`
    /// seconds (client-go's `wait.Jitter` with `JitterFactor` 1.2). Default 1.2.
    public var jitterFactor: Double
    /// Seconds one acquire or renew attempt (a GET and a write) may take. SPEC: at most 4 s, so a
    /// retry fits in the renew deadline; it may not exceed ``renewDeadline`` either. A renewal is
    /// also cut off when the renew deadline arrives. Default 4.
    public var renewAttemptTimeout: Double
    /// When leading ends by cancellation of ``LeaderElector/run(onStartedLeading:onStoppedLeading:onNewLeader:)``
    /// (graceful shutdown) or by a missed renew deadline, give the Lease up (holderIdentity "",
    /// leaseDurationSeconds 1) so another candidate takes over at once instead of after
    /// ``leaseDuration`` (client-go `ReleaseOnCancel`). Only safe when the leading work has stopped,
    /// which ``LeaderElector`` waits for before releasing. Default false.
    public var releaseOnCancel: Bool
    /// Seconds the release write may take; it runs even though the caller was cancelled. Default 4.
    public var releaseTimeout: Double

    /// A configuration with client-go's default timings.
    /// - Parameters:
    ///   - identity: defaults to ``defaultIdentity(environment:)``.
    ///   - name: the metric label; defaults to `leaseName`.
    public init(
        leaseNamespace: String, leaseName: String, identity: String = LeaderElectionConfig.defaultIdentity(),
        name: String? = nil, leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2,
        jitterFactor: Double = 1.2, renewAttemptTimeout: Double = 4, releaseOnCancel: Bool = false,
        releaseTimeout: Double = 4
    ) {
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
        self.identity = identity
        self.name = name ?? leaseName
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.jitterFactor = jitterFactor
        self.renewAttemptTimeout = renewAttemptTimeout
        self.releaseOnCancel = releaseOnCancel
        self.releaseTimeout = releaseTimeout
    }

    /// Longest ``renewAttemptTimeout`` the SPEC allows, seconds.
    public static let maximumRenewAttemptTimeout = 4.0

    /// `<POD_NAME or host name>_<random UUID>`, unique per process as controller-runtime's default
    /// (`hostname + "_" + uuid`), so a restarted pod never mistakes its predecessor's Lease for its own.
    public static func defaultIdentity(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        return "\(base)_\(UUID().uuidString.lowercased())"
    }

    /// `leaseDurationSeconds` as written to the Lease: ``leaseDuration`` rounded up.
    var leaseDurationSeconds: Int32 {
        Int32(min(Double(Int32.max), leaseDuration.rounded(.up)))
    }

    /// "namespace/name" of the Lease, for messages.
    public var leaseDescription: String { "\(leaseNamespace)/\(leaseName)" }

    /// Checks the configuration as client-go's `NewLeaderElector` does, plus the SPEC's attempt limit.
    /// - Throws: ``LeaderElectionConfigError`` naming the first problem found.
    public func validate() throws(LeaderElectionConfigError) {
        func fail(_ kind: LeaderElectionConfigError.Kind, _ message: String) -> LeaderElectionConfigError {
            LeaderElectionConfigError(kind: kind, message: "leader election for Lease \(leaseDescription): \(message)")
        }
        if leaseNamespace.isEmpty { throw fail(.missingLease, "the Lease namespace is empty") }
        if leaseName.isEmpty { throw fail(.missingLease, "the Lease name is empty") }
        if identity.isEmpty { throw fail(.emptyIdentity, "the identity is empty") }
        for (label, value) in [
            ("leaseDuration", leaseDuration), ("renewDeadline", renewDeadline), ("retryPeriod", retryPeriod),
            ("renewAttemptTimeout", renewAttemptTimeout), ("releaseTimeout", releaseTimeout),
        ] where !(value.isFinite && value > 0) {
            throw fail(.nonPositiveDuration, "\(label) must be greater than zero (got \(value) s)")
        }
        if !(jitterFactor.isFinite && jitterFactor >= 0) {
            throw fail(.invalidJitterFactor, "jitterFactor must be zero or more (got \(jitterFactor))")
        }
        if leaseDuration > Double(Int32.max) {
            throw fail(.nonPositiveDuration, "leaseDuration \(leaseDuration) s does not fit leaseDurationSeconds")
        }
        if leaseDuration <= renewDeadline {
            throw fail(
                .leaseDurationNotGreaterThanRenewDeadline,
                "leaseDuration (\(leaseDuration) s) must be greater than renewDeadline (\(renewDeadline) s)")
        }
        let jitteredRetry = retryPeriod * jitterFactor
        if renewDeadline <= jitteredRetry {
            throw fail(
                .renewDeadlineNotGreaterThanJitteredRetryPeriod,
                "renewDeadline (\(renewDeadline) s) must be greater than retryPeriod * jitterFactor "
                    + "(\(retryPeriod) s * \(jitterFactor) = \(jitteredRetry) s)")
        }
        if renewDeadline <= retryPeriod {
            throw fail(
                .renewDeadlineNotGreaterThanJitteredRetryPeriod,
                "renewDeadline (\(renewDeadline) s) must be greater than retryPeriod (\(retryPeriod) s)")
        }
        if renewAttemptTimeout > Self.maximumRenewAttemptTimeout {
            throw fail(
                .invalidRenewAttemptTimeout,
                "renewAttemptTimeout (\(renewAttemptTimeout) s) must be at most \(Self.maximumRenewAttemptTimeout) s")
        }
        if renewAttemptTimeout > renewDeadline {
            throw fail(
                .invalidRenewAttemptTimeout,
                "renewAttemptTimeout (\(renewAttemptTimeout) s) must not exceed renewDeadline (\(renewDeadline) s)")
        }
    }
}

/// A ``LeaderElectionConfig`` that cannot work; `message` names the Lease, the field and the values.
public struct LeaderElectionConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Equatable {
        /// The Lease namespace or name is empty.
        case missingLease
        /// The identity is empty.
        case emptyIdentity
        /// A duration is zero, negative, not finite or too large.
        case nonPositiveDuration
        /// The jitter factor is negative or not finite.
        case invalidJitterFactor
        /// `leaseDuration <= renewDeadline`: a leader could still lead after others may take over.
        case leaseDurationNotGreaterThanRenewDeadline
        /// `renewDeadline <= retryPeriod * jitterFactor`: no retry would fit in the deadline.
        case renewDeadlineNotGreaterThanJitteredRetryPeriod
        /// `renewAttemptTimeout` exceeds 4 s or the renew deadline.
        case invalidRenewAttemptTimeout
    }

    /// Which rule was broken.
    public var kind: Kind
    /// The Lease, the field and the offending values, e.g. "leader election for Lease
    /// default/lock: leaseDuration (10.0 s) must be greater than renewDeadline (10.0 s)".
    public var message: String

    /// ``message``.
    public var description: String { message }
}
