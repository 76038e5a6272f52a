import Foundation
import KubeClient
import KubeMachinery
import KubeModel
import KubeRuntime
import KubeSim
import Logging
import Roost

/// `roost demo`: the embedded default. Starts the simulated cluster in this process (three node
/// pools), applies Roost's CRDs, runs the operator against it over real HTTP, plays a seeded mix
/// of scheduled and on-demand sessions, and reports every placement: claimed from the warm pool
/// or spawned, why, warm or cold, and how long from created to Ready.
public struct Demo: Sendable {
    /// What the demo plays.
    public struct Configuration: Sendable {
        /// Seed of the workload (arrivals, kinds, lifetimes).
        public var seed: UInt64 = 42
        /// Wall-clock seconds during which sessions arrive.
        public var arrivalSeconds = 24.0
        /// Mean session arrivals per wall-clock second.
        public var arrivalsPerSecond = 1.5
        /// Wall-clock seconds a session lives once Ready, drawn uniformly from this range.
        public var lifetime: ClosedRange<Double> = 2...6
        /// The simulated kubelet's time scale: 0.25 makes a cold start (8 s) take 2 s.
        public var timeScale = 0.25
        /// Wall-clock seconds to wait at the end for the last sessions to become Ready.
        public var drainSeconds = 15.0

        public init() {}
    }

    /// One session's outcome.
    public struct Placement: Sendable, Equatable {
        public var session: String
        public var runtime: String
        /// `spec.triggerSource`.
        public var triggerSource: String
        /// `spec.rootTriggerSource`, when set (it wins: `schedule` there makes the session scheduled).
        public var rootTriggerSource: String?
        public var machine: String
        /// `claimed` or `spawned`; empty when the session was never bound.
        public var kind: String
        public var reason: String
        /// `pool` (a warm worker claimed), `warm` (spawned on a node whose cache was warm) or `cold`.
        public var start: String
        public var node: String
        /// The node pool of `node` (label `node.cluster.x-k8s.io/machinepool`).
        public var pool: String
        /// Seconds from creation to bound and to Ready, as the demo's own watch saw them; nil when
        /// it did not happen.
        public var createdToBound: Double?
        public var createdToReady: Double?
    }

    /// What happened.
    public struct Report: Sendable, Equatable {
        public var placements: [Placement]
        /// Workers deleted by the reaper.
        public var reaped: Int
        /// Seconds the demo ran.
        public var wallSeconds: Double

        /// Sessions whose worker had to start cold, as a share of the bound sessions (0...1).
        public var coldStartShare: Double {
            let bound = placements.filter { !$0.kind.isEmpty }
            guard !bound.isEmpty else { return 0 }
            return Double(bound.filter { $0.start == "cold" }.count) / Double(bound.count)
        }
    }

    /// Progress while it runs.
    public struct Progress: Sendable {
        public var elapsed: Double
        public var created: Int
        public var bound: Int
        public var ready: Int
        public var claimed: Int
        public var spawned: Int
        public var idleWorkers: Int
        public var busyWorkers: Int
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Why the demo could not run.
    public struct DemoError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs the demo; `progress` is called about twice a second.
    /// - Throws: ``DemoError`` when the simulated cluster or the operator cannot start.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        let started = Timestamp.monotonic()
        var simConfiguration = KubeSim.Configuration()
        simConfiguration.nodes = [
            NodeGroup(pool: "general", count: 4),
            NodeGroup(pool: "scheduled-runs", count: 2),
            NodeGroup(pool: "large-machines", count: 2),
        ]
        simConfiguration.timing.timeScale = configuration.timeScale
        simConfiguration.seed = configuration.seed
        let sim: KubeSim
        do { sim = try KubeSim(simConfiguration) } catch { throw DemoError(description: "simulated cluster: \(error)") }
        defer { sim.shutdown() }
        try sim.api.createNamespaceIfMissing("agents")

        let client = try sim.adminClient(source: "roost demo")
        for crd in RoostCRDs.all {
            _ = try await client.create(.customResourceDefinitions, crd.object)
        }
        for runtime in [Self.coder, Self.reviewer, Self.analyst] {
            _ = try await client.create(ClusterWrites.agentRuntimes, namespace: "agents", runtime)
        }

        var operatorConfiguration = OperatorConfiguration()
        operatorConfiguration.metricsBindAddress = nil
        operatorConfiguration.healthProbeBindAddress = nil
        operatorConfiguration.reapInterval = GoDuration(seconds: 3)
        operatorConfiguration.resyncPeriod = GoDuration(seconds: 10)
        operatorConfiguration.affinity.schedule.enabled = true
        operatorConfiguration.affinity.largeMachine.enabled = true
        var logger = Logger(label: "roost")
        logger.logLevel = .critical
        let roost = try RoostOperator(
            client: client, configuration: operatorConfiguration, registry: nil, handlesSignals: false, logger: logger)
        let operatorTask = Task { try await roost.run() }
        defer { operatorTask.cancel() }

        // The warm pools fill first (one cold start), as they would before traffic arrives.
        let warmDeadline = Timestamp.monotonic() + 20
        while Timestamp.monotonic() < warmDeadline {
            let runtimes = try await client.list(AgentRuntime.self, ClusterWrites.agentRuntimes, namespace: "agents").items
            if runtimes.count == 3, runtimes.allSatisfy({ $0.status.idle >= $0.spec.pool.minIdle }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }

        let workload = Workload(seed: configuration.seed, configuration: configuration)
        let arrivalStart = Timestamp.monotonic()
        let tracker = Tracker(start: arrivalStart)
        // Bound and Ready are timed as the demo's own watch sees them, from the moment it sent the
        // create: creationTimestamp has whole seconds only.
        let sessionInformer = Informer<AgentSession>(
            client: client, resource: ClusterWrites.agentSessions, configuration: ReflectorConfiguration(namespace: "agents"),
            logger: logger)
        sessionInformer.addHandler { delta in
            if case .deleted = delta { return }
            tracker.observe(delta.object)
        }
        let informerTask = Task { await sessionInformer.run() }
        defer { informerTask.cancel() }
        var nextProgress = 0.0
        var pending = workload.arrivals
        var deletions: [(at: Double, name: String)] = []
        while true {
            let now = Timestamp.monotonic() - arrivalStart
            while let next = pending.first, next.at <= now {
                pending.removeFirst()
                tracker.created(next)
                _ = try await client.create(ClusterWrites.agentSessions, namespace: "agents", next.object)
            }
            for (name, readyAt) in tracker.newlyReady() {
                let lifetime = workload.lifetime(of: name)
                deletions.append((readyAt + lifetime, name))
            }
            deletions.sort { $0.at < $1.at }
            while let next = deletions.first, next.at <= now {
                deletions.removeFirst()
                _ = try? await client.delete(ClusterWrites.agentSessions, namespace: "agents", name: next.name)
            }
            if now >= nextProgress {
                let pods = try await client.list(CoreV1.Pod.self, .pods, namespace: "agents").items
                progress(tracker.progress(elapsed: now, pods: pods))
                nextProgress = now + 0.5
            }
            let arrivalsOver = pending.isEmpty
            if arrivalsOver && (tracker.allReady || now > configuration.arrivalSeconds + configuration.drainSeconds) {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let starts = sim.kubelet.starts
        let nodes = try await client.list(CoreV1.Node.self, .nodes).items
        let pools = Dictionary(
            nodes.map { ($0.metadata.name, $0.metadata.labels[NodeGroup.poolLabel] ?? "") }, uniquingKeysWith: { $1 })
        let events = try await client.list(.events, namespace: "agents")
        let reaped = (events["items"]?.arrayValue ?? []).filter { $0["reason"]?.stringValue == "Reaped" }
        await roost.shutDown()
        _ = try? await operatorTask.value
        return Report(
            placements: tracker.placements(starts: starts, pools: pools), reaped: reaped.count,
            wallSeconds: Timestamp.monotonic() - started)
    }

    // MARK: The workload

    static let coder: JSONValue = [
        "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime",
        "metadata": ["name": "coder", "namespace": "agents"],
        "spec": [
            "template": [
                "metadata": ["labels": ["app": "coder"]],
                "spec": ["containers": [["name": "agent", "image": "ghcr.io/roost-dev/coder:1.4"]]],
            ],
            "pool": ["minIdle": 3, "maxWorkers": 12, "idleTimeout": "6s"],
            "nodeStickiness": ["enabled": true],
        ],
    ]

    /// Nightly reviews: no warm pool, so its scheduled sessions spawn workers, which go to the
    /// `scheduled-runs` pool.
    static let reviewer: JSONValue = [
        "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime",
        "metadata": ["name": "reviewer", "namespace": "agents"],
        "spec": [
            "template": ["spec": ["containers": [["name": "agent", "image": "ghcr.io/roost-dev/reviewer:3.1"]]]],
            "pool": ["minIdle": 0, "maxWorkers": 6, "idleTimeout": "4s"],
        ],
    ]

    static let analyst: JSONValue = [
        "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime",
        "metadata": ["name": "analyst", "namespace": "agents"],
        "spec": [
            "template": ["spec": ["containers": [["name": "agent", "image": "ghcr.io/roost-dev/analyst:2.0"]]]],
            "machines": ["large-2x": ["requests": ["cpu": "4", "memory": "8Gi"]]],
            "pool": ["minIdle": 1, "maxWorkers": 6, "idleTimeout": "6s"],
        ],
    ]
}
