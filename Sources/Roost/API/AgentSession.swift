import KubeModel
import KubeRuntime

/// An AgentSession (`roost.dev/v1alpha1`, namespaced; SPEC §1): a request for one worker of an
/// AgentRuntime in the same namespace, and where and how fast it got one.
///
/// Decoding fills absent spec fields with the CRD's defaults, as the server does.
public struct AgentSession: Sendable, Equatable, Cacheable, KubeObject {
    /// `kind` of the object.
    public static let kind = "AgentSession"
    /// The resource name in URLs: `/apis/roost.dev/v1alpha1/namespaces/NS/agentsessions`.
    public static let plural = "agentsessions"

    /// Name, namespace, generation and the `roost.dev/release` finalizer among others.
    public var metadata: ObjectMeta
    /// Which runtime, and what started the session.
    public var spec: Spec
    /// The session's progress and its worker.
    public var status: Status

    /// An object with every part at its default (what decoding starts from).
    public init() {
        self.init(metadata: ObjectMeta())
    }

    /// An object with the given parts; omitted parts take their defaults.
    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec = Spec(), status: Status = Status()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The session's condition types.
    public enum ConditionType {
        /// True once a worker is bound; while False its reason says why the session waits
        /// (`PoolAtCapacity`, `Unschedulable`, `RuntimeNotFound`, `InvalidRuntime`).
        public static let bound = "Bound"
        /// True once the bound worker is Ready.
        public static let ready = "Ready"
    }
}

// MARK: - Spec

extension AgentSession {
    /// `spec`: which runtime, and what started the session.
    public struct Spec: Sendable, Equatable, KubeDecodable {
        /// Default of ``triggerSource``.
        public static let defaultTriggerSource = "api"
        /// The only trigger source that makes a session scheduled.
        public static let scheduledTriggerSource = "schedule"

        /// The AgentRuntime (same namespace) to take a worker of.
        public var runtimeRef: RuntimeReference
        /// What started the session: `schedule`, `api`, `sdk`, `dashboard`, …
        public var triggerSource: String
        /// What started the root of the session's tree; when set it wins over `triggerSource`.
        public var rootTriggerSource: String?
        /// The machine preset; nil means the runtime's `spec.machine`.
        public var machine: String?

        /// A spec with the given fields; omitted ones take their defaults.
        public init(
            runtimeRef: RuntimeReference = RuntimeReference(), triggerSource: String = Spec.defaultTriggerSource,
            rootTriggerSource: String? = nil, machine: String? = nil
        ) {
            self.runtimeRef = runtimeRef
            self.triggerSource = triggerSource
            self.rootTriggerSource = rootTriggerSource
            self.machine = machine
        }

        /// Whether the session counts as scheduled work (SPEC B1): its root's trigger source when
        /// one is set, else its own, is `schedule`. Children inherit their root's source.
        public var isScheduled: Bool {
            let source = rootTriggerSource.flatMap { $0.isEmpty ? nil : $0 } ?? triggerSource
            return source == Spec.scheduledTriggerSource
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Spec {
            var spec = Spec()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "runtimeRef": try reader.read(&spec.runtimeRef)
                case "triggerSource": try reader.read(&spec.triggerSource)
                case "rootTriggerSource": try reader.read(&spec.rootTriggerSource)
                case "machine": try reader.read(&spec.machine)
                default: break
                }
            }
            return spec
        }

        /// The spec as JSON; `rootTriggerSource` and `machine` only when set.
        public var jsonValue: JSONValue {
            var object: JSONObject = [
                "runtimeRef": ["name": .string(runtimeRef.name)], "triggerSource": .string(triggerSource),
            ]
            if let rootTriggerSource { object["rootTriggerSource"] = .string(rootTriggerSource) }
            if let machine { object["machine"] = .string(machine) }
            return .object(object)
        }
    }

    /// `spec.runtimeRef`: an AgentRuntime in the session's namespace.
    public struct RuntimeReference: Sendable, Equatable, KubeDecodable {
        /// The AgentRuntime's name.
        public var name: String

        /// A reference to the runtime `name`.
        public init(name: String = "") { self.name = name }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> RuntimeReference {
            var reference = RuntimeReference()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key == "name" { try reader.read(&reference.name) }
            }
            return reference
        }
    }

    /// Whether the session counts as scheduled work; see ``Spec/isScheduled``.
    public var isScheduled: Bool { spec.isScheduled }

    /// The machine preset the session's worker is made with: the session's own `spec.machine`
    /// when set (and not empty), else the runtime's `spec.machine`.
    public func effectiveMachine(runtime: AgentRuntime) -> String {
        if let machine = spec.machine, !machine.isEmpty { return machine }
        return runtime.spec.machine
    }
}

// MARK: - Status

extension AgentSession {
    /// `status.phase`.
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        /// Waiting for a worker.
        case pending = "Pending"
        /// Bound to a worker that is not Ready yet.
        case starting = "Starting"
        /// Its worker is Ready.
        case ready = "Ready"
        /// Its worker was given back (session ended, deleted or past `maxSessionDuration`).
        case released = "Released"
        /// It cannot be served; `message` says why.
        case failed = "Failed"
    }

    /// `status.placement`: how the session got its worker.
    public struct Placement: Sendable, Equatable {
        /// `status.placement.kind`.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// An idle warm worker was claimed.
            case claimed
            /// A new worker was created for the session.
            case spawned
        }

        /// Claimed from the warm pool or spawned.
        public var kind: Kind
        /// Why this worker: `sticky-node`, `pool-match`, `oldest-node`, …
        public var reason: String
        /// Whether the worker's node already had the runtime's caches warm.
        public var warm: Bool

        /// A placement of the given kind.
        public init(kind: Kind, reason: String = "", warm: Bool = false) {
            self.kind = kind
            self.reason = reason
            self.warm = warm
        }

        /// Reads a placement; nil when `kind` is absent or not one Roost writes.
        static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Placement? {
            var kind: String?
            var placement = Placement(kind: .claimed)
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "kind": try reader.read(&kind)
                case "reason": try reader.read(&placement.reason)
                case "warm": try reader.read(&placement.warm)
                default: break
                }
            }
            guard let kind = kind.flatMap(Kind.init(rawValue:)) else { return nil }
            placement.kind = kind
            return placement
        }

        /// The placement as JSON; `reason` only when not empty.
        public var jsonValue: JSONValue {
            var object: JSONObject = ["kind": .string(kind.rawValue)]
            if !reason.isEmpty { object["reason"] = .string(reason) }
            object["warm"] = .bool(warm)
            return .object(object)
        }
    }

    /// `status`: the session's progress, its worker and how long each step took.
    ///
    /// Status is written only by Roost. A `phase` or placement `kind` Roost does not know reads as
    /// nil rather than failing the decode (which would stop the informer's whole list); Roost
    /// then treats the session as not yet handled and writes its status again.
    public struct Status: Sendable, Equatable, KubeDecodable {
        /// nil until Roost first handles the session.
        public var phase: Phase?
        /// The bound worker pod; empty while unbound.
        public var podName: String
        /// The bound worker's node; empty until it is scheduled.
        public var nodeName: String
        /// The bound worker's IP; empty until it has one.
        public var podIP: String
        /// How the worker was found; nil while unbound.
        public var placement: Placement?
        /// Seconds from the session's creation to its worker being bound.
        public var createdToBoundSeconds: Double?
        /// Seconds from the session's creation to its worker being Ready.
        public var createdToReadySeconds: Double?
        /// `Bound` and `Ready` (see ``AgentSession/ConditionType``).
        public var conditions: [CoreV1.Condition]
        /// A clear reason whenever the session waits too long or failed.
        public var message: String
        /// `metadata.generation` this status was written for.
        public var observedGeneration: Int64

        /// A status with the given fields; omitted ones are nil, zero or empty.
        public init(
            phase: Phase? = nil, podName: String = "", nodeName: String = "", podIP: String = "",
            placement: Placement? = nil, createdToBoundSeconds: Double? = nil, createdToReadySeconds: Double? = nil,
            conditions: [CoreV1.Condition] = [], message: String = "", observedGeneration: Int64 = 0
        ) {
            self.phase = phase
            self.podName = podName
            self.nodeName = nodeName
            self.podIP = podIP
            self.placement = placement
            self.createdToBoundSeconds = createdToBoundSeconds
            self.createdToReadySeconds = createdToReadySeconds
            self.conditions = conditions
            self.message = message
            self.observedGeneration = observedGeneration
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Status {
            var status = Status()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "phase": status.phase = try reader.readStringOrNull().flatMap(Phase.init(rawValue:))
                case "podName": try reader.read(&status.podName)
                case "nodeName": try reader.read(&status.nodeName)
                case "podIP": try reader.read(&status.podIP)
                case "placement": status.placement = try Placement.decode(from: &reader)
                case "createdToBoundSeconds": try readDouble(&status.createdToBoundSeconds, from: &reader)
                case "createdToReadySeconds": try readDouble(&status.createdToReadySeconds, from: &reader)
                case "conditions": try reader.read(&status.conditions)
                case "message": try reader.read(&status.message)
                case "observedGeneration": try reader.read(&status.observedGeneration)
                default: break
                }
            }
            return status
        }

        /// The status as JSON with Kubernetes' `omitempty` rules: nil, empty and zero fields are left out.
        public var jsonValue: JSONValue { .object(members(absent: nil)) }

        /// The body of a JSON merge patch (RFC 7386) of the `status` subresource that makes the
        /// stored status equal to this one: like ``jsonValue`` but with `null` for absent fields,
        /// which a merge patch needs to remove what an earlier write set (a released session's
        /// `podName`, say). With `resourceVersion` the server refuses the patch with 409 Conflict
        /// when the session changed meanwhile (SPEC B3).
        public func mergePatch(resourceVersion: String? = nil) -> JSONValue {
            statusMergePatch(members(absent: .null), resourceVersion: resourceVersion)
        }

        private func members(absent: JSONValue?) -> JSONObject {
            func string(_ value: String) -> JSONValue? { value.isEmpty ? absent : .string(value) }
            var object = JSONObject()
            object["phase"] = phase.map { .string($0.rawValue) } ?? absent
            object["podName"] = string(podName)
            object["nodeName"] = string(nodeName)
            object["podIP"] = string(podIP)
            // A merge patch merges nested objects; the whole placement is sent so nothing stale stays.
            object["placement"] =
                placement.map { placement in
                    var value = placement.jsonValue
                    if absent != nil, placement.reason.isEmpty { value["reason"] = .null }
                    return value
                } ?? absent
            object["createdToBoundSeconds"] = createdToBoundSeconds.map(JSONValue.double) ?? absent
            object["createdToReadySeconds"] = createdToReadySeconds.map(JSONValue.double) ?? absent
            object["conditions"] = conditions.isEmpty ? absent : .array(conditions.map(\.jsonValue))
            object["message"] = string(message)
            object["observedGeneration"] = observedGeneration == 0 ? absent : .int(observedGeneration)
            return object
        }
    }
}

// MARK: - Schema

extension AgentSession {
    /// The `openAPIV3Schema` of the AgentSession CRD, from the defaults and enums above.
    static var schema: APISchema {
        .kind(
            "AgentSession", "A request for one worker of an AgentRuntime in the same namespace.", spec: Spec.schema,
            status: Status.schema)
    }
}

extension AgentSession.Spec {
    static var schema: APISchema {
        .object(
            "Which runtime, and what started the session.", required: ["runtimeRef"],
            [
                "runtimeRef": .object(
                    "The AgentRuntime, in the session's namespace, to take a worker of.", required: ["name"],
                    ["name": .string("Name of the AgentRuntime.", minLength: 1)]),
                "triggerSource": .string(
                    "What started the session: schedule, api, sdk, dashboard, ... Only \"schedule\" is scheduled work.",
                    default: defaultTriggerSource),
                "rootTriggerSource": .string(
                    "What started the root of the session's tree; when set it wins over triggerSource."),
                "machine": .string(
                    "The machine preset of the worker; default: the runtime's spec.machine.", minLength: 1),
            ])
    }
}

extension AgentSession.Status {
    static var schema: APISchema {
        typealias Placement = AgentSession.Placement
        return .object(
            "The session's progress, its worker, and how long each step took.",
            [
                "phase": .string(
                    "Where the session is in its life.", values: AgentSession.Phase.allCases.map(\.rawValue)),
                "podName": .string("The bound worker pod."),
                "nodeName": .string("The node of the bound worker."),
                "podIP": .string("The IP of the bound worker."),
                "placement": .object(
                    "How the session got its worker.", required: ["kind"],
                    [
                        "kind": .string(
                            "claimed: an idle warm worker; spawned: a new one.",
                            values: Placement.Kind.allCases.map(\.rawValue)),
                        "reason": .string("Why this worker: sticky-node, pool-match, oldest-node, ..."),
                        "warm": .boolean("Whether the node's caches were already warm for the runtime."),
                    ]),
                "createdToBoundSeconds": .number("Seconds from creation to a bound worker.", minimum: 0),
                "createdToReadySeconds": .number("Seconds from creation to a Ready worker.", minimum: 0),
                "conditions": .conditions("Bound and Ready."),
                "message": .string("A clear reason whenever the session waits too long or failed."),
                "observedGeneration": .integer("The metadata.generation this status was written for.", minimum: 0),
            ])
    }
}
