import KubeModel
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// Who may call the simulated API server: bearer tokens (changeable at runtime, for token
/// rotation tests) and, over TLS, client certificates signed by the cluster CA, whose common
/// name is the user name (as kube-apiserver's x509 authenticator reads it).
public final class Authenticator: Sendable {
    private let tokens: Mutex<[String: String]>
    /// Whether requests without credentials are refused with 401 (always true over TLS).
    public let requireAuthentication: Bool

    public init(tokens: [String: String], requireAuthentication: Bool) {
        self.tokens = Mutex(tokens)
        self.requireAuthentication = requireAuthentication
    }

    /// Adds or replaces a token → user mapping.
    public func setToken(_ token: String, user: String) { tokens.withLock { $0[token] = user } }

    public func removeToken(_ token: String) { _ = tokens.withLock { $0.removeValue(forKey: token) } }

    /// The user a bearer token belongs to, or nil.
    public func user(forToken token: String) -> String? { tokens.withLock { $0[token] } }
}

/// The HTTP/1.1 (optionally TLS) front end of the simulated cluster, on SwiftNIO.
///
/// Full responses are written with Content-Length and keep-alive; watches are chunked
/// streams of JSON lines, written in batches and flushed once per batch.
final class HTTPServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let port: Int

    /// Binds and starts serving.
    /// - Throws: NIO's bind errors (port in use, permission).
    init(host: String, port: Int, tls: NIOSSLContext?, context: ServerContext, threads: Int) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.group = group
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard let tls else {
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(HTTPHandler(context: context, tls: false))
                    }
                }
                // Over TLS, ALPN picks HTTP/2 (each stream gets its own handler) or HTTP/1.1, as
                // kube-apiserver offers both.
                do {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return channel.configureCommonHTTPServerPipeline { streamChannel in
                    streamChannel.eventLoop.makeCompletedFuture {
                        try streamChannel.pipeline.syncOperations.addHandler(HTTPHandler(context: context, tls: true))
                    }
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.port = channel.localAddress?.port ?? port
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// What every connection handler shares.
struct ServerContext: Sendable {
    var api: APIServer
    var authenticator: Authenticator
    var admin: @Sendable (APIRequest) -> APIResponse
}

/// One connection: reads requests, answers them, and runs at most one watch stream at a time.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let context: ServerContext
    private let tls: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var activeWatch: WatchStream?

    init(context: ServerContext, tls: Bool) {
        self.context = context
        self.tls = tls
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
            bodyTooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > context.api.options.maxBodyBytes {
                bodyTooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, channelContext: channelContext)
        }
    }

    func channelInactive(context channelContext: ChannelHandlerContext) {
        activeWatch?.stop()
        activeWatch = nil
        channelContext.fireChannelInactive()
    }

    private func handle(_ head: HTTPRequestHead, channelContext: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        var request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
        body = []
        if bodyTooLarge {
            write(
                .error(.requestEntityTooLarge(limit: context.api.options.maxBodyBytes)), head: head,
                channelContext: channelContext)
            return
        }
        switch authenticate(&request, channelContext: channelContext) {
        case .denied:
            write(.error(.unauthorized()), head: head, channelContext: channelContext)
            return
        case .allowed:
            break
        }
        if context.api.faults.takeStall() {
            // A stalled request: the server never answers; the client's own timeout must fire.
            return
        }
        let latency = context.api.faults.latencySeconds
        if latency > 0 {
            let loopBound = NIOLoopBound((self, channelContext), eventLoop: channelContext.eventLoop)
            let delayed = request
            channelContext.eventLoop.scheduleTask(in: .nanoseconds(Int64(latency * 1e9))) {
                let (handler, channelContext) = loopBound.value
                handler.respond(to: delayed, head: head, channelContext: channelContext)
            }
        } else {
            respond(to: request, head: head, channelContext: channelContext)
        }
    }

    private func respond(to request: APIRequest, head: HTTPRequestHead, channelContext: ChannelHandlerContext) {
        let response: APIResponse
        if request.path.hasPrefix("/_sim/") || request.path == "/_sim" {
            response = context.admin(request)
        } else {
            response = context.api.handle(request)
        }
        write(response, head: head, channelContext: channelContext)
    }

    private enum AuthResult { case allowed, denied }

    private func authenticate(_ request: inout APIRequest, channelContext: ChannelHandlerContext) -> AuthResult {
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                if let user = context.authenticator.user(forToken: String(parts[1]).trimmingCharacters(in: " ")) {
                    request.user = user
                    return .allowed
                }
                // A presented but unknown token is refused even where anonymous access is allowed.
                return .denied
            }
        }
        if tls, let user = clientCertificateUser(channelContext) {
            request.user = user
            return .allowed
        }
        if !context.authenticator.requireAuthentication { return .allowed }
        // Public information stays readable, as kube-apiserver's system:public-info-viewer allows.
        if ["/healthz", "/livez", "/readyz", "/version"].contains(request.path) { return .allowed }
        return .denied
    }

    /// The common name of a client certificate the TLS handshake verified against the cluster CA.
    private func clientCertificateUser(_ channelContext: ChannelHandlerContext) -> String? {
        // Over HTTP/2 the TLS handler sits on the connection, the parent of the stream channel.
        let pipeline = channelContext.channel.parent?.pipeline ?? channelContext.pipeline
        guard let ssl = try? pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let peer = ssl.peerCertificate, let der = try? peer.toDERBytes(),
            let certificate = try? Certificate(derEncoded: der)
        else { return nil }
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return "system:anonymous-cert"
    }

    private func write(_ response: APIResponse, head: HTTPRequestHead, channelContext: ChannelHandlerContext) {
        switch response {
        case .full(let status, let contentType, let body, let extraHeaders):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Cache-Control", value: "no-cache, private")
            for (name, value) in extraHeaders { headers.add(name: name, value: value) }
            let keepAlive = head.isKeepAlive
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let responseHead = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
            channelContext.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            if head.method != .HEAD {
                var buffer = channelContext.channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                channelContext.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            let done = channelContext.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = channelContext.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        case .watch(let plan):
            startWatch(plan, head: head, channelContext: channelContext)
        }
    }

    private func startWatch(_ plan: WatchRequest, head: HTTPRequestHead, channelContext: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        // No Content-Length: HTTP/1.1 answers chunked, HTTP/2 streams DATA frames.
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        let responseHead = HTTPResponseHead(version: head.version, status: .ok, headers: headers)
        let stream = WatchStream(
            channel: channelContext.channel, faults: context.api.faults, transform: plan.transform,
            onEnd: { [handler = NIOLoopBound(self, eventLoop: channelContext.eventLoop)] in handler.value.activeWatch = nil })
        channelContext.writeAndFlush(wrapOutboundOut(.head(responseHead)), promise: nil)
        let store = context.api.store
        do {
            let id = try store.watch(
                plan.resource.storageKey, kind: plan.resource.kind, apiVersion: plan.resource.apiVersion,
                filter: plan.filter, start: plan.start, sink: stream)
            stream.begin(
                watchID: id, store: store, timeoutSeconds: plan.timeoutSeconds,
                bookmarkIntervalSeconds: plan.bookmarks ? context.api.options.bookmarkIntervalSeconds : nil)
            activeWatch = stream
        } catch {
            // A resume point older than the history: one ERROR event with a 410 Status, then the
            // stream ends (`cacher.go` answers exactly so).
            let message: String
            switch error {
            case .expired(let requested, let oldest): message = "too old resource version: \(requested) (\(oldest))"
            case .tooLarge(let requested, let current): message = "Too large resource version: \(requested), current: \(current)"
            }
            let status = APIError.expired(message).status
            let frame = WatchFrame(type: .error, resourceVersion: 0, object: status.encoded())
            var buffer = channelContext.channel.allocator.buffer(capacity: frame.bytes.count)
            buffer.writeBytes(frame.bytes)
            channelContext.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            channelContext.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// One watch response stream: receives frames from the store (any thread), batches them onto
/// the channel's event loop, sends bookmarks, applies the stall and delay faults, and ends the
/// response at its timeout.
final class WatchStream: WatchSink {
    private let channel: any Channel
    private let faults: FaultInjector
    private let transform: (@Sendable ([UInt8], WatchEventType) -> [UInt8])?
    private let onEnd: @Sendable () -> Void

    private struct State {
        var pending: [WatchFrame] = []
        var drainScheduled = false
        var ended = false
        /// Set when the connection is dropped: frames not yet written are lost, as on a real
        /// broken connection.
        var dropped = false
        var watchID: Int?
        var timers: [@Sendable () -> Void] = []
    }

    private let lock = Mutex(State())
    private let store = Mutex<ObjectStore?>(nil)

    /// Frames buffered beyond this many bytes mean the client cannot keep up: the stream is
    /// closed, as kube-apiserver closes watchers whose buffer is full.
    static let maxBufferedBytes = 256 * 1024 * 1024

    init(
        channel: any Channel, faults: FaultInjector, transform: (@Sendable ([UInt8], WatchEventType) -> [UInt8])?,
        onEnd: @escaping @Sendable () -> Void
    ) {
        self.channel = channel
        self.faults = faults
        self.transform = transform
        self.onEnd = onEnd
    }

    func begin(watchID: Int, store: ObjectStore, timeoutSeconds: Double, bookmarkIntervalSeconds: Double?) {
        self.store.withLock { $0 = store }
        let loop = channel.eventLoop
        var timers: [@Sendable () -> Void] = []
        let timeout = loop.scheduleTask(in: .nanoseconds(Int64(timeoutSeconds * 1e9))) { [weak self] in self?.finish() }
        timers.append { timeout.cancel() }
        if let interval = bookmarkIntervalSeconds, interval > 0 {
            let bookmarks = loop.scheduleRepeatedTask(
                initialDelay: .nanoseconds(Int64(interval * 1e9)), delay: .nanoseconds(Int64(interval * 1e9))
            ) { [weak self] _ in
                guard let self, !self.faults.stallWatches else { return }
                store.sendBookmark(watchID)
            }
            timers.append { bookmarks.cancel() }
        }
        // Frames held back by a stall are released when it clears.
        let stallCheck = loop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { [weak self] _ in
            self?.scheduleDrain()
        }
        timers.append { stallCheck.cancel() }
        lock.withLock { state in
            state.watchID = watchID
            state.timers = timers
        }
    }

    func deliver(_ frame: WatchFrame) {
        let delay = faults.watchDelaySeconds
        if delay > 0 {
            channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { [weak self] in self?.enqueue(frame) }
        } else {
            enqueue(frame)
        }
    }

    private func enqueue(_ frame: WatchFrame) {
        let schedule = lock.withLock { state -> Bool in
            guard !state.ended else { return false }
            state.pending.append(frame)
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
        if schedule { channel.eventLoop.execute { [weak self] in self?.drain() } }
    }

    private func scheduleDrain() {
        let schedule = lock.withLock { state -> Bool in
            guard !state.ended, !state.pending.isEmpty, !state.drainScheduled else { return false }
            state.drainScheduled = true
            return true
        }
        if schedule { channel.eventLoop.execute { [weak self] in self?.drain() } }
    }

    private func drain() {
        if faults.stallWatches {
            lock.withLock { $0.drainScheduled = false }
            return
        }
        let frames = lock.withLock { state -> [WatchFrame] in
            state.drainScheduled = false
            if state.dropped {
                state.pending.removeAll()
                return []
            }
            let frames = state.pending
            state.pending.removeAll(keepingCapacity: true)
            return frames
        }
        guard !frames.isEmpty else { return }
        var size = 0
        for frame in frames { size += frame.bytes.count }
        var buffer = channel.allocator.buffer(capacity: size)
        for frame in frames {
            if let transform, frame.type != .bookmark, frame.type != .error {
                buffer.writeBytes(transform(frame.bytes, frame.type))
            } else {
                buffer.writeBytes(frame.bytes)
            }
        }
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        if channel.isWritable == false, size > Self.maxBufferedBytes {
            terminate()
        }
    }

    /// Ends the response normally (timeout): the connection stays usable.
    private func finish() {
        // A stalled stream sends nothing, not even its end: try again once the stall clears.
        if faults.stallWatches {
            channel.eventLoop.scheduleTask(in: .milliseconds(200)) { [weak self] in self?.finish() }
            return
        }
        guard stopRegistration() else { return }
        drain()
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        onEnd()
    }

    /// Ends the stream from the server side by dropping the connection (fault or overload).
    func terminate() {
        lock.withLock { $0.dropped = true }
        _ = stopRegistration()
        channel.close(promise: nil)
    }

    /// Called when the connection went away.
    func stop() { _ = stopRegistration() }

    private func stopRegistration() -> Bool {
        let (id, timers, first) = lock.withLock { state -> (Int?, [@Sendable () -> Void], Bool) in
            guard !state.ended else { return (nil, [], false) }
            state.ended = true
            let timers = state.timers
            state.timers = []
            return (state.watchID, timers, true)
        }
        for cancel in timers { cancel() }
        if let id, let store = store.withLock({ $0 }) { store.stopWatch(id) }
        return first
    }
}
