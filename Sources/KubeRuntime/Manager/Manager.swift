import Foundation
import KubeClient
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs an operator's long-running parts the way controller-runtime's manager does
/// (`pkg/manager/internal.go`): the parts every replica runs (informers, the probe and metrics
/// servers) from the start, the leading work (controllers, anything that writes) only while this
/// replica holds the leader Lease — or at once when leader election is off.
///
/// Shutdown: SIGTERM or SIGINT starts a graceful shutdown (leading work stops and drains, the
/// Lease is released, informers and servers close) bounded by
/// ``Options/gracefulShutdownTimeout`` seconds, after which remaining parts are cancelled; a second
/// signal exits the process at once with status 130. Losing leadership ends ``run()`` with
/// ``ManagerError/leadershipLost(_:)`` after the same graceful shutdown, as controller-runtime
/// exits on "leader election lost": writes stop before the Lease can expire, and a restarted
/// process competes again from a clean state.
public final class Manager: Sendable {
    /// What the manager serves and how it elects.
    public struct Options: Sendable {
        /// `[host]:port` for `/metrics`; nil disables (controller-runtime's `--metrics-bind-address`, "0" there).
        public var metricsBindAddress: String?
        /// `[host]:port` for `/healthz` and `/readyz`; nil disables.
        public var healthProbeBindAddress: String?
        /// The Lease to compete for; nil runs the leading work at once, unelected.
        public var leaderElection: LeaderElectionConfig?
        /// Seconds a graceful shutdown may take before the remaining parts are cancelled (30).
        public var gracefulShutdownTimeout: Double
        /// Seconds the cancellation after a timed-out graceful shutdown may take (5).
        public var cancellationTimeout: Double
        /// Whether `run` traps SIGTERM and SIGINT (off in tests that run several managers in one process).
        public var handlesSignals: Bool

        public init(
            metricsBindAddress: String? = ":8080", healthProbeBindAddress: String? = ":8081",
            leaderElection: LeaderElectionConfig? = nil, gracefulShutdownTimeout: Double = 30,
            cancellationTimeout: Double = 5, handlesSignals: Bool = true
        ) {
            self.metricsBindAddress = metricsBindAddress
            self.healthProbeBindAddress = healthProbeBindAddress
            self.leaderElection = leaderElection
            self.gracefulShutdownTimeout = gracefulShutdownTimeout
            self.cancellationTimeout = cancellationTimeout
            self.handlesSignals = handlesSignals
        }
    }

    /// The identity used for an unelected term when leader election is off.
    public let identity: String
    /// The checks behind `/healthz` and `/readyz`; add informers and other checks before ``run()``.
    public let healthChecks = HealthChecks()
    /// The elector when leader election is on.
    public let elector: LeaderElector?
    /// The `/metrics` server, when enabled (its ``ProbeServer/boundPort`` tells a port 0's choice).
    public let metricsServer: ProbeServer?
    /// The `/healthz` `/readyz` server, when enabled.
    public let probeServer: ProbeServer?

    let options: Options
    let registry: PrometheusCollectorRegistry?
    let logger: Logger
    private let parts = Mutex(Parts())
    private let serviceGroup = Mutex<ServiceGroup?>(nil)

    private struct Parts {
        var services: [any Service] = []
        var leading: [(name: String, work: @Sendable (LeadershipTerm) async -> Void)] = []
        var started = false
    }

    /// - Parameters:
    ///   - client: the client the leader elector uses (when ``Options/leaderElection`` is set).
    ///   - registry: served at `/metrics`; usually the registry of the bootstrapped
    ///     `PrometheusMetricsFactory`.
    /// - Throws: ``ManagerError/invalidOptions(_:)`` for a bad bind address or Lease configuration.
    public init(
        client: KubeClient, options: Options, registry: PrometheusCollectorRegistry?,
        logger: Logger = Logger(label: "roost.manager")
    ) throws(ManagerError) {
        self.options = options
        self.registry = registry
        self.logger = logger
        if let config = options.leaderElection {
            do {
                elector = try LeaderElector(client: client, config: config, logger: logger)
            } catch {
                throw .invalidOptions("leader election: \(error)")
            }
            identity = config.identity
        } else {
            elector = nil
            identity = LeaderElectionConfig.defaultIdentity()
        }
        let checks = healthChecks
        do {
            metricsServer = try options.metricsBindAddress.map {
                try ProbeServer(address: $0, endpoints: .metrics, registry: registry, checks: checks)
            }
            probeServer = try options.healthProbeBindAddress.map {
                try ProbeServer(address: $0, endpoints: .probes, registry: nil, checks: checks)
            }
        } catch {
            throw .invalidOptions("\(error)")
        }
        var services: [any Service] = [metricsServer, probeServer].compactMap { $0 }
        if metricsServer != nil {
            services.append(RuntimeService(name: "process-metrics") { await ProcessMetrics().run() })
        }
        parts.withLock { $0.services = services }
    }

    /// Adds a part every replica runs from the start to the end (an informer, a server). Parts
    /// are shut down in the reverse order they were added, after the leading work.
    public func add(_ service: any Service) {
        parts.withLock { $0.services.append(service) }
    }

    /// Adds leading work: started with the term when this replica starts leading (at once when
    /// unelected), cancelled when the term ends or on shutdown. It must stop writing when its
    /// task is cancelled and check ``LeadershipTerm/isValid`` before each write.
    public func addLeading(name: String, _ work: @escaping @Sendable (LeadershipTerm) async -> Void) {
        parts.withLock { $0.leading.append((name, work)) }
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutDown() async {
        let group = serviceGroup.withLock { $0 }
        await group?.triggerGracefulShutdown()
    }

    /// Runs every part until a signal, ``shutDown()``, a part failing, or lost leadership.
    /// - Throws: ``ManagerError/leadershipLost(_:)`` when the Lease was lost;
    ///   ``ManagerError/serviceFailed(_:_:)`` when a part failed (a server could not bind);
    ///   ``ManagerError/alreadyStarted`` when called twice.
    public func run() async throws(ManagerError) {
        let snapshot = parts.withLock { parts -> Parts? in
            guard !parts.started else { return nil }
            parts.started = true
            return parts
        }
        guard let snapshot else { throw .alreadyStarted }
        let servers = [metricsServer, probeServer].compactMap { $0 }
        let leadingService = LeadingService(
            elector: elector, identity: identity, work: snapshot.leading, logger: logger,
            serversBound: { servers.allSatisfy { $0.boundPort != nil } })
        var configurations = snapshot.services.map {
            ServiceGroupConfiguration.ServiceConfiguration(
                service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        configurations.append(
            .init(
                service: leadingService, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(
            services: configurations,
            gracefulShutdownSignals: options.handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(options.gracefulShutdownTimeout * 1000))
        configuration.maximumCancellationDuration = .milliseconds(Int64(options.cancellationTimeout * 1000))
        let group = ServiceGroup(configuration: configuration)
        serviceGroup.withLock { $0 = group }
        let handlesSignals = options.handlesSignals
        let logger = logger
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { tasks in
            if handlesSignals {
                tasks.addTask {
                    await Self.exitOnSecondSignal(logger: logger)
                    return nil
                }
            }
            tasks.addTask {
                do {
                    try await group.run()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            while let next = await tasks.next() {
                if let next {
                    outcome = next
                    tasks.cancelAll()
                }
            }
            return outcome
        }
        if case .failure(let error) = outcome {
            if let failure = error as? ProbeServer.BindError { throw .serviceFailed("HTTP server", failure.description) }
            throw .serviceFailed("service group", "\(error)")
        }
        if let reason = leadingService.lostLeadership {
            throw .leadershipLost(reason)
        }
        logger.info("shutdown complete")
    }

    /// Counts SIGTERM/SIGINT; the first is the ServiceGroup's graceful shutdown, the second exits.
    private static func exitOnSecondSignal(logger: Logger) async {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        var seen = 0
        for await signal in signals {
            seen += 1
            if seen == 1 {
                logger.info("received \(signal): shutting down gracefully (a second signal exits at once)")
            }
            if seen >= 2 {
                logger.warning("second signal \(signal) during graceful shutdown: exiting now")
                exit(130)
            }
        }
    }
}

/// Why a ``Manager`` could not start or stopped abnormally.
public enum ManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option was invalid (bind address, Lease configuration); the text says which.
    case invalidOptions(String)
    /// `run` was called a second time.
    case alreadyStarted
    /// The leader Lease was lost; the process should exit so it restarts clean.
    case leadershipLost(LeadershipLossReason)
    /// A part (named) failed with the given error text.
    case serviceFailed(String, String)

    public var description: String {
        switch self {
        case .invalidOptions(let text): return "invalid manager options: \(text)"
        case .alreadyStarted: return "the manager is already running"
        case .leadershipLost(let reason): return "leader election lost: \(reason)"
        case .serviceFailed(let name, let error): return "\(name) failed: \(error)"
        }
    }
}

/// Runs the leading work: at once with an unelected term, or under a ``LeaderElector``.
final class LeadingService: Service {
    let elector: LeaderElector?
    let identity: String
    let work: [(name: String, work: @Sendable (LeadershipTerm) async -> Void)]
    let logger: Logger
    /// Whether the probe and metrics servers listen: nothing leads before they do, so a port in
    /// use stops the process before it has written anything.
    let serversBound: @Sendable () -> Bool
    private let lost = Mutex<LeadershipLossReason?>(nil)

    init(
        elector: LeaderElector?, identity: String, work: [(name: String, work: @Sendable (LeadershipTerm) async -> Void)],
        logger: Logger, serversBound: @escaping @Sendable () -> Bool
    ) {
        self.elector = elector
        self.identity = identity
        self.work = work
        self.logger = logger
        self.serversBound = serversBound
    }

    /// Set when leadership ended for a reason other than shutdown.
    var lostLeadership: LeadershipLossReason? { lost.withLock { $0 } }

    func run() async throws {
        let serversBound = serversBound
        let bound = await cancelWhenGracefulShutdown { () async -> Bool in
            while !serversBound() {
                do { try await Task.sleep(for: .milliseconds(10)) } catch { return false }
            }
            return true
        }
        guard bound else { return }
        let work = work
        let runAll: @Sendable (LeadershipTerm) async -> Void = { term in
            await withDiscardingTaskGroup { group in
                for part in work {
                    group.addTask { await part.work(term) }
                }
            }
        }
        guard let elector else {
            // Unelected, the term lasts until shutdown, whether or not the work has returned.
            let term = LeadershipTerm.unelected(identity: identity)
            await cancelWhenGracefulShutdown { await runAll(term) }
            try? await gracefulShutdown()
            term.end()
            return
        }
        let outcome = await cancelWhenGracefulShutdown {
            await elector.run(onStartedLeading: runAll, onStoppedLeading: {})
        }
        if case .stoppedLeading(let reason) = outcome, reason != .cancelled {
            logger.error("leader election lost: \(reason)")
            lost.withLock { $0 = reason }
        }
    }
}
