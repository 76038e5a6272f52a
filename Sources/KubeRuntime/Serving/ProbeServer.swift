import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// The operator's HTTP endpoint for probes and metrics: `/healthz`, `/readyz` and `/metrics`
/// (Prometheus text from a swift-prometheus registry). A swift-service-lifecycle `Service`: it
/// serves until graceful shutdown, then closes its listener.
///
/// controller-runtime serves metrics and probes on two ports (`--metrics-bind-address :8080`,
/// `--health-probe-bind-address :8081`); run two instances for that, each with the paths it needs.
public final class ProbeServer: Service {
    /// What a server instance answers.
    public struct Endpoints: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let metrics = Endpoints(rawValue: 1)
        public static let probes = Endpoints(rawValue: 2)
    }

    /// Why the server could not start.
    public struct BindError: Error, CustomStringConvertible {
        public var description: String
    }

    let host: String
    let port: Int
    let endpoints: Endpoints
    let registry: PrometheusCollectorRegistry?
    let checks: HealthChecks
    let logger: Logger
    private let bound: LockedValue<Int?> = LockedValue(nil)

    /// - Parameter address: `host:port` or `:port` (all interfaces), as controller-runtime's flags take it;
    ///   port 0 picks a free one (see ``boundPort``).
    /// - Throws: ``BindError`` for an address that is not `[host]:port`.
    public init(
        address: String, endpoints: Endpoints, registry: PrometheusCollectorRegistry?, checks: HealthChecks,
        logger: Logger = Logger(label: "roost.probes")
    ) throws(BindError) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw BindError(description: "invalid bind address \"\(address)\": expected [host]:port, e.g. :8080") }
        let host = String(address[..<colon])
        self.host = host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: ["[", "]"])
        self.port = port
        self.endpoints = endpoints
        self.registry = registry
        self.checks = checks
        self.logger = logger
    }

    /// The port actually bound (after ``run()`` started), for port 0.
    public var boundPort: Int? { bound.value }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoints = endpoints
        let registry = registry
        let checks = checks
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(
                            ProbeHandler(endpoints: endpoints, registry: registry, checks: checks))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw BindError(description: "cannot listen on \(host):\(port): \(error)")
        }
        bound.set(channel.localAddress?.port)
        logger.info(
            "serving \(endpoints.contains(.metrics) ? "/metrics " : "")\(endpoints.contains(.probes) ? "/healthz /readyz " : "")on \(host):\(channel.localAddress?.port ?? port)"
        )
        try? await gracefulShutdown()
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Answers one probe or metrics request.
final class ProbeHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let endpoints: ProbeServer.Endpoints
    let registry: PrometheusCollectorRegistry?
    let checks: HealthChecks

    init(endpoints: ProbeServer.Endpoints, registry: PrometheusCollectorRegistry?, checks: HealthChecks) {
        self.endpoints = endpoints
        self.registry = registry
        self.checks = checks
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        var status = HTTPResponseStatus.ok
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8]
        switch path {
        case "/metrics" where endpoints.contains(.metrics):
            contentType = "text/plain; version=0.0.4; charset=utf-8"
            body = registry?.emitToBuffer() ?? []
        case "/healthz" where endpoints.contains(.probes), "/livez" where endpoints.contains(.probes):
            let result = checks.evaluate(ready: false)
            status = result.healthy ? .ok : .internalServerError
            body = Array((head.uri.contains("verbose") || !result.healthy ? result.report : "ok").utf8)
        case "/readyz" where endpoints.contains(.probes):
            let result = checks.evaluate(ready: true)
            status = result.healthy ? .ok : .internalServerError
            body = Array((head.uri.contains("verbose") || !result.healthy ? result.report : "ok").utf8)
        default:
            status = .notFound
            body = Array("404 page not found\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A small lock-protected value.
final class LockedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    func set(_ value: Value) { storage.withLock { $0 = value } }
}
