import KubeModel

// Reading and writing helpers shared by the AgentRuntime and AgentSession codecs.

/// Reads an integer into an `Int`; `null` leaves it unchanged.
func readInt(_ target: inout Int, from reader: inout JSONReader) throws(JSONSyntaxError) {
    if let value = try reader.readInt64OrNull() { target = Int(truncatingIfNeeded: value) }
}

/// Reads a number into a `Double?`; `null` reads as nil.
func readDouble(_ target: inout Double?, from reader: inout JSONReader) throws(JSONSyntaxError) {
    target = try reader.readNull() ? nil : reader.readDouble()
}

/// Reads a Go duration string into `target`. A string that does not parse leaves `target` as it
/// was and adds a line naming `field` to `problems` instead of failing the whole decode; `null`
/// leaves it unchanged; a value that is not a string is an error like any other type mismatch.
func readDuration(
    _ target: inout GoDuration, field: String, from reader: inout JSONReader, problems: inout [String]
) throws(JSONSyntaxError) {
    guard let text = try reader.readStringOrNull() else { return }
    do {
        target = try GoDuration(parsing: text)
    } catch {
        problems.append("\(field): \(error.description)")
    }
}

/// `{"metadata": {"resourceVersion": RV}, "status": STATUS}`, the metadata part only with a
/// resourceVersion: the body of a merge patch of a `status` subresource.
func statusMergePatch(_ status: JSONObject, resourceVersion: String?) -> JSONValue {
    var body = JSONObject()
    if let resourceVersion { body["metadata"] = ["resourceVersion": .string(resourceVersion)] }
    body["status"] = .object(status)
    return .object(body)
}

extension CoreV1.Condition {
    /// The condition as JSON: `type` and `status` always, the other fields when not empty
    /// (`metav1.Condition`'s JSON tags).
    public var jsonValue: JSONValue {
        var object: JSONObject = ["type": .string(type), "status": .string(status)]
        if let lastTransitionTime { object["lastTransitionTime"] = .string(lastTransitionTime) }
        if !reason.isEmpty { object["reason"] = .string(reason) }
        if !message.isEmpty { object["message"] = .string(message) }
        return .object(object)
    }
}
