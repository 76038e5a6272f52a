import KubeClient
import Synchronization

/// Decides how long a key waits before it is retried, as client-go's `workqueue.TypedRateLimiter`
/// (`k8s.io/client-go/util/workqueue/default_rate_limiters.go`).
///
/// ``WorkQueue/addRateLimited(_:)`` asks ``when(_:)`` for the delay; a controller calls
/// ``WorkQueue/forget(_:)`` (which calls ``forget(_:)``) once a key was handled successfully.
public protocol RateLimiter<Key>: Sendable {
    /// The queue's key type.
    associatedtype Key: Hashable & Sendable

    /// Records one more retry of `key` and returns how long it should wait, seconds (>= 0).
    func when(_ key: Key) -> Double

    /// Stops tracking `key`: its next ``when(_:)`` starts from the first delay again.
    func forget(_ key: Key)

    /// How many times `key` has been retried since it was last forgotten.
    func numRequeues(_ key: Key) -> Int
}

/// Per-key exponential back-off, as client-go's `TypedItemExponentialFailureRateLimiter`:
/// the n-th failure of a key (n from 0) waits `baseDelay * 2^n` seconds, at most `maxDelay`.
public final class ItemExponentialFailureRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// The first delay, seconds.
    public let baseDelay: Double
    /// The largest delay, seconds.
    public let maxDelay: Double

    private let failures = Mutex<[Key: Int]>([:])

    /// - Parameters:
    ///   - baseDelay: delay after the first failure, seconds (client-go's controller default: 0.005).
    ///   - maxDelay: cap, seconds (client-go's controller default: 1000).
    public init(baseDelay: Double, maxDelay: Double) {
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// `baseDelay * 2^failures`, capped at `maxDelay`; counts one more failure.
    public func when(_ key: Key) -> Double {
        let exponent = failures.withLock { failures in
            let exponent = failures[key, default: 0]
            failures[key] = exponent + 1
            return exponent
        }
        // Past 2^1023 the power is infinite; the comparison below still caps it.
        let backoff = baseDelay * Double.pow2(exponent)
        return backoff.isFinite && backoff < maxDelay ? backoff : maxDelay
    }

    /// Forgets the failures of `key`.
    public func forget(_ key: Key) {
        failures.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// The failures of `key` since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int {
        failures.withLock { $0[key, default: 0] }
    }
}

/// One token bucket shared by all keys, as client-go's `TypedBucketRateLimiter` over
/// `golang.org/x/time/rate.Limiter`: `qps` tokens per second, at most `burst` saved up, full at
/// the start. Each ``when(_:)`` reserves a token and returns how long until it is available.
/// It does not track keys: ``forget(_:)`` does nothing and ``numRequeues(_:)`` is 0.
public final class BucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// Tokens added per second.
    public let qps: Double
    /// Tokens the bucket holds at most.
    public let burst: Int

    private let bucket: TokenBucket

    /// - Parameters:
    ///   - qps: tokens per second (> 0; client-go's controller default: 10).
    ///   - burst: bucket size (>= 1; client-go's controller default: 100).
    ///   - clock: time source.
    public init(qps: Double, burst: Int, clock: any WorkQueueClock = SystemWorkQueueClock()) {
        bucket = TokenBucket(qps: qps, burst: burst, clock: { clock.now })
        self.qps = bucket.qps
        self.burst = bucket.burst
    }

    /// Reserves one token; returns 0 while the bucket has tokens, else the time until the
    /// reserved token is refilled, seconds.
    public func when(_ key: Key) -> Double {
        bucket.reserve()
    }

    /// Does nothing: the bucket is shared by all keys.
    public func forget(_ key: Key) {}

    /// Always 0.
    public func numRequeues(_ key: Key) -> Int { 0 }
}

/// Fast retries first, then slow ones, as client-go's `TypedItemFastSlowRateLimiter`: the first
/// `maxFastAttempts` retries of a key wait `fastDelay` seconds, later ones `slowDelay`.
public final class ItemFastSlowRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// Delay of the first retries, seconds.
    public let fastDelay: Double
    /// Delay of the later retries, seconds.
    public let slowDelay: Double
    /// How many retries use `fastDelay`.
    public let maxFastAttempts: Int

    private let attempts = Mutex<[Key: Int]>([:])

    /// - Parameters:
    ///   - fastDelay: seconds.
    ///   - slowDelay: seconds.
    ///   - maxFastAttempts: retries that wait `fastDelay`.
    public init(fastDelay: Double, slowDelay: Double, maxFastAttempts: Int) {
        self.fastDelay = max(0, fastDelay)
        self.slowDelay = max(0, slowDelay)
        self.maxFastAttempts = max(0, maxFastAttempts)
    }

    /// `fastDelay` for the first `maxFastAttempts` retries of `key`, then `slowDelay`.
    public func when(_ key: Key) -> Double {
        let attempt = attempts.withLock { attempts in
            attempts[key, default: 0] += 1
            return attempts[key, default: 0]
        }
        return attempt <= maxFastAttempts ? fastDelay : slowDelay
    }

    /// Forgets the retries of `key`.
    public func forget(_ key: Key) {
        attempts.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// The retries of `key` since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int {
        attempts.withLock { $0[key, default: 0] }
    }
}

/// The strictest of several limiters, as client-go's `TypedMaxOfRateLimiter`: ``when(_:)`` asks
/// every limiter (each records the retry) and returns the longest delay.
public struct MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// The combined limiters.
    public let limiters: [any RateLimiter<Key>]

    /// Combines `limiters`; with none, every delay is 0.
    public init(_ limiters: [any RateLimiter<Key>]) {
        self.limiters = limiters
    }

    /// The longest delay of all limiters, seconds.
    public func when(_ key: Key) -> Double {
        limiters.reduce(0) { max($0, $1.when(key)) }
    }

    /// Forgets `key` in every limiter.
    public func forget(_ key: Key) {
        for limiter in limiters { limiter.forget(key) }
    }

    /// The largest count of all limiters.
    public func numRequeues(_ key: Key) -> Int {
        limiters.reduce(0) { max($0, $1.numRequeues(key)) }
    }

    /// client-go's `DefaultTypedControllerRateLimiter`: the maximum of a per-key exponential
    /// back-off from 5 ms to 1000 s and an overall token bucket of 10 qps with a burst of 100.
    ///
    /// - Parameter clock: time source of the token bucket.
    public static func defaultController(clock: any WorkQueueClock = SystemWorkQueueClock()) -> Self {
        MaxOfRateLimiter([
            ItemExponentialFailureRateLimiter<Key>(baseDelay: 0.005, maxDelay: 1000),
            BucketRateLimiter<Key>(qps: 10, burst: 100, clock: clock),
        ])
    }
}

extension Double {
    /// 2^exponent for exponent >= 0; infinity once it overflows.
    fileprivate static func pow2(_ exponent: Int) -> Double {
        exponent > 1023 ? .infinity : Double(sign: .plus, exponent: exponent, significand: 1)
    }
}
