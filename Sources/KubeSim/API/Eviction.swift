import KubeMachinery
import KubeModel

/// `POST pods/{name}/eviction`: a pod deletion that respects PodDisruptionBudgets, as
/// `pkg/registry/core/pod/storage/eviction.go` (EvictionREST) does.
///
/// The simulated cluster runs no disruption controller, so a budget's status (desiredHealthy,
/// currentHealthy, disruptionsAllowed) is computed when the eviction arrives, the way
/// `pkg/controller/disruption/disruption.go` would compute it; the expected pod count is the number
/// of selected pods rather than the scale of their controllers.
extension APIServer {
    /// Evicts one pod: checks the Eviction's name, deletes a pending, terminal or terminating pod
    /// at once, refuses with 429 TooManyRequests when the one PodDisruptionBudget selecting the pod
    /// allows no disruption, and otherwise deletes the pod with the Eviction's DeleteOptions.
    /// Answers 201 with a Success Status; 500 when several budgets select the pod.
    func evict(_ type: ResourceType, key: ObjectKey, request: APIRequest) throws(APIError) -> APIResponse {
        let eviction = try decodeBody(request)
        let apiVersion = eviction["apiVersion"]?.stringValue ?? ""
        let kind = eviction["kind"]?.stringValue ?? ""
        guard case .object = eviction, kind.isEmpty || kind == "Eviction",
            ["", "policy/v1", "policy/v1beta1"].contains(apiVersion)
        else {
            throw .badRequest("not a Eviction object: \(apiVersion.isEmpty ? "" : apiVersion + ", ")Kind=\(kind)")
        }
        if let namespace = eviction[path: ["metadata", "namespace"]]?.stringValue, !namespace.isEmpty,
            namespace != key.namespace
        {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        guard eviction[path: ["metadata", "name"]]?.stringValue == key.name else {
            throw .badRequest("name in URL does not match name in Eviction object")
        }
        var options = eviction["deleteOptions"].map(DeleteOptions.init) ?? DeleteOptions()
        if request.parameter("dryRun") == "All" { options.dryRun = true }

        guard let stored = store.get(type.storageKey, key) else { throw .notFound(type, name: key.name) }
        let pod = stored.json
        let phase = pod[path: ["status", "phase"]]?.stringValue ?? ""
        let terminating = pod[path: ["metadata", "deletionTimestamp"]] != nil
        // canIgnorePDB: a terminal, pending or terminating pod has already disrupted nothing more.
        if ["Succeeded", "Failed", "Pending"].contains(phase) || terminating {
            if phase == "Pending", !terminating, options.preconditionResourceVersion == nil {
                options.preconditionResourceVersion = String(stored.resourceVersion)
            }
            _ = try deleteObject(type, key: key, options: options)
            return Self.evictionSuccess
        }

        let budgets = try disruptionBudgets(selecting: stored)
        if budgets.count > 1 {
            throw APIError(
                code: 500, reason: "",
                message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        }
        if let budget = budgets.first {
            let status = try budgetStatus(budget)
            if !Self.isReady(pod), status.currentHealthy >= status.desiredHealthy, status.desiredHealthy > 0 {
                // An unready pod does not count as healthy: evicting it costs the budget nothing,
                // as long as it does not become ready meanwhile.
                if options.preconditionResourceVersion == nil {
                    options.preconditionResourceVersion = String(stored.resourceVersion)
                }
            } else if status.disruptionsAllowed <= 0 {
                let name = budget[path: ["metadata", "name"]]?.stringValue ?? ""
                throw APIError(
                    code: 429, reason: "TooManyRequests",
                    message: "Cannot evict pod as it would violate the pod's disruption budget.",
                    details: [
                        "causes": [
                            [
                                "reason": "DisruptionBudget",
                                "message": .string(
                                    "The disruption budget \(name) needs \(status.desiredHealthy) healthy pods and has \(status.currentHealthy) currently"
                                ),
                            ]
                        ]
                    ])
            }
        }
        _ = try deleteObject(type, key: key, options: options)
        return Self.evictionSuccess
    }

    /// The answer to a successful eviction: `metav1.Status{Status: Success}`, written with the
    /// create handler's 201.
    private static var evictionSuccess: APIResponse {
        .json(
            ["kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Success", "code": 201],
            status: 201)
    }

    /// The PodDisruptionBudgets in the pod's namespace whose non-empty, valid selector matches the
    /// pod's labels (`getPodDisruptionBudgets`).
    private func disruptionBudgets(selecting pod: StoredObject) throws(APIError) -> [JSONValue] {
        guard let budgetType = registry.lookup(group: "policy", version: "v1", plural: "poddisruptionbudgets") else {
            return []
        }
        let budgets: [StoredObject]
        do { budgets = try store.list(budgetType.storageKey, filter: ObjectFilter(namespace: pod.key.namespace)).objects } catch {
            throw .internalError("listing PodDisruptionBudgets failed")
        }
        return budgets.map(\.json).filter { budget in
            guard let selector = Self.budgetSelector(budget), !selector.isEverything else { return false }
            return selector.matches(pod.labels)
        }
    }

    private static func budgetSelector(_ budget: JSONValue) -> LabelSelector? {
        try? LabelSelector(json: budget[path: ["spec", "selector"]] ?? .null)
    }

    /// What the disruption controller would write in a budget's status.
    struct BudgetStatus: Equatable {
        /// Healthy pods the budget requires.
        var desiredHealthy: Int64
        /// Selected pods that are Ready and not terminating.
        var currentHealthy: Int64
        /// Selected pods (the controller uses its controllers' scale).
        var expectedPods: Int64
        /// How many more pods may go.
        var disruptionsAllowed: Int64 { max(0, currentHealthy - desiredHealthy) }
    }

    /// Counts the budget's pods: healthy ones are Ready and not terminating (`countHealthyPods`);
    /// desiredHealthy comes from `minAvailable` or `expected - maxUnavailable`, percentages rounded
    /// up (`getExpectedPodCount`, `intstr.GetScaledValueFromIntOrPercent`).
    func budgetStatus(_ budget: JSONValue) throws(APIError) -> BudgetStatus {
        guard let podType = registry.lookup(group: "", version: "v1", plural: "pods"),
            let selector = Self.budgetSelector(budget)
        else { return BudgetStatus(desiredHealthy: 0, currentHealthy: 0, expectedPods: 0) }
        let namespace = budget[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let pods: [StoredObject]
        do {
            pods = try store.list(
                podType.storageKey,
                filter: ObjectFilter(namespace: namespace) { labels, _ in selector.matches(labels) }
            ).objects
        } catch {
            throw .internalError("listing pods for PodDisruptionBudget failed")
        }
        let expected = Int64(pods.count)
        var healthy: Int64 = 0
        for stored in pods {
            let pod = stored.json
            if pod[path: ["metadata", "deletionTimestamp"]] == nil, Self.isReady(pod) { healthy += 1 }
        }
        var desired: Int64 = 0
        if let maxUnavailable = budget[path: ["spec", "maxUnavailable"]], !maxUnavailable.isNull {
            desired = max(0, expected - Self.scaled(maxUnavailable, total: expected))
        } else if let minAvailable = budget[path: ["spec", "minAvailable"]], !minAvailable.isNull {
            desired = Self.scaled(minAvailable, total: expected)
        }
        return BudgetStatus(desiredHealthy: desired, currentHealthy: healthy, expectedPods: expected)
    }

    /// An IntOrString as a count: an integer as is, "N%" of `total` rounded up, anything else 0.
    static func scaled(_ value: JSONValue, total: Int64) -> Int64 {
        if let number = value.intValue { return number }
        guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return 0 }
        return (percent * total + 99) / 100
    }

    /// `podutil.IsPodReady`: the Ready condition is True.
    static func isReady(_ pod: JSONValue) -> Bool {
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }
}
