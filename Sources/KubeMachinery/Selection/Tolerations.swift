public import KubeModel

/// A node taint (`v1.Taint`): `key`, `value` and `effect` (`NoSchedule`, `PreferNoSchedule`,
/// `NoExecute`; kept as a string so unknown effects survive).
public struct Taint: Sendable, Hashable, CustomStringConvertible {
    public static let noSchedule = "NoSchedule"
    public static let preferNoSchedule = "PreferNoSchedule"
    public static let noExecute = "NoExecute"

    public var key: String
    public var value: String
    public var effect: String

    /// Creates a taint.
    public init(key: String, value: String = "", effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    /// `{key: value}`, the form the scheduler's filter message uses.
    public var description: String { "{\(key): \(value)}" }

    /// The taints of a node object (`spec.taints`); empty when absent.
    public static func list(node: JSONValue) throws(SelectionError) -> [Taint] {
        var taints: [Taint] = []
        for (index, item) in try JSONShape.objectList(
            node[path: ["spec", "taints"]], path: "spec.taints"
        ).enumerated() {
            let path = "spec.taints[\(index)]"
            taints.append(
                Taint(
                    key: try JSONShape.string(item["key"], path: path + ".key") ?? "",
                    value: try JSONShape.string(item["value"], path: path + ".value") ?? "",
                    effect: try JSONShape.string(item["effect"], path: path + ".effect") ?? ""))
        }
        return taints
    }

    /// `v1helper.FindMatchingUntoleratedTaint` with the scheduler's `DoNotScheduleTaintsFilterFunc`:
    /// the first `NoSchedule` or `NoExecute` taint no toleration tolerates, or nil.
    /// `PreferNoSchedule` taints never block scheduling.
    public static func firstUntolerated(taints: [Taint], tolerations: [Toleration]) -> Taint? {
        taints.first { taint in
            (taint.effect == noSchedule || taint.effect == noExecute)
                && !tolerations.contains { $0.tolerates(taint) }
        }
    }
}

/// A pod toleration (`v1.Toleration`).
public struct Toleration: Sendable, Hashable {
    public var key: String
    /// `Equal` (also when empty), `Exists`, or the alpha numeric operators `Gt`/`Lt`.
    public var `operator`: String
    public var value: String
    /// Empty matches every effect.
    public var effect: String
    /// Only relevant for eviction by the taint manager; ignored for scheduling.
    public var tolerationSeconds: Int64?

    /// Creates a toleration.
    public init(
        key: String = "", operator op: String = "", value: String = "", effect: String = "",
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = op
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// `Toleration.ToleratesTaint` (`k8s.io/api/core/v1/toleration.go`): an empty effect matches
    /// all effects; an empty key matches all keys; `Exists` ignores the value; `Equal` (or empty)
    /// compares values; `Gt`/`Lt` compare the taint's integer value with the toleration's
    /// (false when either is not an integer); any other operator tolerates nothing.
    public func tolerates(_ taint: Taint) -> Bool {
        if !effect.isEmpty && effect != taint.effect { return false }
        if !key.isEmpty && key != taint.key { return false }
        switch self.operator {
        case "", "Equal": return value == taint.value
        case "Exists": return true
        case "Gt", "Lt":
            guard let bound = Int64(value), let actual = Int64(taint.value) else { return false }
            return self.operator == "Gt" ? actual > bound : actual < bound
        default: return false
        }
    }

    /// The tolerations of a pod object (`spec.tolerations`); empty when absent.
    public static func list(pod: JSONValue) throws(SelectionError) -> [Toleration] {
        var tolerations: [Toleration] = []
        let items = try JSONShape.objectList(
            pod[path: ["spec", "tolerations"]], path: "spec.tolerations")
        for (index, item) in items.enumerated() {
            let path = "spec.tolerations[\(index)]"
            tolerations.append(
                Toleration(
                    key: try JSONShape.string(item["key"], path: path + ".key") ?? "",
                    operator: try JSONShape.string(item["operator"], path: path + ".operator") ?? "",
                    value: try JSONShape.string(item["value"], path: path + ".value") ?? "",
                    effect: try JSONShape.string(item["effect"], path: path + ".effect") ?? "",
                    tolerationSeconds: item["tolerationSeconds"]?.intValue))
        }
        return tolerations
    }
}
