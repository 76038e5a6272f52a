import KubeMachinery
import KubeModel
import Testing

/// An AgentRuntime-like CRD: spec.template preserved, a pool with defaults and bounds, an enum.
private let agentRuntimeCRD: JSONValue = [
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": ["name": "agentruntimes.roost.dev"],
    "spec": [
        "group": "roost.dev",
        "scope": "Namespaced",
        "names": [
            "plural": "agentruntimes", "kind": "AgentRuntime", "shortNames": ["ar"],
            "categories": ["roost"],
        ],
        "versions": [
            [
                "name": "v1alpha1", "served": true, "storage": true,
                "subresources": [
                    "status": [:],
                    "scale": [
                        "specReplicasPath": ".spec.pool.maxWorkers", "statusReplicasPath": ".status.workers",
                    ],
                ],
                "additionalPrinterColumns": [
                    ["name": "Mode", "type": "string", "jsonPath": ".spec.mode"],
                    [
                        "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "priority": 1,
                        "description": "age",
                    ],
                ],
                "schema": [
                    "openAPIV3Schema": [
                        "type": "object",
                        "properties": [
                            "spec": [
                                "type": "object",
                                "required": ["runtimeRef"],
                                "properties": [
                                    "runtimeRef": ["type": "string", "pattern": "^[a-z0-9-]+$"],
                                    "mode": ["type": "string", "enum": ["warm", "cold"], "default": "warm"],
                                    "template": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                                    "pool": [
                                        "type": "object",
                                        "default": [:],
                                        "properties": [
                                            "minIdle": ["type": "integer", "minimum": 0, "default": 0],
                                            "maxWorkers": ["type": "integer", "minimum": 1, "default": 100],
                                            "idleTimeout": ["type": "string", "default": "5m"],
                                        ],
                                    ],
                                    "ports": [
                                        "type": "array",
                                        "items": [
                                            "type": "object",
                                            "properties": [
                                                "name": ["type": "string"],
                                                "port": ["x-kubernetes-int-or-string": true, "default": 80],
                                            ],
                                        ],
                                    ],
                                ],
                            ],
                            "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        ],
                    ]
                ],
            ]
        ],
    ],
]

@Suite struct CRDAndMutationTests {
    @Test func readsCRD() throws {
        let crd = CRDValidation(agentRuntimeCRD)
        #expect(crd.group == "roost.dev")
        #expect(crd.scope == "Namespaced")
        #expect(crd.names.plural == "agentruntimes")
        #expect(crd.names.singular == "agentruntime")
        #expect(crd.names.listKind == "AgentRuntimeList")
        #expect(crd.names.shortNames == ["ar"])
        #expect(crd.names.categories == ["roost"])
        #expect(crd.servedVersions == ["v1alpha1"])
        #expect(crd.storageVersion == "v1alpha1")
        let version = try #require(crd.version("v1alpha1"))
        #expect(version.statusSubresource)
        #expect(version.scale?.specReplicasPath == ".spec.pool.maxWorkers")
        #expect(version.printerColumns.count == 2)
        #expect(version.printerColumns[1].priority == 1)
        #expect(version.printerColumns[1].description == "age")
        #expect(crd.schema(forVersion: "v1alpha1") != nil)
        #expect(crd.validate().isEmpty)
    }

    @Test func crdValidationErrors() {
        var bad = agentRuntimeCRD
        bad.set(path: ["metadata", "name"], to: "runtimes.roost.dev")
        bad.set(path: ["spec", "versions"], to: [["name": "v1", "served": true, "storage": false]])
        bad.set(path: ["spec", "names", "kind"], to: "Agent_Runtime")
        let errors = CRDValidation(bad).validate().map(\.description)
        #expect(
            errors.contains(
                "metadata.name: Invalid value: \"runtimes.roost.dev\": must be spec.names.plural+\".\"+spec.group"
            ))
        #expect(
            errors.contains(
                "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"))
        #expect(
            errors.contains {
                $0.hasPrefix("spec.versions: Invalid value: ")
                    && $0.hasSuffix("must have exactly one version marked as storage version")
            })
        #expect(
            errors.contains {
                $0.hasPrefix(
                    "spec.names.kind: Invalid value: \"Agent_Runtime\": may have mixed case, but should otherwise match: a DNS-1035 label"
                )
            })

        var untyped = agentRuntimeCRD
        untyped.set(
            path: ["spec", "versions"],
            to: [
                [
                    "name": "v1", "served": true, "storage": true,
                    "schema": [
                        "openAPIV3Schema": ["type": "object", "properties": ["spec": ["properties": [:]]]]
                    ],
                ]
            ])
        #expect(
            CRDValidation(untyped).validate().map(\.description)
                == [
                    "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"
                ])
    }

    @Test func validatesAgentRuntime() throws {
        let schema = try #require(CRDValidation(agentRuntimeCRD).schema(forVersion: "v1alpha1"))
        let errors = schema.validate([
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": "x"],
            "spec": [
                "mode": "hot", "pool": ["minIdle": -1, "maxWorkers": "many"],
                "template": ["anything": [1, 2]],
            ],
        ])
        #expect(
            errors.map(\.description) == [
                "spec.mode: Unsupported value: \"hot\": supported values: \"warm\", \"cold\"",
                "spec.pool.minIdle: Invalid value: -1: spec.pool.minIdle in body should be greater than or equal to 0",
                "spec.pool.maxWorkers: Invalid value: \"string\": spec.pool.maxWorkers in body must be of type integer: \"string\"",
                "spec.runtimeRef: Required value",
            ])
        let status = invalidStatus(kind: "AgentRuntime", group: "roost.dev", name: "x", errors: errors)
        #expect(status["kind"] == "Status")
        #expect(status["apiVersion"] == "v1")
        #expect(status["metadata"] == [:])
        #expect(status["status"] == "Failure")
        #expect(status["reason"] == "Invalid")
        #expect(status["code"] == 422)
        #expect(
            status["message"]?.stringValue
                == "AgentRuntime.roost.dev \"x\" is invalid: [spec.mode: Unsupported value: \"hot\": supported values: \"warm\", \"cold\", spec.pool.minIdle: Invalid value: -1: spec.pool.minIdle in body should be greater than or equal to 0, spec.pool.maxWorkers: Invalid value: \"string\": spec.pool.maxWorkers in body must be of type integer: \"string\", spec.runtimeRef: Required value]"
        )
        #expect(
            status.objectValue?.keys == [
                "kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code",
            ])
        #expect(status["details"]?.objectValue?.keys == ["name", "group", "kind", "causes"])
        #expect(
            status[path: ["details", "causes"]]?.arrayValue?.first
                == [
                    "reason": "FieldValueNotSupported",
                    "message": "Unsupported value: \"hot\": supported values: \"warm\", \"cold\"",
                    "field": "spec.mode",
                ])
        #expect(
            status[path: ["details", "causes"]]?.arrayValue?.first?.objectValue?.keys == [
                "reason", "message", "field",
            ])
    }

    @Test func statusWithOneErrorHasNoBrackets() {
        let status = invalidStatus(
            kind: "AgentRuntime", group: "roost.dev", name: "x",
            errors: [.required("spec.runtimeRef"), .required("spec.runtimeRef")])
        #expect(
            status["message"]
                == "AgentRuntime.roost.dev \"x\" is invalid: spec.runtimeRef: Required value")
        #expect(status[path: ["details", "causes"]]?.arrayValue?.count == 2)
        let core = invalidStatus(kind: "Pod", group: "", name: "p", errors: [])
        #expect(core["message"] == "Pod \"p\" is invalid")
        #expect(core["details"] == ["name": "p", "kind": "Pod"])
    }

    @Test func defaulting() throws {
        let schema = try #require(CRDValidation(agentRuntimeCRD).schema(forVersion: "v1alpha1"))
        var object: JSONValue = [
            "spec": ["runtimeRef": "r", "ports": [["name": "http"], ["name": "x", "port": "web"]]]
        ]
        schema.applyDefaults(to: &object)
        #expect(object[path: ["spec", "mode"]] == "warm")
        // The pool default ({}) is itself defaulted.
        #expect(
            object[path: ["spec", "pool"]] == ["minIdle": 0, "maxWorkers": 100, "idleTimeout": "5m"])
        #expect(
            object[path: ["spec", "ports"]] == [
                ["name": "http", "port": 80], ["name": "x", "port": "web"],
            ])
        #expect(schema.validate(object).count == 0)

        var partial: JSONValue = ["spec": ["runtimeRef": "r", "pool": ["maxWorkers": 3]]]
        schema.applyDefaults(to: &partial)
        #expect(
            partial[path: ["spec", "pool"]] == ["maxWorkers": 3, "minIdle": 0, "idleTimeout": "5m"])

        // A null in a non-nullable field: defaulted when there is a default, dropped otherwise.
        var nulls: JSONValue = ["spec": ["runtimeRef": nil, "mode": nil]]
        schema.applyDefaults(to: &nulls)
        #expect(
            nulls["spec"] == [
                "mode": "warm", "pool": ["minIdle": 0, "maxWorkers": 100, "idleTimeout": "5m"],
            ])
    }

    @Test func defaultingArraysAndAdditionalProperties() throws {
        let schema = try StructuralSchema([
            "type": "object",
            "properties": [
                "items": [
                    "type": "array",
                    "items": [
                        "type": "object", "default": ["a": 1],
                        "properties": ["a": ["type": "integer"], "b": ["type": "string", "default": "x"]],
                    ],
                ],
                "map": [
                    "type": "object",
                    "additionalProperties": [
                        "type": "object", "properties": ["n": ["type": "integer", "default": 7]],
                    ],
                ],
                "keep": ["type": "string", "nullable": true, "default": "d"],
            ],
        ])
        var value: JSONValue = ["items": [nil, ["a": 2]], "map": ["k": [:]], "keep": nil]
        schema.applyDefaults(to: &value)
        #expect(value["items"] == [["a": 1, "b": "x"], ["a": 2, "b": "x"]])
        #expect(value["map"] == ["k": ["n": 7]])
        #expect(value["keep"] == .null)
    }

    @Test func pruning() throws {
        let schema = try #require(CRDValidation(agentRuntimeCRD).schema(forVersion: "v1alpha1"))
        var object: JSONValue = [
            "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": "x"],
            "spec": [
                "runtimeRef": "r", "foo": 1,
                "template": ["containers": [["image": "busybox"]], "anything": true],
                "pool": ["minIdle": 1, "extra": "x"],
                "ports": [["name": "a", "bogus": 1]],
            ],
            "status": ["free": ["form": 1]],
            "top": "level",
        ]
        #expect(
            schema.unknownFields(in: object) == [
                "spec.foo", "spec.pool.extra", "spec.ports[0].bogus", "top",
            ])
        let removed = schema.prune(&object)
        #expect(removed == ["spec.foo", "spec.pool.extra", "spec.ports[0].bogus", "top"])
        #expect(object["apiVersion"] == "roost.dev/v1alpha1")
        #expect(object["metadata"] == ["name": "x"])
        #expect(
            object[path: ["spec", "template"]] == [
                "containers": [["image": "busybox"]], "anything": true,
            ])
        #expect(object[path: ["spec", "pool"]] == ["minIdle": 1])
        #expect(object["status"] == ["free": ["form": 1]])
        #expect(object["top"] == nil)
    }

    @Test func pruningUnderPreserveStillPrunesKnownFields() throws {
        let schema = try StructuralSchema([
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "spec": ["type": "object", "properties": ["a": ["type": "string"]]],
                "embedded": [
                    "type": "object", "x-kubernetes-embedded-resource": true,
                    "properties": ["spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                ],
            ],
        ])
        var value: JSONValue = [
            "free": 1, "spec": ["a": "x", "b": "y"],
            "embedded": [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["any": 1], "junk": 2,
            ],
        ]
        let removed = schema.prune(&value)
        #expect(removed == ["embedded.junk", "spec.b"])
        #expect(
            value == [
                "free": 1, "spec": ["a": "x"],
                "embedded": [
                    "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["any": 1],
                ],
            ])
    }
}
