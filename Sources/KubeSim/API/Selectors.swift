import KubeMachinery
import KubeModel

extension APIServer {
    /// Builds the list/watch filter from `labelSelector` and `fieldSelector`.
    /// - Throws: 400 BadRequest with the parser's message, as kube-apiserver answers a bad selector.
    func makeFilter(_ type: ResourceType, namespace: String?, request: APIRequest) throws(APIError) -> ObjectFilter {
        let labels: LabelSelector
        let fields: FieldSelector
        do {
            labels = try LabelSelector(parsing: request.parameter("labelSelector") ?? "")
            fields = try FieldSelector(parsing: request.parameter("fieldSelector") ?? "")
            if type.extraFieldLabels.isEmpty {
                try fields.validateMetadataOnly()
            } else {
                try fields.validate(supported: type.fieldLabels, resource: type.plural)
            }
        } catch {
            throw .badRequest(error.message)
        }
        if labels.isEverything && fields.isEverything { return ObjectFilter(namespace: namespace) }
        return ObjectFilter(namespace: namespace) { objectLabels, objectFields in
            labels.matches(objectLabels) && fields.matches(objectFields)
        }
    }
}

/// Computes the selectable field values of an object when it is stored
/// (`GetAttrs` / field-label conversion of each registry, e.g. `pkg/registry/core/pod/strategy.go`).
enum FieldExtraction {
    static func fields(of resource: GroupResource, labels: [String], json: JSONValue) -> [String: String] {
        var fields: [String: String] = [
            "metadata.name": json[path: ["metadata", "name"]]?.stringValue ?? "",
            "metadata.namespace": json[path: ["metadata", "namespace"]]?.stringValue ?? "",
        ]
        for label in labels {
            let path = label.split(separator: ".").map(String.init)
            switch json[path: path] {
            case .string(let value)?: fields[label] = value
            case .bool(let value)?: fields[label] = value ? "true" : "false"
            case .int(let value)?: fields[label] = String(value)
            case .object(let source)? where label == "source":
                fields[label] = source["component"]?.stringValue ?? ""
            default:
                // Absent booleans read as false, as Go's zero value does (spec.unschedulable, spec.hostNetwork).
                fields[label] = ["spec.unschedulable", "spec.hostNetwork"].contains(label) ? "false" : ""
            }
        }
        return fields
    }
}
