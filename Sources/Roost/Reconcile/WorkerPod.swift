import KubeModel

/// Builds the pods Roost creates from an AgentRuntime's template (SPEC §1 "Worker pods", B1).
enum WorkerPod {
    /// Who a new worker is for.
    enum Purpose: Sendable, Equatable {
        /// A warm pool worker: created idle.
        case pool
        /// Spawned for a session: created already busy for it, so no one else ever sees it idle.
        case session(name: String, scheduled: Bool)
    }

    /// The name of the worker spawned for a session: derived from the session's uid and the
    /// template hash, so a create retried after a lost response answers AlreadyExists instead of
    /// making a second worker for the same session, while a replacement made from a new template
    /// (see the session reconciler) gets a name of its own.
    static func spawnedName(runtime: String, sessionUID: String, templateHash: String) -> String {
        let suffix = sessionUID.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(10)
        return "\(runtime.prefix(200))-s-\(suffix)-\(templateHash.prefix(5))"
    }

    /// The pod object for a new worker.
    ///
    /// Metadata: the template's labels and annotations plus Roost's labels (managed-by, runtime,
    /// machine, state, scheduled, template-hash) and, when spawned for a session, the
    /// `roost.dev/session` annotation; `ownerReferences` names the runtime as controller so
    /// deleting the runtime garbage-collects its workers. Spec: the template's spec with the
    /// machine preset's resources set on the first container, then B1's affinity and tolerations.
    /// - Parameters:
    ///   - templateHash: the runtime's hash for `machine` (``AgentRuntime/templateHash(machine:)``).
    ///   - name: the pod name; nil uses `generateName: <runtime>-`.
    /// - Throws: ``MalformedPodTemplate`` when the template has the wrong JSON shape where Roost
    ///   reads or extends it.
    static func make(
        runtime: AgentRuntime, machine: String, templateHash: String, purpose: Purpose, name: String?,
        affinity: AffinityConfiguration
    ) throws(MalformedPodTemplate) -> JSONValue {
        let template = runtime.spec.template
        var metadata: JSONObject = [:]
        if let name {
            metadata["name"] = .string(name)
        } else {
            metadata["generateName"] = .string("\(runtime.metadata.name.prefix(200))-")
        }
        metadata["namespace"] = .string(runtime.metadata.namespace)
        var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
        let scheduled: Bool
        switch purpose {
        case .pool: scheduled = false
        case .session(_, let isScheduled): scheduled = isScheduled
        }
        labels[RoostLabel.managedBy] = .string(RoostLabel.managedByValue)
        labels[RoostLabel.runtime] = .string(runtime.metadata.name)
        labels[RoostLabel.machine] = .string(machine)
        labels[RoostLabel.state] = .string(purpose == .pool ? WorkerState.idle.rawValue : WorkerState.busy.rawValue)
        labels[RoostLabel.scheduled] = .string(scheduled ? "true" : "false")
        labels[RoostLabel.templateHash] = .string(templateHash)
        metadata["labels"] = .object(labels)
        var annotations = template["metadata"]?["annotations"]?.objectValue ?? [:]
        if case .session(let session, _) = purpose { annotations[RoostAnnotation.session] = .string(session) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        metadata["ownerReferences"] = [
            [
                "apiVersion": .string(RoostAPI.apiVersion), "kind": .string(AgentRuntime.kind),
                "name": .string(runtime.metadata.name), "uid": .string(runtime.metadata.uid),
                "controller": true, "blockOwnerDeletion": true,
            ]
        ]

        var spec = template["spec"] ?? .object([:])
        if let resources = runtime.resources(forMachine: machine) {
            guard case .object(var specObject) = spec else {
                throw MalformedPodTemplate(path: "spec.template.spec", expected: "object", found: spec.typeName)
            }
            guard case .array(var containers) = specObject["containers"] ?? .null, !containers.isEmpty,
                case .object(var first) = containers[0]
            else {
                throw MalformedPodTemplate(
                    path: "spec.template.spec.containers", expected: "a non-empty list of containers",
                    found: specObject["containers"]?.typeName ?? "nothing")
            }
            first["resources"] = resources
            containers[0] = .object(first)
            specObject["containers"] = .array(containers)
            spec = .object(specObject)
        }
        let context = SpawnContext(
            scheduled: scheduled, machine: machine, runtimeName: runtime.metadata.name,
            stickinessEnabled: runtime.spec.nodeStickiness.enabled,
            lastNode: runtime.metadata.annotations[RoostAnnotation.lastNode])
        spec = try WorkerAffinity.compose(podSpec: spec, context: context, configuration: affinity)
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": spec]
    }
}
