import KubeClient
import KubeModel
import Logging
import Synchronization

/// How a reflector lists and watches.
public struct ReflectorConfiguration: Sendable {
    /// Namespace to watch; nil for all namespaces (or a cluster-scoped resource).
    public var namespace: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size of the initial list (client-go: 500).
    public var pageSize = 500
    /// Use a streaming list (`sendInitialEvents`, KEP-3157) instead of paginated lists.
    public var streamingList = false
    /// Seconds a streaming list may stay quiet before its initial-events-end bookmark arrives;
    /// after that it is abandoned for a paginated list (SPEC §4b).
    public var streamingListQuietSeconds = 60.0
    /// Server-side watch timeout, seconds; each watch picks a value in [min, 2·min) as client-go does.
    public var minWatchTimeoutSeconds = 300
    /// Backoff after a failed list or watch: initial, maximum, and the healthy time after which it
    /// resets, seconds (client-go's reflector: 0.8 s → 30 s, reset after 2 min).
    public var initialBackoff = 0.8
    public var maxBackoff = 30.0
    public var backoffResetAfter = 120.0
    /// A watch that delivered nothing — no event, no bookmark — for this many seconds counts as
    /// unhealthy for readiness (bookmarks arrive about every minute from kube-apiserver).
    public var unhealthyAfterSeconds = 150.0

    public init(namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }
}

/// Keeps a ``Store`` equal to the server's state of one resource: lists, then watches from the
/// list's resourceVersion, and recovers from every failure a real cluster produces.
///
/// An explicit state machine, as kube-rs's watcher (`kube-runtime/src/watcher.rs`) and
/// client-go's reflector (`tools/cache/reflector.go`) are:
/// - `.listing` — a paginated list (or a streaming list) whose result replaces the store
///   atomically, producing add/update/delete deltas for what changed while disconnected;
/// - `.watching(rv)` — a watch from `rv` with bookmarks always on; a normal server-side close
///   re-opens from the last resourceVersion and is not a failure;
/// - `.backoff` — after a failure, exponential backoff with jitter (0.8 s → 30 s, reset after
///   2 min healthy); a 410 Expired (or a ResourceVersionTooLarge answer) sends it back to
///   `.listing` with a consistent read.
public final class Reflector<Object: Cacheable>: Sendable {
    public let resource: ResourceDescriptor
    public let store: Store<Object>
    public let configuration: ReflectorConfiguration
    private let client: KubeClient
    private let transform: (@Sendable (Object) -> Object)?
    private let logger: Logger
    private let health = Mutex(Health())

    struct Health {
        var lastListError: KubeError?
        var watching = false
        /// Whether a full list has been stored and its deltas handled.
        var listHandled = false
        var lastProgress = 0.0
        var relists = 0
    }

    /// The state machine's states.
    enum Phase: Equatable {
        case listing
        case watching(resourceVersion: String)
        case backoff(seconds: Double, then: Next)

        enum Next: Equatable {
            case list
            case watch(resourceVersion: String)
        }
    }

    /// - Parameter transform: applied to every object before it is stored (e.g. to drop fields the
    ///   controller never reads). managedFields and the last-applied annotation are already
    ///   dropped while decoding.
    public init(
        client: KubeClient, resource: ResourceDescriptor, store: Store<Object>, configuration: ReflectorConfiguration,
        transform: (@Sendable (Object) -> Object)? = nil, logger: Logger = Logger(label: "roost.reflector")
    ) {
        self.client = client
        self.transform = transform
        self.resource = resource
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether a full list has been stored and `handle` has returned for its deltas: from then on
    /// whatever `handle` maintains (an informer's handlers' own tables) reflects the whole list,
    /// as client-go's `ResourceEventHandlerRegistration.HasSynced` reports for a handler.
    public var hasHandledList: Bool { health.withLock { $0.listHandled } }

    /// Whether the reflector has a watch open (for readiness).
    public var isWatching: Bool { health.withLock { $0.watching } }

    /// Why the reflector is not healthy, or nil: no watch open, or an open watch that has
    /// delivered nothing for `unhealthyAfterSeconds` (wedged).
    public var healthProblem: String? {
        health.withLock { health in
            guard health.watching else { return "no watch open for \(resource)" }
            let quiet = Timestamp.monotonic() - health.lastProgress
            if quiet > configuration.unhealthyAfterSeconds { return "watch of \(resource) silent for \(Int(quiet)) s" }
            return nil
        }
    }

    /// The error of the last list when it failed; nil once a list succeeded. A 404 here means the
    /// resource is not served (for a custom resource: its CRD is not installed).
    public var lastListError: KubeError? { health.withLock { $0.lastListError } }

    /// Times the store was replaced by a relist after the first list.
    public var relistCount: Int { health.withLock { max(0, $0.relists - 1) } }

    /// Runs until the task is cancelled, calling `handle` with every batch of deltas (the whole
    /// initial list at once, then each event).
    public func run(_ handle: @escaping @Sendable ([Delta<Object>]) async -> Void) async {
        var phase = Phase.listing
        var backoff = configuration.initialBackoff
        var healthySince = Timestamp.monotonic()
        while !Task.isCancelled {
            switch phase {
            case .listing:
                do {
                    let resourceVersion = try await (configuration.streamingList ? streamingList(handle) : paginatedList(handle))
                    health.withLock { health in
                        health.lastListError = nil
                        health.listHandled = true
                    }
                    logger.debug("listed \(resource) at resourceVersion \(resourceVersion)")
                    phase = .watching(resourceVersion: resourceVersion)
                    healthySince = Timestamp.monotonic()
                } catch {
                    if error.isCancelled || Task.isCancelled { return }
                    health.withLock { $0.lastListError = error }
                    logger.warning("listing \(resource) failed: \(error)")
                    phase = .backoff(seconds: backoff, then: .list)
                }
            case .watching(let resourceVersion):
                logger.debug("watching \(resource) from resourceVersion \(resourceVersion)")
                let outcome = await watch(from: resourceVersion, handle)
                setWatching(false)
                switch outcome {
                case .ended(let latest):
                    // A normal server-side close: re-open at once from where it ended.
                    logger.debug("watch of \(resource) closed by the server at resourceVersion \(latest)")
                    phase = .watching(resourceVersion: latest)
                case .expired:
                    logger.info("watch of \(resource) expired (410); relisting")
                    phase = .listing
                case .failed(let latest, let error):
                    if Task.isCancelled { return }
                    logger.warning("watch of \(resource) failed: \(error)")
                    if Timestamp.monotonic() - healthySince > configuration.backoffResetAfter {
                        backoff = configuration.initialBackoff
                    }
                    phase = .backoff(seconds: backoff, then: .watch(resourceVersion: latest))
                case .cancelled:
                    return
                }
            case .backoff(let seconds, let next):
                let jittered = seconds * Double.random(in: 1.0...1.5)
                do {
                    try await Task.sleep(for: .nanoseconds(Int64(jittered * 1e9)))
                } catch {
                    return
                }
                backoff = min(configuration.maxBackoff, backoff * 2)
                healthySince = Timestamp.monotonic()
                switch next {
                case .list: phase = .listing
                case .watch(let resourceVersion): phase = .watching(resourceVersion: resourceVersion)
                }
            }
        }
    }

    private func setWatching(_ watching: Bool) {
        health.withLock { health in
            health.watching = watching
            health.lastProgress = Timestamp.monotonic()
        }
    }

    // MARK: Listing

    /// Lists page by page from one consistent snapshot; an expired continue token restarts the
    /// list. Replaces the store with the result.
    /// - Returns: the list's resourceVersion, to watch from.
    private func paginatedList(_ handle: @Sendable ([Delta<Object>]) async -> Void) async throws(KubeError) -> String {
        var items: [Object] = []
        var token: String?
        var resourceVersion = ""
        while true {
            let options = ListOptions(
                labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                limit: configuration.pageSize,
                continueToken: token)
            let page: ObjectList<Object>
            do {
                page = try await client.list(Object.self, resource, namespace: configuration.namespace, options: options)
            } catch {
                if error.isExpired, token != nil {
                    // The snapshot's revision was compacted mid-list: start over.
                    items.removeAll()
                    token = nil
                    continue
                }
                throw error
            }
            items.append(contentsOf: transform.map { page.items.map($0) } ?? page.items)
            resourceVersion = page.metadata.resourceVersion
            guard let next = page.metadata.continue, !next.isEmpty else { break }
            token = next
        }
        let deltas = store.replace(items, resourceVersion: resourceVersion)
        health.withLock { $0.relists += 1 }
        if !deltas.isEmpty { await handle(deltas) }
        return resourceVersion
    }

    /// A streaming list: initial ADDED events up to the initial-events-end bookmark, whose
    /// resourceVersion (never the events') is the resume point for the watch that follows. A
    /// stream quiet for `streamingListQuietSeconds` before that bookmark is abandoned for a
    /// paginated list.
    private func streamingList(_ handle: @escaping @Sendable ([Delta<Object>]) async -> Void) async throws(KubeError) -> String {
        let options = WatchOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector, resourceVersion: "",
            allowWatchBookmarks: true, timeoutSeconds: watchTimeout(), sendInitialEvents: true)
        let events = try await client.watch(Object.self, resource, namespace: configuration.namespace, options: options)
        let quiet = configuration.streamingListQuietSeconds
        let lastEvent = LockedValue(Timestamp.monotonic())
        let result: Result<String?, KubeError> = await withTaskGroup(of: Result<String?, KubeError>.self) { group in
            group.addTask {
                var items: [Object] = []
                do throws(KubeError) {
                    for try await event in events {
                        lastEvent.set(Timestamp.monotonic())
                        switch event.payload {
                        case .object(let object): items.append(self.transform?(object) ?? object)
                        case .bookmark(let bookmark) where bookmark.isInitialEventsEnd:
                            let deltas = self.store.replace(items, resourceVersion: bookmark.resourceVersion)
                            self.health.withLock { $0.relists += 1 }
                            if !deltas.isEmpty { await handle(deltas) }
                            return .success(bookmark.resourceVersion)
                        default: continue
                        }
                    }
                    return .success(nil)
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                // Gives up only after `quiet` seconds without any event.
                while !Task.isCancelled {
                    let idle = Timestamp.monotonic() - lastEvent.value
                    if idle >= quiet { break }
                    try? await Task.sleep(for: .nanoseconds(Int64(min(1, quiet - idle) * 1e9)))
                }
                return .success(nil)
            }
            let first = await group.next() ?? .success(nil)
            group.cancelAll()
            return first
        }
        events.cancel()
        switch result {
        case .success(let resourceVersion?): return resourceVersion
        case .success(nil):
            logger.warning("streaming list of \(resource) gave no initial-events-end bookmark; using a paginated list")
            return try await paginatedList(handle)
        case .failure(let error): throw error
        }
    }

    // MARK: Watching

    enum WatchOutcome {
        case ended(resourceVersion: String)
        case expired
        case failed(resourceVersion: String, KubeError)
        case cancelled
    }

    private func watchTimeout() -> Int {
        configuration.minWatchTimeoutSeconds + Int.random(in: 0..<max(1, configuration.minWatchTimeoutSeconds))
    }

    private func watch(from resourceVersion: String, _ handle: @Sendable ([Delta<Object>]) async -> Void) async -> WatchOutcome {
        var latest = resourceVersion
        let options = WatchOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            resourceVersion: resourceVersion,
            allowWatchBookmarks: true, timeoutSeconds: watchTimeout())
        do throws(KubeError) {
            let events = try await client.watch(Object.self, resource, namespace: configuration.namespace, options: options)
            setWatching(true)
            for try await event in events {
                health.withLock { $0.lastProgress = Timestamp.monotonic() }
                switch event.payload {
                case .object(let received):
                    let object = transform?(received) ?? received
                    latest = object.metadata.resourceVersion.isEmpty ? latest : object.metadata.resourceVersion
                    let delta = event.type == .deleted ? store.remove(object) : store.upsert(object)
                    if let delta { await handle([delta]) }
                case .bookmark(let bookmark):
                    latest = bookmark.resourceVersion
                    store.setResourceVersion(latest)
                case .error:
                    break
                }
            }
            return Task.isCancelled ? .cancelled : .ended(resourceVersion: latest)
        } catch {
            if Task.isCancelled || error.isCancelled { return .cancelled }
            if error.isExpired || error.isResourceVersionTooLarge { return .expired }
            return .failed(resourceVersion: latest, error)
        }
    }
}
