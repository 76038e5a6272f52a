extension CoreV1 {
    /// The slim `Node` (`k8s.io/api/core/v1/types.go`): what placement reads.
    public struct Node: Sendable, Equatable, KubeObject {
        public var metadata: ObjectMeta
        public var spec: NodeSpec
        public var status: NodeStatus

        /// An object with every part at its default (what decoding starts from).
        public init() {
            self.init(metadata: ObjectMeta())
        }

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec = NodeSpec(), status: NodeStatus = NodeStatus()) {
            self.metadata = metadata
            self.spec = spec
            self.status = status
        }
    }

    /// The slim `NodeSpec`.
    public struct NodeSpec: Sendable, Equatable, KubeDecodable {
        /// True when the node is cordoned.
        public var unschedulable: Bool
        public var taints: [Taint]

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(unschedulable: Bool = false, taints: [Taint] = []) {
            self.unschedulable = unschedulable
            self.taints = taints
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> NodeSpec {
            var spec = NodeSpec()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "unschedulable": try reader.read(&spec.unschedulable)
                case "taints": try reader.read(&spec.taints)
                default: break
                }
            }
            return spec
        }
    }

    /// A node `Taint`.
    public struct Taint: Sendable, Equatable, KubeDecodable {
        public var key: String
        public var value: String
        /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
        public var effect: String

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(key: String = "", value: String = "", effect: String = "") {
            self.key = key
            self.value = value
            self.effect = effect
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Taint {
            var taint = Taint()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "key": try reader.read(&taint.key)
                case "value": try reader.read(&taint.value)
                case "effect": try reader.read(&taint.effect)
                default: break
                }
            }
            return taint
        }
    }

    /// The slim `NodeStatus`.
    public struct NodeStatus: Sendable, Equatable, KubeDecodable {
        public var conditions: [NodeCondition]
        public var addresses: [NodeAddress]
        /// `status.allocatable.pods`: the pod capacity as a resource quantity string (e.g. `"110"`);
        /// nil when absent.
        public var allocatablePods: String?

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(conditions: [NodeCondition] = [], addresses: [NodeAddress] = [], allocatablePods: String? = nil) {
            self.conditions = conditions
            self.addresses = addresses
            self.allocatablePods = allocatablePods
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> NodeStatus {
            var status = NodeStatus()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "conditions": try reader.read(&status.conditions)
                case "addresses": try reader.read(&status.addresses)
                case "allocatable":
                    try reader.readObject { key, reader throws(JSONSyntaxError) in
                        if key == "pods" { try reader.read(&status.allocatablePods) }
                    }
                default: break
                }
            }
            return status
        }
    }

    /// A `NodeAddress`: `InternalIP`, `ExternalIP`, `Hostname`, ….
    public struct NodeAddress: Sendable, Equatable, KubeDecodable {
        public var type: String
        public var address: String

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(type: String = "", address: String = "") {
            self.type = type
            self.address = address
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> NodeAddress {
            var address = NodeAddress()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "type": try reader.read(&address.type)
                case "address": try reader.read(&address.address)
                default: break
                }
            }
            return address
        }
    }
}
