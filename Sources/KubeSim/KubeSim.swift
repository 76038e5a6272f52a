import Foundation
import KubeModel
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A simulated Kubernetes cluster in this process: an API server over real HTTP (or HTTPS) on
/// loopback, with a scheduler, kubelets, a garbage collector and runtime fault injection.
///
/// It exists so Roost's tests, benchmarks and `roost demo` run against Kubernetes wire behaviour
/// without a cluster. Fidelity sources are cited on each part: ``ObjectStore`` (watch cache),
/// ``APIServer`` (handlers, registry), `Scheduler` (kube-scheduler plugins), ``Kubelet``.
public final class KubeSim: Sendable {
    /// How to build the cluster.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port.
        public var port = 0
        /// Serve HTTPS with a generated CA; credentials are then required.
        public var tls = false
        public var nodes: [NodeGroup] = [NodeGroup(pool: "default", count: 3)]
        public var timing = Kubelet.Timing()
        /// Changes kept for watch resumption before 410 Expired.
        public var historyLimit = 50_000
        /// Seed of the scheduler's tie-break.
        public var seed: UInt64 = 1
        public var api = APIServer.Options()
        /// Bearer token of the admin user; random when nil.
        public var adminToken: String?
        public var runScheduler = true
        public var runKubelet = true
        /// Event-loop threads of the HTTP server.
        public var threads = 2

        public init() {}
    }

    public let configuration: Configuration
    public let api: APIServer
    public let kubelet: Kubelet
    public let authenticator: Authenticator
    public let tlsMaterial: TLSMaterial?
    /// Bearer token of the admin user.
    public let adminToken: String
    let scheduler: Scheduler
    let garbageCollector: GarbageCollector
    private let server: HTTPServer
    /// The scheduler, kubelets and garbage collector run on this loop, not on Swift's
    /// cooperative pool, so callers that block threads (tests, benchmarks) cannot starve them.
    private let controllers: MultiThreadedEventLoopGroup
    private let stops: Mutex<[@Sendable () -> Void]>

    public var store: ObjectStore { api.store }
    public var faults: FaultInjector { api.faults }
    public var stats: RequestStats { api.stats }
    public var port: Int { server.port }

    /// `http://127.0.0.1:PORT` or `https://...`.
    public var url: String { "\(configuration.tls ? "https" : "http")://\(configuration.host):\(port)" }

    /// Why the cluster could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts the cluster: storage, namespaces, nodes, controllers, then the HTTP server.
    /// - Throws: ``StartError`` when certificates cannot be made or the port cannot be bound.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let registry = ResourceRegistry(builtins: BuiltinResources.all)
        let store = ObjectStore(historyLimit: configuration.historyLimit) { resource, json in
            let labels = registry.lookup(resource)?.extraFieldLabels ?? []
            return FieldExtraction.fields(of: resource, labels: labels, json: json)
        }
        let api = APIServer(
            store: store, registry: registry, faults: FaultInjector(), stats: RequestStats(), options: configuration.api)
        self.api = api
        adminToken = configuration.adminToken ?? UID.random().replacingDashes()
        authenticator = Authenticator(tokens: [adminToken: "admin"], requireAuthentication: configuration.tls)
        let controllers = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.controllers = controllers
        let loop = controllers.next()
        kubelet = Kubelet(api: api, timing: configuration.timing, loop: loop)
        scheduler = Scheduler(api: api, seed: configuration.seed, loop: loop)
        garbageCollector = GarbageCollector(api: api, loop: loop)
        stops = Mutex([])

        let (kubelet, scheduler, garbageCollector) = (kubelet, scheduler, garbageCollector)
        let runKubelet = configuration.runKubelet
        let runScheduler = configuration.runScheduler
        store.observe { event in
            garbageCollector.observe(event)
            if runScheduler { scheduler.observe(event) }
            if runKubelet { kubelet.observe(event) }
        }
        for namespace in BuiltinResources.initialNamespaces {
            _ = try? api.createNamespace(namespace)
        }
        var address = 1
        for group in configuration.nodes {
            for index in 0..<group.count {
                address += 1
                try? api.addNode(group, index: index, address: "10.0.\(address / 250).\(address % 250 + 2)")
            }
        }

        var tlsContext: NIOSSLContext?
        if configuration.tls {
            do {
                let material = try TLSMaterial.generate()
                tlsMaterial = material
                var tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(material.serverCertificatePEM.utf8)).map {
                        .certificate($0)
                    },
                    privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(material.serverKeyPEM.utf8), format: .pem)))
                tlsConfiguration.certificateVerification = .optionalVerification
                tlsConfiguration.trustRoots = .certificates(
                    try NIOSSLCertificate.fromPEMBytes(Array(material.caCertificatePEM.utf8)))
                tlsConfiguration.applicationProtocols = ["h2", "http/1.1"]
                // Idle clients rarely answer close_notify; do not hold shutdown for NIOSSL's default 5 s.
                tlsConfiguration.shutdownTimeout = .milliseconds(200)
                tlsContext = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw StartError(description: "cannot set up TLS for the simulated cluster: \(error)")
            }
        } else {
            tlsMaterial = nil
        }
        let admin = SimAdmin(api: api, kubelet: kubelet, authenticator: authenticator)
        do {
            server = try HTTPServer(
                host: configuration.host, port: configuration.port, tls: tlsContext,
                context: ServerContext(api: api, authenticator: authenticator, admin: { admin.handle($0) }),
                threads: configuration.threads)
        } catch {
            let reason = (error as? IOError).map {
                $0.errnoCode == EADDRINUSE ? "address already in use" : String(describing: $0)
            }
            throw StartError(
                description:
                    "cannot listen on \(configuration.host):\(configuration.port): \(reason ?? String(describing: error))")
        }
        var started: [@Sendable () -> Void] = []
        if runScheduler { started.append(scheduler.start()) }
        let faults = api.faults
        // Random watch drops: "drop all watches at random intervals".
        @Sendable func scheduleDrop() {
            let every = faults.dropWatchesEverySeconds
            let delay = every > 0 ? every * Double.random(in: 0.5...1.5) : 0.1
            loop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
                if every > 0, faults.dropWatchesEverySeconds > 0 { store.terminateAllWatches() }
                scheduleDrop()
            }
        }
        scheduleDrop()
        stops.withLock { $0 = started }
    }

    /// Stops the controllers, ends every watch and closes the listener.
    public func shutdown() {
        let running = stops.withLock { stops -> [@Sendable () -> Void] in
            let running = stops
            stops.removeAll()
            return running
        }
        for stop in running { stop() }
        store.terminateAllWatches()
        server.shutdown()
        try? controllers.syncShutdownGracefully()
    }

    /// A kubeconfig for this cluster. Contexts: `roost-sim` (bearer token, the current context)
    /// and, over TLS, `roost-sim-cert` (client certificate).
    public func kubeconfig() -> String {
        var clusterLines = ["- name: roost-sim", "  cluster:", "    server: \(url)"]
        if let tlsMaterial {
            clusterLines.append(
                "    certificate-authority-data: \(Data(tlsMaterial.caCertificatePEM.utf8).base64EncodedString())")
        }
        var lines = ["apiVersion: v1", "kind: Config", "clusters:"] + clusterLines
        lines += ["users:", "- name: roost-admin", "  user:", "    token: \(adminToken)"]
        if let tlsMaterial {
            lines += [
                "- name: roost-admin-cert", "  user:",
                "    client-certificate-data: \(Data(tlsMaterial.clientCertificatePEM.utf8).base64EncodedString())",
                "    client-key-data: \(Data(tlsMaterial.clientKeyPEM.utf8).base64EncodedString())",
            ]
        }
        lines += [
            "contexts:", "- name: roost-sim", "  context:", "    cluster: roost-sim", "    user: roost-admin",
            "    namespace: default",
        ]
        if tlsMaterial != nil {
            lines += [
                "- name: roost-sim-cert", "  context:", "    cluster: roost-sim", "    user: roost-admin-cert",
                "    namespace: default",
            ]
        }
        lines += ["current-context: roost-sim", "preferences: {}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``kubeconfig()`` to `path` with mode 0600.
    /// - Throws: the file system's error.
    public func writeKubeconfig(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(kubeconfig().utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

extension APIServer {
    /// Creates a namespace unless it exists.
    /// - Throws: ``APIError`` when the name is invalid.
    public func createNamespaceIfMissing(_ name: String) throws(APIError) {
        guard store.get(GroupResource(group: "", resource: "namespaces"), ObjectKey(namespace: "", name: name)) == nil else {
            return
        }
        try createNamespace(name)
    }

    func createNamespace(_ name: String) throws(APIError) {
        guard let type = registry.lookup(group: "", version: "v1", plural: "namespaces") else { throw .notFoundPath() }
        var object: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
        let now = Timestamp.now()
        prepareForCreate(type, &object, now: now)
        _ = try store.update(type.storageKey, ObjectKey(namespace: "", name: name), kind: type.kind, apiVersion: type.apiVersion)
        {
            current throws(APIError) -> (StoreWrite, Void) in
            if current != nil { throw .alreadyExists(type, name: name) }
            return (.put(object), ())
        }
    }
}
