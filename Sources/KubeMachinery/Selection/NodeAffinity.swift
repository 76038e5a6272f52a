public import KubeModel

/// The operators of a `NodeSelectorRequirement` (`k8s.io/api/core/v1` `NodeSelectorOperator`).
public enum NodeSelectorOperator: String, Sendable, Hashable, CaseIterable {
    case `in` = "In"
    case notIn = "NotIn"
    case exists = "Exists"
    case doesNotExist = "DoesNotExist"
    case greaterThan = "Gt"
    case lessThan = "Lt"
}

/// One node selector term: `matchExpressions` over node labels AND `matchFields` over node fields
/// (only `metadata.name` exists).
///
/// Follows `k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`:
/// expressions become label requirements (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`,
/// validated by `labels.NewRequirement`); fields accept only `In`/`NotIn` with exactly one value.
/// A term with neither expressions nor fields is *empty* and matches no node. A term that failed
/// to parse (`parseErrors` non-empty) matches no node either — the scheduler's lazy behaviour.
public struct NodeSelectorTerm: Sendable, Hashable {
    /// The label part; nil when the term has no `matchExpressions`.
    public let labelSelector: LabelSelector?
    /// The field part; nil when the term has no `matchFields`.
    public let fieldSelector: FieldSelector?
    /// Field-error messages from parsing, e.g.
    /// `nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`.
    public let parseErrors: [String]

    /// True when the term has no expressions and no fields (it then matches no node).
    public var isEmpty: Bool { labelSelector == nil && fieldSelector == nil && parseErrors.isEmpty }

    /// Parses a `v1.NodeSelectorTerm` object; `path` is the rendered field path for errors
    /// (e.g. `nodeSelectorTerms[0]`). Throws only when the JSON has the wrong shape; invalid
    /// operators and values are recorded in `parseErrors`.
    public init(json: JSONValue, path: String?) throws(SelectionError) {
        let location = path ?? "term"
        let expressions = try JSONShape.objectList(
            json["matchExpressions"], path: location + ".matchExpressions")
        let fields = try JSONShape.objectList(json["matchFields"], path: location + ".matchFields")
        var errors: [String] = []
        if expressions.isEmpty {
            labelSelector = nil
        } else {
            var requirements: [LabelSelector.Requirement] = []
            let base = SelectorPath.child(path, "matchExpressions")
            for (index, expression) in expressions.enumerated() {
                let itemPath = SelectorPath.index(base, index)
                let (key, opName, values) = try NodeSelectorTerm.fields(of: expression, path: location)
                let op: LabelSelector.Operator
                switch NodeSelectorOperator(rawValue: opName) {
                case .in: op = .in
                case .notIn: op = .notIn
                case .exists: op = .exists
                case .doesNotExist: op = .doesNotExist
                case .greaterThan: op = .greaterThan
                case .lessThan: op = .lessThan
                case nil:
                    errors.append(
                        NodeSelectorTerm.unsupported(
                            SelectorPath.child(itemPath, "operator"), opName,
                            NodeSelectorOperator.allCases.map(\.rawValue)))
                    continue
                }
                let requirementErrors = LabelSelector.Requirement.validationErrors(
                    key: key, operator: op, values: values, path: itemPath)
                if requirementErrors.isEmpty {
                    requirements.append(LabelSelector.Requirement(unchecked: key, op, values ?? []))
                } else {
                    errors += requirementErrors
                }
            }
            labelSelector = LabelSelector(requirements: requirements)
        }
        if fields.isEmpty {
            fieldSelector = nil
        } else {
            var requirements: [FieldSelector.Requirement] = []
            let base = SelectorPath.child(path, "matchFields")
            for (index, expression) in fields.enumerated() {
                let itemPath = SelectorPath.index(base, index)
                let (key, opName, values) = try NodeSelectorTerm.fields(of: expression, path: location)
                switch NodeSelectorOperator(rawValue: opName) {
                case .in, .notIn:
                    if let values, values.count == 1 {
                        requirements.append(
                            FieldSelector.Requirement(field: key, value: values[0], isNegated: opName == "NotIn"))
                    } else {
                        errors.append(
                            SelectorFieldError(
                                path: SelectorPath.child(itemPath, "values"), type: .invalid, value: .strings(values),
                                detail: "must have one element"
                            ).message)
                    }
                default:
                    errors.append(
                        NodeSelectorTerm.unsupported(
                            SelectorPath.child(itemPath, "operator"), opName, ["In", "NotIn"]))
                }
            }
            fieldSelector = FieldSelector(requirements: requirements)
        }
        parseErrors = errors
    }

    private static func fields(of expression: JSONValue, path: String) throws(SelectionError) -> (
        String, String, [String]?
    ) {
        let key = try JSONShape.string(expression["key"], path: path + ".key") ?? ""
        let op = try JSONShape.string(expression["operator"], path: path + ".operator") ?? ""
        let values = try JSONShape.stringList(expression["values"], path: path + ".values")
        return (key, op, values)
    }

    private static func unsupported(_ path: String, _ value: String, _ supported: [String]) -> String {
        SelectorFieldError(
            path: path, type: .notSupported, value: .string(value),
            detail: "supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
        ).message
    }

    /// True when every expression matches `labels` and every field matches the node's fields
    /// (`metadata.name`; a node without a name skips the field check, as upstream does).
    /// Empty or unparsable terms match nothing.
    public func matches(labels: [String: String], name: String) -> Bool {
        if isEmpty || !parseErrors.isEmpty { return false }
        if let labelSelector, !labelSelector.matches(labels) { return false }
        if let fieldSelector, !name.isEmpty, !fieldSelector.matches(["metadata.name": name]) {
            return false
        }
        return true
    }
}

/// The labels and name of a node object, as node affinity reads them.
public struct NodeIdentity: Sendable, Hashable {
    /// `metadata.name`.
    public var name: String
    /// `metadata.labels`.
    public var labels: [String: String]

    /// Creates an identity.
    public init(name: String, labels: [String: String]) {
        self.name = name
        self.labels = labels
    }

    /// Reads `metadata.name` and `metadata.labels` of a node object (non-string labels ignored).
    public init(node: JSONValue) {
        name = node[path: ["metadata", "name"]]?.stringValue ?? ""
        var labels: [String: String] = [:]
        for member in node[path: ["metadata", "labels"]]?.objectValue?.members ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        self.labels = labels
    }
}

/// A `v1.NodeSelector`: its terms are ORed; a node matches when any non-empty term matches.
public struct NodeSelector: Sendable, Hashable {
    /// The non-empty terms (empty terms are dropped at parse time: they select nothing).
    public let terms: [NodeSelectorTerm]

    /// Parses a `v1.NodeSelector` object (`nodeSelectorTerms`), keeping terms with parse errors
    /// (they match nothing); see `parseErrors`.
    public init(json: JSONValue) throws(SelectionError) {
        let list = try JSONShape.objectList(json["nodeSelectorTerms"], path: "nodeSelectorTerms")
        var terms: [NodeSelectorTerm] = []
        for (index, element) in list.enumerated() {
            let term = try NodeSelectorTerm(
                json: element, path: SelectorPath.index("nodeSelectorTerms", index))
            if !term.isEmpty { terms.append(term) }
        }
        self.terms = terms
    }

    /// All parse errors of all terms, in order.
    public var parseErrors: [String] { terms.flatMap(\.parseErrors) }

    /// True when any term matches.
    public func matches(labels: [String: String], name: String) -> Bool {
        terms.contains { $0.matches(labels: labels, name: name) }
    }
}

/// A pod's hard node constraints: `spec.nodeSelector` AND
/// `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`
/// (`nodeaffinity.GetRequiredNodeAffinity` / `RequiredNodeAffinity.Match`).
public struct RequiredNodeAffinity: Sendable, Hashable {
    /// `spec.nodeSelector` as an equality selector; nil when the map is absent or empty.
    public let nodeSelector: LabelSelector?
    /// The required node selector; nil when the pod has none (then only `nodeSelector` applies).
    /// A present selector with no non-empty terms matches no node.
    public let required: NodeSelector?

    /// Reads a pod object strictly: throws `nodeAffinityInvalid` with the aggregated messages of
    /// `nodeaffinity.NewNodeSelector` when any term is invalid (e.g. `Gt` with a non-integer,
    /// an unknown operator, `matchFields` with `Exists`), and `malformedObject` for JSON of the
    /// wrong shape.
    public init(pod: JSONValue) throws(SelectionError) {
        try self.init(lenientPod: pod)
        if let errors = required?.parseErrors, !errors.isEmpty {
            throw SelectionError(
                kind: .nodeAffinityInvalid,
                input: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
                message: aggregateMessage(errors))
        }
    }

    /// Reads a pod object as the scheduler's Filter does: invalid terms are kept and simply
    /// match no node. Throws only for JSON of the wrong shape.
    public init(lenientPod pod: JSONValue) throws(SelectionError) {
        let selectorMap = try JSONShape.stringMap(
            pod[path: ["spec", "nodeSelector"]], path: "spec.nodeSelector")
        nodeSelector = selectorMap.isEmpty ? nil : LabelSelector(matchingLabels: selectorMap)
        if let json = pod[path: [
            "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
        ]],
            !json.isNull
        {
            required = try NodeSelector(json: json)
        } else {
            required = nil
        }
    }

    /// True when the node's labels satisfy `spec.nodeSelector` and the required terms.
    public func matches(labels: [String: String], name: String) -> Bool {
        if let nodeSelector, !nodeSelector.matches(labels) { return false }
        if let required { return required.matches(labels: labels, name: name) }
        return true
    }

    /// `matches(labels:name:)` for a node object.
    public func matches(node: JSONValue) -> Bool {
        let identity = NodeIdentity(node: node)
        return matches(labels: identity.labels, name: identity.name)
    }
}

/// A pod's `preferredDuringSchedulingIgnoredDuringExecution` node affinity terms
/// (`nodeaffinity.NewPreferredSchedulingTerms`): terms with weight 0 or an empty `preference`
/// are skipped, so an empty preference contributes to no node.
public struct PreferredSchedulingTerms: Sendable, Hashable {
    /// One weighted preference.
    public struct Term: Sendable, Hashable {
        public let weight: Int64
        public let preference: NodeSelectorTerm
    }

    /// The parsed, non-skipped terms (with parse errors removed in lenient mode).
    public let terms: [Term]

    /// Reads a pod object strictly: throws `nodeAffinityInvalid` with all parse errors (paths
    /// like `[0].matchExpressions[0].operator`), as `NewPreferredSchedulingTerms` does.
    public init(pod: JSONValue) throws(SelectionError) {
        let (terms, errors) = try PreferredSchedulingTerms.parse(pod)
        if !errors.isEmpty {
            throw SelectionError(
                kind: .nodeAffinityInvalid,
                input: "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
                message: aggregateMessage(errors))
        }
        self.terms = terms
    }

    /// Reads a pod object, dropping terms that fail to parse (they then score nothing).
    public init(lenientPod pod: JSONValue) throws(SelectionError) {
        terms = try PreferredSchedulingTerms.parse(pod).0
    }

    private static func parse(_ pod: JSONValue) throws(SelectionError) -> ([Term], [String]) {
        let path = "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
        let list = try JSONShape.objectList(
            pod[path: [
                "spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution",
            ]],
            path: path)
        var terms: [Term] = []
        var errors: [String] = []
        for (index, element) in list.enumerated() {
            let weight = element["weight"]?.intValue ?? 0
            guard weight != 0, let preference = element["preference"], !preference.isNull else {
                continue
            }
            let term = try NodeSelectorTerm(json: preference, path: SelectorPath.index(nil, index))
            if term.isEmpty { continue }
            if term.parseErrors.isEmpty {
                terms.append(Term(weight: weight, preference: term))
            } else {
                errors += term.parseErrors
            }
        }
        return (terms, errors)
    }

    /// The sum of the weights of the terms the node matches (`PreferredSchedulingTerms.Score`).
    public func score(labels: [String: String], name: String) -> Int64 {
        terms.reduce(0) { $0 + ($1.preference.matches(labels: labels, name: name) ? $1.weight : 0) }
    }
}
