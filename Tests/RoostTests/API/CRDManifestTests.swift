import Foundation
import KubeMachinery
import KubeModel
import Roost
import Testing

/// The generated CRDs: equal to the committed manifests, valid definitions, and consistent with
/// the Swift types' decoders and encoders (the same field names, defaults and enums).
@Suite struct CRDManifestTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: RoostCRDs.all.map(\.fileName))
    func committedManifestEqualsTheGeneratorsOutput(fileName: String) throws {
        let definition = try #require(RoostCRDs.all.first { $0.fileName == fileName })
        let file = Self.repositoryRoot.appendingPathComponent("crds").appendingPathComponent(fileName)
        let committed = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        #expect(
            committed == (try RoostCRDs.yaml(definition)),
            "crds/\(fileName) is out of date: run `swift run roost crds --output-dir crds` and commit the result")
    }

    @Test func theStreamHoldsBothDefinitionsAndReadsBackExactly() throws {
        let documents = try YAMLDocument.parseAll(Array(try RoostCRDs.yaml().utf8))
        #expect(documents == RoostCRDs.all.map(\.object))
        #expect(documents.map { $0[path: ["metadata", "name"]] } == ["agentruntimes.roost.dev", "agentsessions.roost.dev"])
    }

    @Test(arguments: RoostCRDs.all.map(\.fileName))
    func definitionsAreValidAndStructural(fileName: String) throws {
        let definition = try #require(RoostCRDs.all.first { $0.fileName == fileName })
        let crd = CRDValidation(definition.object)
        #expect(crd.validate().map(\.description) == [])
        #expect(crd.scope == "Namespaced")
        #expect(crd.names.categories == ["roost"])
        let version = try #require(crd.versions.first)
        #expect(version.name == "v1alpha1")
        #expect(version.statusSubresource)
        #expect(version.schemaError == nil)
    }

    @Test func namesAndPrinterColumns() throws {
        let runtime = CRDValidation(RoostCRDs.agentRuntime.object)
        #expect(runtime.names.shortNames == ["art"])
        #expect(runtime.names.listKind == "AgentRuntimeList")
        #expect(
            runtime.versions.first?.printerColumns.map(\.name) == [
                "MinIdle", "MaxWorkers", "Idle", "Busy", "Starting", "Ready", "Reason", "Age",
            ])
        let session = CRDValidation(RoostCRDs.agentSession.object)
        #expect(session.names.shortNames == ["ases"])
        #expect(session.versions.first?.printerColumns.map(\.name) == ["Runtime", "Phase", "Node", "Placement", "Reason", "Age"])
        #expect(session.versions.first?.printerColumns.map(\.jsonPath).contains(".status.placement.kind") == true)
    }

    static func schema(_ definition: RoostCRDs.Definition) throws -> StructuralSchema {
        try StructuralSchema(
            try #require(definition.object[path: ["spec", "versions"]]?.arrayValue?.first?[path: ["schema", "openAPIV3Schema"]]))
    }

    /// What the server stores for an object with only the required fields equals what Roost
    /// decodes from that object without the server's help: the defaults are the same.
    @Test func serverDefaultsEqualDecoderDefaults() throws {
        let runtimeSchema = try Self.schema(RoostCRDs.agentRuntime)
        var runtime: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "m", "image": "i"]]]]]]
        let undefaulted = try AgentRuntime.decode(runtime.jsonString)
        runtimeSchema.applyDefaults(to: &runtime)
        #expect(runtime[path: ["spec", "pool", "minIdle"]] == 0)
        #expect(try AgentRuntime.decode(runtime.jsonString) == undefaulted)
        #expect(runtime["spec"] == undefaulted.spec.jsonValue)

        let sessionSchema = try Self.schema(RoostCRDs.agentSession)
        var session: JSONValue = ["spec": ["runtimeRef": ["name": "coder"]]]
        let plain = try AgentSession.decode(session.jsonString)
        sessionSchema.applyDefaults(to: &session)
        #expect(session[path: ["spec", "triggerSource"]] == "api")
        #expect(try AgentSession.decode(session.jsonString) == plain)
    }

    /// Everything the encoders write is described by the schema (nothing pruned) and valid, so the
    /// encoders and the schema use the same field names and enum values.
    @Test func encodedObjectsAreValidAndNothingIsPruned() throws {
        let runtimeSchema = try Self.schema(RoostCRDs.agentRuntime)
        let runtime = try AgentRuntime.decode(AgentRuntimeTests.full)
        let runtimeObject: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": "coder"],
            "spec": runtime.spec.jsonValue, "status": runtime.status.jsonValue,
        ]
        #expect(runtimeSchema.unknownFields(in: runtimeObject) == [])
        #expect(runtimeSchema.validate(runtimeObject).map(\.description) == [])

        let sessionSchema = try Self.schema(RoostCRDs.agentSession)
        let spec = AgentSession.Spec(
            runtimeRef: AgentSession.RuntimeReference(name: "coder"), triggerSource: "sdk", rootTriggerSource: "schedule",
            machine: "large-2x")
        for phase in AgentSession.Phase.allCases {
            for kind in AgentSession.Placement.Kind.allCases {
                var status = AgentSessionTests.boundStatus
                status.phase = phase
                status.placement?.kind = kind
                status.message = "m"
                let object: JSONValue = [
                    "apiVersion": "roost.dev/v1alpha1", "kind": "AgentSession", "metadata": ["name": "s"],
                    "spec": spec.jsonValue, "status": status.jsonValue,
                ]
                #expect(sessionSchema.unknownFields(in: object) == [])
                #expect(sessionSchema.validate(object).map(\.description) == [])
            }
        }
    }

    @Test func templateAndPresetsKeepUnknownFieldsButPresetQuantitiesAreChecked() throws {
        let schema = try Self.schema(RoostCRDs.agentRuntime)
        var object: JSONValue = [
            "spec": [
                "template": ["spec": ["containers": [["name": "m", "image": "i", "newField": ["a": 1]]], "x": true]],
                "machines": [
                    "big": ["requests": ["cpu": "4", "memory": "8Gi"], "limits": ["cpu": 8], "claims": [["name": "gpu"]]]
                ],
            ]
        ]
        #expect(schema.prune(&object) == [])
        #expect(schema.validate(object).isEmpty)
        object.set(path: ["spec", "machines", "big", "requests", "cpu"], to: "lots")
        #expect(schema.validate(object).map(\.field) == ["spec.machines.big.requests.cpu"])
    }
}
