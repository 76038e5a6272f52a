import KubeModel

extension AgentRuntime {
    /// Why this runtime cannot be used although it passed the CRD schema, or nil when it can.
    ///
    /// The reconciler reports the message on the runtime's and its sessions' conditions
    /// (`InvalidRuntime`) and in an Event. Checked in order, the first problem wins: values that did
    /// not decode (``Spec/problems``), a template that is not a pod template with at least one
    /// container that has a name and an image, pool bounds the schema cannot express
    /// (`minIdle <= maxWorkers`) or that objects from other sources may break, negative durations,
    /// and a `spec.machine` that names no preset.
    public func usabilityProblem() -> String? {
        if let problem = spec.problems.first { return problem }
        if let problem = templateProblem() { return problem }
        let pool = spec.pool
        if pool.minIdle < 0 { return "spec.pool.minIdle is \(pool.minIdle): it must be 0 or more" }
        if pool.maxWorkers < 1 { return "spec.pool.maxWorkers is \(pool.maxWorkers): it must be 1 or more" }
        if pool.minIdle > pool.maxWorkers {
            return "spec.pool.minIdle (\(pool.minIdle)) is greater than spec.pool.maxWorkers (\(pool.maxWorkers)): "
                + "the pool can never hold that many idle workers"
        }
        if pool.idleTimeout.nanoseconds < 0 {
            return "spec.pool.idleTimeout is \(pool.idleTimeout): it must not be negative (0 disables reaping)"
        }
        if spec.maxSessionDuration.nanoseconds < 0 {
            return "spec.maxSessionDuration is \(spec.maxSessionDuration): it must not be negative (0 means no limit)"
        }
        if let problem = machineProblem(spec.machine) { return "spec.machine: \(problem)" }
        return nil
    }

    /// Why `machine` names no preset of this runtime, or nil when it does: ``MachinePreset/defaultName``
    /// always exists, any other name must be a key of `spec.machines`. Used for `spec.machine` and
    /// for a session's own `spec.machine`.
    public func machineProblem(_ machine: String) -> String? {
        if machine == MachinePreset.defaultName || spec.machines[machine] != nil { return nil }
        let known = ([MachinePreset.defaultName] + spec.machines.keys.sorted()).map { "\"\($0)\"" }
        return "machine preset \"\(machine)\" is not defined; this runtime has \(known.joined(separator: ", "))"
    }

    /// The resources a worker of `machine` gets on its first container: the preset's object, or nil
    /// when the preset changes nothing (``MachinePreset/defaultName`` without an entry, or an
    /// unknown name).
    public func resources(forMachine machine: String) -> JSONValue? {
        spec.machines[machine]?.resources
    }

    private func templateProblem() -> String? {
        guard case .object = spec.template else {
            return "spec.template must be a pod template object, not \(spec.template.typeName)"
        }
        guard let containers = spec.template[path: ["spec", "containers"]]?.arrayValue, !containers.isEmpty else {
            return "spec.template.spec.containers is empty: a worker pod needs at least one container"
        }
        for (index, container) in containers.enumerated() {
            let field = "spec.template.spec.containers[\(index)]"
            guard case .object = container else { return "\(field) must be an object, not \(container.typeName)" }
            guard let name = container["name"]?.stringValue, !name.isEmpty else { return "\(field).name is required" }
            guard let image = container["image"]?.stringValue, !image.isEmpty else {
                return "\(field).image is required (container \"\(name)\")"
            }
        }
        return nil
    }
}

extension AgentRuntime {
    /// The value of the `roost.dev/template-hash` label of workers made from this runtime with the
    /// preset `machine`: 16 lower-case hex digits (a valid label value) of the FNV-1a 64-bit hash of
    /// `{"template": spec.template, "resources": preset resources or null}` serialized compactly with
    /// object members sorted by key, so it changes exactly when the template or the preset's
    /// resources change, whatever order the members come in (users' files keep theirs, the API
    /// server sorts them).
    public func templateHash(machine: String) -> String {
        let input: JSONValue = ["template": spec.template, "resources": resources(forMachine: machine) ?? .null]
        return FNV1a.hex64(input.sortedKeys().encoded())
    }
}
