import Metrics
import Synchronization

/// The request metrics client-go exports (`k8s.io/client-go/tools/metrics`), so existing
/// dashboards work: `rest_client_requests_total{code,host,method}`,
/// `rest_client_request_duration_seconds{host,verb}` and `rest_client_request_retries_total{code,host,verb}`.
/// Labels are bounded (status codes, verbs and the API server's `host:port`), never per object path.
final class RequestMetrics: Sendable {
    private let counters = Mutex<[String: Counter]>([:])
    private let timers = Mutex<[String: Metrics.Timer]>([:])
    /// The API server's `host:port`, as client-go's `host` label.
    let host: String

    /// - Parameter server: the API server URL, e.g. `https://10.0.0.1:6443`.
    init(server: String) {
        let withoutScheme = server.split(separator: "://", maxSplits: 1).last.map(String.init) ?? server
        host = String(withoutScheme.prefix { $0 != "/" })
    }

    /// One finished attempt; `code` is the HTTP status or "<error>" for transport failures.
    func record(method: String, verb: String, code: String, seconds: Double) {
        let counter = counters.withLock { counters -> Counter in
            let key = "requests|\(code)|\(method)"
            if let existing = counters[key] { return existing }
            let created = Counter(
                label: "rest_client_requests_total", dimensions: [("code", code), ("host", host), ("method", method)])
            counters[key] = created
            return created
        }
        counter.increment()
        let timer = timers.withLock { timers -> Metrics.Timer in
            if let existing = timers[verb] { return existing }
            let created = Metrics.Timer(
                label: "rest_client_request_duration_seconds", dimensions: [("host", host), ("verb", verb)],
                preferredDisplayUnit: .seconds)
            timers[verb] = created
            return created
        }
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// One retry about to happen.
    func recordRetry(verb: String, code: String) {
        let counter = counters.withLock { counters -> Counter in
            let key = "retries|\(code)|\(verb)"
            if let existing = counters[key] { return existing }
            let created = Counter(
                label: "rest_client_request_retries_total", dimensions: [("code", code), ("host", host), ("verb", verb)])
            counters[key] = created
            return created
        }
        counter.increment()
    }
}
