import Foundation
import KubeModel
import Logging

/// A Kubernetes API client: every verb on any resource described by a ``ResourceDescriptor``,
/// with authentication, client-side rate limiting, retries, metrics and typed errors.
///
/// Behaviour follows client-go's `rest.Request` (`k8s.io/client-go/rest/request.go`): 2xx answers
/// are results; every other answer becomes ``KubeError/api(_:)`` with the decoded Status; a 401
/// refreshes the credentials (exec plugin, token file) and is retried once; requests time out
/// after `requestTimeout` except watches, which end instead when no byte arrives for their
/// `timeoutSeconds + 30 s`.
public final class KubeClient: Sendable {
    /// Client behaviour.
    public struct Options: Sendable {
        /// Sustained requests per second; nil turns client-side rate limiting off.
        public var qps: Double? = 50
        /// Requests allowed in a burst.
        public var burst = 100
        public var retry = RetryPolicy()
        /// Seconds for a whole non-watch request.
        public var requestTimeout = 60.0
        /// Seconds to establish a connection.
        public var connectTimeout = 10.0
        /// Seconds a (re)connecting watch may wait for its response head.
        public var watchResponseTimeout = 30.0
        /// A watch is dead when no byte arrives for its `timeoutSeconds` plus this, seconds.
        public var watchIdleGrace = 30.0
        /// `roost/<version> (<pod or host name>)`, so replicas can be told apart.
        public var userAgent = KubeClient.defaultUserAgent()

        public init() {}
    }

    public let configuration: ClientConfiguration
    public let options: Options
    let transport: CurlTransport
    private let ownsTransport: Bool
    let limiter: TokenBucket?
    let metrics: RequestMetrics
    let logger: Logger

    /// - Parameters:
    ///   - transport: share one transport (and its connections) between clients; a new one
    ///     is made when nil.
    /// - Throws: ``KubeError/transport(_:request:)`` when libcurl cannot start.
    public init(
        configuration: ClientConfiguration, options: Options = Options(), transport: CurlTransport? = nil,
        logger: Logger = Logger(label: "roost.kubeclient")
    ) throws(KubeError) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        metrics = RequestMetrics(server: configuration.server)
        if let transport {
            self.transport = transport
            ownsTransport = false
        } else {
            do {
                self.transport = try CurlTransport()
            } catch {
                throw .transport(error, request: "starting the HTTP transport")
            }
            ownsTransport = true
        }
        limiter = options.qps.map { TokenBucket(qps: $0, burst: options.burst) }
    }

    deinit {
        if ownsTransport { transport.shutdown() }
    }

    /// `roost/<version> (<POD_NAME or host name>)`.
    public static func defaultUserAgent(version: String = "0.1.0") -> String {
        let environment = ProcessInfo.processInfo.environment
        let host = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        return "roost/\(version) (\(host))"
    }

    // MARK: Core

    /// Sends one request with authentication, rate limiting and retries.
    /// - Returns: the 2xx response.
    /// - Throws: ``KubeError``: `.api` for non-2xx answers, `.transport` when no answer came.
    func perform(
        method: String, path: String, query: QueryItems = QueryItems(), body: [UInt8]? = nil,
        contentType: String? = nil, verb: String
    ) async throws(KubeError) -> HTTPResponse {
        try await retrying(method: method, verb: verb, description: "\(method) \(path)") { () async throws(KubeError) in
            try await makeRequest(method: method, path: path, query: query, body: body, contentType: contentType)
        } exchange: { request async throws(TransportError) in
            let response = try await transport.send(request)
            return (200..<300).contains(response.head.status)
                ? .accepted(response, status: response.head.status) : .refused(response)
        }
    }

    /// What one attempt's exchange with the server came to.
    enum Answer<Success> {
        /// A 2xx answer, already made into the caller's result; `status` is its HTTP code.
        case accepted(Success, status: Int)
        /// Any other answer, with its whole body (usually a Status).
        case refused(HTTPResponse)

        /// The answer's HTTP status code.
        var status: Int {
            switch self {
            case .accepted(_, let status): return status
            case .refused(let response): return response.head.status
            }
        }
    }

    /// The one retry loop behind every request and every watch's establishment
    /// (client-go `k8s.io/client-go/rest/request.go` `Request.request` with `with_retry.go`).
    ///
    /// Each attempt builds its request anew (current credentials), takes a rate-limiter token and
    /// runs `exchange`. A 401 invalidates the credentials and is repeated once without counting as
    /// a retry. Other refusals and transport failures are retried as ``RetryPolicy`` decides,
    /// waiting what the server asked for (``RetryPolicy/Outcome/init(refusal:status:)``) or backing
    /// off; every attempt and retry is counted in ``RequestMetrics``.
    /// - Parameters:
    ///   - method: the HTTP method, for the retry policy's safe-verb rule and the metrics.
    ///   - verb: the Kubernetes verb for the metrics (`get`, `list`, `watch`, ...).
    ///   - description: names the request in errors and logs, e.g. `"GET /api/v1/pods"`.
    ///   - request: builds one attempt's request.
    ///   - exchange: sends it and turns a 2xx answer into the result.
    /// - Throws: ``KubeError``: `.api` with the last refusal's Status when it is final or the
    ///   retries are used up, `.transport` with the last transport failure likewise or when the
    ///   task is cancelled, and whatever `request` throws.
    func retrying<Success>(
        method: String, verb: String, description: String,
        request: () async throws(KubeError) -> HTTPRequest,
        exchange: (HTTPRequest) async throws(TransportError) -> Answer<Success>
    ) async throws(KubeError) -> Success {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            let request = try await request()
            if let limiter {
                do { try await limiter.acquire() } catch { throw .transport(.cancelled, request: description) }
            }
            let started = Timestamp.monotonic()
            let answer: Answer<Success>
            do {
                answer = try await exchange(request)
            } catch {
                metrics.record(method: method, verb: verb, code: "<error>", seconds: Timestamp.monotonic() - started)
                guard let delay = options.retry.delay(attempt: attempt, method: method, outcome: .transport(error)) else {
                    throw .transport(error, request: description)
                }
                metrics.recordRetry(verb: verb, code: "<error>")
                logger.debug("\(description): \(error), retry \(attempt) in \(delay) s")
                try await sleep(delay, description)
                continue
            }
            let code = answer.status
            metrics.record(method: method, verb: verb, code: String(code), seconds: Timestamp.monotonic() - started)
            logger.debug("\(method) \(request.url) \(code)", metadata: ["verb": "\(verb)"])
            let response: HTTPResponse
            switch answer {
            case .accepted(let result, _): return result
            case .refused(let refusal): response = refusal
            }
            if code == 401, !refreshedCredentials {
                refreshedCredentials = true
                await configuration.credentials.invalidate()
                attempt -= 1
                continue
            }
            let status = APIStatusError(code: code, body: response.body)
            let outcome = RetryPolicy.Outcome(refusal: response.head, status: status)
            guard let delay = options.retry.delay(attempt: attempt, method: method, outcome: outcome) else {
                throw .api(status)
            }
            metrics.recordRetry(verb: verb, code: String(code))
            logger.debug("\(description): \(code), retry \(attempt) in \(delay) s")
            try await sleep(delay, description)
        }
    }

    private func sleep(_ seconds: Double, _ description: String) async throws(KubeError) {
        do {
            try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
        } catch {
            throw .transport(.cancelled, request: description)
        }
    }

    /// Builds the HTTP request with the current credentials.
    func makeRequest(
        method: String, path: String, query: QueryItems, body: [UInt8]?, contentType: String?,
        streaming: Bool = false, idleTimeout: Double? = nil
    ) async throws(KubeError) -> HTTPRequest {
        let credentials: Credentials
        do {
            credentials = try await configuration.credentials.credentials()
        } catch {
            throw .configuration(error.description)
        }
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("User-Agent", options.userAgent),
        ]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let token = credentials.bearerToken, !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        let tls = TransportTLS(
            caCertificatePEM: configuration.tls.caCertificatePEM, insecureSkipVerify: configuration.tls.insecureSkipVerify,
            clientCertificatePEM: credentials.clientCertificatePEM, clientKeyPEM: credentials.clientKeyPEM,
            serverName: configuration.tls.serverName)
        return HTTPRequest(
            method: method, url: configuration.server + path + query.encoded, headers: headers, body: body, tls: tls,
            connectTimeout: options.connectTimeout, totalTimeout: streaming ? nil : options.requestTimeout,
            responseTimeout: streaming ? options.watchResponseTimeout : nil, idleTimeout: idleTimeout)
    }

    func decode(_ bytes: [UInt8]) throws(KubeError) -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch { throw .decoding(error.description) }
    }

    // MARK: Verbs

    /// GET one object (or a subresource of it).
    public func get(_ resource: ResourceDescriptor, namespace: String? = nil, name: String, subresource: String? = nil)
        async throws(KubeError) -> JSONValue
    {
        let response = try await perform(
            method: "GET", path: resource.path(namespace: namespace, name: name, subresource: subresource), verb: "get")
        return try decode(response.body)
    }

    /// LIST one page; the raw body, for callers that decode it their own way.
    public func listBytes(_ resource: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions())
        async throws(KubeError) -> [UInt8]
    {
        try await perform(method: "GET", path: resource.path(namespace: namespace), query: options.query, verb: "list").body
    }

    /// LIST one page as a JSON list (`items`, `metadata.continue`, `metadata.resourceVersion`).
    public func list(_ resource: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions())
        async throws(KubeError) -> JSONValue
    {
        try decode(try await listBytes(resource, namespace: namespace, options: options))
    }

    /// POST a new object; answers the stored object.
    public func create(
        _ resource: ResourceDescriptor, namespace: String? = nil, _ object: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> JSONValue {
        try decode(try await createBytes(resource, namespace: namespace, object, options: options))
    }

    /// POST a new object; answers the stored object's bytes.
    func createBytes(
        _ resource: ResourceDescriptor, namespace: String?, _ object: JSONValue, options: WriteOptions
    ) async throws(KubeError) -> [UInt8] {
        try await perform(
            method: "POST", path: resource.path(namespace: namespace), query: options.query, body: object.encoded(),
            contentType: "application/json", verb: "create"
        ).body
    }

    /// PUT an object (its `metadata.resourceVersion` is the optimistic-concurrency precondition).
    public func update(
        _ resource: ResourceDescriptor, namespace: String? = nil, _ object: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> JSONValue {
        try await put(resource, namespace: namespace, object, subresource: nil, options: options)
    }

    /// PUT the status subresource.
    public func updateStatus(
        _ resource: ResourceDescriptor, namespace: String? = nil, _ object: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> JSONValue {
        try await put(resource, namespace: namespace, object, subresource: "status", options: options)
    }

    private func put(
        _ resource: ResourceDescriptor, namespace: String?, _ object: JSONValue, subresource: String?, options: WriteOptions
    ) async throws(KubeError) -> JSONValue {
        guard let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
            throw .configuration("update of \(resource) needs metadata.name")
        }
        let response = try await perform(
            method: "PUT", path: resource.path(namespace: namespace, name: name, subresource: subresource), query: options.query,
            body: object.encoded(), contentType: "application/json", verb: "update")
        return try decode(response.body)
    }

    /// PATCH an object with a merge, JSON, strategic or server-side-apply patch.
    public func patch(
        _ resource: ResourceDescriptor, namespace: String? = nil, name: String, _ patch: Patch, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> JSONValue {
        try decode(
            try await patchBytes(
                resource, namespace: namespace, name: name, patch, subresource: subresource, options: options))
    }

    /// PATCH an object; answers the stored object's bytes.
    func patchBytes(
        _ resource: ResourceDescriptor, namespace: String?, name: String, _ patch: Patch, subresource: String?,
        options: WriteOptions
    ) async throws(KubeError) -> [UInt8] {
        var query = options.query
        if case .apply(_, let manager, let force) = patch {
            if options.fieldManager == nil { query.add("fieldManager", manager) }
            query.add("force", force)
        }
        return try await perform(
            method: "PATCH", path: resource.path(namespace: namespace, name: name, subresource: subresource), query: query,
            body: patch.body, contentType: patch.contentType, verb: "patch"
        ).body
    }

    /// DELETE an object with preconditions, propagation policy and grace period.
    /// - Returns: what the server answered: the object (possibly still present with a
    ///   deletionTimestamp) or a Status.
    @discardableResult
    public func delete(
        _ resource: ResourceDescriptor, namespace: String? = nil, name: String, options: DeleteOptions = DeleteOptions()
    ) async throws(KubeError) -> JSONValue {
        let response = try await perform(
            method: "DELETE", path: resource.path(namespace: namespace, name: name), body: options.body.encoded(),
            contentType: "application/json", verb: "delete")
        return try decode(response.body)
    }
}
