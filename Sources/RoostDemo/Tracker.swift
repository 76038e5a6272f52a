import Foundation
import KubeModel
import KubeSim
import Roost
import Synchronization

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
