import KubeModel
import KubeRuntime

/// An AgentRuntime (`roost.dev/v1alpha1`, namespaced; SPEC §1): a kind of worker — a pod template
/// with machine presets — and the warm pool Roost keeps of it.
///
/// Decoding reads only the modelled fields and fills every absent one with the default the CRD
/// declares (the server applies the same defaults, but objects from other sources must behave
/// alike). `spec.template` is kept whole as a ``JSONValue`` so every field the user wrote survives.
public struct AgentRuntime: Sendable, Equatable, Cacheable, KubeObject {
    /// `kind` of the object.
    public static let kind = "AgentRuntime"
    /// The resource name in URLs: `/apis/roost.dev/v1alpha1/namespaces/NS/agentruntimes`.
    public static let plural = "agentruntimes"

    /// Name, namespace, generation, and the `roost.dev/last-node` annotation among others.
    public var metadata: ObjectMeta
    /// What a worker is and how many are kept.
    public var spec: Spec
    /// The pool as Roost last counted it.
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
}

// MARK: - Spec

extension AgentRuntime {
    /// `spec`: what a worker is and how many are kept.
    public struct Spec: Sendable, Equatable, KubeDecodable {
        /// The preset of the pool's warm workers when `machine` is absent.
        public static let defaultMachine = MachinePreset.defaultName
        /// Sessions older than this are released when `maxSessionDuration` is absent.
        public static let defaultMaxSessionDuration = GoDuration(nanoseconds: 8 * 3_600_000_000_000)

        /// A full `PodTemplateSpec` (`metadata` and `spec`), kept losslessly.
        public var template: JSONValue
        /// The preset of the pool's warm workers: ``MachinePreset/defaultName`` or a key of `machines`.
        public var machine: String
        /// Named presets: resources applied to the template's first container.
        public var machines: [String: MachinePreset]
        /// The warm pool's size and life cycle.
        public var pool: Pool
        /// Whether new workers prefer the runtime's last node.
        public var nodeStickiness: NodeStickiness
        /// A session older than this is released and marked `Released`; 0 means no limit.
        public var maxSessionDuration: GoDuration
        /// Values of the right JSON type that Roost cannot read (a duration that does not parse),
        /// one line each naming the field: `spec.pool.idleTimeout: invalid duration "5x": ...`.
        /// Decoding does not fail on them — one bad object must not stop an informer's whole list —
        /// the field keeps its default and ``AgentRuntime/usabilityProblem()`` reports the line.
        public var problems: [String]

        /// A spec with the given fields; omitted fields take their defaults (an empty template).
        public init(
            template: JSONValue = .object([:]), machine: String = Spec.defaultMachine,
            machines: [String: MachinePreset] = [:], pool: Pool = Pool(), nodeStickiness: NodeStickiness = NodeStickiness(),
            maxSessionDuration: GoDuration = Spec.defaultMaxSessionDuration, problems: [String] = []
        ) {
            self.template = template
            self.machine = machine
            self.machines = machines
            self.pool = pool
            self.nodeStickiness = nodeStickiness
            self.maxSessionDuration = maxSessionDuration
            self.problems = problems
        }

        /// Reads a spec, filling absent fields with their defaults; see ``problems`` for values that
        /// do not parse.
        /// - Throws: ``JSONSyntaxError`` for malformed JSON or a value of the wrong JSON type.
        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Spec {
            var spec = Spec()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "template": try reader.read(&spec.template)
                case "machine": try reader.read(&spec.machine)
                case "machines":
                    try reader.readObject { name, reader throws(JSONSyntaxError) in
                        let resources = try reader.decode(JSONValue.self)
                        if resources != .null { spec.machines[name.string] = MachinePreset(resources: resources) }
                    }
                case "pool": spec.pool = try Pool.decode(from: &reader, problems: &spec.problems)
                case "nodeStickiness": try reader.read(&spec.nodeStickiness)
                case "maxSessionDuration":
                    try readDuration(
                        &spec.maxSessionDuration, field: "spec.maxSessionDuration", from: &reader, problems: &spec.problems)
                default: break
                }
            }
            return spec
        }

        /// The spec as JSON, every field written (defaults included), `machines` only when not empty.
        public var jsonValue: JSONValue {
            var object: JSONObject = ["template": template, "machine": .string(machine)]
            if !machines.isEmpty {
                var presets = JSONObject()
                for name in machines.keys.sorted() { presets[name] = machines[name]?.resources }
                object["machines"] = .object(presets)
            }
            object["pool"] = pool.jsonValue
            object["nodeStickiness"] = ["enabled": .bool(nodeStickiness.enabled)]
            object["maxSessionDuration"] = .string(maxSessionDuration.shortText)
            return .object(object)
        }
    }

    /// A named machine preset (`spec.machines[name]`): a `ResourceRequirements` object
    /// (`requests`, `limits`, …) set on the first container of workers made with it.
    public struct MachinePreset: Sendable, Equatable {
        /// The preset that needs no entry in `machines`: the template's resources as written.
        public static let defaultName = "default"

        /// The whole preset object, kept losslessly so quantities (`8Gi`, `500m`) and fields Roost
        /// does not model round-trip.
        public var resources: JSONValue

        /// A preset applying `resources`.
        public init(resources: JSONValue) { self.resources = resources }
    }

    /// `spec.pool`: the size and life cycle of the warm pool.
    public struct Pool: Sendable, Equatable {
        /// Default of ``minIdle``.
        public static let defaultMinIdle = 0
        /// Default of ``maxWorkers``.
        public static let defaultMaxWorkers = 100
        /// Default of ``idleTimeout``: five minutes.
        public static let defaultIdleTimeout = GoDuration(nanoseconds: 5 * 60_000_000_000)
        /// Default of ``reuseWorkers``.
        public static let defaultReuseWorkers = true

        /// Idle Ready workers kept warm, >= 0.
        public var minIdle: Int
        /// Cap on live workers of the runtime, >= 1 and >= `minIdle`.
        public var maxWorkers: Int
        /// Idle workers above `minIdle` are reaped after this long; 0 disables the idle-time rule.
        public var idleTimeout: GoDuration
        /// Whether a released worker returns to idle (true) or is deleted (false).
        public var reuseWorkers: Bool

        /// A pool with the given settings; omitted ones take their defaults.
        public init(
            minIdle: Int = Pool.defaultMinIdle, maxWorkers: Int = Pool.defaultMaxWorkers,
            idleTimeout: GoDuration = Pool.defaultIdleTimeout, reuseWorkers: Bool = Pool.defaultReuseWorkers
        ) {
            self.minIdle = minIdle
            self.maxWorkers = maxWorkers
            self.idleTimeout = idleTimeout
            self.reuseWorkers = reuseWorkers
        }

        /// Whether idle workers are reaped for their idle time (`idleTimeout` is not 0).
        public var reapsIdleWorkers: Bool { idleTimeout.nanoseconds > 0 }

        static func decode(from reader: inout JSONReader, problems: inout [String]) throws(JSONSyntaxError) -> Pool {
            var pool = Pool()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "minIdle": try readInt(&pool.minIdle, from: &reader)
                case "maxWorkers": try readInt(&pool.maxWorkers, from: &reader)
                case "idleTimeout":
                    try readDuration(&pool.idleTimeout, field: "spec.pool.idleTimeout", from: &reader, problems: &problems)
                case "reuseWorkers": try reader.read(&pool.reuseWorkers)
                default: break
                }
            }
            return pool
        }

        var jsonValue: JSONValue {
            [
                "minIdle": .int(Int64(minIdle)), "maxWorkers": .int(Int64(maxWorkers)),
                "idleTimeout": .string(idleTimeout.shortText), "reuseWorkers": .bool(reuseWorkers),
            ]
        }
    }

    /// `spec.nodeStickiness`: prefer the node the runtime's last session ran on (SPEC B1, B6).
    public struct NodeStickiness: Sendable, Equatable, KubeDecodable {
        /// Default of ``enabled``: off, so the feature is inert unless turned on.
        public static let defaultEnabled = false

        /// Whether stickiness is on.
        public var enabled: Bool

        /// Stickiness on or off.
        public init(enabled: Bool = NodeStickiness.defaultEnabled) { self.enabled = enabled }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> NodeStickiness {
            var stickiness = NodeStickiness()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key == "enabled" { try reader.read(&stickiness.enabled) }
            }
            return stickiness
        }
    }
}

// MARK: - Status

extension AgentRuntime {
    /// `status`: the pool as Roost last counted it.
    public struct Status: Sendable, Equatable, KubeDecodable {
        /// `metadata.generation` of the spec these counts were made for.
        public var observedGeneration: Int64
        /// Live workers (idle, busy and starting).
        public var workers: Int
        /// Idle Ready workers that can be claimed.
        public var idle: Int
        /// Workers serving a session.
        public var busy: Int
        /// Workers not Ready yet.
        public var starting: Int
        /// `Ready` and any other condition Roost reports (e.g. why workers cannot start).
        public var conditions: [CoreV1.Condition]

        /// A status with the given fields; omitted ones are zero or empty.
        public init(
            observedGeneration: Int64 = 0, workers: Int = 0, idle: Int = 0, busy: Int = 0, starting: Int = 0,
            conditions: [CoreV1.Condition] = []
        ) {
            self.observedGeneration = observedGeneration
            self.workers = workers
            self.idle = idle
            self.busy = busy
            self.starting = starting
            self.conditions = conditions
        }

        public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Status {
            var status = Status()
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                switch key {
                case "observedGeneration": try reader.read(&status.observedGeneration)
                case "workers": try readInt(&status.workers, from: &reader)
                case "idle": try readInt(&status.idle, from: &reader)
                case "busy": try readInt(&status.busy, from: &reader)
                case "starting": try readInt(&status.starting, from: &reader)
                case "conditions": try reader.read(&status.conditions)
                default: break
                }
            }
            return status
        }

        /// The status as JSON with Kubernetes' `omitempty` rules: the four counts always (0 is a
        /// count the printer columns show), `observedGeneration` when set, `conditions` when any.
        public var jsonValue: JSONValue { .object(members(absent: nil)) }

        /// The body of a JSON merge patch (RFC 7386) of the `status` subresource that makes the
        /// stored status equal to this one: like ``jsonValue`` but with `null` for absent fields,
        /// which a merge patch needs to remove what an earlier write set. With `resourceVersion`
        /// the server refuses the patch with 409 Conflict when the object changed meanwhile.
        public func mergePatch(resourceVersion: String? = nil) -> JSONValue {
            statusMergePatch(members(absent: .null), resourceVersion: resourceVersion)
        }

        private func members(absent: JSONValue?) -> JSONObject {
            var object = JSONObject()
            object["observedGeneration"] = observedGeneration == 0 ? absent : .int(observedGeneration)
            object["workers"] = .int(Int64(workers))
            object["idle"] = .int(Int64(idle))
            object["busy"] = .int(Int64(busy))
            object["starting"] = .int(Int64(starting))
            object["conditions"] = conditions.isEmpty ? absent : .array(conditions.map(\.jsonValue))
            return object
        }
    }
}

// MARK: - Schema

extension AgentRuntime {
    /// The `openAPIV3Schema` of the AgentRuntime CRD, from the defaults and limits above.
    static var schema: APISchema {
        .kind(
            "AgentRuntime", "A kind of worker (a pod template with machine presets) and the warm pool Roost keeps of it.",
            spec: Spec.schema, status: Status.schema)
    }
}

extension AgentRuntime.Spec {
    static var schema: APISchema {
        typealias Pool = AgentRuntime.Pool
        return .object(
            "What a worker is and how many are kept.", required: ["template"],
            [
                "template": .preservedObject(
                    "A full PodTemplateSpec (metadata and spec) for workers. Every field is kept as written."),
                "machine": .string(
                    "The machine preset of the pool's warm workers: \"default\" or a key of machines.",
                    default: defaultMachine, minLength: 1),
                "machines": .map(
                    "Named machine presets: resources set on the first container of workers made with one.",
                    values: .preservedObject(
                        "ResourceRequirements applied to the first container.",
                        [
                            "requests": .map("Minimum resources, e.g. cpu: \"4\", memory: 8Gi.", values: .quantity("")),
                            "limits": .map("Maximum resources.", values: .quantity("")),
                        ])),
                "pool": .object(
                    "The size and life cycle of the warm pool.", default: [:],
                    [
                        "minIdle": .integer(
                            "Idle Ready workers kept warm.", default: Pool.defaultMinIdle, minimum: 0),
                        "maxWorkers": .integer(
                            "Cap on live workers of this runtime (at least minIdle).",
                            default: Pool.defaultMaxWorkers, minimum: 1),
                        "idleTimeout": .duration(
                            "Idle workers above minIdle are reaped after this long (Go duration); 0 disables reaping.",
                            default: Pool.defaultIdleTimeout),
                        "reuseWorkers": .boolean(
                            "Whether a released worker returns to idle (true) or is deleted (false).",
                            default: Pool.defaultReuseWorkers),
                    ]),
                "nodeStickiness": .object(
                    "Prefer the node this runtime's last session ran on.", default: [:],
                    [
                        "enabled": .boolean(
                            "Turn stickiness on; off, the feature is inert.",
                            default: AgentRuntime.NodeStickiness.defaultEnabled)
                    ]),
                "maxSessionDuration": .duration(
                    "Sessions older than this are released (Go duration); 0 means no limit.",
                    default: defaultMaxSessionDuration),
            ])
    }
}

extension AgentRuntime.Status {
    static var schema: APISchema {
        .object(
            "The pool as Roost last counted it.",
            [
                "observedGeneration": .integer("The metadata.generation these counts were made for.", minimum: 0),
                "workers": .integer("Live workers: idle, busy and starting.", minimum: 0),
                "idle": .integer("Idle Ready workers that can be claimed.", minimum: 0),
                "busy": .integer("Workers serving a session.", minimum: 0),
                "starting": .integer("Workers not Ready yet.", minimum: 0),
                "conditions": .conditions("Ready, and why workers cannot start when they cannot."),
            ])
    }
}
