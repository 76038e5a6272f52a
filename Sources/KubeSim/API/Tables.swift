import KubeMachinery
import KubeModel

/// Server-side printing: `meta.k8s.io/v1 Table` responses for clients that ask for them with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get does), as
/// `k8s.io/apiserver/pkg/endpoints/handlers/response.go` and the printers of
/// `pkg/printers/internalversion/printers.go` (pods, nodes, namespaces, leases, events) and
/// `apiextensions-apiserver/pkg/registry/customresource/tableconvertor` (printer columns) produce them.
extension APIServer {
    func wantsTable(_ request: APIRequest) -> Bool {
        guard let accept = request.headers["accept"] else { return false }
        return accept.contains("as=Table")
    }

    struct Column {
        var name: String
        var type: String
        var format: String = ""
        var priority: Int64 = 0
        var description: String = ""
    }

    func columns(for type: ResourceType) -> [Column] {
        let name = Column(name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.")
        if type.isCustom {
            guard let version = registry.customVersion(of: type), !version.printerColumns.isEmpty else {
                return [name, Column(name: "Age", type: "date")]
            }
            return [name]
                + version.printerColumns.map {
                    Column(
                        name: $0.name, type: $0.type, format: $0.format ?? "", priority: $0.priority,
                        description: $0.description ?? "")
                }
        }
        switch (type.group, type.kind) {
        case ("", "Pod"):
            return [
                name, Column(name: "Ready", type: "string"), Column(name: "Status", type: "string"),
                Column(name: "Restarts", type: "string"), Column(name: "Age", type: "string"),
                Column(name: "IP", type: "string", priority: 1), Column(name: "Node", type: "string", priority: 1),
                Column(name: "Nominated Node", type: "string", priority: 1),
                Column(name: "Readiness Gates", type: "string", priority: 1),
            ]
        case ("", "Node"):
            return [
                name, Column(name: "Status", type: "string"), Column(name: "Roles", type: "string"),
                Column(name: "Age", type: "string"), Column(name: "Version", type: "string"),
                Column(name: "Internal-IP", type: "string", priority: 1),
            ]
        case ("", "Namespace"):
            return [name, Column(name: "Status", type: "string"), Column(name: "Age", type: "string")]
        case ("coordination.k8s.io", "Lease"):
            return [name, Column(name: "Holder", type: "string"), Column(name: "Age", type: "string")]
        case ("", "ConfigMap"):
            return [name, Column(name: "Data", type: "integer"), Column(name: "Age", type: "string")]
        case ("", "Secret"):
            return [
                name, Column(name: "Type", type: "string"), Column(name: "Data", type: "integer"),
                Column(name: "Age", type: "string"),
            ]
        case ("", "ServiceAccount"):
            return [name, Column(name: "Secrets", type: "integer"), Column(name: "Age", type: "string")]
        case ("", "Service"):
            return [
                name, Column(name: "Type", type: "string"), Column(name: "Cluster-IP", type: "string"),
                Column(name: "External-IP", type: "string"), Column(name: "Port(s)", type: "string"),
                Column(name: "Age", type: "string"),
            ]
        case ("apps", "Deployment"):
            return [
                name, Column(name: "Ready", type: "string"), Column(name: "Up-to-date", type: "integer"),
                Column(name: "Available", type: "integer"), Column(name: "Age", type: "string"),
            ]
        case ("policy", "PodDisruptionBudget"):
            return [
                name, Column(name: "Min Available", type: "string"), Column(name: "Max Unavailable", type: "string"),
                Column(name: "Allowed Disruptions", type: "integer"), Column(name: "Age", type: "string"),
            ]
        case ("", "Event"):
            return [
                Column(name: "Last Seen", type: "string"), Column(name: "Type", type: "string"),
                Column(name: "Reason", type: "string"), Column(name: "Object", type: "string"),
                Column(name: "Message", type: "string"),
            ]
        default:
            return [name, Column(name: "Created At", type: "date")]
        }
    }

    func cells(for type: ResourceType, object: JSONValue, now: Double) -> [JSONValue] {
        let name = JSONValue.string(object[path: ["metadata", "name"]]?.stringValue ?? "")
        let age = JSONValue.string(Self.age(object[path: ["metadata", "creationTimestamp"]], now: now))
        if type.isCustom {
            guard let version = registry.customVersion(of: type), !version.printerColumns.isEmpty else { return [name, age] }
            return [name]
                + version.printerColumns.map { column in
                    let value = JSONPathLite.evaluate(column.jsonPath, in: object)
                    if column.type == "date" { return .string(Self.age(value, now: now)) }
                    return value ?? .string("<none>")
                }
        }
        switch (type.group, type.kind) {
        case ("", "Pod"):
            let statuses = object[path: ["status", "containerStatuses"]]?.arrayValue ?? []
            let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
            let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.reduce(Int64(0)) { $0 + ($1["restartCount"]?.intValue ?? 0) }
            var status =
                object[path: ["status", "reason"]]?.stringValue ?? object[path: ["status", "phase"]]?.stringValue ?? "Unknown"
            if let waiting = statuses.compactMap({ $0[path: ["state", "waiting", "reason"]]?.stringValue }).first,
                status == "Pending"
            {
                status = waiting
            }
            if object[path: ["metadata", "deletionTimestamp"]] != nil { status = "Terminating" }
            return [
                name, .string("\(ready)/\(total)"), .string(status), .string(String(restarts)), age,
                .string(object[path: ["status", "podIP"]]?.stringValue ?? "<none>"),
                .string(object[path: ["spec", "nodeName"]]?.stringValue ?? "<none>"),
                .string(object[path: ["status", "nominatedNodeName"]]?.stringValue ?? "<none>"), "<none>",
            ]
        case ("", "Node"):
            let conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
            let readyCondition = conditions.first { $0["type"]?.stringValue == "Ready" }
            var status =
                readyCondition?["status"]?.stringValue == "True" ? "Ready" : (readyCondition == nil ? "Unknown" : "NotReady")
            if object[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
            let addresses = object[path: ["status", "addresses"]]?.arrayValue ?? []
            let internalIP = addresses.first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue ?? "<none>"
            return [
                name, .string(status), "<none>", age,
                .string(object[path: ["status", "nodeInfo", "kubeletVersion"]]?.stringValue ?? ""), .string(internalIP),
            ]
        case ("", "Namespace"):
            return [name, .string(object[path: ["status", "phase"]]?.stringValue ?? ""), age]
        case ("coordination.k8s.io", "Lease"):
            return [name, .string(object[path: ["spec", "holderIdentity"]]?.stringValue ?? ""), age]
        case ("", "ConfigMap"):
            let count = (object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)
            return [name, .int(Int64(count)), age]
        case ("", "Secret"):
            return [
                name, .string(object["type"]?.stringValue ?? "Opaque"), .int(Int64(object["data"]?.objectValue?.count ?? 0)), age,
            ]
        case ("", "ServiceAccount"):
            return [name, .int(Int64(object["secrets"]?.arrayValue?.count ?? 0)), age]
        case ("", "Service"):
            let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { port -> String in
                "\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "TCP")"
            }
            return [
                name, .string(object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"),
                .string(object[path: ["spec", "clusterIP"]]?.stringValue ?? "<none>"), "<none>",
                .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age,
            ]
        case ("apps", "Deployment"):
            let desired = object[path: ["spec", "replicas"]]?.intValue ?? 1
            let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
            return [
                name, .string("\(ready)/\(desired)"), .int(object[path: ["status", "updatedReplicas"]]?.intValue ?? 0),
                .int(object[path: ["status", "availableReplicas"]]?.intValue ?? 0), age,
            ]
        case ("policy", "PodDisruptionBudget"):
            func text(_ value: JSONValue?) -> JSONValue {
                guard let value else { return "N/A" }
                return .string(value.stringValue ?? value.jsonString)
            }
            return [
                name, text(object[path: ["spec", "minAvailable"]]), text(object[path: ["spec", "maxUnavailable"]]),
                .int(object[path: ["status", "disruptionsAllowed"]]?.intValue ?? 0), age,
            ]
        case ("", "Event"):
            let involved = object["involvedObject"]
            let objectName = "\((involved?["kind"]?.stringValue ?? "").lowercased())/\(involved?["name"]?.stringValue ?? "")"
            let lastSeen = object["lastTimestamp"] ?? object["eventTime"] ?? object[path: ["metadata", "creationTimestamp"]]
            return [
                .string(Self.age(lastSeen, now: now)), .string(object["type"]?.stringValue ?? ""),
                .string(object["reason"]?.stringValue ?? ""), .string(objectName),
                .string(object["message"]?.stringValue ?? ""),
            ]
        default:
            return [name, .string(object[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")]
        }
    }

    static func age(_ timestamp: JSONValue?, now: Double) -> String {
        guard let text = timestamp?.stringValue, let time = Timestamp.parse(text) else { return "<unknown>" }
        return Timestamp.humanDuration(now - time)
    }

    func row(for type: ResourceType, object: JSONValue, include: String, now: Double) -> JSONValue {
        var row: JSONObject = ["cells": .array(cells(for: type, object: object, now: now))]
        switch include {
        case "None": break
        case "Object": row["object"] = object
        default:
            row["object"] = [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"] ?? .object(JSONObject()),
            ]
        }
        return .object(row)
    }

    func table(for type: ResourceType, objects: [StoredObject], listRevision: Int64?, request: APIRequest) -> JSONValue {
        let now = Timestamp.now()
        let include = request.parameter("includeObject") ?? "Metadata"
        var metadata = JSONObject()
        if let listRevision { metadata["resourceVersion"] = .string(String(listRevision)) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": columnDefinitions(type),
            "rows": .array(objects.map { row(for: type, object: $0.json, include: include, now: now) }),
        ]
    }

    func columnDefinitions(_ type: ResourceType) -> JSONValue {
        .array(
            columns(for: type).map { column in
                [
                    "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                    "description": .string(column.description), "priority": .int(column.priority),
                ]
            })
    }

    /// A watch event whose object is a one-row Table (`as=Table` watches).
    func tableEvent(for type: ResourceType, objectBytes: [UInt8], eventType: WatchEventType, request: APIRequest) -> [UInt8] {
        let include = request.parameter("includeObject") ?? "Metadata"
        guard let frame = try? JSONValue.parse(objectBytes), let object = frame["object"] else { return objectBytes }
        let table: JSONValue = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": ["resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""],
            "columnDefinitions": columnDefinitions(type),
            "rows": [row(for: type, object: object, include: include, now: Timestamp.now())],
        ]
        let event: JSONValue = ["type": .string(eventType.rawValue), "object": table]
        return event.encoded() + [UInt8(ascii: "\n")]
    }
}

/// The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*]`,
/// `.a[?(@.type=="Ready")].status` (`k8s.io/client-go/util/jsonpath`).
enum JSONPathLite {
    static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
        var expression = path.trimmingCharacters(in: " ")
        if expression.hasPrefix("{") && expression.hasSuffix("}") { expression = String(expression.dropFirst().dropLast()) }
        if expression.hasPrefix("$") { expression.removeFirst() }
        var current: [JSONValue] = [object]
        var index = expression.startIndex
        while index < expression.endIndex {
            let character = expression[index]
            if character == "." {
                index = expression.index(after: index)
                let end = expression[index...].firstIndex(where: { $0 == "." || $0 == "[" }) ?? expression.endIndex
                let key = String(expression[index..<end])
                current = current.compactMap { $0[key] }
                index = end
            } else if character == "[" {
                guard let close = matchingBracket(expression, from: index) else { return nil }
                let inner = String(expression[expression.index(after: index)..<close])
                current = current.flatMap { select(inner, from: $0) }
                index = expression.index(after: close)
            } else {
                return nil
            }
        }
        if current.count == 1 { return current[0] }
        if current.isEmpty { return nil }
        return .string(current.map { $0.stringValue ?? $0.jsonString }.joined(separator: " "))
    }

    private static func matchingBracket(_ text: String, from start: String.Index) -> String.Index? {
        var depth = 0
        var index = start
        while index < text.endIndex {
            if text[index] == "[" { depth += 1 }
            if text[index] == "]" {
                depth -= 1
                if depth == 0 { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func select(_ selector: String, from value: JSONValue) -> [JSONValue] {
        guard let array = value.arrayValue else { return [] }
        if selector == "*" { return array }
        if let position = Int(selector) {
            let resolved = position < 0 ? array.count + position : position
            return array.indices.contains(resolved) ? [array[resolved]] : []
        }
        // ?(@.key=="value")
        guard selector.hasPrefix("?(@."), selector.hasSuffix(")") else { return [] }
        let condition = selector.dropFirst(4).dropLast()
        let parts = condition.split(separator: "=", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return [] }
        let key = parts[0].split(separator: ".").map(String.init)
        let expected = String(parts[1]).trimmingCharacters(in: "\"").trimmingCharacters(in: "'")
        return array.filter { element in
            guard let field = element[path: key] else { return false }
            return (field.stringValue ?? field.jsonString) == expected
        }
    }
}
