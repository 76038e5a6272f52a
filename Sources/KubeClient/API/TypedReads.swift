import KubeModel

/// Typed reads: objects decoded straight from the response bytes into the slim models of
/// `KubeModel` (fields Roost does not read are skipped, managedFields dropped).
extension KubeClient {
    func decodeTyped<T: KubeDecodable>(_ type: T.Type, _ bytes: [UInt8]) throws(KubeError) -> T {
        do { return try T.decode(bytes) } catch { throw .decoding("\(T.self): \(error.description)") }
    }

    /// GET one object as `T`.
    public func get<T: KubeDecodable>(
        _ type: T.Type, _ resource: ResourceDescriptor, namespace: String? = nil, name: String
    ) async throws(KubeError) -> T {
        let response = try await perform(method: "GET", path: resource.path(namespace: namespace, name: name), verb: "get")
        return try decodeTyped(T.self, response.body)
    }

    /// POST a new object; answers the stored object decoded as `T`.
    public func create<T: KubeDecodable>(
        _ type: T.Type, _ resource: ResourceDescriptor, namespace: String? = nil, _ object: JSONValue,
        options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> T {
        try decodeTyped(T.self, try await createBytes(resource, namespace: namespace, object, options: options))
    }

    /// PATCH an object; answers the stored object decoded as `T`.
    public func patch<T: KubeDecodable>(
        _ type: T.Type, _ resource: ResourceDescriptor, namespace: String? = nil, name: String, _ patch: Patch,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(KubeError) -> T {
        try decodeTyped(
            T.self,
            try await patchBytes(
                resource, namespace: namespace, name: name, patch, subresource: subresource, options: options))
    }

    /// LIST one page as `T` items.
    public func list<T: KubeDecodable>(
        _ type: T.Type, _ resource: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws(KubeError) -> ObjectList<T> {
        try decodeTyped(ObjectList<T>.self, try await listBytes(resource, namespace: namespace, options: options))
    }

    /// Opens a watch whose events carry `T` objects.
    public func watch<T: KubeDecodable & Sendable & Equatable>(
        _ type: T.Type, _ resource: ResourceDescriptor, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) async throws(KubeError) -> WatchEvents<T> {
        WatchEvents(lines: try await watchLines(resource, namespace: namespace, options: options))
    }
}

/// Typed watch events. ADDED/MODIFIED/DELETED carry the object, BOOKMARK the new resume
/// point; an ERROR event ends the sequence by throwing ``KubeError/api(_:)`` with its Status
/// (e.g. 410 Expired) — it is never delivered as an object.
public struct WatchEvents<Object: KubeDecodable & Sendable & Equatable>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>
    public typealias Failure = KubeError

    public let lines: WatchLines

    /// Ends the underlying transfer.
    public func cancel() { lines.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(lines: lines.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var lines: WatchLines.Iterator

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(KubeError) -> WatchEvent<
            Object
        >? {
            guard let line = try await lines.next(isolation: actor) else { return nil }
            let event: WatchEvent<Object>
            do { event = try WatchEvent<Object>.decode(line) } catch { throw .decoding("watch event: \(error.description)") }
            if case .error(let status) = event.payload {
                throw .api(APIStatusError(status))
            }
            return event
        }

        public mutating func next() async throws(KubeError) -> WatchEvent<Object>? { try await next(isolation: nil) }
    }
}

extension APIStatusError {
    /// From a typed Status (watch ERROR events).
    public init(_ status: Status) {
        code = Int(status.code)
        reason = status.reason
        message = status.message
        name = status.details?.name ?? ""
        group = status.details?.group ?? ""
        kind = status.details?.kind ?? ""
        causes = (status.details?.causes ?? []).map { Cause(reason: $0.reason, message: $0.message, field: $0.field) }
        retryAfterSeconds = status.details.map { Int($0.retryAfterSeconds) }
    }
}
