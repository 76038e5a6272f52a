import KubeModel
import Synchronization

/// A client-side token bucket, as client-go's `flowcontrol.NewTokenBucketRateLimiter`
/// (`k8s.io/client-go/util/flowcontrol/throttle.go`): `qps` tokens per second, at most `burst`
/// saved up. Each request takes one token, waiting for it when none is left; waiters are served
/// in arrival order because each reservation moves the bucket's clock forward.
public final class TokenBucket: Sendable {
    /// Tokens added per second.
    public let qps: Double
    /// Most tokens the bucket holds.
    public let burst: Int

    private struct State {
        var tokens: Double
        var last: Double
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - qps: sustained rate, requests per second (> 0).
    ///   - burst: requests allowed at once (>= 1).
    ///   - clock: monotonic seconds (injectable for tests).
    public init(qps: Double, burst: Int, clock: @escaping @Sendable () -> Double = Timestamp.monotonic) {
        self.qps = max(qps, 0.001)
        self.burst = max(1, burst)
        self.clock = clock
        state = Mutex(State(tokens: Double(max(1, burst)), last: clock()))
    }

    /// Reserves one token and returns how long to wait before using it, seconds.
    public func reserve() -> Double {
        state.withLock { state in
            // A clock that steps back (a test clock, a reordered read) adds nothing and is ignored.
            let now = clock()
            state.tokens = min(Double(burst), state.tokens + max(0, now - state.last) * qps)
            state.last = max(state.last, now)
            state.tokens -= 1
            return state.tokens >= 0 ? 0 : -state.tokens / qps
        }
    }

    /// Waits for a token.
    /// - Throws: `CancellationError` when the task is cancelled while waiting (the token is given back).
    public func acquire() async throws(CancellationError) {
        let wait = reserve()
        guard wait > 0 else { return }
        do {
            try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
        } catch {
            state.withLock { $0.tokens += 1 }
            throw CancellationError()
        }
    }
}
