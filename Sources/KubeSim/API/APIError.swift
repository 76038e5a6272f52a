import KubeModel

/// A failed request, rendered as a `meta/v1 Status` body exactly as kube-apiserver renders it
/// (`k8s.io/apimachinery/pkg/api/errors/errors.go`: NewNotFound, NewAlreadyExists, NewConflict,
/// NewInvalid, NewBadRequest, NewMethodNotSupported, NewResourceExpired, NewTooManyRequests,
/// NewTimeoutError, NewInternalError, NewUnauthorized, NewGone).
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    /// `metav1.StatusReason`: NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ...
    public var reason: String
    public var message: String
    public var details: JSONObject?
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, details: JSONObject? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The Status object.
    public var status: JSONValue {
        var object: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Failure",
            "message": .string(message),
        ]
        if !reason.isEmpty { object["reason"] = .string(reason) }
        var details = self.details
        if let retryAfterSeconds {
            var withRetry = details ?? JSONObject()
            withRetry["retryAfterSeconds"] = .int(Int64(retryAfterSeconds))
            details = withRetry
        }
        if let details { object["details"] = .object(details) }
        object["code"] = .int(Int64(code))
        return .object(object)
    }

    static func details(name: String?, resource: ResourceType?, causes: [JSONValue]? = nil) -> JSONObject {
        var details = JSONObject()
        if let name, !name.isEmpty { details["name"] = .string(name) }
        if let resource {
            if !resource.group.isEmpty { details["group"] = .string(resource.group) }
            details["kind"] = .string(resource.plural)
        }
        if let causes { details["causes"] = .array(causes) }
        return details
    }

    public static func notFound(_ resource: ResourceType, name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: details(name: name, resource: resource))
    }

    public static func namespaceNotFound(_ namespace: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
            details: ["name": .string(namespace), "kind": "namespaces"])
    }

    public static func alreadyExists(_ resource: ResourceType, name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(name)\" already exists",
            details: details(name: name, resource: resource))
    }

    public static func conflict(_ resource: ResourceType, name: String, detail: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": \(detail)",
            details: details(name: name, resource: resource))
    }

    public static func staleResourceVersion(_ resource: ResourceType, name: String) -> APIError {
        conflict(
            resource, name: name,
            detail: "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 with one cause per field error. `errors` hold (field, reason, message-after-field).
    public static func invalid(_ resource: ResourceType, name: String, errors: [FieldProblem]) -> APIError {
        let rendered = errors.map(\.rendered)
        let list = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        var details = JSONObject()
        if !name.isEmpty { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.kind)
        details["causes"] = .array(errors.map(\.cause))
        return APIError(
            code: 422, reason: "Invalid", message: "\(resource.qualifiedKind) \"\(name)\" is invalid: \(list)",
            details: details)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func methodNotSupported(_ resource: ResourceType?, verb: String) -> APIError {
        let what = resource.map { $0.qualifiedName } ?? "this resource"
        return APIError(
            code: 405, reason: "MethodNotAllowed", message: "\(verb) is not supported on resources of kind \"\(what)\"",
            details: resource.map { details(name: nil, resource: $0) })
    }

    /// 415: the body's media type is not one of `accepted` (kube-apiserver's negotiation error).
    public static func unsupportedMediaType(accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))"
        )
    }

    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func tooManyRequests(retryAfter: Int) -> APIError {
        APIError(
            code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
            details: JSONObject(), retryAfterSeconds: retryAfter)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: ["causes": [["message": .string(message)]]])
    }

    public static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    public static func notFoundPath() -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: JSONObject())
    }

    public static func requestEntityTooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    public static func tooLargeResourceVersion(requested: Int64, current: Int64) -> APIError {
        APIError(
            code: 504, reason: "Timeout",
            message: "Too large resource version: \(requested), current: \(current)",
            details: [
                "causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]],
                "retryAfterSeconds": 1,
            ])
    }
}

/// One field-level problem of an Invalid (422) error, as `field.Error` renders it.
public struct FieldProblem: Sendable, Equatable {
    /// Cause reason: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, ...
    public var reason: String
    /// Dotted path, e.g. `spec.pool.minIdle`.
    public var field: String
    /// The text after the field name, e.g. `Required value` or `Invalid value: -1: must be ...`.
    public var message: String

    public init(reason: String, field: String, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public static func required(_ field: String, _ detail: String = "") -> FieldProblem {
        FieldProblem(
            reason: "FieldValueRequired", field: field, message: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    public static func invalid(_ field: String, value: JSONValue, _ detail: String) -> FieldProblem {
        FieldProblem(reason: "FieldValueInvalid", field: field, message: "Invalid value: \(value.jsonString): \(detail)")
    }

    public static func forbidden(_ field: String, _ detail: String) -> FieldProblem {
        FieldProblem(reason: "FieldValueForbidden", field: field, message: "Forbidden: \(detail)")
    }

    var rendered: String { field.isEmpty ? message : "\(field): \(message)" }

    var cause: JSONValue {
        var cause: JSONObject = ["reason": .string(reason), "message": .string(message)]
        if !field.isEmpty { cause["field"] = .string(field) }
        return .object(cause)
    }
}
