import KubeClient
import KubeModel

/// Reads and writes the election record in a Lease (`k8s.io/client-go/tools/leaderelection/resourcelock/leaselock.go`).
///
/// Objects are kept as `JSONValue` so a write sends back everything that was read (labels,
/// annotations, owner references, spec fields Roost does not model) with its
/// `metadata.resourceVersion`, which makes every update conditional: a concurrent writer makes it
/// fail with 409 Conflict.
struct LeaseLock: Sendable {
    let client: KubeClient
    let namespace: String
    let name: String

    var description: String { "\(namespace)/\(name)" }

    /// GET the Lease.
    func get() async throws(LeaderElectionError) -> JSONValue {
        do {
            return try await client.get(.leases, namespace: namespace, name: name)
        } catch {
            throw .request(error, operation: "get", lease: description)
        }
    }

    /// POST a new Lease holding `record`.
    func create(_ record: CoordinationV1.LeaseSpec) async throws(LeaderElectionError) -> JSONValue {
        var spec = JSONValue.object(JSONObject())
        record.write(to: &spec)
        let object: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
        ]
        do {
            return try await client.create(.leases, namespace: namespace, object)
        } catch {
            throw .request(error, operation: "create", lease: description)
        }
    }

    /// PUT `base` (a Lease as last read or written, with its resourceVersion) with its spec's
    /// election fields replaced by `record`.
    func update(_ base: JSONValue, _ record: CoordinationV1.LeaseSpec) async throws(LeaderElectionError) -> JSONValue {
        var object = base
        var spec = object["spec"] ?? .object(JSONObject())
        if spec.objectValue == nil { spec = .object(JSONObject()) }
        record.write(to: &spec)
        object["spec"] = spec
        do {
            return try await client.update(.leases, namespace: namespace, object)
        } catch {
            throw .request(error, operation: "update", lease: description)
        }
    }
}

extension CoordinationV1.LeaseSpec {
    /// The election record in `lease.spec` (absent fields stay nil).
    init(lease: JSONValue) {
        let spec = lease["spec"]
        self.init(
            holderIdentity: spec?["holderIdentity"]?.stringValue,
            leaseDurationSeconds: spec?["leaseDurationSeconds"]?.intValue.map { Int32(clamping: $0) },
            acquireTime: spec?["acquireTime"]?.stringValue,
            renewTime: spec?["renewTime"]?.stringValue,
            leaseTransitions: spec?["leaseTransitions"]?.intValue.map { Int32(clamping: $0) })
    }

    /// Sets the five election fields in a spec object, keeping its other members
    /// (client-go's `LeaderElectionRecordToLeaseSpec` sets all of them).
    func write(to spec: inout JSONValue) {
        spec["holderIdentity"] = .string(holderIdentity ?? "")
        spec["leaseDurationSeconds"] = .int(Int64(leaseDurationSeconds ?? 0))
        spec["acquireTime"] = acquireTime.map { .string($0) } ?? .null
        spec["renewTime"] = renewTime.map { .string($0) } ?? .null
        spec["leaseTransitions"] = .int(Int64(leaseTransitions ?? 0))
    }
}

/// Why one attempt to acquire, renew or release the Lease failed.
public enum LeaderElectionError: Error, Sendable, CustomStringConvertible {
    /// A request on the Lease failed; `operation` is get, create or update. A 409 means another
    /// writer changed the Lease first (the race is lost, the next attempt re-reads it).
    case request(KubeError, operation: String, lease: String)
    /// The attempt took longer than its timeout (``LeaderElectionConfig/renewAttemptTimeout``, the
    /// time left before the renew deadline, or ``LeaderElectionConfig/releaseTimeout``), seconds.
    case timedOut(seconds: Double, lease: String)

    /// The operation, the Lease and the cause.
    public var description: String {
        switch self {
        case .request(let error, let operation, let lease): return "\(operation) Lease \(lease): \(error)"
        case .timedOut(let seconds, let lease):
            let rounded = (seconds * 1000).rounded() / 1000
            return "Lease \(lease): attempt timed out after \(rounded) s"
        }
    }

    /// True for a 409 Conflict or AlreadyExists: someone else wrote the Lease first.
    public var isConflict: Bool {
        if case .request(let error, _, _) = self { return error.code == 409 }
        return false
    }

    /// True when the attempt ended because its task was cancelled.
    public var isCancelled: Bool {
        if case .request(let error, _, _) = self { return error.isCancelled }
        return false
    }
}
