/// When Roost first saw one of its workers Ready on each node (B4, seed 002): the older the
/// entry, the warmer the node's caches are assumed to be. Claims prefer old nodes, reaps start
/// with new ones.
///
/// The table is kept by one operation, ``reconcile(workers:nodes:now:)``, which the reconciler
/// calls with the whole worker cache after any change: it stamps nodes that gained a Ready worker
/// and prunes every node whose last live worker is gone, whatever removed it (pod deleted, pod
/// terminating or finished, pod relabelled away, a relist that dropped it) and every node that no
/// longer exists. Nothing depends on the path a removal took, so no path can forget to prune
/// (upstream pruned on one of them only).
///
/// Stamps come from the workers' Ready `lastTransitionTime`, so the table a restarted replica
/// rebuilds from the cluster is the one the previous leader had (upstream lost it on restart).
public struct NodeAge: Sendable, Equatable {
    /// Node name → first-seen time, seconds since the Unix epoch.
    public private(set) var firstSeen: [String: Double]

    /// An empty table.
    public init() { firstSeen = [:] }

    /// The table a fresh start rebuilds from the cluster: per node, the earliest Ready transition
    /// of its live Ready workers (see ``reconcile(workers:nodes:now:)``).
    public init(rebuildingFrom workers: some Sequence<WorkerSnapshot>, nodes: Set<String>, now: Double) {
        self.init()
        reconcile(workers: workers, nodes: nodes, now: now)
    }

    /// The first-seen time of a node, or nil when none is recorded (its age is unknown).
    public func firstSeen(_ node: String) -> Double? { firstSeen[node] }

    /// Brings the table in line with the workers and nodes that exist now; returns what changed.
    ///
    /// - A node with no entry is stamped once it runs a live (not terminating) Ready worker and is
    ///   among `nodes`; the stamp is the earliest Ready `lastTransitionTime` of those workers, or
    ///   `now` for a worker without one. A stamped node is never re-stamped: a later Ready
    ///   transition, or a worker becoming Ready earlier than the stamp, leaves it as it is.
    /// - An entry is pruned when no live worker (Ready or not) runs on the node any more, or when
    ///   the node is not among `nodes`.
    /// - Workers with an empty `nodeName` are ignored.
    ///
    /// - Parameters:
    ///   - workers: every worker pod of Roost's the cache holds (all runtimes; terminating ones
    ///     may be included, they are skipped).
    ///   - nodes: the names of every node the cache holds (call only once the node cache has
    ///     synced: a node missing from it is treated as deleted).
    ///   - now: the time to stamp for a Ready worker whose transition time is unknown.
    @discardableResult
    public mutating func reconcile(
        workers: some Sequence<WorkerSnapshot>, nodes: Set<String>, now: Double
    ) -> NodeAgeChanges {
        var occupied: Set<String> = []
        var earliestReady: [String: Double] = [:]
        for worker in workers where !worker.terminating && !worker.nodeName.isEmpty {
            occupied.insert(worker.nodeName)
            guard worker.ready, firstSeen[worker.nodeName] == nil, nodes.contains(worker.nodeName) else { continue }
            let since = worker.readySince ?? now
            earliestReady[worker.nodeName] = min(earliestReady[worker.nodeName] ?? since, since)
        }
        var changes = NodeAgeChanges()
        for node in firstSeen.keys.sorted() where !occupied.contains(node) || !nodes.contains(node) {
            firstSeen[node] = nil
            changes.pruned.append(node)
        }
        for (node, since) in earliestReady.sorted(by: { $0.key < $1.key }) {
            firstSeen[node] = since
            changes.stamped.append(node)
        }
        return changes
    }

    /// Forgets a deleted Node at once, before the next ``reconcile(workers:nodes:now:)``.
    /// Returns whether an entry was removed.
    @discardableResult
    public mutating func nodeDeleted(_ node: String) -> Bool {
        firstSeen.removeValue(forKey: node) != nil
    }
}

/// The nodes one ``NodeAge/reconcile(workers:nodes:now:)`` stamped and pruned, each sorted by name.
public struct NodeAgeChanges: Sendable, Equatable {
    /// Nodes that got their first-seen time.
    public var stamped: [String] = []
    /// Nodes whose entry was removed.
    public var pruned: [String] = []

    /// No change.
    public init(stamped: [String] = [], pruned: [String] = []) {
        self.stamped = stamped
        self.pruned = pruned
    }
}
