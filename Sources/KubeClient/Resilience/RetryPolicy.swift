/// When and how long to retry a request.
///
/// Follows client-go's request retry (`k8s.io/client-go/rest/with_retry.go`: a response with
/// Retry-After and status 429 or 5xx is retried after that many seconds), extended as Roost's
/// SPEC asks: connection failures are retried with exponential backoff and jitter for safe verbs
/// (and for any verb when the request provably never left), 429/503/504 are retried on every
/// verb honouring Retry-After, other 5xx answers only when they carry Retry-After, and a 504
/// ResourceVersionTooLarge is never retried as is (the caller must change the request).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// First backoff, seconds.
    public var baseDelay: Double
    /// Longest backoff and longest honoured Retry-After, seconds.
    public var maxDelay: Double
    /// Fraction of each backoff randomised (0.2 = ±20 %).
    public var jitter: Double

    public init(maxRetries: Int = 5, baseDelay: Double = 0.2, maxDelay: Double = 10, jitter: Double = 0.2) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0)

    /// What happened to one attempt.
    public enum Outcome: Sendable {
        case transport(TransportError)
        /// An HTTP status; `retryAfter` from the Retry-After header (or Status details), seconds.
        case status(code: Int, retryAfter: Double?, tooLargeResourceVersion: Bool)
    }

    /// Verbs whose repetition cannot change anything on the server.
    public static func isSafe(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS"].contains(method)
    }

    /// Seconds to wait before retry number `attempt` (1-based), or nil when the outcome is final.
    public func delay(attempt: Int, method: String, outcome: Outcome) -> Double? {
        guard attempt <= maxRetries else { return nil }
        switch outcome {
        case .transport(let error):
            switch error {
            case .cancelled, .shutDown, .setup: return nil
            default: break
            }
            guard Self.isSafe(method) || !error.requestMayHaveBeenSent else { return nil }
            return backoff(attempt)
        case .status(let code, let retryAfter, let tooLarge):
            guard !tooLarge else { return nil }
            if [429, 503, 504].contains(code) {
                if let retryAfter { return min(max(0, retryAfter), maxDelay) }
                return backoff(attempt)
            }
            // Any other 5xx the server marked retriable with Retry-After (client-go's checkWait).
            if (500..<600).contains(code), let retryAfter { return min(max(0, retryAfter), maxDelay) }
            return nil
        }
    }

    /// `baseDelay * 2^(attempt-1)`, capped, with jitter.
    public func backoff(_ attempt: Int) -> Double {
        let raw = min(maxDelay, baseDelay * Double(1 << min(max(attempt - 1, 0), 20)))
        let spread = raw * jitter
        return max(0, raw + Double.random(in: -spread...spread))
    }
}

extension RetryPolicy.Outcome {
    /// The outcome of a non-2xx answer. The server's wait is its `Retry-After` header in seconds
    /// (client-go `k8s.io/client-go/rest/request.go` `retryAfterSeconds`) or, when that is absent or
    /// not a number, the Status's `details.retryAfterSeconds`
    /// (`k8s.io/apimachinery/pkg/api/errors/errors.go` `SuggestsClientDelay`). A Status whose
    /// causes include `ResourceVersionTooLarge` (a 504) is marked so it is never retried as is.
    /// - Parameters:
    ///   - refusal: the answer's status line and headers (names lowercased).
    ///   - status: its decoded Status body.
    public init(refusal: HTTPResponseHead, status: APIStatusError) {
        let retryAfter = refusal.headers["retry-after"].flatMap(Double.init) ?? status.retryAfterSeconds.map(Double.init)
        self = .status(
            code: refusal.status, retryAfter: retryAfter,
            tooLargeResourceVersion: status.causes.contains { $0.reason == "ResourceVersionTooLarge" })
    }
}
