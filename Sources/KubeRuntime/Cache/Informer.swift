import KubeClient
import KubeModel
import Logging
import Metrics
import Synchronization

/// A reflector, its store, and the handlers that hear about every change — client-go's
/// SharedIndexInformer (`tools/cache/shared_informer.go`) in the shape Roost needs.
///
/// Handlers run in order for each batch of deltas, on the informer's task; a slow handler
/// slows the informer (hand work to a work queue instead). A resync re-delivers every cached
/// object as an update FROM THE CACHE — it never lists from the API.
public final class Informer<Object: Cacheable>: Sendable {
    public typealias Handler = @Sendable (Delta<Object>) async -> Void

    public let store: Store<Object>
    public let reflector: Reflector<Object>
    private let handlers = Mutex<[Handler]>([])
    private let continuations = Mutex<[Int: AsyncStream<Delta<Object>>.Continuation]>([:])
    private let nextStream = Mutex(0)
    /// `roost_informer_objects{resource}`: the store's size.
    private let objectsGauge: Gauge

    /// - Parameters:
    ///   - indexers: secondary indexes of the store (name → values of an object).
    ///   - transform: applied to each object before it is cached (see ``Reflector``).
    public init(
        client: KubeClient, resource: ResourceDescriptor, configuration: ReflectorConfiguration = ReflectorConfiguration(),
        indexers: [String: IndexFunction<Object>] = [:], transform: (@Sendable (Object) -> Object)? = nil,
        metricsFactory: (any MetricsFactory)? = nil, logger: Logger = Logger(label: "roost.informer")
    ) {
        objectsGauge = Gauge(
            label: "roost_informer_objects", dimensions: [("resource", resource.description)],
            factory: metricsFactory ?? MetricsSystem.factory)
        store = Store(indexers: indexers)
        reflector = Reflector(
            client: client, resource: resource, store: store, configuration: configuration, transform: transform, logger: logger)
    }

    /// Why the informer is not ready, or nil: not synced yet, or its watch is down or wedged.
    public var readinessProblem: String? {
        guard hasSynced else {
            if let error = reflector.lastListError { return "cache of \(reflector.resource) not synced: \(error)" }
            return "cache of \(reflector.resource) not synced"
        }
        return reflector.healthProblem
    }

    /// Whether the first full list is in the store and every handler has received it — so state
    /// the handlers keep is complete too (client-go's handler registrations report `HasSynced`
    /// only once the initial list reached the handler).
    public var hasSynced: Bool { store.isReady && reflector.hasHandledList }

    /// Adds a handler; it receives deltas from now on (call before ``run(resyncPeriod:)`` to see the initial list).
    public func addHandler(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    /// Every delta from now on, as an async sequence (buffered without bound; iterate promptly).
    public func deltas() -> AsyncStream<Delta<Object>> {
        let (stream, continuation) = AsyncStream.makeStream(of: Delta<Object>.self)
        let id = nextStream.withLock { value -> Int in
            value += 1
            return value
        }
        continuations.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.continuations.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Runs the reflector, and a resync every `resyncPeriod` seconds when given, until cancelled.
    public func run(resyncPeriod: Double? = nil) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.reflector.run { deltas in await self.deliver(deltas) } }
            if let resyncPeriod, resyncPeriod > 0 {
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .nanoseconds(Int64(resyncPeriod * 1e9))) } catch { return }
                        if self.hasSynced { await self.resync() }
                    }
                }
            }
        }
        continuations.withLock { continuations in
            for continuation in continuations.values { continuation.finish() }
            continuations.removeAll()
        }
    }

    /// Re-delivers every cached object as `.updated(old: object, new: object)`.
    public func resync() async {
        await deliver(store.list().map { .updated(old: $0, new: $0) })
    }

    private func deliver(_ deltas: [Delta<Object>]) async {
        objectsGauge.record(store.count)
        let handlers = handlers.withLock { $0 }
        let continuations = continuations.withLock { Array($0.values) }
        for delta in deltas {
            for handler in handlers { await handler(delta) }
            for continuation in continuations { continuation.yield(delta) }
        }
    }
}
