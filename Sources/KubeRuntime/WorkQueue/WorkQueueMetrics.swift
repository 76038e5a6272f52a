import Metrics

/// The metrics of one ``WorkQueue``, with client-go's names (`util/workqueue/metrics.go`,
/// registered by controller-runtime's `pkg/metrics/workqueue.go`) and a `name` dimension.
struct WorkQueueMetrics: Sendable {
    /// `workqueue_depth`: keys waiting to be processed (client-go counts a key added while it
    /// is being processed too).
    let depth: Gauge
    /// `workqueue_adds_total`: adds that were not de-duplicated.
    let adds: Counter
    /// `workqueue_queue_duration_seconds`: time from add to get.
    let queueDuration: Metrics.Timer
    /// `workqueue_work_duration_seconds`: time from get to done.
    let workDuration: Metrics.Timer
    /// `workqueue_unfinished_work_seconds`: total age of the keys being processed.
    let unfinishedWork: Gauge
    /// `workqueue_longest_running_processor_seconds`: age of the oldest key being processed.
    let longestRunningProcessor: Gauge
    /// `workqueue_retries_total`: delayed and rate-limited adds.
    let retries: Counter

    init(name: String, factory: any MetricsFactory) {
        let dimensions = [("name", name)]
        depth = Gauge(label: "workqueue_depth", dimensions: dimensions, factory: factory)
        adds = Counter(label: "workqueue_adds_total", dimensions: dimensions, factory: factory)
        queueDuration = Metrics.Timer(
            label: "workqueue_queue_duration_seconds", dimensions: dimensions, factory: factory)
        workDuration = Metrics.Timer(
            label: "workqueue_work_duration_seconds", dimensions: dimensions, factory: factory)
        unfinishedWork = Gauge(label: "workqueue_unfinished_work_seconds", dimensions: dimensions, factory: factory)
        longestRunningProcessor = Gauge(
            label: "workqueue_longest_running_processor_seconds", dimensions: dimensions, factory: factory)
        retries = Counter(label: "workqueue_retries_total", dimensions: dimensions, factory: factory)
    }

    static func nanoseconds(_ seconds: Double) -> Int64 {
        let value = (max(0, seconds) * 1e9).rounded()
        return value < Double(Int64.max) ? Int64(value) : Int64.max
    }
}
