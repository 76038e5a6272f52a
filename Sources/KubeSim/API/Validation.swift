import KubeMachinery
import KubeModel

/// Object metadata validation (`k8s.io/apimachinery/pkg/api/validation/objectmeta.go`):
/// names, labels, finalizers on terminating objects.
enum ObjectMetaValidation {
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    static func isDNS1123Label(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        for (index, byte) in bytes.enumerated() {
            let alnum = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            if alnum { continue }
            if byte == UInt8(ascii: "-"), index > 0, index < bytes.count - 1 { continue }
            return false
        }
        return true
    }

    static func isDNS1123Subdomain(_ value: String) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 253 else { return false }
        return value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    static func validate(_ object: JSONValue, type: ResourceType, old: JSONValue?) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if old == nil {
            let namespaceLike = type.kind == "Namespace" && !type.isCustom
            if namespaceLike, !isDNS1123Label(name) {
                problems.append(.invalid("metadata.name", value: .string(name), dns1123LabelMessage))
            } else if !namespaceLike, !isDNS1123Subdomain(name), !allowsAnyName(type) {
                problems.append(.invalid("metadata.name", value: .string(name), dns1123SubdomainMessage))
            }
        }
        if case .object(let labels)? = object[path: ["metadata", "labels"]] {
            for member in labels {
                guard let value = member.value.stringValue else {
                    problems.append(.invalid("metadata.labels", value: member.value, "label values must be strings"))
                    continue
                }
                do {
                    _ = try LabelSelector.Requirement(key: member.key, operator: .equals, values: [value])
                } catch {
                    problems.append(
                        .invalid("metadata.labels", value: .string(value.isEmpty ? member.key : value), error.message))
                }
            }
        } else if let labels = object[path: ["metadata", "labels"]], labels != .null {
            problems.append(.invalid("metadata.labels", value: labels, "must be an object"))
        }
        if let old, old[path: ["metadata", "deletionTimestamp"]] != nil {
            let before = Set(old[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let after = object[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
            if after.contains(where: { !before.contains($0) }) {
                problems.append(
                    .forbidden(
                        "metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(after.filter { !before.contains($0) }.map { "\"\($0)\"" }.joined(separator: ", "))}"
                    ))
            }
        }
        return problems
    }

    /// Kinds whose names follow path-segment rules instead of DNS subdomains (RBAC objects allow ':').
    static func allowsAnyName(_ type: ResourceType) -> Bool {
        type.group == "rbac.authorization.k8s.io"
    }
}

/// Pod defaulting (`pkg/apis/core/v1/defaults.go`) plus what admission adds on every cluster
/// (the default service account, DefaultTolerationSeconds).
enum PodDefaults {
    static func apply(_ pod: inout JSONValue) {
        func setDefault(_ path: [String], _ value: JSONValue) {
            if pod[path: path] == nil { pod.set(path: path, to: value) }
        }
        setDefault(["spec", "restartPolicy"], "Always")
        setDefault(["spec", "dnsPolicy"], "ClusterFirst")
        setDefault(["spec", "schedulerName"], "default-scheduler")
        setDefault(["spec", "terminationGracePeriodSeconds"], 30)
        setDefault(["spec", "securityContext"], .object(JSONObject()))
        setDefault(["spec", "enableServiceLinks"], true)
        setDefault(["spec", "serviceAccountName"], "default")
        setDefault(["spec", "serviceAccount"], pod[path: ["spec", "serviceAccountName"]] ?? "default")
        setDefault(["spec", "priority"], 0)
        setDefault(["spec", "preemptionPolicy"], "PreemptLowerPriority")
        for list in ["containers", "initContainers"] {
            guard var containers = pod[path: ["spec", list]]?.arrayValue else { continue }
            for index in containers.indices {
                guard case .object(var container) = containers[index] else { continue }
                if container["terminationMessagePath"] == nil { container["terminationMessagePath"] = "/dev/termination-log" }
                if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = "File" }
                if container["resources"] == nil { container["resources"] = .object(JSONObject()) }
                if container["imagePullPolicy"] == nil {
                    let image = container["image"]?.stringValue ?? ""
                    let tag =
                        image.split(separator: "/").last.map { $0.split(separator: ":").dropFirst().first.map(String.init) }
                        ?? nil
                    container["imagePullPolicy"] =
                        (tag == nil || tag == "latest") && !image.contains("@") ? "Always" : "IfNotPresent"
                }
                containers[index] = .object(container)
            }
            pod.set(path: ["spec", list], to: .array(containers))
        }
        var tolerations = pod[path: ["spec", "tolerations"]]?.arrayValue ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        where !tolerations.contains(where: { $0["key"]?.stringValue == key && $0["effect"]?.stringValue == "NoExecute" }) {
            tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
        }
        pod.set(path: ["spec", "tolerations"], to: .array(tolerations))
    }

    /// BestEffort, Burstable or Guaranteed (`pkg/apis/core/helper/qos`), from requests and limits.
    static func qosClass(_ pod: JSONValue) -> String {
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        var anyResource = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? JSONObject()
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? JSONObject()
            if !requests.isEmpty || !limits.isEmpty { anyResource = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !anyResource { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}

/// Pod validation (`ValidatePodCreate`, `ValidatePodUpdate`): containers, names, images, and the
/// immutability of the pod spec after creation.
enum PodValidation {
    static func validate(_ pod: JSONValue, old: JSONValue?) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        if containers.isEmpty { problems.append(.required("spec.containers")) }
        var names: Set<String> = []
        for (index, container) in containers.enumerated() {
            let field = "spec.containers[\(index)]"
            let name = container["name"]?.stringValue ?? ""
            if name.isEmpty {
                problems.append(.required("\(field).name"))
            } else if !ObjectMetaValidation.isDNS1123Label(name) {
                problems.append(.invalid("\(field).name", value: .string(name), ObjectMetaValidation.dns1123LabelMessage))
            } else if !names.insert(name).inserted {
                problems.append(
                    FieldProblem(reason: "FieldValueDuplicate", field: "\(field).name", message: "Duplicate value: \"\(name)\""))
            }
            if (container["image"]?.stringValue ?? "").isEmpty, old == nil {
                problems.append(.required("\(field).image"))
            }
        }
        if let old, let oldSpec = old["spec"], let newSpec = pod["spec"], !mutableOnly(oldSpec, newSpec) {
            problems.append(
                .forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
                ))
        }
        return problems
    }

    /// Whether two pod specs differ only in the fields a pod update may change.
    static func mutableOnly(_ old: JSONValue, _ new: JSONValue) -> Bool {
        func normalized(_ spec: JSONValue) -> JSONValue {
            var spec = spec
            spec["activeDeadlineSeconds"] = nil
            spec["tolerations"] = nil
            for list in ["containers", "initContainers"] {
                guard let containers = spec[list]?.arrayValue else { continue }
                spec[list] = .array(
                    containers.map { container in
                        var container = container
                        container["image"] = nil
                        return container
                    })
            }
            return spec
        }
        guard normalized(old) == normalized(new) else { return false }
        let before = old["tolerations"]?.arrayValue ?? []
        let after = new["tolerations"]?.arrayValue ?? []
        return before.allSatisfy { after.contains($0) }
    }
}

/// Pod status helpers shared by the binding endpoint, the scheduler and the kubelet.
enum PodStatus {
    /// Sets a condition of `status.conditions`, moving `lastTransitionTime` only when the status changes.
    static func setCondition(_ pod: inout JSONValue, type: String, status: String, reason: String?, message: String?, now: Double)
    {
        var conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        let time = JSONValue.string(Timestamp.rfc3339(now))
        var condition: JSONObject = [
            "type": .string(type), "status": .string(status), "lastProbeTime": .null, "lastTransitionTime": time,
        ]
        if let reason { condition["reason"] = .string(reason) }
        if let message { condition["message"] = .string(message) }
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[index]["status"]?.stringValue == status {
                condition["lastTransitionTime"] = conditions[index]["lastTransitionTime"] ?? time
            }
            conditions[index] = .object(condition)
        } else {
            conditions.append(.object(condition))
        }
        pod.set(path: ["status", "conditions"], to: .array(conditions))
    }
}
