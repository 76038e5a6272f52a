import KubeModel
import KubeRuntime
import Roost

/// Small builders for policy tests: one namespace, runtime `coder` with presets `default` (hash
/// `h1`) and `large-2x` (hash `h2`), workers Ready since t=100 unless told otherwise.
enum Fixture {
    static let namespace = "team"

    static func id(_ name: String) -> ObjectName { ObjectName(namespace: namespace, name: name) }

    static func worker(
        _ name: String, node: String = "n1", runtime: String = "coder", machine: String = "default",
        hash: String? = nil, state: WorkerState = .idle, session: String? = nil, ready: Bool = true,
        readySince: Double? = 100, idleSince: Double? = nil, terminating: Bool = false,
        tolerations: [CoreV1.Toleration] = [], uid: String? = nil, resourceVersion: String = "1"
    ) -> WorkerSnapshot {
        WorkerSnapshot(
            id: id(name), uid: uid ?? "uid-\(name)", resourceVersion: resourceVersion, runtime: runtime,
            machine: machine, templateHash: hash ?? (machine == "default" ? "h1" : "h2"), state: state,
            session: session, nodeName: node, ready: ready, readySince: ready ? readySince : nil,
            idleSince: idleSince, terminating: terminating, tolerations: tolerations)
    }

    static func busy(_ name: String, session: String, node: String = "n1", runtime: String = "coder") -> WorkerSnapshot {
        worker(name, node: node, runtime: runtime, state: .busy, session: session)
    }

    static func runtime(
        _ name: String = "coder", minIdle: Int = 0, maxWorkers: Int = 100, idleTimeout: Double = 300,
        stickiness: Bool = false, lastNode: String? = nil, problem: String? = nil, inFlight: Int = 0
    ) -> RuntimeSnapshot {
        RuntimeSnapshot(
            id: id(name), machine: "default", templateHashes: ["default": "h1", "large-2x": "h2"], minIdle: minIdle,
            maxWorkers: maxWorkers, idleTimeout: idleTimeout, stickinessEnabled: stickiness, lastNode: lastNode,
            problem: problem, inFlightWorkers: inFlight)
    }

    static func session(
        _ name: String, createdAt: Double = 1000, runtime: String = "coder", machine: String? = nil,
        scheduled: Bool = false, boundWorker: String? = nil, terminating: Bool = false, uid: String? = nil
    ) -> SessionSnapshot {
        SessionSnapshot(
            id: id(name), uid: uid ?? "uid-\(name)", runtime: runtime, machine: machine, scheduled: scheduled,
            createdAt: createdAt, boundWorker: boundWorker, terminating: terminating)
    }

    static func node(
        _ name: String, labels: [String: String] = [:], cordoned: Bool = false, ready: Bool = true,
        taints: [CoreV1.Taint] = []
    ) -> NodeSnapshot {
        NodeSnapshot(name: name, labels: labels, unschedulable: cordoned, ready: ready, taints: taints)
    }

    /// Nodes `n1`…`nN`, all Ready and schedulable.
    static func nodes(_ count: Int) -> [NodeSnapshot] { (1...count).map { node("n\($0)") } }

    /// A first-seen table with exactly these entries.
    static func ages(_ entries: [String: Double]) -> NodeAge {
        let workers = entries.map { node, since in
            worker("age-\(node)", node: node, readySince: since)
        }
        return NodeAge(rebuildingFrom: workers, nodes: Set(entries.keys), now: 0)
    }

    static func snapshot(
        runtimes: [RuntimeSnapshot] = [runtime()], sessions: [SessionSnapshot] = [], workers: [WorkerSnapshot] = [],
        nodes: [NodeSnapshot] = Fixture.nodes(3), ages: [String: Double] = [:]
    ) -> ClusterSnapshot {
        ClusterSnapshot(runtimes: runtimes, sessions: sessions, workers: workers, nodes: nodes, nodeAge: Fixture.ages(ages))
    }

    /// The schedule pool label of the default configuration.
    static let schedulePool = ["node.cluster.x-k8s.io/machinepool": "scheduled-runs"]
    /// The large-machine pool label of the default configuration.
    static let largePool = ["node.cluster.x-k8s.io/machinepool": "large-machines"]

    static func policy(schedule: Bool = false, large: Bool = false) -> WorkerPolicy {
        var affinity = AffinityConfiguration()
        affinity.schedule.enabled = schedule
        affinity.largeMachine.enabled = large
        return WorkerPolicy(affinity: affinity)
    }
}
