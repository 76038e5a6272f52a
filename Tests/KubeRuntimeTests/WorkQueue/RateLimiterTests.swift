import Testing

@testable import KubeRuntime

@Suite struct RateLimiterTests {
    @Test func exponentialDoublesFromFiveMillisecondsAndForgetResets() {
        let limiter = ItemExponentialFailureRateLimiter<String>(baseDelay: 0.005, maxDelay: 1000)
        let delays = (0..<5).map { _ in limiter.when("a") }
        #expect(delays == [0.005, 0.01, 0.02, 0.04, 0.08])
        #expect(limiter.numRequeues("a") == 5)
        // Keys are tracked separately.
        #expect(limiter.when("b") == 0.005)
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        #expect(limiter.when("a") == 0.005)
        #expect(limiter.numRequeues("b") == 1)
    }

    @Test func exponentialIsCappedAtTheMaximum() {
        let limiter = ItemExponentialFailureRateLimiter<String>(baseDelay: 0.005, maxDelay: 1000)
        // 0.005 * 2^17 = 655.36 s, 0.005 * 2^18 = 1310.72 s.
        let delays = (0..<20).map { _ in limiter.when("a") }
        #expect(delays[17] == 655.36)
        #expect(delays[18] == 1000)
        #expect(delays[19] == 1000)
        // Far past the point where 2^n overflows.
        for _ in 0..<2000 { _ = limiter.when("a") }
        #expect(limiter.when("a") == 1000)
    }

    @Test func bucketAllowsABurstThenTenPerSecond() {
        let clock = ManualWorkQueueClock()
        let limiter = BucketRateLimiter<String>(qps: 10, burst: 100, clock: clock)
        for index in 0..<100 {
            #expect(limiter.when("key\(index)") == 0)
        }
        // The 101st immediate request waits for one token: 0.1 s; the next one 0.2 s.
        #expect(abs(limiter.when("key100") - 0.1) < 1e-9)
        #expect(abs(limiter.when("key101") - 0.2) < 1e-9)
        #expect(limiter.numRequeues("key100") == 0)
        // One second refills 10 tokens; two were owed.
        clock.advance(by: 1)
        for _ in 0..<8 {
            #expect(limiter.when("k") == 0)
        }
        #expect(abs(limiter.when("k") - 0.1) < 1e-9)
        // Refill stops at the burst.
        clock.advance(by: 1000)
        for _ in 0..<100 {
            #expect(limiter.when("k") == 0)
        }
        #expect(limiter.when("k") > 0)
    }

    @Test func fastSlowSwitchesAfterTheFastAttempts() {
        let limiter = ItemFastSlowRateLimiter<String>(fastDelay: 0.1, slowDelay: 5, maxFastAttempts: 2)
        #expect(limiter.when("a") == 0.1)
        #expect(limiter.when("a") == 0.1)
        #expect(limiter.when("a") == 5)
        #expect(limiter.numRequeues("a") == 3)
        limiter.forget("a")
        #expect(limiter.when("a") == 0.1)
    }

    @Test func maxOfTakesTheLongestDelay() {
        let clock = ManualWorkQueueClock()
        let exponential = ItemExponentialFailureRateLimiter<String>(baseDelay: 0.005, maxDelay: 1000)
        let bucket = BucketRateLimiter<String>(qps: 1, burst: 1, clock: clock)
        let limiter = MaxOfRateLimiter<String>([exponential, bucket])
        #expect(limiter.when("a") == 0.005)
        #expect(limiter.when("a") == 1)  // the bucket is empty
        #expect(limiter.numRequeues("a") == 2)
        clock.advance(by: 10)
        #expect(limiter.when("a") == 0.02)
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        #expect(exponential.numRequeues("a") == 0)
    }

    @Test func defaultControllerLimiterIsExponentialAndBucket() throws {
        let clock = ManualWorkQueueClock()
        let limiter = MaxOfRateLimiter<String>.defaultController(clock: clock)
        #expect(limiter.limiters.count == 2)
        let exponential = try #require(limiter.limiters[0] as? ItemExponentialFailureRateLimiter<String>)
        #expect(exponential.baseDelay == 0.005)
        #expect(exponential.maxDelay == 1000)
        let bucket = try #require(limiter.limiters[1] as? BucketRateLimiter<String>)
        #expect(bucket.qps == 10)
        #expect(bucket.burst == 100)
        // The first failures of one key back off exponentially.
        #expect(limiter.when("a") == 0.005)
        #expect(limiter.when("a") == 0.01)
        // 98 more distinct keys empty the bucket; the 101st request waits 0.1 s.
        for index in 0..<98 {
            #expect(limiter.when("k\(index)") == 0.005)
        }
        #expect(abs(limiter.when("z") - 0.1) < 1e-9)
    }
}
