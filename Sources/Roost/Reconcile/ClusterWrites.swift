import KubeClient
import KubeModel
import KubeRuntime

/// Why a write was not made.
public enum WriteError: Error, Sendable, CustomStringConvertible {
    /// This replica's leadership term has ended: no write may be sent (B9).
    case leadershipLost(LeadershipLostError)
    /// The API server refused or the request failed.
    case api(KubeError)
    /// The write did not finish within its own timeout (seconds).
    case timedOut(Double)

    /// 409 Conflict: the object changed since the resourceVersion the write carried.
    public var isConflict: Bool {
        if case .api(let error) = self { return error.isConflict }
        return false
    }

    /// 404: the object is gone.
    public var isNotFound: Bool {
        if case .api(let error) = self { return error.isNotFound }
        return false
    }

    public var description: String {
        switch self {
        case .leadershipLost(let error): return "\(error)"
        case .api(let error): return "\(error)"
        case .timedOut(let seconds): return "timed out after \(seconds) s"
        }
    }
}

/// Every write Roost makes to the cluster, each one a patch of only the fields Roost owns
/// against the current object, never a PUT of a cached copy (SPEC B3), and each refused once
/// the leadership term has ended (B9). Claims, releases and session status carry the
/// resourceVersion they were judged on, so a concurrent change answers 409 instead of being
/// overwritten.
public struct ClusterWrites: Sendable {
    /// The AgentRuntime resource.
    public static let agentRuntimes = ResourceDescriptor(
        group: RoostAPI.group, version: RoostAPI.version, plural: AgentRuntime.plural, namespaced: true,
        kind: AgentRuntime.kind)
    /// The AgentSession resource.
    public static let agentSessions = ResourceDescriptor(
        group: RoostAPI.group, version: RoostAPI.version, plural: AgentSession.plural, namespaced: true,
        kind: AgentSession.kind)

    let client: KubeClient
    let term: LeadershipTerm

    public init(client: KubeClient, term: LeadershipTerm) {
        self.client = client
        self.term = term
    }

    /// Binds an idle worker to a session: labels it busy and names the session, in one merge
    /// patch preconditioned on the worker's `resourceVersion` (409 when it changed: someone else
    /// claimed it, or it is no longer the worker that was judged idle).
    /// - Returns: the pod as stored after the claim.
    public func claim(
        worker: ObjectName, resourceVersion: String, session: String, scheduled: Bool
    ) async throws(WriteError) -> CoreV1.Pod {
        let patch: JSONValue = [
            "metadata": [
                "resourceVersion": .string(resourceVersion),
                "labels": [
                    .init(stringLiteral: RoostLabel.state): .string(WorkerState.busy.rawValue),
                    .init(stringLiteral: RoostLabel.scheduled): .string(scheduled ? "true" : "false"),
                ],
                "annotations": [
                    .init(stringLiteral: RoostAnnotation.session): .string(session),
                    .init(stringLiteral: RoostAnnotation.idleSince): .null,
                ],
            ]
        ]
        return try await send { () async throws(KubeError) in
            try await client.patch(CoreV1.Pod.self, .pods, namespace: worker.namespace, name: worker.name, .merge(patch))
        }
    }

    /// Returns a busy worker to the pool: idle, not scheduled, no session, idle since `now`
    /// (seconds since the epoch), preconditioned on `resourceVersion`. `roost.dev/idle-since` has
    /// whole seconds (metav1.Time's format) rounded up, so the reaper may keep a worker up to a
    /// second past its idleTimeout but never reaps it early.
    public func releaseToIdle(worker: ObjectName, resourceVersion: String, now: Double) async throws(WriteError) {
        let patch: JSONValue = [
            "metadata": [
                "resourceVersion": .string(resourceVersion),
                "labels": [
                    .init(stringLiteral: RoostLabel.state): .string(WorkerState.idle.rawValue),
                    // The label names the kind of session served; an idle worker serves none.
                    .init(stringLiteral: RoostLabel.scheduled): "false",
                ],
                "annotations": [
                    .init(stringLiteral: RoostAnnotation.session): .null,
                    .init(stringLiteral: RoostAnnotation.idleSince): .string(Timestamp.rfc3339(now.rounded(.up))),
                ],
            ]
        ]
        _ = try await send { () async throws(KubeError) in
            try await client.patch(.pods, namespace: worker.namespace, name: worker.name, .merge(patch))
        }
    }

    /// Deletes a worker with preconditions: the uid, and when given the resourceVersion that was
    /// judged (a worker claimed meanwhile answers 409 and survives, B5).
    public func deleteWorker(_ worker: ObjectName, uid: String, resourceVersion: String?) async throws(WriteError) {
        var options = DeleteOptions()
        options.uid = uid
        options.resourceVersion = resourceVersion
        _ = try await send { () async throws(KubeError) in
            try await client.delete(.pods, namespace: worker.namespace, name: worker.name, options: options)
        }
    }

    /// Creates a worker pod.
    /// - Returns: the stored pod (with its generated name, when `metadata.generateName` was used).
    public func createWorker(_ pod: JSONValue, namespace: String) async throws(WriteError) -> CoreV1.Pod {
        try await send { () async throws(KubeError) in try await client.create(CoreV1.Pod.self, .pods, namespace: namespace, pod)
        }
    }

    /// Sets a session's finalizers, preconditioned on its `resourceVersion`.
    /// - Returns: the session as stored.
    public func setFinalizers(
        session: ObjectName, _ finalizers: [String], resourceVersion: String
    ) async throws(WriteError) -> JSONValue {
        let patch: JSONValue = [
            "metadata": ["resourceVersion": .string(resourceVersion), "finalizers": .array(finalizers.map(JSONValue.string))]
        ]
        return try await send { () async throws(KubeError) in
            try await client.patch(Self.agentSessions, namespace: session.namespace, name: session.name, .merge(patch))
        }
    }

    /// Merge-patches a session's status subresource with `patch` (`{"status": ...}`, with
    /// `metadata.resourceVersion` when the write must not overwrite a change it did not see).
    /// - Returns: the session as stored.
    public func patchSessionStatus(session: ObjectName, _ patch: JSONValue) async throws(WriteError) -> JSONValue {
        try await send { () async throws(KubeError) in
            try await client.patch(
                Self.agentSessions, namespace: session.namespace, name: session.name, .merge(patch), subresource: "status")
        }
    }

    /// Merge-patches a runtime's status subresource with `patch` (`{"status": ...}`; Roost is
    /// the status's only writer).
    public func patchRuntimeStatus(runtime: ObjectName, _ patch: JSONValue) async throws(WriteError) {
        _ = try await send { () async throws(KubeError) in
            try await client.patch(
                Self.agentRuntimes, namespace: runtime.namespace, name: runtime.name, .merge(patch), subresource: "status")
        }
    }

    /// Writes `roost.dev/last-node` on a runtime (B6): a JSON merge patch holding only that
    /// annotation and no resourceVersion, so it never conflicts with a user's concurrent edit,
    /// bounded by its own `timeout` seconds.
    public func writeLastNode(runtime: ObjectName, node: String, timeout: Double = 5) async throws(WriteError) {
        let patch: JSONValue = ["metadata": ["annotations": [.init(stringLiteral: RoostAnnotation.lastNode): .string(node)]]]
        let client = client
        try checkTerm()
        let outcome = await withTaskGroup(of: Result<Void, WriteError>?.self) { group in
            group.addTask {
                do {
                    _ = try await client.patch(
                        Self.agentRuntimes, namespace: runtime.namespace, name: runtime.name, .merge(patch))
                    return .success(())
                } catch let error as KubeError {
                    return .failure(.api(error))
                } catch {
                    return .failure(.timedOut(timeout))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                return Task.isCancelled ? nil : .failure(.timedOut(timeout))
            }
            var first: Result<Void, WriteError> = .failure(.timedOut(timeout))
            if let next = await group.next(), let result = next { first = result }
            group.cancelAll()
            return first
        }
        try outcome.get()
    }

    private func checkTerm() throws(WriteError) {
        do { try term.checkValid() } catch { throw .leadershipLost(error) }
    }

    private func send<Result>(_ body: () async throws(KubeError) -> Result) async throws(WriteError) -> Result {
        try checkTerm()
        do { return try await body() } catch { throw .api(error) }
    }
}
