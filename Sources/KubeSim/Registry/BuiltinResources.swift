/// The built-in resources the simulated cluster serves: the ones Roost reads and writes, and the
/// ones a deployment of Roost applies (`kubectl apply -k manifests/`). Names, short names and
/// field labels follow kube-apiserver 1.32 (`pkg/registry/*/storage`, `pkg/apis/core/v1/conversion.go`
/// for the pod and node field labels).
enum BuiltinResources {
    static let all: [ResourceType] = [
        ResourceType(
            group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true,
            shortNames: ["po"], categories: ["all"], subresources: ["status", "binding", "eviction"],
            extraFieldLabels: [
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            ]),
        ResourceType(
            group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false,
            shortNames: ["no"], subresources: ["status"], extraFieldLabels: ["spec.unschedulable"]),
        ResourceType(
            group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
            namespaced: false, shortNames: ["ns"], subresources: ["status"], extraFieldLabels: ["status.phase"]),
        ResourceType(
            group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true,
            shortNames: ["ev"],
            extraFieldLabels: [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ]),
        ResourceType(
            group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
            namespaced: true, shortNames: ["cm"]),
        ResourceType(
            group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true,
            extraFieldLabels: ["type"]),
        ResourceType(
            group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true,
            shortNames: ["svc"], categories: ["all"], subresources: ["status"]),
        ResourceType(
            group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount",
            kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
        ResourceType(
            group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints",
            namespaced: true, shortNames: ["ep"]),
        ResourceType(
            group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
            namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceType(
            group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet",
            namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceType(
            group: "apps", version: "v1", plural: "statefulsets", singular: "statefulset", kind: "StatefulSet",
            namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceType(
            group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset", kind: "DaemonSet",
            namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"]),
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role",
            namespaced: true),
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding",
            kind: "RoleBinding", namespaced: true),
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole",
            kind: "ClusterRole", namespaced: false),
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings",
            singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false),
        ResourceType(
            group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
            kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], subresources: ["status"]),
        ResourceType(
            group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
            namespaced: true),
        ResourceType(
            group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
            namespaced: true, shortNames: ["ev"],
            extraFieldLabels: ["regarding.kind", "regarding.name", "regarding.namespace", "reason", "type"]),
        ResourceType(
            group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
            singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
            shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"]),
    ]

    /// The namespaces every cluster starts with.
    static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
}
