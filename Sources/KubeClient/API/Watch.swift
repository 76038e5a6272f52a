import KubeModel

/// A watch stream's lines, split on newlines however the bytes were chunked; a line longer
/// than any chunk is assembled. Ends when the server ends the stream.
public struct WatchLines: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = KubeError

    let bytes: ByteStream
    let request: String

    /// Ends the underlying transfer.
    public func cancel() { bytes.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes.makeAsyncIterator(), request: request) }

    public struct Iterator: AsyncIteratorProtocol {
        var bytes: ByteStream.Iterator
        let request: String
        var splitter = LineSplitter()
        var finished = false

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(KubeError) -> [UInt8]? {
            while true {
                if let line = splitter.nextLine() { return Array(line) }
                if finished { return splitter.finish().map(Array.init) }
                do {
                    if let chunk = try await bytes.next(isolation: actor) {
                        splitter.append(chunk)
                    } else {
                        finished = true
                    }
                } catch {
                    throw .transport(error, request: request)
                }
            }
        }

        public mutating func next() async throws(KubeError) -> [UInt8]? { try await next(isolation: nil) }
    }
}

extension KubeClient {
    /// Opens a watch and returns its lines.
    ///
    /// The client ends the stream with ``TransportError/idle(seconds:)`` when no byte — not even
    /// a bookmark — arrives for `timeoutSeconds` + ``Options/watchIdleGrace`` (30 s) seconds. Establishing the watch is retried
    /// like any safe request; once open, a broken stream is the caller's to re-establish
    /// (a normal server-side close simply ends the sequence).
    /// - Throws: ``KubeError/api(_:)`` when the server refuses the watch (e.g. 403, 404).
    public func watchLines(_ resource: ResourceDescriptor, namespace: String? = nil, options: WatchOptions = WatchOptions())
        async throws(KubeError) -> WatchLines
    {
        let path = resource.path(namespace: namespace)
        let description = "GET \(path) (watch)"
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            let request = try await makeRequest(
                method: "GET", path: path, query: options.query, body: nil, contentType: nil, streaming: true,
                idleTimeout: Double(options.timeoutSeconds) + self.options.watchIdleGrace)
            if let limiter {
                do { try await limiter.acquire() } catch { throw .transport(.cancelled, request: description) }
            }
            let started = Timestamp.monotonic()
            let outcome: RetryPolicy.Outcome
            do {
                let (head, bytes) = try await transport.stream(request)
                metrics.record(method: "GET", verb: "watch", code: String(head.status), seconds: Timestamp.monotonic() - started)
                logger.debug("GET \(request.url) \(head.status) (watch)")
                if (200..<300).contains(head.status) { return WatchLines(bytes: bytes, request: description) }
                var body: [UInt8] = []
                do {
                    for try await chunk in bytes { body += chunk }
                } catch {
                    throw KubeError.transport(error, request: description)
                }
                if head.status == 401, !refreshedCredentials {
                    refreshedCredentials = true
                    await configuration.credentials.invalidate()
                    attempt -= 1
                    continue
                }
                let status = APIStatusError(code: head.status, body: body)
                outcome = .status(
                    code: head.status, retryAfter: head.headers["retry-after"].flatMap(Double.init),
                    tooLargeResourceVersion: status.causes.contains { $0.reason == "ResourceVersionTooLarge" })
                guard let delay = options.retryDelay(policy: self.options.retry, attempt: attempt, outcome: outcome) else {
                    throw KubeError.api(status)
                }
                metrics.recordRetry(verb: "watch", code: String(head.status))
                try await Task.sleep(for: .nanoseconds(Int64(delay * 1e9)))
            } catch let error as KubeError {
                throw error
            } catch let error as TransportError {
                metrics.record(method: "GET", verb: "watch", code: "<error>", seconds: Timestamp.monotonic() - started)
                guard let delay = options.retryDelay(policy: self.options.retry, attempt: attempt, outcome: .transport(error))
                else {
                    throw .transport(error, request: description)
                }
                metrics.recordRetry(verb: "watch", code: "<error>")
                do { try await Task.sleep(for: .nanoseconds(Int64(delay * 1e9))) } catch {
                    throw .transport(.cancelled, request: description)
                }
            } catch {
                throw .transport(.cancelled, request: description)
            }
        }
    }

    /// Opens a watch whose objects stay lossless JSON values (pass-through objects, custom
    /// resources without a typed model).
    public func watch(_ resource: ResourceDescriptor, namespace: String? = nil, options: WatchOptions = WatchOptions())
        async throws(KubeError) -> WatchEvents<JSONValue>
    {
        try await watch(JSONValue.self, resource, namespace: namespace, options: options)
    }
}

extension WatchOptions {
    func retryDelay(policy: RetryPolicy, attempt: Int, outcome: RetryPolicy.Outcome) -> Double? {
        policy.delay(attempt: attempt, method: "GET", outcome: outcome)
    }
}
