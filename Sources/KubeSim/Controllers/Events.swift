import KubeModel

/// Kubernetes Events written by the simulated cluster's own actors (scheduler, kubelet), as
/// client-go's event recorder writes them (`k8s.io/client-go/tools/record/event.go`): a core/v1
/// Event named `<object>.<unique suffix>` with involvedObject, reason, message, type, source,
/// first/last timestamps and count.
extension APIServer {
    /// Records an Event about a pod (or any namespaced object) from `component`.
    /// Failures are ignored: events are best-effort, as in Kubernetes.
    func recordEvent(
        about object: StoredObject, kind: String, apiVersion: String, type: String, reason: String, message: String,
        component: String, host: String? = nil
    ) {
        guard let eventType = registry.lookup(group: "", version: "v1", plural: "events") else { return }
        let now = Timestamp.now()
        let time = JSONValue.string(Timestamp.rfc3339(now))
        let suffix = String(UInt64(now * 1_000_000_000) & 0xFFFF_FFFF_FFFF, radix: 16)
        let name = "\(object.key.name).\(suffix)"
        var source: JSONObject = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        var event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(object.key.namespace)],
            "involvedObject": [
                "kind": .string(kind), "namespace": .string(object.key.namespace), "name": .string(object.key.name),
                "uid": .string(object.uid), "apiVersion": .string(apiVersion),
                "resourceVersion": .string(String(object.resourceVersion)),
            ],
            "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": .object(source), "firstTimestamp": time, "lastTimestamp": time, "count": 1,
            "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
        ]
        prepareForCreate(eventType, &event, now: now)
        store.update(
            eventType.storageKey, ObjectKey(namespace: object.key.namespace, name: name), kind: "Event", apiVersion: "v1"
        ) {
            current -> (StoreWrite, Void) in current == nil ? (.put(event), ()) : (.none, ())
        }
    }
}
