import Foundation
import KubeClient
import KubeModel
import KubeSim
import Synchronization
import Testing

@testable import KubeRuntime

/// A plain-HTTP simulated cluster (no scheduler, no kubelets) and clients for it, for the
/// leader-election tests.
struct LeaderTestCluster {
    let sim: KubeSim

    init() throws {
        var configuration = KubeSim.Configuration()
        configuration.tls = false
        configuration.nodes = []
        configuration.runScheduler = false
        configuration.runKubelet = false
        configuration.historyLimit = 1000
        sim = try KubeSim(configuration)
    }

    /// A client without its own retries: leader election retries by itself.
    func client() throws -> KubeClient {
        let configuration = ClientConfiguration(
            server: sim.url, credentials: StaticCredentialProvider(Credentials(bearerToken: sim.adminToken)),
            source: "leader-election test")
        var options = KubeClient.Options()
        options.retry = .none
        options.qps = nil
        return try KubeClient(configuration: configuration, options: options)
    }

    /// Short timings for tests, with room for a loaded 2-core CI machine: lease 8 s, renew
    /// deadline 6 s, retry 0.3 s, one attempt at most 2 s, the release at most 5 s (it ends as
    /// soon as it is written). A term is valid for the renew deadline counted from the start of
    /// the attempt that acquired it, so an acquisition slowed by a busy machine (seen: 3 s) must
    /// still leave the first renewals seconds, not fractions of one.
    static func config(
        identity: String, lease: String, leaseDuration: Double = 8, renewDeadline: Double = 6, retryPeriod: Double = 0.3,
        attemptTimeout: Double = 2, releaseOnCancel: Bool = false
    ) -> LeaderElectionConfig {
        LeaderElectionConfig(
            leaseNamespace: "default", leaseName: lease, identity: identity, leaseDuration: leaseDuration,
            renewDeadline: renewDeadline, retryPeriod: retryPeriod, renewAttemptTimeout: attemptTimeout,
            releaseOnCancel: releaseOnCancel, releaseTimeout: 5)
    }

    func lease(_ name: String) async throws -> JSONValue {
        try await client().get(.leases, namespace: "default", name: name)
    }

    /// Audited writes to Leases with `code`.
    func leaseWrites(verb: String, code: Int) -> Int {
        sim.stats.auditLog.filter { $0.resource.hasPrefix("leases") && $0.verb == verb && $0.code == code }.count
    }

    func shutdown() { sim.shutdown() }
}

/// What the callbacks of one `run` saw.
final class ElectionRecorder: Sendable {
    struct State {
        var terms: [LeadershipTerm] = []
        var stopped = 0
        var newLeaders: [String] = []
        var workCancelled = 0
        var outcome: LeaderElector.Outcome?
    }

    let state = Mutex(State())

    var terms: [LeadershipTerm] { state.withLock { $0.terms } }
    var stopped: Int { state.withLock { $0.stopped } }
    var newLeaders: [String] { state.withLock { $0.newLeaders } }
    var workCancelled: Int { state.withLock { $0.workCancelled } }
    var outcome: LeaderElector.Outcome? { state.withLock { $0.outcome } }
}

/// Starts `elector.run` in a task whose callbacks record into a recorder. The leading work waits
/// for cancellation, as a controller would.
func startElection(_ elector: LeaderElector) -> (task: Task<Void, Never>, recorder: ElectionRecorder) {
    let recorder = ElectionRecorder()
    let task = Task {
        let outcome = await elector.run(
            onStartedLeading: { term in
                recorder.state.withLock { $0.terms.append(term) }
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                recorder.state.withLock { $0.workCancelled += 1 }
            },
            onStoppedLeading: { recorder.state.withLock { $0.stopped += 1 } },
            onNewLeader: { identity in recorder.state.withLock { $0.newLeaders.append(identity) } })
        recorder.state.withLock { $0.outcome = outcome }
    }
    return (task, recorder)
}

/// Polls `condition` every 10 ms for at most `seconds`; whether it became true.
func eventually(within seconds: Double, _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Samples electors' `isLeader` every 20 ms in the background: whether two ever led at once, and
/// the wall time each was last seen leading.
final class LeadershipSampler: Sendable {
    struct State {
        var overlaps = 0
        var samples = 0
        var lastSeenLeading: [Double?]
    }

    let state: Mutex<State>
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ electors: [LeaderElector]) {
        state = Mutex(State(lastSeenLeading: Array(repeating: nil, count: electors.count)))
        let sampling = Task { [self] in
            while !Task.isCancelled {
                let flags = electors.map(\.isLeader)
                let now = Date().timeIntervalSince1970
                self.state.withLock { state in
                    state.samples += 1
                    if flags.filter({ $0 }).count > 1 { state.overlaps += 1 }
                    for (index, flag) in flags.enumerated() where flag { state.lastSeenLeading[index] = now }
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        task.withLock { $0 = sampling }
    }

    var overlaps: Int { state.withLock { $0.overlaps } }
    var samples: Int { state.withLock { $0.samples } }
    func lastSeenLeading(_ index: Int) -> Double? { state.withLock { $0.lastSeenLeading[index] } }

    func stop() async {
        let sampling = task.withLock { $0 }
        sampling?.cancel()
        await sampling?.value
    }
}

/// `renewTime` of a Lease as seconds since the epoch.
func renewTime(of lease: JSONValue) -> Double? {
    lease[path: ["spec", "renewTime"]]?.stringValue.flatMap(Timestamp.parse)
}
