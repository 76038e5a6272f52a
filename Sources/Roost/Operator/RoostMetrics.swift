import Metrics

/// Roost's own metrics (SPEC §4), recorded through swift-metrics so the Prometheus factory
/// bootstrapped by `roost run` exposes them at `/metrics`. Durations are in seconds.
public struct RoostMetrics: Sendable {
    let factory: any MetricsFactory

    /// - Parameter factory: where to record; the global `MetricsSystem.factory` by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Creates every labelled counter whose labels are known in advance at 0, so dashboards and
    /// alerts see the series before the first event.
    func registerSeries() {
        for reason in DropReason.allCases {
            _ = Counter(label: "roost_decisions_dropped_total", dimensions: [("reason", reason.rawValue)], factory: factory)
        }
        for result in ["success", "failure", "skipped", "unchanged"] {
            _ = Counter(label: "roost_last_node_writes_total", dimensions: [("result", result)], factory: factory)
        }
        _ = Counter(label: "roost_reaps_total", factory: factory)
        Gauge(label: "roost_pending_sessions", factory: factory).record(0)
    }

    /// Session created → bound to a worker (`roost_placement_latency_seconds`, histogram).
    func placementLatency(_ seconds: Double) {
        Metrics.Timer(label: "roost_placement_latency_seconds", preferredDisplayUnit: .seconds, factory: factory)
            .recordSeconds(seconds)
    }

    /// Session created → its worker Ready (`roost_session_ready_seconds`, histogram).
    func sessionReady(_ seconds: Double) {
        Metrics.Timer(label: "roost_session_ready_seconds", preferredDisplayUnit: .seconds, factory: factory)
            .recordSeconds(seconds)
    }

    /// One placement cycle's duration (`roost_scheduling_cycle_duration_seconds`, histogram).
    func schedulingCycle(_ seconds: Double) {
        Metrics.Timer(label: "roost_scheduling_cycle_duration_seconds", preferredDisplayUnit: .seconds, factory: factory)
            .recordSeconds(seconds)
    }

    /// Sessions waiting for a worker (`roost_pending_sessions`).
    func pendingSessions(_ count: Int) {
        Gauge(label: "roost_pending_sessions", factory: factory).record(count)
    }

    /// Live workers of a runtime by state (`roost_workers{runtime,state}`; state idle, busy or starting).
    func workers(runtime: String, state: String, count: Int) {
        Gauge(label: "roost_workers", dimensions: [("runtime", runtime), ("state", state)], factory: factory).record(count)
    }

    /// A session bound (`roost_claims_total{kind,reason}`; kind claimed or spawned).
    func claim(kind: String, reason: String) {
        Counter(label: "roost_claims_total", dimensions: [("kind", kind), ("reason", reason)], factory: factory).increment()
    }

    /// An idle worker deleted by the reaper (`roost_reaps_total`).
    func reaped() {
        Counter(label: "roost_reaps_total", factory: factory).increment()
    }

    /// A placement decision dropped before it was applied (`roost_decisions_dropped_total{reason}`).
    func decisionDropped(reason: String) {
        Counter(label: "roost_decisions_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// A last-node write-back attempt (`roost_last_node_writes_total{result}`; success, failure, skipped).
    func lastNodeWrite(result: String) {
        Counter(label: "roost_last_node_writes_total", dimensions: [("result", result)], factory: factory).increment()
    }
}

extension Metrics.Timer {
    fileprivate func recordSeconds(_ seconds: Double) {
        recordNanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }
}
