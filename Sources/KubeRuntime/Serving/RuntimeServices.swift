import ServiceLifecycle

/// Runs a long-running part (an informer, a controller, an elector) as a swift-service-lifecycle
/// `Service`: on graceful shutdown its task is cancelled, which each part turns into its own
/// graceful stop (a controller drains its queue, an informer closes its watch).
public struct RuntimeService: Service {
    public let name: String
    private let body: @Sendable () async -> Void

    public init(name: String, _ body: @escaping @Sendable () async -> Void) {
        self.name = name
        self.body = body
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
    }
}

extension Informer {
    /// This informer as a service; `resyncPeriod` in seconds as for ``run(resyncPeriod:)``.
    public func service(name: String, resyncPeriod: Double? = nil) -> RuntimeService {
        RuntimeService(name: name) { await self.run(resyncPeriod: resyncPeriod) }
    }
}

extension Controller {
    /// This controller as a service.
    public func service() -> RuntimeService {
        RuntimeService(name: "controller-\(name)") { await self.run() }
    }
}
