extension PatchSchema {
    // Struct tags below are those of k8s.io/api/core/v1/types.go, apps/v1/types.go and
    // batch/v1/types.go. Fields not listed carry no patch metadata: their lists are atomic.

    /// `metav1.ObjectMeta` (k8s.io/apimachinery/pkg/apis/meta/v1/types.go): `finalizers`
    /// `patchStrategy:"merge"` (a set), `ownerReferences` `patchStrategy:"merge" patchMergeKey:"uid"`;
    /// `labels` and `annotations` are maps; `managedFields` is atomic.
    public static let objectMeta = object([
        "finalizers": primitiveSet,
        "ownerReferences": mergeList(key: "uid"),
        "managedFields": atomic,
    ])

    /// `core/v1.Container` (and `EphemeralContainerCommon`): `ports` merge on `containerPort`
    /// (`+listMapKey=containerPort`, `+listMapKey=protocol`), `env` on `name`, `volumeMounts` on
    /// `mountPath`, `volumeDevices` on `devicePath`; `command`, `args`, `envFrom`, `resizePolicy`
    /// are atomic.
    public static let container = object([
        "ports": mergeList(key: "containerPort", mapKeys: ["containerPort", "protocol"]),
        "env": mergeList(key: "name"),
        "volumeMounts": mergeList(key: "mountPath"),
        "volumeDevices": mergeList(key: "devicePath"),
        "command": atomic,
        "args": atomic,
        "envFrom": atomic,
        "resizePolicy": atomic,
    ])

    /// `core/v1.PodSpec`: `volumes` `merge,retainKeys` on `name`; `initContainers`, `containers`,
    /// `ephemeralContainers` merge on `name`; `imagePullSecrets` on `name`; `hostAliases` on `ip`;
    /// `topologySpreadConstraints` on `topologyKey`; `schedulingGates` on `name`; `resourceClaims`
    /// `merge,retainKeys` on `name`; `tolerations` and `readinessGates` are atomic.
    public static let podSpec = object([
        "volumes": mergeList(key: "name", retainKeys: true),
        "initContainers": mergeList(key: "name", of: container),
        "containers": mergeList(key: "name", of: container),
        "ephemeralContainers": mergeList(key: "name", of: container),
        "imagePullSecrets": mergeList(key: "name"),
        "hostAliases": mergeList(key: "ip"),
        "topologySpreadConstraints": mergeList(
            key: "topologyKey", mapKeys: ["topologyKey", "whenUnsatisfiable"]),
        "schedulingGates": mergeList(key: "name"),
        "resourceClaims": mergeList(key: "name", retainKeys: true),
        "tolerations": atomic,
        "readinessGates": atomic,
    ])

    /// `core/v1.PodStatus`: `conditions` merge on `type`, `podIPs` and `hostIPs` on `ip`,
    /// `resourceClaimStatuses` `merge,retainKeys` on `name`; container statuses are atomic.
    public static let podStatus = object([
        "conditions": mergeList(key: "type"),
        "podIPs": mergeList(key: "ip"),
        "hostIPs": mergeList(key: "ip"),
        "resourceClaimStatuses": mergeList(key: "name", retainKeys: true),
        "containerStatuses": atomic,
        "initContainerStatuses": atomic,
        "ephemeralContainerStatuses": atomic,
    ])

    /// `core/v1.Pod`.
    public static let pod = object(["metadata": objectMeta, "spec": podSpec, "status": podStatus])

    /// `core/v1.PodTemplateSpec`: `metadata` and a `PodSpec`.
    public static let podTemplateSpec = object(["metadata": objectMeta, "spec": podSpec])

    /// `core/v1.Node`: `spec.podCIDRs` merged as a set, `spec.taints` atomic; `status.conditions`
    /// and `status.addresses` merge on `type`.
    public static let node = object([
        "metadata": objectMeta,
        "spec": object(["podCIDRs": primitiveSet, "taints": atomic]),
        "status": object([
            "conditions": mergeList(key: "type"),
            "addresses": mergeList(key: "type"),
            "images": atomic,
            "volumesInUse": atomic,
            "volumesAttached": atomic,
        ]),
    ])

    /// `core/v1.Service`: `spec.ports` merge on `port` (`+listMapKey=port`, `+listMapKey=protocol`);
    /// `status.conditions` merge on `type`.
    public static let service = object([
        "metadata": objectMeta,
        "spec": object([
            "ports": mergeList(key: "port", mapKeys: ["port", "protocol"]),
            "clusterIPs": atomic,
            "externalIPs": atomic,
        ]),
        "status": object(["conditions": mergeList(key: "type")]),
    ])

    private static let workloadStatus = object(["conditions": mergeList(key: "type")])

    /// `apps/v1.Deployment`: `spec.template` is a `PodTemplateSpec`, `spec.strategy` has
    /// `patchStrategy:"retainKeys"`, `status.conditions` merge on `type`.
    public static let deployment = object([
        "metadata": objectMeta,
        "spec": object([
            "template": podTemplateSpec,
            "strategy": object([:], retainKeys: true),
        ]),
        "status": workloadStatus,
    ])

    /// `apps/v1.ReplicaSet`, `apps/v1.DaemonSet`, `batch/v1.Job`: a pod template and conditions
    /// merged on `type`.
    public static let podTemplateWorkload = object([
        "metadata": objectMeta,
        "spec": object(["template": podTemplateSpec]),
        "status": workloadStatus,
    ])

    /// `apps/v1.StatefulSet`: a pod template, atomic `volumeClaimTemplates`, conditions on `type`.
    public static let statefulSet = object([
        "metadata": objectMeta,
        "spec": object(["template": podTemplateSpec, "volumeClaimTemplates": atomic]),
        "status": workloadStatus,
    ])

    /// `batch/v1.CronJob`: `spec.jobTemplate.spec.template` is a `PodTemplateSpec`.
    public static let cronJob = object([
        "metadata": objectMeta,
        "spec": object([
            "jobTemplate": object(["metadata": objectMeta, "spec": object(["template": podTemplateSpec])])
        ]),
    ])

    /// `core/v1.ServiceAccount`: `secrets` merge on `name`; `imagePullSecrets` is atomic.
    public static let serviceAccount = object([
        "metadata": objectMeta,
        "secrets": mergeList(key: "name"),
        "imagePullSecrets": atomic,
    ])

    /// `core/v1.Namespace` and `core/v1.PersistentVolumeClaim`: `status.conditions` merge on `type`.
    public static let withStatusConditions = object([
        "metadata": objectMeta,
        "status": object(["conditions": mergeList(key: "type")]),
    ])

    /// Any built-in kind without list patch metadata of its own (ConfigMap, Secret, Event, ...):
    /// only `metadata` is known; `data`-like maps merge by key and all other lists are atomic.
    public static let generic = object(["metadata": objectMeta])

    /// The schema for a built-in kind, or nil when the kind does not support strategic merge patch
    /// (custom resources and unknown kinds: kube-apiserver answers 415 Unsupported Media Type).
    public static func forKind(_ kind: String) -> PatchSchema? {
        switch kind {
        case "Pod": return pod
        case "PodTemplate": return object(["metadata": objectMeta, "template": podTemplateSpec])
        case "Node": return node
        case "Service": return service
        case "Deployment": return deployment
        case "ReplicaSet", "DaemonSet", "Job": return podTemplateWorkload
        case "StatefulSet": return statefulSet
        case "CronJob": return cronJob
        case "ServiceAccount": return serviceAccount
        case "Namespace", "PersistentVolumeClaim": return withStatusConditions
        case "ConfigMap", "Secret", "Event", "Endpoints", "EndpointSlice", "Lease", "PersistentVolume",
            "ResourceQuota", "LimitRange", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
            "Ingress", "IngressClass", "NetworkPolicy", "PriorityClass", "StorageClass",
            "PodDisruptionBudget", "HorizontalPodAutoscaler", "CustomResourceDefinition",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService":
            return generic
        default: return nil
        }
    }
}
