import KubeModel
import KubeRuntime

extension WorkerSnapshot {
    /// Reads a worker pod's facts from its labels (`roost.dev/*`), annotations, spec and status.
    /// Nil when the pod is not one of Roost's workers: `roost.dev/managed-by` is not `roost`, or
    /// `roost.dev/runtime` is missing, or `roost.dev/state` is neither `idle` nor `busy`.
    /// Malformed `roost.dev/idle-since` or Ready transition times read as unknown (nil).
    public init?(pod: CoreV1.Pod) {
        let labels = pod.metadata.labels
        guard labels[RoostLabel.managedBy] == RoostLabel.managedByValue,
            let runtime = labels[RoostLabel.runtime], !runtime.isEmpty,
            let state = labels[RoostLabel.state].flatMap(WorkerState.init(rawValue:))
        else { return nil }
        let readyCondition = pod.status.conditions.first { $0.type == "Ready" }
        let ready = readyCondition?.status == "True"
        let session = pod.metadata.annotations[RoostAnnotation.session]
        self.init(
            id: ObjectName(pod.metadata),
            uid: pod.metadata.uid,
            resourceVersion: pod.metadata.resourceVersion,
            runtime: runtime,
            machine: labels[RoostLabel.machine] ?? "",
            templateHash: labels[RoostLabel.templateHash] ?? "",
            state: state,
            session: session?.isEmpty == false ? session : nil,
            nodeName: pod.spec.nodeName,
            ready: ready,
            readySince: ready ? readyCondition?.lastTransitionTime.flatMap(Timestamp.parse) : nil,
            idleSince: pod.metadata.annotations[RoostAnnotation.idleSince].flatMap(Timestamp.parse),
            terminating: pod.metadata.deletionTimestamp != nil || pod.status.phase == "Succeeded"
                || pod.status.phase == "Failed",
            tolerations: pod.spec.tolerations,
            scheduled: labels[RoostLabel.scheduled] == "true")
    }
}

extension NodeSnapshot {
    /// Reads a node's name, labels, `spec.unschedulable`, `spec.taints` and whether its `Ready`
    /// condition is `True` (a node without one is not Ready, as the node lifecycle controller treats it).
    public init(node: CoreV1.Node) {
        self.init(
            name: node.metadata.name,
            labels: node.metadata.labels,
            unschedulable: node.spec.unschedulable,
            ready: node.status.conditions.contains { $0.type == "Ready" && $0.status == "True" },
            taints: node.spec.taints)
    }
}
