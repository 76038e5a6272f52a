/// Types of the `coordination.k8s.io/v1` API group (`k8s.io/api/coordination/v1/types.go`).
public enum CoordinationV1 {}

extension CoordinationV1 {
    /// A `Lease` (`k8s.io/api/coordination/v1/types.go`), used for leader election.
    public struct Lease: Sendable, Equatable, KubeDecodable {
        public var metadata: ObjectMeta
        public var spec: LeaseSpec

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec = LeaseSpec()) {
            self.metadata = metadata
            self.spec = spec
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Lease {
            var lease = Lease()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "metadata": try reader.read(&lease.metadata)
                case "spec": try reader.read(&lease.spec)
                default: break
                }
            }
            return lease
        }
    }

    /// The `LeaseSpec`. Times are `MicroTime` strings: RFC 3339 with microseconds,
    /// `"2026-09-21T10:14:01.123456Z"`. Every field is optional, as in Go (pointers).
    public struct LeaseSpec: Sendable, Equatable, KubeDecodable {
        /// Identity of the current holder.
        public var holderIdentity: String?
        /// Seconds a candidate must wait after the last renewal before taking the lease.
        public var leaseDurationSeconds: Int32?
        public var acquireTime: String?
        public var renewTime: String?
        /// How many times the lease changed holders.
        public var leaseTransitions: Int32?

        /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
        public init(
            holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: String? = nil,
            renewTime: String? = nil, leaseTransitions: Int32? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> LeaseSpec {
            var spec = LeaseSpec()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "holderIdentity": try reader.read(&spec.holderIdentity)
                case "leaseDurationSeconds": try reader.read(&spec.leaseDurationSeconds)
                case "acquireTime": try reader.read(&spec.acquireTime)
                case "renewTime": try reader.read(&spec.renewTime)
                case "leaseTransitions": try reader.read(&spec.leaseTransitions)
                default: break
                }
            }
            return spec
        }
    }
}
