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
    /// like any safe request, by the same loop and policy (429/5xx waits from Retry-After or the
    /// Status details, backoff on connection failures); once open, a broken stream is the caller's
    /// to re-establish (a normal server-side close simply ends the sequence).
    /// - Throws: ``KubeError/api(_:)`` when the server refuses the watch (e.g. 403, 404).
    public func watchLines(_ resource: ResourceDescriptor, namespace: String? = nil, options: WatchOptions = WatchOptions())
        async throws(KubeError) -> WatchLines
    {
        let path = resource.path(namespace: namespace)
        let description = "GET \(path) (watch)"
        let idleTimeout = Double(options.timeoutSeconds) + self.options.watchIdleGrace
        return try await retrying(method: "GET", verb: "watch", description: description) { () async throws(KubeError) in
            try await makeRequest(
                method: "GET", path: path, query: options.query, body: nil, contentType: nil, streaming: true,
                idleTimeout: idleTimeout)
        } exchange: { request async throws(TransportError) in
            let (head, bytes) = try await transport.stream(request)
            if (200..<300).contains(head.status) {
                return .accepted(WatchLines(bytes: bytes, request: description), status: head.status)
            }
            var body: [UInt8] = []
            for try await chunk in bytes { body += chunk }
            return .refused(HTTPResponse(head: head, body: body))
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
