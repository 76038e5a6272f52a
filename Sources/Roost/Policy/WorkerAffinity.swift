import KubeModel

/// Who a new worker is spawned for: what SPEC §2 B1 needs besides the runtime's template.
public struct SpawnContext: Sendable, Hashable {
    /// Whether the session is scheduled (its effective trigger source is `schedule`).
    public var scheduled: Bool
    /// The machine preset of the worker, e.g. `default` or `large-2x`.
    public var machine: String
    /// The AgentRuntime's name (the `roost.dev/runtime` label value of its workers).
    public var runtimeName: String
    /// The runtime's `spec.nodeStickiness.enabled`.
    public var stickinessEnabled: Bool
    /// The runtime's `roost.dev/last-node` annotation; nil (or empty) when it has none.
    public var lastNode: String?

    /// Creates a context.
    public init(scheduled: Bool, machine: String, runtimeName: String, stickinessEnabled: Bool, lastNode: String?) {
        self.scheduled = scheduled
        self.machine = machine
        self.runtimeName = runtimeName
        self.stickinessEnabled = stickinessEnabled
        self.lastNode = lastNode
    }
}

/// A runtime's pod template whose affinity or tolerations have the wrong JSON types, so Roost's
/// terms cannot be composed into it, e.g.
/// `spec.template.spec.affinity.nodeAffinity: expected an object, got array`.
public struct MalformedPodTemplate: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path of the offending value from the AgentRuntime, e.g.
    /// `spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1]`.
    public var path: String
    /// What the path must hold: `an object`, `an array`, `a string`, `an integer`.
    public var expected: String
    /// The JSON type found there (``KubeModel/JSONValue/typeName``).
    public var found: String

    /// Creates an error.
    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// `path: expected X, got Y`, as KubeMachinery words shape errors.
    public var description: String { "\(path): expected \(expected), got \(found)" }
}

/// SPEC §2 B1: the affinity and tolerations of a new worker pod, composed from the runtime's
/// template, the spawn context and the ``AffinityConfiguration``. Pure: plain values in, a pod
/// spec out.
///
/// Roost's contributions are appended after the user's own, in this order: large-machine terms,
/// schedule terms, the stickiness term, the runtime pod-affinity term. Everything else in the
/// template is kept as it is, member order included.
public enum WorkerAffinity {
    /// Roost's own contributions for one spawn, before they meet a template.
    public struct Additions: Sendable, Equatable {
        /// `PreferredSchedulingTerm` objects (`{weight, preference: {matchExpressions}}`) in B1 order.
        public var preferredNodeTerms: [JSONValue] = []
        /// `NodeSelectorRequirement` objects (`{key, operator, values}`) every node must satisfy.
        public var requiredNodeExpressions: [JSONValue] = []
        /// `WeightedPodAffinityTerm` objects (`{weight, podAffinityTerm: {labelSelector, topologyKey}}`).
        public var preferredPodAffinityTerms: [JSONValue] = []
        /// Runner tolerations, then (for scheduled sessions) schedule tolerations, duplicates included.
        public var tolerations: [CoreV1.Toleration] = []

        /// Creates empty additions.
        public init() {}
    }

    /// The node label kube-scheduler and kubelets use for a node's name (stickiness, B1).
    public static let hostnameLabel = "kubernetes.io/hostname"

    /// Roost's contributions for `context` under `configuration`:
    /// - large-machine affinity on: a `large-*` preset gets preferred `{largeMachineWeight, KEY In [VALUE]}`,
    ///   any other a required `KEY NotIn [VALUE]`;
    /// - schedule affinity on: a scheduled session gets preferred `{scheduleWeight, KEY In [VALUE]}`,
    ///   any other preferred `{scheduleAntiAffinityWeight, KEY NotIn [VALUE]}`;
    /// - stickiness on with a last node: preferred `{stickinessWeight, kubernetes.io/hostname In [node]}`;
    /// - runtime affinity on: preferred pod affinity to pods labelled `roost.dev/runtime In [name]`
    ///   over `runtimeAffinityTopologyKey`;
    /// - runner tolerations, and schedule tolerations for scheduled sessions.
    public static func additions(for context: SpawnContext, configuration: AffinityConfiguration) -> Additions {
        var additions = Additions()
        let large = configuration.largeMachine
        if large.enabled {
            if AffinityConfiguration.isLargeMachine(context.machine) {
                additions.preferredNodeTerms.append(
                    preferred(configuration.largeMachineWeight, expression(large.labelKey, "In", large.labelValue)))
            } else {
                additions.requiredNodeExpressions.append(expression(large.labelKey, "NotIn", large.labelValue))
            }
        }
        let schedule = configuration.schedule
        if schedule.enabled {
            additions.preferredNodeTerms.append(
                context.scheduled
                    ? preferred(configuration.scheduleWeight, expression(schedule.labelKey, "In", schedule.labelValue))
                    : preferred(
                        configuration.scheduleAntiAffinityWeight,
                        expression(schedule.labelKey, "NotIn", schedule.labelValue)))
        }
        if context.stickinessEnabled, let lastNode = context.lastNode, !lastNode.isEmpty {
            additions.preferredNodeTerms.append(
                preferred(configuration.stickinessWeight, expression(hostnameLabel, "In", lastNode)))
        }
        if configuration.runtimeAffinityEnabled {
            additions.preferredPodAffinityTerms.append([
                "weight": .int(Int64(configuration.runtimeAffinityWeight)),
                "podAffinityTerm": [
                    "labelSelector": [
                        "matchExpressions": [expression(RoostLabel.runtime, "In", context.runtimeName)]
                    ],
                    "topologyKey": .string(configuration.runtimeAffinityTopologyKey),
                ],
            ])
        }
        additions.tolerations = configuration.runnerTolerations
        if context.scheduled { additions.tolerations += configuration.scheduleTolerations }
        return additions
    }

    /// The pod spec of a new worker: `podSpec` (the runtime's `spec.template.spec`) with
    /// ``additions(for:configuration:)`` composed into it.
    ///
    /// - Preferred node and pod-affinity terms are appended after the template's, always (a user's
    ///   identical term does not suppress Roost's, so applying this twice appends them twice).
    /// - A required expression is ANDed into every non-empty `nodeSelectorTerm` of the template,
    ///   after the user's expressions and only when the term does not already hold it; only when
    ///   the template has no required terms is a new term holding just Roost's expressions created.
    ///   A term with neither `matchExpressions` nor `matchFields` (it matches no node) is kept untouched.
    /// - Tolerations: the template's, then runner, then schedule ones; one equal to a toleration
    ///   already in the list (an empty operator counting as `Equal`) is not added again.
    /// - `affinity`, `nodeAffinity`, `podAffinity`, the term lists and `tolerations` are created
    ///   only to hold something; with nothing to add the spec is returned unchanged.
    /// - Throws: ``MalformedPodTemplate`` when a value on a path Roost reads or extends has the
    ///   wrong JSON type (an absent or null value counts as empty).
    public static func compose(
        podSpec: JSONValue, context: SpawnContext, configuration: AffinityConfiguration
    ) throws(MalformedPodTemplate) -> JSONValue {
        try compose(podSpec: podSpec, additions: additions(for: context, configuration: configuration))
    }

    /// ``compose(podSpec:context:configuration:)`` with precomputed additions.
    /// - Throws: ``MalformedPodTemplate`` as ``compose(podSpec:context:configuration:)``.
    public static func compose(podSpec: JSONValue, additions: Additions) throws(MalformedPodTemplate) -> JSONValue {
        var spec = try object(podSpec, at: specPath)
        let addsNodeAffinity = !additions.preferredNodeTerms.isEmpty || !additions.requiredNodeExpressions.isEmpty
        if addsNodeAffinity || !additions.preferredPodAffinityTerms.isEmpty {
            let affinityPath = specPath + ".affinity"
            var affinity = try object(spec["affinity"], at: affinityPath)
            if addsNodeAffinity {
                let path = affinityPath + ".nodeAffinity"
                var nodeAffinity = try object(affinity["nodeAffinity"], at: path)
                if !additions.requiredNodeExpressions.isEmpty {
                    let key = "requiredDuringSchedulingIgnoredDuringExecution"
                    nodeAffinity[key] = try requiring(
                        additions.requiredNodeExpressions, in: nodeAffinity[key], at: path + "." + key)
                }
                if !additions.preferredNodeTerms.isEmpty {
                    let key = "preferredDuringSchedulingIgnoredDuringExecution"
                    let terms = try array(nodeAffinity[key], at: path + "." + key)
                    nodeAffinity[key] = .array(terms + additions.preferredNodeTerms)
                }
                affinity["nodeAffinity"] = .object(nodeAffinity)
            }
            if !additions.preferredPodAffinityTerms.isEmpty {
                let path = affinityPath + ".podAffinity"
                var podAffinity = try object(affinity["podAffinity"], at: path)
                let key = "preferredDuringSchedulingIgnoredDuringExecution"
                let terms = try array(podAffinity[key], at: path + "." + key)
                podAffinity[key] = .array(terms + additions.preferredPodAffinityTerms)
                affinity["podAffinity"] = .object(podAffinity)
            }
            spec["affinity"] = .object(affinity)
        }
        if !additions.tolerations.isEmpty {
            let path = specPath + ".tolerations"
            var tolerations = try array(spec["tolerations"], at: path)
            var present: [ComparableToleration] = []
            for (index, element) in tolerations.enumerated() {
                present.append(try ComparableToleration(json: element, at: "\(path)[\(index)]"))
            }
            let count = tolerations.count
            for toleration in additions.tolerations {
                let comparable = ComparableToleration(toleration)
                guard !present.contains(comparable) else { continue }
                present.append(comparable)
                tolerations.append(json(toleration))
            }
            if tolerations.count != count { spec["tolerations"] = .array(tolerations) }
        }
        return .object(spec)
    }

    /// Where the template's pod spec sits in an AgentRuntime, the root of every error path.
    static let specPath = "spec.template.spec"

    /// ANDs `expressions` into every non-empty term of a `NodeSelector`, or makes the selector's
    /// only term of them when it has no terms.
    private static func requiring(
        _ expressions: [JSONValue], in selector: JSONValue?, at path: String
    ) throws(MalformedPodTemplate) -> JSONValue {
        var selector = try object(selector, at: path)
        let termsPath = path + ".nodeSelectorTerms"
        let terms = try array(selector["nodeSelectorTerms"], at: termsPath)
        if terms.isEmpty {
            selector["nodeSelectorTerms"] = [["matchExpressions": .array(expressions)]]
            return .object(selector)
        }
        var composed: [JSONValue] = []
        for (index, element) in terms.enumerated() {
            let termPath = "\(termsPath)[\(index)]"
            guard case .object(var term) = element else {
                throw MalformedPodTemplate(path: termPath, expected: "an object", found: element.typeName)
            }
            let existing = try array(term["matchExpressions"], at: termPath + ".matchExpressions")
            let fields = try array(term["matchFields"], at: termPath + ".matchFields")
            if existing.isEmpty && fields.isEmpty {
                composed.append(element)
                continue
            }
            var merged = existing
            for expression in expressions where !merged.contains(expression) { merged.append(expression) }
            if merged.count != existing.count { term["matchExpressions"] = .array(merged) }
            composed.append(.object(term))
        }
        selector["nodeSelectorTerms"] = .array(composed)
        return .object(selector)
    }

    private static func object(_ value: JSONValue?, at path: String) throws(MalformedPodTemplate) -> JSONObject {
        switch value {
        case nil, .null?: return JSONObject()
        case .object(let object)?: return object
        case let other?: throw MalformedPodTemplate(path: path, expected: "an object", found: other.typeName)
        }
    }

    private static func array(_ value: JSONValue?, at path: String) throws(MalformedPodTemplate) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let array)?: return array
        case let other?: throw MalformedPodTemplate(path: path, expected: "an array", found: other.typeName)
        }
    }

    private static func expression(_ key: String, _ op: String, _ value: String) -> JSONValue {
        ["key": .string(key), "operator": .string(op), "values": [.string(value)]]
    }

    private static func preferred(_ weight: Int, _ expression: JSONValue) -> JSONValue {
        ["weight": .int(Int64(weight)), "preference": ["matchExpressions": [expression]]]
    }

    /// A toleration as the API writes it: `value` only when set, `tolerationSeconds` only when set.
    private static func json(_ toleration: CoreV1.Toleration) -> JSONValue {
        var object = JSONObject()
        if !toleration.key.isEmpty { object["key"] = .string(toleration.key) }
        if !toleration.operator.isEmpty { object["operator"] = .string(toleration.operator) }
        if !toleration.value.isEmpty { object["value"] = .string(toleration.value) }
        if !toleration.effect.isEmpty { object["effect"] = .string(toleration.effect) }
        if let seconds = toleration.tolerationSeconds { object["tolerationSeconds"] = .int(seconds) }
        return .object(object)
    }

    /// A toleration reduced to what makes two equal: an empty operator is `Equal`, as the API
    /// defaults it.
    private struct ComparableToleration: Equatable {
        var key: String
        var op: String
        var value: String
        var effect: String
        var seconds: Int64?

        init(_ toleration: CoreV1.Toleration) {
            key = toleration.key
            op = toleration.operator.isEmpty ? "Equal" : toleration.operator
            value = toleration.value
            effect = toleration.effect
            seconds = toleration.tolerationSeconds
        }

        init(json: JSONValue, at path: String) throws(MalformedPodTemplate) {
            let object = try WorkerAffinity.object(json, at: path)
            func string(_ key: String) throws(MalformedPodTemplate) -> String {
                switch object[key] {
                case nil, .null?: return ""
                case .string(let string)?: return string
                case let other?: throw MalformedPodTemplate(path: path + "." + key, expected: "a string", found: other.typeName)
                }
            }
            var seconds: Int64?
            switch object["tolerationSeconds"] {
            case nil, .null?: seconds = nil
            case let value?:
                guard let integer = value.intValue else {
                    throw MalformedPodTemplate(
                        path: path + ".tolerationSeconds", expected: "an integer", found: value.typeName)
                }
                seconds = integer
            }
            self.init(
                CoreV1.Toleration(
                    key: try string("key"), operator: try string("operator"), value: try string("value"),
                    effect: try string("effect"), tolerationSeconds: seconds))
        }
    }
}
