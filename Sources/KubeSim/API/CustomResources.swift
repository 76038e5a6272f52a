import KubeMachinery
import KubeModel

/// CustomResourceDefinition handling: validation of the definition and the status the
/// apiextensions controllers write once the names are accepted and the API is served
/// (`k8s.io/apiextensions-apiserver/pkg/controller/status/naming_controller.go`,
/// `establish/establishing_controller.go`).
enum CustomResources {
    static func validateDefinition(_ object: JSONValue) -> [FieldProblem] {
        CRDValidation(object).validate().map { FieldProblem(reason: $0.type.rawValue, field: $0.field, message: $0.message) }
    }

    /// `status` with acceptedNames, NamesAccepted and Established conditions, and storedVersions.
    static func acceptedStatus(of object: JSONValue, now: Double) -> JSONValue {
        let crd = CRDValidation(object)
        let time = JSONValue.string(Timestamp.rfc3339(now))
        var names: JSONObject = [
            "plural": .string(crd.names.plural), "singular": .string(crd.names.singular),
            "kind": .string(crd.names.kind), "listKind": .string(crd.names.listKind),
        ]
        if !crd.names.shortNames.isEmpty { names["shortNames"] = .array(crd.names.shortNames.map { .string($0) }) }
        if !crd.names.categories.isEmpty { names["categories"] = .array(crd.names.categories.map { .string($0) }) }
        var stored = object[path: ["status", "storedVersions"]]?.arrayValue ?? []
        if let storage = crd.storageVersion, !stored.contains(.string(storage)) { stored.append(.string(storage)) }
        let previous = object[path: ["status", "conditions"]]?.arrayValue ?? []
        func transition(_ type: String) -> JSONValue {
            previous.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }?["lastTransitionTime"]
                ?? time
        }
        return [
            "conditions": [
                [
                    "type": "NamesAccepted", "status": "True", "lastTransitionTime": transition("NamesAccepted"),
                    "reason": "NoConflicts", "message": "no conflicts found",
                ],
                [
                    "type": "Established", "status": "True", "lastTransitionTime": transition("Established"),
                    "reason": "InitialNamesAccepted", "message": "the initial names have been accepted",
                ],
            ],
            "acceptedNames": .object(names),
            "storedVersions": .array(stored),
        ]
    }
}
