import KubeModel

/// The CustomResourceDefinitions (`apiextensions.k8s.io/v1`) of AgentRuntime and AgentSession,
/// generated from the Swift types' schemas (SPEC §1): the manifests in `crds/` are this output,
/// written by `roost crds`, and a test keeps the two equal.
public enum RoostCRDs {
    /// One generated definition and the file it is kept in.
    public struct Definition: Sendable {
        /// The CRD object.
        public var object: JSONValue
        /// `roost.dev_<plural>.yaml`, the controller-gen naming.
        public var fileName: String
    }

    /// The AgentRuntime CRD: short name `art`, printer columns MinIdle, MaxWorkers, Idle, Busy,
    /// Starting, Ready, Reason, Age.
    public static var agentRuntime: Definition {
        definition(
            kind: AgentRuntime.kind, plural: AgentRuntime.plural, shortNames: ["art"], schema: AgentRuntime.schema,
            columns: [
                column("MinIdle", "integer", ".spec.pool.minIdle", "Idle Ready workers kept warm."),
                column("MaxWorkers", "integer", ".spec.pool.maxWorkers", "Cap on live workers."),
                column("Idle", "integer", ".status.idle", "Idle Ready workers now."),
                column("Busy", "integer", ".status.busy", "Workers serving a session now."),
                column("Starting", "integer", ".status.starting", "Workers not Ready yet."),
                column("Ready", "string", #".status.conditions[?(@.type=="Ready")].status"#, "Whether the pool is at minIdle."),
                column("Reason", "string", #".status.conditions[?(@.type=="Ready")].reason"#, "Why it is or is not Ready."),
                column("Age", "date", ".metadata.creationTimestamp", nil),
            ])
    }

    /// The AgentSession CRD: short name `ases`, printer columns Runtime, Phase, Node, Placement,
    /// Reason, Age.
    public static var agentSession: Definition {
        definition(
            kind: AgentSession.kind, plural: AgentSession.plural, shortNames: ["ases"], schema: AgentSession.schema,
            columns: [
                column("Runtime", "string", ".spec.runtimeRef.name", "The AgentRuntime."),
                column("Phase", "string", ".status.phase", "Pending, Starting, Ready, Released or Failed."),
                column("Node", "string", ".status.nodeName", "The node of the bound worker."),
                column("Placement", "string", ".status.placement.kind", "claimed or spawned."),
                column(
                    "Reason", "string", #".status.conditions[?(@.type=="Bound")].reason"#,
                    "Why the session is bound (Claimed, Spawned) or waits (PoolAtCapacity, Unschedulable, ...)."),
                column("Age", "date", ".metadata.creationTimestamp", nil),
            ])
    }

    /// Both definitions, AgentRuntime first.
    public static var all: [Definition] { [agentRuntime, agentSession] }

    /// Both definitions as one multi-document YAML stream, as `roost crds` prints it.
    /// - Throws: ``YAMLError`` if the YAML emitter fails.
    public static func yaml() throws(YAMLError) -> String {
        try YAMLDocument.serialize(all.map(\.object))
    }

    /// One definition as the YAML kept in its file in `crds/`.
    /// - Throws: ``YAMLError`` if the YAML emitter fails.
    public static func yaml(_ definition: Definition) throws(YAMLError) -> String {
        try YAMLDocument.serialize([definition.object])
    }

    private static func column(_ name: String, _ type: String, _ path: String, _ description: String?) -> JSONValue {
        var object: JSONObject = ["name": .string(name), "type": .string(type), "jsonPath": .string(path)]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    private static func definition(
        kind: String, plural: String, shortNames: [String], schema: APISchema, columns: [JSONValue]
    ) -> Definition {
        let singular = kind.lowercased()
        let object: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).\(RoostAPI.group)")],
            "spec": [
                "group": .string(RoostAPI.group),
                "names": [
                    "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                    "singular": .string(singular), "shortNames": .array(shortNames.map { .string($0) }),
                    "categories": ["roost"],
                ],
                "scope": "Namespaced",
                "versions": [
                    [
                        "name": .string(RoostAPI.version),
                        "served": true,
                        "storage": true,
                        "subresources": ["status": [:]],
                        "additionalPrinterColumns": .array(columns),
                        "schema": ["openAPIV3Schema": .object(schema.json)],
                    ]
                ],
            ],
        ]
        return Definition(object: object, fileName: "\(RoostAPI.group)_\(plural).yaml")
    }
}
