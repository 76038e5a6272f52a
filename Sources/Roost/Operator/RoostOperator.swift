import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Metrics
import Prometheus
import Synchronization

/// The Roost operator of one replica (`roost run`): informers on its worker pods, nodes,
/// AgentRuntimes and AgentSessions that every replica keeps warm; and, while this replica leads,
/// the runtime, session and placement controllers that act on them. Data flows one way: API →
/// informer → store → work queue → reconciler / placement cycle → API.
public final class RoostOperator: Sendable {
    /// The manager running every part; its health checks back `/readyz`.
    public let manager: Manager
    let context: OperatorContext
    let podInformer: Informer<CoreV1.Pod>
    let nodeInformer: Informer<CoreV1.Node>
    let runtimeInformer: Informer<AgentRuntime>
    let sessionInformer: Informer<AgentSession>
    private let leading = Mutex<Queues?>(nil)

    /// The queues of the current leadership term; nil while following.
    struct Queues: Sendable {
        let runtimes: WorkQueue<ObjectName>
        let sessions: WorkQueue<ObjectName>
        let placements: WorkQueue<ObjectName>
    }

    /// - Parameters:
    ///   - client: the client every part uses.
    ///   - configuration: the resolved configuration (SPEC §3).
    ///   - registry: served at `/metrics`; nil serves none.
    ///   - handlesSignals: whether `run` traps SIGTERM and SIGINT (`roost run`: yes; tests and the demo: no).
    /// - Throws: ``ManagerError/invalidOptions(_:)`` for bad bind addresses or Lease settings.
    public init(
        client: KubeClient, configuration: OperatorConfiguration, registry: PrometheusCollectorRegistry?,
        handlesSignals: Bool = true, logger: Logger = Logger(label: "roost")
    ) throws(ManagerError) {
        var managerOptions = Manager.Options(
            metricsBindAddress: configuration.metricsBindAddress?.description,
            healthProbeBindAddress: configuration.healthProbeBindAddress?.description, handlesSignals: handlesSignals)
        let identity = LeaderElectionConfig.defaultIdentity()
        if configuration.leaderElect {
            let namespace = configuration.leaderElectionNamespace ?? Self.inClusterNamespace() ?? "default"
            managerOptions.leaderElection = LeaderElectionConfig(
                leaseNamespace: namespace, leaseName: configuration.leaderElectionID, identity: identity,
                releaseOnCancel: true)
        }
        manager = try Manager(client: client, options: managerOptions, registry: registry, logger: logger)

        let scope = configuration.namespace
        podInformer = Informer(
            client: client, resource: .pods,
            configuration: ReflectorConfiguration(
                namespace: scope, labelSelector: "\(RoostLabel.managedBy)=\(RoostLabel.managedByValue)"),
            indexers: OperatorContext.podIndexers, logger: logger)
        nodeInformer = Informer(client: client, resource: .nodes, logger: logger)
        runtimeInformer = Informer(
            client: client, resource: ClusterWrites.agentRuntimes, configuration: ReflectorConfiguration(namespace: scope),
            logger: logger)
        sessionInformer = Informer(
            client: client, resource: ClusterWrites.agentSessions, configuration: ReflectorConfiguration(namespace: scope),
            indexers: OperatorContext.sessionIndexers, logger: logger)
        context = OperatorContext(
            pods: podInformer.store, nodes: nodeInformer.store, runtimes: runtimeInformer.store,
            sessions: sessionInformer.store, configuration: configuration, metrics: RoostMetrics(),
            events: EventRecorder(client: client, instance: identity), client: client, logger: logger)

        let checks = manager.healthChecks
        checks.addLivenessCheck("ping") { nil }
        checks.addInformer("pods", podInformer)
        checks.addInformer("nodes", nodeInformer)
        checks.addInformer("agentruntimes", runtimeInformer)
        checks.addInformer("agentsessions", sessionInformer)
        let crdProblem: @Sendable () -> String? = { [runtimeInformer, sessionInformer] in
            guard
                runtimeInformer.reflector.lastListError?.isNotFound == true
                    || sessionInformer.reflector.lastListError?.isNotFound == true
            else { return nil }
            return
                "the roost.dev/v1alpha1 CustomResourceDefinitions (agentruntimes, agentsessions) are not installed; install them with kubectl apply -f crds/"
        }
        checks.addReadinessCheck("crds", crdProblem)
        let resync = configuration.resyncPeriod.seconds
        manager.add(podInformer.service(name: "informer-pods"))
        manager.add(nodeInformer.service(name: "informer-nodes"))
        manager.add(runtimeInformer.service(name: "informer-agentruntimes"))
        manager.add(sessionInformer.service(name: "informer-agentsessions"))
        addHandlers()
        let logger = logger
        manager.add(
            RuntimeService(name: "crd-watch") {
                // Stay up and unready while the CRDs are missing; say so clearly, with backoff.
                var wait = 2.0
                while !Task.isCancelled {
                    if let problem = crdProblem() {
                        logger.error("\(problem); retrying in \(Int(wait)) s")
                        wait = min(wait * 2, 60)
                    } else {
                        wait = 2
                    }
                    try? await Task.sleep(for: .seconds(wait))
                }
            })
        manager.addLeading(name: "roost-controllers") { [self] term in await lead(term, resyncPeriod: resync) }
    }

    /// Runs until SIGTERM (graceful: drains within 30 s), ``shutDown()``, or lost leadership.
    /// - Throws: ``ManagerError`` as ``Manager/run()``.
    public func run() async throws(ManagerError) {
        context.logger.info(
            "roost starting",
            metadata: [
                "namespace": "\(context.configuration.namespace ?? "(all)")",
                "leaderElect": "\(context.configuration.leaderElect)",
                "schedulingMode": "\(context.configuration.schedulingMode.rawValue)",
            ])
        try await manager.run()
    }

    /// Starts a graceful shutdown.
    public func shutDown() async {
        await manager.shutDown()
    }

    /// Whether every cache has synced.
    public var hasSynced: Bool {
        podInformer.hasSynced && nodeInformer.hasSynced && runtimeInformer.hasSynced && sessionInformer.hasSynced
    }

    private static func inClusterNamespace() -> String? {
        let path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
        return (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Leading

    /// The leading work of one term: the three controllers, an initial enqueue of everything in
    /// the caches, and the periodic resync from the caches (B8) — never a re-list.
    private func lead(_ term: LeadershipTerm, resyncPeriod: Double) async {
        let writes = ClusterWrites(client: context.client, term: term)
        let queues = Queues(
            runtimes: WorkQueue(name: "agentruntimes"), sessions: WorkQueue(name: "agentsessions"),
            placements: WorkQueue(name: "placement"))
        let requestPlacement: @Sendable (ObjectName) -> Void = { queues.placements.add($0) }
        let runtimeReconciler = RuntimeReconciler(
            context: context, writes: writes, reapInterval: context.configuration.reapInterval.seconds,
            requestPlacement: requestPlacement)
        let sessionReconciler = SessionReconciler(context: context, writes: writes, requestPlacement: requestPlacement)
        let placementReconciler = PlacementReconciler(context: context, writes: writes)
        let synced: @Sendable () -> Bool = { [self] in hasSynced }
        let controllers = [
            Controller(
                name: "agentruntime", queue: queues.runtimes, concurrency: 2, cachesSynced: synced, logger: context.logger
            ) { try await runtimeReconciler.reconcile($0) },
            Controller(
                name: "agentsession", queue: queues.sessions, concurrency: 4, cachesSynced: synced, logger: context.logger
            ) { try await sessionReconciler.reconcile($0) },
            Controller(
                name: "placement", queue: queues.placements, concurrency: 2, cachesSynced: synced, logger: context.logger
            ) { try await placementReconciler.reconcile($0) },
        ]
        leading.withLock { $0 = queues }
        context.logger.info("leading: \(term)")
        await withDiscardingTaskGroup { group in
            for controller in controllers {
                group.addTask { await controller.run() }
            }
            group.addTask { [context] in await context.events.run() }
            group.addTask { [context] in await context.lastNodes.run(writes: writes, logger: context.logger) }
            group.addTask { [self] in
                while !hasSynced {
                    do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
                }
                while !Task.isCancelled {
                    enqueueAll(queues)
                    do { try await Task.sleep(for: .seconds(resyncPeriod)) } catch { return }
                }
            }
        }
        leading.withLock { $0 = nil }
        context.logger.info("stopped leading: \(term)")
    }

    /// A multi-line account of the operator's state for one runtime — its cached generation and
    /// pool, the pool as the policy sees it, the expected creations and the work queues — for
    /// diagnosing a pool that does not converge (tests print it when they time out).
    func diagnostics(runtime id: ObjectName) -> String {
        var lines: [String] = []
        if let runtime = context.runtimes.get(id) {
            let snapshot = context.snapshot(runtime: id)
            lines.append(
                "runtime \(id): generation \(runtime.metadata.generation), resourceVersion \(runtime.metadata.resourceVersion), minIdle \(runtime.spec.pool.minIdle), maxWorkers \(runtime.spec.pool.maxWorkers), problem \(context.usabilityProblem(runtime) ?? "none")"
            )
            if let runtimeSnapshot = snapshot.runtimes[id] {
                let fill = context.policy.poolFill(for: runtimeSnapshot, in: snapshot)
                lines.append(
                    "pool fill: idle ready \(fill.idleReady), starting \(fill.starting), live \(fill.live), to create \(fill.toCreate), creations in flight \(runtimeSnapshot.inFlightWorkers)"
                )
            }
            for worker in snapshot.workers(of: id) {
                lines.append(
                    "worker \(worker.id.name): \(worker.state), ready \(worker.ready), node \(worker.nodeName.isEmpty ? "-" : worker.nodeName), terminating \(worker.terminating)"
                )
            }
        } else {
            lines.append("runtime \(id): not in the cache")
        }
        lines.append(
            "caches synced: \(hasSynced); pods watching \(podInformer.reflector.isWatching), runtimes watching \(runtimeInformer.reflector.isWatching)"
        )
        if let queues = leading.withLock({ $0 }) {
            for (name, queue) in [
                ("runtimes", queues.runtimes), ("sessions", queues.sessions), ("placements", queues.placements),
            ] {
                lines.append(
                    "queue \(name): ready \(queue.len), delayed \(queue.delayedCount), processing \(queue.processingCount), shutting down \(queue.isShuttingDown)"
                )
            }
        } else {
            lines.append("not leading")
        }
        return lines.joined(separator: "\n")
    }

    private func enqueueAll(_ queues: Queues) {
        for runtime in context.runtimes.list() {
            queues.runtimes.add(ObjectName(runtime.metadata))
            queues.placements.add(ObjectName(runtime.metadata))
        }
        for session in context.sessions.list() {
            queues.sessions.add(ObjectName(session.metadata))
        }
    }

    // MARK: Event handlers

    /// Informer handlers enqueue keys for the current term's controllers (none while following)
    /// and keep the expectations and node ages in line with the caches.
    private func addHandlers() {
        let context = context
        podInformer.addHandler { [self] delta in
            let pod = delta.object
            let id = ObjectName(pod.metadata)
            if case .deleted = delta {
                context.workerChanged(id, pod: nil)
            } else {
                context.workerChanged(id, pod: pod)
            }
            context.workersOrNodesChanged()
            switch delta {
            case .added:
                // Pool workers are created idle; a worker spawned busy for a session is not one of
                // the pool's expected creations.
                if let runtime = pod.metadata.labels[RoostLabel.runtime],
                    pod.metadata.labels[RoostLabel.state] == WorkerState.idle.rawValue
                {
                    context.expectations.creationObserved(runtime: ObjectName(namespace: id.namespace, name: runtime))
                }
                context.expectations.observeWorker(id, servingSession: pod.metadata.annotations[RoostAnnotation.session])
            case .updated:
                context.expectations.observeWorker(id, servingSession: pod.metadata.annotations[RoostAnnotation.session])
            case .deleted:
                context.expectations.workerGone(id)
            }
            guard let queues = leading.withLock({ $0 }) else { return }
            var sessions: Set<String> = []
            if case .updated(let old, _) = delta, let session = old.metadata.annotations[RoostAnnotation.session] {
                sessions.insert(session)
            }
            if let session = pod.metadata.annotations[RoostAnnotation.session] { sessions.insert(session) }
            for session in sessions { queues.sessions.add(ObjectName(namespace: id.namespace, name: session)) }
            if let runtime = pod.metadata.labels[RoostLabel.runtime] {
                let runtimeID = ObjectName(namespace: id.namespace, name: runtime)
                queues.runtimes.add(runtimeID)
                queues.placements.add(runtimeID)
            }
        }
        nodeInformer.addHandler { [self] delta in
            let relevant: Bool
            switch delta {
            case .added: relevant = true
            case .deleted(let node):
                context.nodeDeleted(node.metadata.name)
                relevant = true
            case .updated(let old, let new):
                relevant = NodeSnapshot(node: old) != NodeSnapshot(node: new)
            }
            guard relevant else { return }
            context.workersOrNodesChanged()
            guard let queues = leading.withLock({ $0 }) else { return }
            var runtimes: Set<ObjectName> = []
            for pod in context.pods.byIndex(OperatorContext.PodIndex.node, delta.object.metadata.name) {
                if let runtime = pod.metadata.labels[RoostLabel.runtime] {
                    runtimes.insert(ObjectName(namespace: pod.metadata.namespace, name: runtime))
                }
            }
            for runtime in runtimes {
                queues.runtimes.add(runtime)
                queues.placements.add(runtime)
            }
        }
        runtimeInformer.addHandler { [self] delta in
            guard let queues = leading.withLock({ $0 }) else { return }
            let id = ObjectName(delta.object.metadata)
            queues.runtimes.add(id)
            queues.placements.add(id)
            for session in context.sessions.byIndex(
                OperatorContext.SessionIndex.runtime, OperatorContext.key(id.namespace, id.name))
            {
                queues.sessions.add(ObjectName(session.metadata))
            }
        }
        sessionInformer.addHandler { [self] delta in
            let session = delta.object
            if case .deleted = delta {
                context.sessionChanged(ObjectName(session.metadata), session: nil)
            } else {
                context.sessionChanged(ObjectName(session.metadata), session: session)
            }
            guard let queues = leading.withLock({ $0 }) else { return }
            queues.sessions.add(ObjectName(session.metadata))
            queues.placements.add(ObjectName(namespace: session.metadata.namespace, name: session.spec.runtimeRef.name))
        }
    }
}
