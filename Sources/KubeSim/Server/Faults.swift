import KubeModel
import Synchronization

/// Faults injected at runtime through `/_sim/faults`, the way a real control plane misbehaves:
/// failing and throttled requests, latency, stalled watches, lagging watch delivery, dropped
/// watches and compaction.
public final class FaultInjector: Sendable {
    /// Fail the next `count` matching requests.
    public struct FailureRule: Sendable, Equatable {
        public var remaining: Int
        /// 500 (InternalError), 429 (TooManyRequests, with Retry-After), 503 or 504.
        public var code: Int
        /// Retry-After to send; nil sends none for 500 and 1 s for the others.
        public var retryAfterSeconds: Int?
        /// Verbs to match (get, list, watch, create, update, patch, delete); empty matches all.
        public var verbs: Set<String>
        /// Path prefix to match; empty matches all.
        public var pathPrefix: String

        public init(remaining: Int, code: Int, retryAfterSeconds: Int? = nil, verbs: Set<String> = [], pathPrefix: String = "") {
            self.remaining = remaining
            self.code = code
            self.retryAfterSeconds = retryAfterSeconds
            self.verbs = verbs
            self.pathPrefix = pathPrefix
        }
    }

    struct State {
        var failures: [FailureRule] = []
        var latencySeconds = 0.0
        var watchDelaySeconds = 0.0
        var stallWatches = false
        /// Requests that hang without an answer until the fault is cleared (count left).
        var stallRequests = 0
        var dropWatchesEverySeconds = 0.0
    }

    private let state = Mutex(State())

    public init() {}

    /// The failure to answer a request with, consuming one count of the first matching rule.
    public func failure(verb: String, path: String) -> APIError? {
        state.withLock { state in
            guard
                let index = state.failures.firstIndex(where: { rule in
                    (rule.verbs.isEmpty || rule.verbs.contains(verb))
                        && (rule.pathPrefix.isEmpty || path.hasPrefix(rule.pathPrefix))
                })
            else { return nil }
            let rule = state.failures[index]
            state.failures[index].remaining -= 1
            if state.failures[index].remaining <= 0 { state.failures.remove(at: index) }
            let retryAfter = rule.retryAfterSeconds ?? 1
            switch rule.code {
            case 429: return .tooManyRequests(retryAfter: retryAfter)
            case 503:
                return APIError(
                    code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request",
                    retryAfterSeconds: retryAfter)
            case 504:
                return APIError(
                    code: 504, reason: "Timeout", message: "the server was unable to return a response in the time allotted",
                    retryAfterSeconds: retryAfter)
            default:
                var error = APIError.internalError("injected fault")
                error.retryAfterSeconds = rule.retryAfterSeconds
                return error
            }
        }
    }

    public func addFailures(_ rule: FailureRule) { state.withLock { $0.failures.append(rule) } }

    public var latencySeconds: Double {
        get { state.withLock { $0.latencySeconds } }
        set { state.withLock { $0.latencySeconds = max(0, newValue) } }
    }

    /// Delay added to every watch event's delivery: a lagging watch cache.
    public var watchDelaySeconds: Double {
        get { state.withLock { $0.watchDelaySeconds } }
        set { state.withLock { $0.watchDelaySeconds = max(0, newValue) } }
    }

    /// While set, open watches receive nothing — not even bookmarks — and stay open.
    public var stallWatches: Bool {
        get { state.withLock { $0.stallWatches } }
        set { state.withLock { $0.stallWatches = newValue } }
    }

    /// Consumes one stalled request if any are armed.
    public func takeStall() -> Bool {
        state.withLock { state in
            guard state.stallRequests > 0 else { return false }
            state.stallRequests -= 1
            return true
        }
    }

    public func stallRequests(_ count: Int) { state.withLock { $0.stallRequests = max(0, count) } }

    public var dropWatchesEverySeconds: Double {
        get { state.withLock { $0.dropWatchesEverySeconds } }
        set { state.withLock { $0.dropWatchesEverySeconds = max(0, newValue) } }
    }

    /// Clears every fault.
    public func reset() { state.withLock { $0 = State() } }

    /// The active faults, for `/_sim/faults`.
    public var snapshot: JSONValue {
        state.withLock { state in
            [
                "failures": .array(
                    state.failures.map { rule in
                        [
                            "remaining": .int(Int64(rule.remaining)), "code": .int(Int64(rule.code)),
                            "retryAfterSeconds": rule.retryAfterSeconds.map { .int(Int64($0)) } ?? .null,
                            "verbs": .array(rule.verbs.sorted().map { .string($0) }), "pathPrefix": .string(rule.pathPrefix),
                        ]
                    }),
                "latencySeconds": .double(state.latencySeconds),
                "watchDelaySeconds": .double(state.watchDelaySeconds),
                "stallWatches": .bool(state.stallWatches),
                "stallRequests": .int(Int64(state.stallRequests)),
                "dropWatchesEverySeconds": .double(state.dropWatchesEverySeconds),
            ]
        }
    }
}

/// Request counts per verb and resource, and an audit log of mutations, for `/_sim/stats`.
public final class RequestStats: Sendable {
    public struct AuditEntry: Sendable {
        public var time: Double
        public var verb: String
        public var resource: String
        public var namespace: String
        public var name: String
        public var code: Int
        public var user: String
    }

    struct State {
        var counts: [String: Int] = [:]
        var audit: [AuditEntry] = []
        var auditStart = 0
    }

    private let state = Mutex(State())
    /// Audit entries kept (oldest dropped first).
    public let auditLimit: Int

    public init(auditLimit: Int = 100_000) { self.auditLimit = auditLimit }

    func count(verb: String, resource: String) {
        state.withLock { $0.counts["\(verb) \(resource)", default: 0] += 1 }
    }

    func audit(_ entry: AuditEntry) {
        state.withLock { state in
            state.audit.append(entry)
            if state.audit.count - state.auditStart > auditLimit {
                state.auditStart += 1
                if state.auditStart * 2 > state.audit.count {
                    state.audit.removeFirst(state.auditStart)
                    state.auditStart = 0
                }
            }
        }
    }

    /// Requests counted per "verb resource", e.g. `"list pods"`.
    public var counts: [String: Int] { state.withLock { $0.counts } }

    public var auditLog: [AuditEntry] { state.withLock { Array($0.audit[$0.auditStart...]) } }

    public func reset() { state.withLock { $0 = State() } }

    public var snapshot: JSONValue {
        state.withLock { state in
            var counts = JSONObject()
            for key in state.counts.keys.sorted() { counts[key] = .int(Int64(state.counts[key] ?? 0)) }
            let audit = state.audit[state.auditStart...].map { entry -> JSONValue in
                [
                    "time": .string(Timestamp.rfc3339Micro(entry.time)), "verb": .string(entry.verb),
                    "resource": .string(entry.resource), "namespace": .string(entry.namespace),
                    "name": .string(entry.name), "code": .int(Int64(entry.code)), "user": .string(entry.user),
                ]
            }
            return ["requests": .object(counts), "audit": .array(audit)]
        }
    }
}
