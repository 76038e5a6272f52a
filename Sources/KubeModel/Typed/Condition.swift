extension CoreV1 {
    /// A status condition of a pod or a node: `PodCondition` and `NodeCondition` in
    /// `k8s.io/api/core/v1/types.go` carry the fields Roost reads in the same shape.
    public struct Condition: Sendable, Equatable, KubeDecodable {
        public var type: String
        /// `True`, `False` or `Unknown`.
        public var status: String
        public var lastTransitionTime: String?
        public var reason: String
        public var message: String

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(
            type: String = "", status: String = "", lastTransitionTime: String? = nil, reason: String = "",
            message: String = ""
        ) {
            self.type = type
            self.status = status
            self.lastTransitionTime = lastTransitionTime
            self.reason = reason
            self.message = message
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Condition {
            var condition = Condition()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "type": try reader.read(&condition.type)
                case "status": try reader.read(&condition.status)
                case "lastTransitionTime": try reader.read(&condition.lastTransitionTime)
                case "reason": try reader.read(&condition.reason)
                case "message": try reader.read(&condition.message)
                default: break
                }
            }
            return condition
        }
    }

    /// A pod's condition (`Ready`, `PodScheduled`, …).
    public typealias PodCondition = Condition
    /// A node's condition (`Ready`, `MemoryPressure`, …).
    public typealias NodeCondition = Condition
}
