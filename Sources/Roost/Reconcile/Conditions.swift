import KubeModel

extension Array where Element == CoreV1.Condition {
    /// Sets the condition of `type`, keeping its `lastTransitionTime` unless its status changes
    /// (the meta.SetStatusCondition rule of `k8s.io/apimachinery/pkg/api/meta/conditions.go`).
    /// - Parameter now: seconds since the epoch, stamped on a transition.
    mutating func set(_ type: String, status: String, reason: String, message: String, now: Double) {
        if let index = firstIndex(where: { $0.type == type }) {
            var condition = self[index]
            if condition.status != status { condition.lastTransitionTime = Timestamp.rfc3339(now) }
            condition.status = status
            condition.reason = reason
            condition.message = message
            self[index] = condition
        } else {
            var condition = CoreV1.Condition()
            condition.type = type
            condition.status = status
            condition.reason = reason
            condition.message = message
            condition.lastTransitionTime = Timestamp.rfc3339(now)
            append(condition)
        }
    }

    /// The condition of `type`, if present.
    func condition(_ type: String) -> CoreV1.Condition? {
        first { $0.type == type }
    }
}
