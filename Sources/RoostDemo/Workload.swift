import Foundation
import KubeMachinery
import KubeModel
import KubeSim
import Roost
import Synchronization

/// The demo's seeded sessions: Poisson arrivals; 55 % for runtime `coder` (a fifth of them
/// scheduled, some through a scheduled root), 20 % nightly `reviewer` runs (scheduled), 25 % for
/// `analyst` (half of those on the `large-2x` preset).
struct Workload: Sendable {
    struct Arrival: Sendable {
        var at: Double
        var name: String
        var runtime: String
        var triggerSource: String
        var rootTriggerSource: String?
        var machine: String
        var object: JSONValue
    }

    let arrivals: [Arrival]
    private let lifetimes: [String: Double]

    init(seed: UInt64, configuration: Demo.Configuration) {
        var random = SplitMix64(seed: seed)
        var arrivals: [Arrival] = []
        var lifetimes: [String: Double] = [:]
        var time = 0.0
        var index = 0
        while true {
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            time += -log(max(uniform, 1e-9)) / configuration.arrivalsPerSecond
            guard time < configuration.arrivalSeconds else { break }
            index += 1
            let pick = Double.random(in: 0..<1, using: &random)
            let runtime = pick < 0.55 ? "coder" : pick < 0.75 ? "reviewer" : "analyst"
            let roll = Double.random(in: 0..<1, using: &random)
            let trigger =
                runtime == "reviewer" || roll < 0.15 ? "schedule" : ["api", "sdk", "dashboard"][Int(random.next() % 3)]
            let scheduledRoot = trigger != "schedule" && roll < 0.2
            let machine = runtime == "analyst" && Bool.random(using: &random) ? "large-2x" : "default"
            let name = String(format: "s%03d", index)
            var spec: JSONObject = ["runtimeRef": ["name": .string(runtime)], "triggerSource": .string(trigger)]
            if scheduledRoot { spec["rootTriggerSource"] = "schedule" }
            if machine != "default" { spec["machine"] = .string(machine) }
            let object: JSONValue = [
                "apiVersion": .string(RoostAPI.apiVersion), "kind": "AgentSession",
                "metadata": ["name": .string(name), "namespace": "agents"], "spec": .object(spec),
            ]
            arrivals.append(
                Arrival(
                    at: time, name: name, runtime: runtime, triggerSource: trigger,
                    rootTriggerSource: scheduledRoot ? "schedule" : nil,
                    machine: machine, object: object))
            lifetimes[name] = Double.random(in: configuration.lifetime, using: &random)
        }
        self.arrivals = arrivals
        self.lifetimes = lifetimes
    }

    /// Seconds the session lives once Ready.
    func lifetime(of session: String) -> Double { lifetimes[session] ?? 3 }
}

/// Follows the sessions as the demo's watch shows them: when each was created (the demo's
/// clock, just before it sent the create), first bound, first Ready, and its last status.
final class Tracker: Sendable {
    private struct State {
        var arrivals: [String: Workload.Arrival] = [:]
        var order: [String] = []
        var createdAt: [String: Double] = [:]
        var boundAt: [String: Double] = [:]
        var readyAt: [String: Double] = [:]
        var statuses: [String: AgentSession.Status] = [:]
        var reported: Set<String> = []
    }

    private let start: Double
    private let state = Mutex(State())

    /// - Parameter start: the monotonic time the demo's clock counts from.
    init(start: Double) {
        self.start = start
    }

    func created(_ arrival: Workload.Arrival) {
        let now = Timestamp.monotonic() - start
        state.withLock { state in
            state.arrivals[arrival.name] = arrival
            state.order.append(arrival.name)
            state.createdAt[arrival.name] = now
        }
    }

    func observe(_ session: AgentSession) {
        let now = Timestamp.monotonic() - start
        let name = session.metadata.name
        state.withLock { state in
            guard state.createdAt[name] != nil, session.status.phase != nil else { return }
            if session.status.placement != nil, state.boundAt[name] == nil { state.boundAt[name] = now }
            if session.status.phase == .ready, state.readyAt[name] == nil { state.readyAt[name] = now }
            if session.status.phase != .released { state.statuses[name] = session.status }
        }
    }

    /// Sessions that became Ready since the last call, with when.
    func newlyReady() -> [(String, Double)] {
        state.withLock { state in
            let fresh = state.readyAt.filter { !state.reported.contains($0.key) }
            state.reported.formUnion(fresh.keys)
            return fresh.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    var allReady: Bool {
        state.withLock { state in state.order.allSatisfy { state.readyAt[$0] != nil } }
    }

    func progress(elapsed: Double, pods: [CoreV1.Pod]) -> Demo.Progress {
        let live = pods.filter { $0.metadata.deletionTimestamp == nil }
        return state.withLock { state in
            let bound = state.statuses.values.filter { $0.placement != nil }
            return Demo.Progress(
                elapsed: elapsed, created: state.order.count, bound: bound.count, ready: state.readyAt.count,
                claimed: bound.filter { $0.placement?.kind == .claimed }.count,
                spawned: bound.filter { $0.placement?.kind == .spawned }.count,
                idleWorkers: live.filter { $0.metadata.labels[RoostLabel.state] == WorkerState.idle.rawValue }.count,
                busyWorkers: live.filter { $0.metadata.labels[RoostLabel.state] == WorkerState.busy.rawValue }.count)
        }
    }

    /// Every session's outcome, in creation order; `starts` tells warm from cold spawns, `pools`
    /// maps node names to their pool.
    func placements(starts: [PodStart], pools: [String: String]) -> [Demo.Placement] {
        let startByPod = Dictionary(starts.map { ($0.pod, $0) }, uniquingKeysWith: { first, _ in first })
        return state.withLock { state in
            state.order.compactMap { name in
                guard let arrival = state.arrivals[name], let created = state.createdAt[name] else { return nil }
                let status = state.statuses[name]
                let kind = status?.placement?.kind.rawValue ?? ""
                var start = ""
                if kind == "claimed" {
                    start = "pool"
                } else if kind == "spawned", let podName = status?.podName, let record = startByPod[podName] {
                    start = record.warm ? "warm" : "cold"
                }
                let waited = status?.conditions.first { $0.type == "Bound" && $0.reason != "Claimed" && $0.reason != "Spawned" }
                return Demo.Placement(
                    session: name, runtime: arrival.runtime, triggerSource: arrival.triggerSource,
                    rootTriggerSource: arrival.rootTriggerSource, machine: arrival.machine, kind: kind,
                    reason: status?.placement?.reason ?? waited?.reason ?? "", start: start, node: status?.nodeName ?? "",
                    pool: status.flatMap { pools[$0.nodeName] } ?? "",
                    createdToBound: state.boundAt[name].map { $0 - created },
                    createdToReady: state.readyAt[name].map { $0 - created })
            }
        }
    }
}
