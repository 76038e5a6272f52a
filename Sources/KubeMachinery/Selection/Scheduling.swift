public import KubeModel

/// A pod already bound to a node, as inter-pod affinity scoring sees it.
public struct ExistingPod: Sendable, Hashable {
    /// `metadata.name` (informational).
    public var name: String
    /// `metadata.namespace`.
    public var namespace: String
    /// `metadata.labels`.
    public var labels: [String: String]
    /// The labels of the pod's namespace, for affinity terms with a `namespaceSelector`.
    public var namespaceLabels: [String: String]

    /// Creates an existing pod.
    public init(
        name: String = "", namespace: String, labels: [String: String],
        namespaceLabels: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.namespaceLabels = namespaceLabels
    }
}

/// What the scheduler knows about one node (a slimmed-down `framework.NodeInfo`).
public struct NodeInfo: Sendable, Hashable {
    /// The node object.
    public let node: JSONValue
    /// `metadata.name`.
    public let name: String
    /// `metadata.labels`.
    public let labels: [String: String]
    /// `spec.taints`.
    public let taints: [Taint]
    /// `spec.unschedulable`.
    public let unschedulable: Bool
    /// `status.allocatable.pods` as an integer; nil when absent or unparsable, which this
    /// implementation treats as "no pod limit" (kube-scheduler would treat absent as 0).
    public let allocatablePods: Int64?
    /// The pods bound to the node.
    public let pods: [ExistingPod]
    /// How many pods the node runs (defaults to `pods.count`).
    public let podCount: Int

    /// Reads a node object. Throws `malformedObject` when `spec.taints` has the wrong shape.
    public init(node: JSONValue, pods: [ExistingPod] = [], podCount: Int? = nil)
        throws(SelectionError)
    {
        self.node = node
        let identity = NodeIdentity(node: node)
        name = identity.name
        labels = identity.labels
        taints = try Taint.list(node: node)
        unschedulable = node[path: ["spec", "unschedulable"]]?.boolValue ?? false
        allocatablePods = node[path: ["status", "allocatable", "pods"]].flatMap(
            Scheduling.integerQuantity)
        self.pods = pods
        self.podCount = podCount ?? pods.count
    }
}

/// One node's combined score and the weighted contribution of each plugin.
public struct NodeScore: Sendable, Hashable {
    /// The node name.
    public var name: String
    /// The weighted sum over plugins.
    public var total: Int64
    /// Weighted, normalised score per plugin name (`NodeAffinity`, `TaintToleration`,
    /// `InterPodAffinity`).
    public var plugins: [String: Int64]

    /// Creates a score.
    public init(name: String, total: Int64, plugins: [String: Int64] = [:]) {
        self.name = name
        self.total = total
        self.plugins = plugins
    }
}

/// The placement logic of kube-scheduler's default profile, restricted to node-level filters
/// (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, the pod-count part of
/// NodeResourcesFit) and the NodeAffinity, TaintToleration and InterPodAffinity scores.
public enum Scheduling {
    /// `framework.MaxNodeScore`.
    public static let maxNodeScore: Int64 = 100
    /// Default profile weights (`pkg/scheduler/apis/config/v1/default_plugins.go`).
    public static let nodeAffinityWeight: Int64 = 2
    public static let taintTolerationWeight: Int64 = 3
    public static let interPodAffinityWeight: Int64 = 2

    /// Filter reasons, as the plugins word them.
    public static let reasonUnschedulable = "node(s) were unschedulable"
    public static let reasonNodeName = "node(s) didn't match the requested node name"
    public static let reasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector"
    public static let reasonTooManyPods = "Too many pods"
    /// The taint reason for one taint: `node(s) had untolerated taint {key: value}` (the wording
    /// of Kubernetes 1.25–1.34; 1.35 shortened it to `node(s) had untolerated taint(s)`).
    public static func reasonUntoleratedTaint(_ taint: Taint) -> String {
        "node(s) had untolerated taint \(taint)"
    }

    // MARK: Filter

    /// The first failing filter for `node`, in the default plugin order, with whether preemption
    /// could help (false = `UnschedulableAndUnresolvable`); nil when the node is feasible.
    static func failure(
        node: NodeInfo, tolerations: [Toleration], affinity: RequiredNodeAffinity?, nodeName: String
    ) -> (reason: String, resolvable: Bool)? {
        if node.unschedulable {
            let unschedulableTaint = Taint(
                key: "node.kubernetes.io/unschedulable", effect: Taint.noSchedule)
            if !tolerations.contains(where: { $0.tolerates(unschedulableTaint) }) {
                return (reasonUnschedulable, false)
            }
        }
        if !nodeName.isEmpty, nodeName != node.name { return (reasonNodeName, false) }
        if let taint = Taint.firstUntolerated(taints: node.taints, tolerations: tolerations) {
            return (reasonUntoleratedTaint(taint), false)
        }
        if !(affinity?.matches(labels: node.labels, name: node.name) ?? false) {
            return (reasonNodeAffinity, false)
        }
        if let allowed = node.allocatablePods, Int64(node.podCount) + 1 > allowed {
            return (reasonTooManyPods, true)
        }
        return nil
    }

    /// Drops the nodes the pod cannot run on and, when none is left, builds `FitError.Error()`'s
    /// message including the DefaultPreemption post-filter part, e.g.
    /// `0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 node(s)
    /// had untolerated taint {pool: gpu}. preemption: 0/5 nodes are available: 5 Preemption is
    /// not helpful for scheduling.` Reasons are counted per node (first failing plugin only) and
    /// sorted as strings, as `sortReasonsHistogram` does. An empty node list gives
    /// `no nodes available to schedule pods`. Invalid required affinity terms match no node;
    /// a pod whose affinity or tolerations JSON is malformed fits no node by affinity.
    public static func filter(pod: JSONValue, nodes: [NodeInfo]) -> (
        feasible: [NodeInfo], failure: String?
    ) {
        if nodes.isEmpty { return ([], "no nodes available to schedule pods") }
        let tolerations = (try? Toleration.list(pod: pod)) ?? []
        let affinity = try? RequiredNodeAffinity(lenientPod: pod)
        let nodeName = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        var feasible: [NodeInfo] = []
        var reasons: [String: Int] = [:]
        var preemption: [String: Int] = [:]
        for node in nodes {
            if let failure = failure(
                node: node, tolerations: tolerations, affinity: affinity, nodeName: nodeName)
            {
                reasons[failure.reason, default: 0] += 1
                let postFilter =
                    failure.resolvable
                    ? "No preemption victims found for incoming pod"
                    : "Preemption is not helpful for scheduling"
                preemption[postFilter, default: 0] += 1
            } else {
                feasible.append(node)
            }
        }
        if !feasible.isEmpty { return (feasible, nil) }
        let total = nodes.count
        let message =
            "0/\(total) nodes are available: \(histogram(reasons))."
            + " preemption: 0/\(total) nodes are available: \(histogram(preemption))."
        return ([], message)
    }

    private static func histogram(_ counts: [String: Int]) -> String {
        counts.map { "\($0.value) \($0.key)" }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .joined(separator: ", ")
    }

    // MARK: Normalisation

    /// `helper.DefaultNormalizeScore`: scales `[0, max]` to `[0, maxPriority]` with integer
    /// division; when the maximum is 0 all scores stay 0 (or become `maxPriority` if `reverse`);
    /// `reverse` subtracts each scaled score from `maxPriority`.
    public static func defaultNormalizeScore(
        _ scores: [Int64], maxPriority: Int64 = 100, reverse: Bool
    ) -> [Int64] {
        let maxCount = scores.reduce(0) { max($0, $1) }
        if maxCount == 0 { return scores.map { reverse ? maxPriority : $0 } }
        return scores.map { score in
            let scaled = maxPriority * score / maxCount
            return reverse ? maxPriority - scaled : scaled
        }
    }

    /// InterPodAffinity's `NormalizeScore`: min–max scaling to `[0, 100]`, truncating the
    /// float result; all 0 when every score is equal.
    public static func minMaxNormalize(_ scores: [Int64]) -> [Int64] {
        guard let minimum = scores.min(), let maximum = scores.max() else { return scores }
        let difference = maximum - minimum
        return scores.map { score in
            guard difference > 0 else { return 0 }
            return Int64(Double(maxNodeScore) * (Double(score - minimum) / Double(difference)))
        }
    }

    // MARK: Raw plugin scores

    /// NodeAffinity raw scores: the sum of matched preferred-term weights per node (invalid
    /// terms are ignored).
    public static func nodeAffinityScores(pod: JSONValue, nodes: [NodeInfo]) -> [Int64] {
        guard let terms = try? PreferredSchedulingTerms(lenientPod: pod) else {
            return nodes.map { _ in 0 }
        }
        return nodes.map { terms.score(labels: $0.labels, name: $0.name) }
    }

    /// TaintToleration raw scores: per node, the number of `PreferNoSchedule` taints not
    /// tolerated by the pod's tolerations whose effect is empty or `PreferNoSchedule`.
    public static func taintTolerationScores(pod: JSONValue, nodes: [NodeInfo]) -> [Int64] {
        let tolerations = ((try? Toleration.list(pod: pod)) ?? []).filter {
            $0.effect.isEmpty || $0.effect == Taint.preferNoSchedule
        }
        return nodes.map { node in
            Int64(
                node.taints.filter { taint in
                    taint.effect == Taint.preferNoSchedule && !tolerations.contains { $0.tolerates(taint) }
                }.count)
        }
    }

    private struct AffinityTerm {
        var selector: LabelSelector
        var namespaces: Set<String>
        var namespaceSelector: LabelSelector
        var topologyKey: String
        var weight: Int64

        func matches(_ pod: ExistingPod) -> Bool {
            guard namespaces.contains(pod.namespace) || namespaceSelector.matches(pod.namespaceLabels)
            else {
                return false
            }
            return selector.matches(pod.labels)
        }
    }

    private static func weightedTerms(_ pod: JSONValue, kind: String, namespace: String)
        -> [AffinityTerm]
    {
        let list =
            pod[path: ["spec", "affinity", kind, "preferredDuringSchedulingIgnoredDuringExecution"]]?
            .arrayValue ?? []
        return list.compactMap { item -> AffinityTerm? in
            guard let term = item["podAffinityTerm"], let weight = item["weight"]?.intValue else {
                return nil
            }
            guard let selector = try? LabelSelector(json: term["labelSelector"] ?? .null),
                let namespaceSelector = try? LabelSelector(json: term["namespaceSelector"] ?? .null)
            else { return nil }
            let listed = (try? JSONShape.stringList(term["namespaces"], path: "namespaces")) ?? nil
            let namespaces: Set<String> =
                (listed ?? []).isEmpty && (term["namespaceSelector"] ?? .null).isNull
                ? [namespace] : Set(listed ?? [])
            return AffinityTerm(
                selector: selector, namespaces: namespaces, namespaceSelector: namespaceSelector,
                topologyKey: term["topologyKey"]?.stringValue ?? "", weight: weight)
        }
    }

    /// InterPodAffinity raw scores for the pod's *preferred* `podAffinity` (+weight) and
    /// `podAntiAffinity` (−weight) terms: every existing pod in `cluster` matching a term adds
    /// the weight to the term's topology domain of its node; a candidate scores the sum over
    /// its domains. Returns nil when no existing pod matched any term (the plugin then leaves
    /// all scores at 0 and skips normalisation).
    public static func interPodAffinityScores(
        pod: JSONValue, nodes: [NodeInfo], cluster: [NodeInfo]? = nil
    ) -> [Int64]? {
        let namespace = pod[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let terms =
            weightedTerms(pod, kind: "podAffinity", namespace: namespace).map { ($0, Int64(1)) }
            + weightedTerms(pod, kind: "podAntiAffinity", namespace: namespace).map { ($0, Int64(-1)) }
        if terms.isEmpty { return nil }
        var topology: [String: [String: Int64]] = [:]
        for node in cluster ?? nodes where !node.labels.isEmpty {
            for existing in node.pods {
                for (term, multiplier) in terms {
                    guard term.matches(existing), let value = node.labels[term.topologyKey] else { continue }
                    topology[term.topologyKey, default: [:]][value, default: 0] += term.weight * multiplier
                }
            }
        }
        if topology.isEmpty { return nil }
        return nodes.map { node in
            topology.reduce(Int64(0)) { sum, entry in
                guard let value = node.labels[entry.key] else { return sum }
                return sum + (entry.value[value] ?? 0)
            }
        }
    }

    // MARK: Combined score and selection

    /// Scores the (feasible) `nodes` for `pod`: each plugin's raw scores are normalised across
    /// the nodes, multiplied by the plugin weight and summed. `cluster` is every node (with its
    /// pods) for inter-pod affinity; it defaults to `nodes`.
    public static func score(pod: JSONValue, nodes: [NodeInfo], cluster: [NodeInfo]? = nil)
        -> [NodeScore]
    {
        let affinity = defaultNormalizeScore(nodeAffinityScores(pod: pod, nodes: nodes), reverse: false)
        let taints = defaultNormalizeScore(taintTolerationScores(pod: pod, nodes: nodes), reverse: true)
        let interPod =
            interPodAffinityScores(pod: pod, nodes: nodes, cluster: cluster).map(minMaxNormalize)
            ?? nodes.map { _ in 0 }
        return nodes.indices.map { index in
            let plugins: [String: Int64] = [
                "NodeAffinity": affinity[index] * nodeAffinityWeight,
                "TaintToleration": taints[index] * taintTolerationWeight,
                "InterPodAffinity": interPod[index] * interPodAffinityWeight,
            ]
            return NodeScore(
                name: nodes[index].name, total: plugins.values.reduce(0, +), plugins: plugins)
        }
    }

    /// The highest-scoring node; ties are broken by the scheduler's reservoir sampling (the
    /// k-th tied node replaces the pick with probability 1/k), driven by a SplitMix64 seeded with
    /// `seed` so the choice is deterministic. Nil for an empty list.
    public static func select(scores: [NodeScore], seed: UInt64) -> NodeScore? {
        guard var selected = scores.first else { return nil }
        var generator = SplitMix64(seed: seed)
        var tied = 1
        for candidate in scores.dropFirst() {
            if candidate.total > selected.total {
                selected = candidate
                tied = 1
            } else if candidate.total == selected.total {
                tied += 1
                if generator.next(below: UInt64(tied)) == 0 { selected = candidate }
            }
        }
        return selected
    }

    /// The integer value of a quantity such as `110`, `"110"`, `"1k"` or `"2Ki"`; nil when not
    /// a whole number.
    static func integerQuantity(_ value: JSONValue) -> Int64? {
        if let int = value.intValue { return int }
        guard let text = value.stringValue else { return nil }
        let suffixes: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
            ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ]
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            guard let base = Int64(text.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = base.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return Int64(text)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, seedable, deterministic generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` by rejection sampling; 0 when `bound` is 0.
    public mutating func next(below bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let value = next()
            if value < limit { return value % bound }
        }
    }
}
