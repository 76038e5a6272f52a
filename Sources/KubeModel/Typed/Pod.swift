/// Types of the core API group, version v1 (`k8s.io/api/core/v1/types.go`), as Go's `corev1`
/// package names them. They live in this namespace so `CoreV1.Node`, `CoreV1.Taint` and
/// `CoreV1.Toleration` do not collide with Yams' `Node` or KubeMachinery's scheduling types;
/// code that wants the short names can declare `typealias Pod = CoreV1.Pod`.
public enum CoreV1 {}

extension CoreV1 {
    /// The slim `Pod` (`k8s.io/api/core/v1/types.go`) Roost caches: what placement, the warm pool
    /// and status tracking read. Everything else in the object is skipped while decoding.
    public struct Pod: Sendable, Equatable, KubeObject {
        public var metadata: ObjectMeta
        public var spec: PodSpec
        public var status: PodStatus

        /// An object with every part at its default (what decoding starts from).
        public init() {
            self.init(metadata: ObjectMeta())
        }

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec(), status: PodStatus = PodStatus()) {
            self.metadata = metadata
            self.spec = spec
            self.status = status
        }
    }

    /// The slim `PodSpec`.
    public struct PodSpec: Sendable, Equatable, KubeDecodable {
        /// The node the pod is bound to; empty while unscheduled.
        public var nodeName: String
        public var schedulerName: String
        public var containers: [Container]
        public var tolerations: [Toleration]
        public var nodeSelector: [String: String]
        /// Resolved priority from the pod's PriorityClass; nil when absent.
        public var priority: Int32?

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(
            nodeName: String = "", schedulerName: String = "", containers: [Container] = [],
            tolerations: [Toleration] = [], nodeSelector: [String: String] = [:], priority: Int32? = nil
        ) {
            self.nodeName = nodeName
            self.schedulerName = schedulerName
            self.containers = containers
            self.tolerations = tolerations
            self.nodeSelector = nodeSelector
            self.priority = priority
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> PodSpec {
            var spec = PodSpec()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "containers": try reader.read(&spec.containers)
                case "tolerations": try reader.read(&spec.tolerations)
                case "nodeName": try reader.read(&spec.nodeName)
                case "schedulerName": try reader.read(&spec.schedulerName)
                case "nodeSelector": try reader.read(&spec.nodeSelector)
                case "priority": try reader.read(&spec.priority)
                default: break
                }
            }
            return spec
        }
    }

    /// The slim `Container`: its name and image.
    public struct Container: Sendable, Equatable, KubeDecodable {
        public var name: String
        public var image: String

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(name: String = "", image: String = "") {
            self.name = name
            self.image = image
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Container {
            var container = Container()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "name": try reader.read(&container.name)
                case "image": try reader.read(&container.image)
                default: break
                }
            }
            return container
        }
    }

    /// A pod's `Toleration` of node taints.
    public struct Toleration: Sendable, Equatable, KubeDecodable {
        /// Taint key matched; empty with operator `Exists` means every taint.
        public var key: String
        /// `Equal` (the default when empty) or `Exists`.
        public var `operator`: String
        public var value: String
        /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`, or empty for all effects.
        public var effect: String
        /// For `NoExecute`: seconds the pod stays bound after the taint appears; nil = forever.
        public var tolerationSeconds: Int64?

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(
            key: String = "", operator: String = "", value: String = "", effect: String = "",
            tolerationSeconds: Int64? = nil
        ) {
            self.key = key
            self.operator = `operator`
            self.value = value
            self.effect = effect
            self.tolerationSeconds = tolerationSeconds
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Toleration {
            var toleration = Toleration()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "key": try reader.read(&toleration.key)
                case "operator": try reader.read(&toleration.operator)
                case "value": try reader.read(&toleration.value)
                case "effect": try reader.read(&toleration.effect)
                case "tolerationSeconds": try reader.read(&toleration.tolerationSeconds)
                default: break
                }
            }
            return toleration
        }
    }

    /// The slim `PodStatus`. Times are RFC 3339 strings.
    public struct PodStatus: Sendable, Equatable, KubeDecodable {
        /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`, or empty.
        public var phase: String
        public var podIP: String
        public var hostIP: String
        public var startTime: String?
        public var reason: String
        public var message: String
        public var conditions: [PodCondition]
        public var containerStatuses: [ContainerStatus]

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(
            phase: String = "", podIP: String = "", hostIP: String = "", startTime: String? = nil, reason: String = "",
            message: String = "", conditions: [PodCondition] = [], containerStatuses: [ContainerStatus] = []
        ) {
            self.phase = phase
            self.podIP = podIP
            self.hostIP = hostIP
            self.startTime = startTime
            self.reason = reason
            self.message = message
            self.conditions = conditions
            self.containerStatuses = containerStatuses
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> PodStatus {
            var status = PodStatus()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "phase": try reader.read(&status.phase)
                case "conditions": try reader.read(&status.conditions)
                case "hostIP": try reader.read(&status.hostIP)
                case "podIP": try reader.read(&status.podIP)
                case "startTime": try reader.read(&status.startTime)
                case "containerStatuses": try reader.read(&status.containerStatuses)
                case "reason": try reader.read(&status.reason)
                case "message": try reader.read(&status.message)
                default: break
                }
            }
            return status
        }
    }

    /// The slim `ContainerStatus`.
    public struct ContainerStatus: Sendable, Equatable, KubeDecodable {
        public var name: String
        /// Whether the container passes its readiness probe.
        public var ready: Bool
        public var restartCount: Int32
        /// Whether the container has started (passed its startup probe); nil when absent.
        public var started: Bool?

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(name: String = "", ready: Bool = false, restartCount: Int32 = 0, started: Bool? = nil) {
            self.name = name
            self.ready = ready
            self.restartCount = restartCount
            self.started = started
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> ContainerStatus {
            var status = ContainerStatus()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "name": try reader.read(&status.name)
                case "ready": try reader.read(&status.ready)
                case "restartCount": try reader.read(&status.restartCount)
                case "started": try reader.read(&status.started)
                default: break
                }
            }
            return status
        }
    }
}
