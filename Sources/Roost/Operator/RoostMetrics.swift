import Metrics
import Synchronization

/// Roost's own metrics (SPEC §4), recorded through swift-metrics so the Prometheus factory
/// bootstrapped by `roost run` exposes them at `/metrics`. Durations are in seconds.
///
/// The unlabelled handles are made once; labelled ones are kept by their labels (making a handle
/// is a registry lookup under a lock, and several of these are recorded on every cycle). The
/// labelled counters whose labels are known in advance exist at 0 from the start, so dashboards
/// and alerts see the series before the first event.
public final class RoostMetrics: Sendable {
    let factory: any MetricsFactory
    private let placement: Metrics.Timer
    private let ready: Metrics.Timer
    private let cycle: Metrics.Timer
    private let pending: Gauge
    private let reaps: Counter
    private let labelled = Mutex<[String: Counter]>([:])
    private let workerGauges = Mutex<[String: Gauge]>([:])

    /// - Parameter factory: where to record; the global `MetricsSystem.factory` by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        placement = Metrics.Timer(label: "roost_placement_latency_seconds", preferredDisplayUnit: .seconds, factory: factory)
        ready = Metrics.Timer(label: "roost_session_ready_seconds", preferredDisplayUnit: .seconds, factory: factory)
        cycle = Metrics.Timer(
            label: "roost_scheduling_cycle_duration_seconds", preferredDisplayUnit: .seconds, factory: factory)
        pending = Gauge(label: "roost_pending_sessions", factory: factory)
        pending.record(0)
        reaps = Counter(label: "roost_reaps_total", factory: factory)
        for reason in DropReason.allCases { _ = counter("roost_decisions_dropped_total", ("reason", reason.rawValue)) }
        for result in ["success", "failure", "skipped", "unchanged"] {
            _ = counter("roost_last_node_writes_total", ("result", result))
        }
    }

    /// Session created → bound to a worker (`roost_placement_latency_seconds`, histogram).
    func placementLatency(_ seconds: Double) { placement.recordSeconds(max(0, seconds)) }

    /// Session created → its worker Ready (`roost_session_ready_seconds`, histogram).
    func sessionReady(_ seconds: Double) { ready.recordSeconds(max(0, seconds)) }

    /// One placement cycle's duration (`roost_scheduling_cycle_duration_seconds`, histogram).
    func schedulingCycle(_ seconds: Double) { cycle.recordSeconds(max(0, seconds)) }

    /// Sessions waiting for a worker (`roost_pending_sessions`).
    func pendingSessions(_ count: Int) { pending.record(count) }

    /// Live workers of a runtime by state (`roost_workers{runtime,state}`; state idle, busy or starting).
    func workers(runtime: String, state: String, count: Int) {
        let key = "\(runtime)|\(state)"
        let gauge = workerGauges.withLock { gauges in
            if let gauge = gauges[key] { return gauge }
            let gauge = Gauge(label: "roost_workers", dimensions: [("runtime", runtime), ("state", state)], factory: factory)
            gauges[key] = gauge
            return gauge
        }
        gauge.record(count)
    }

    /// A session bound (`roost_claims_total{kind,reason}`; kind claimed or spawned).
    func claim(kind: String, reason: String) {
        counter("roost_claims_total", ("kind", kind), ("reason", reason)).increment()
    }

    /// An idle worker deleted by the reaper (`roost_reaps_total`).
    func reaped() { reaps.increment() }

    /// A placement decision dropped before it was applied (`roost_decisions_dropped_total{reason}`).
    func decisionDropped(reason: String) { counter("roost_decisions_dropped_total", ("reason", reason)).increment() }

    /// A last-node write-back attempt (`roost_last_node_writes_total{result}`; success, failure,
    /// skipped, unchanged).
    func lastNodeWrite(result: String) { counter("roost_last_node_writes_total", ("result", result)).increment() }

    private func counter(_ label: String, _ dimensions: (String, String)...) -> Counter {
        let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
        return labelled.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }
}
