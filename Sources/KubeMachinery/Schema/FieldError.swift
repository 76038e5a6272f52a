public import KubeModel

/// A field-level validation error, the counterpart of
/// `k8s.io/apimachinery/pkg/util/validation/field.Error`.
///
/// ``message`` is Go's `ErrorBody()` and ``description`` is `Error()`
/// (`"<field>: <body>"`), so `spec.pool.minIdle: Invalid value: -1: spec.pool.minIdle in body
/// should be greater than or equal to 0` reads exactly as kube-apiserver prints it.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a field is invalid; the raw value is the `metav1.CauseType` a Status cause carries
    /// (`field.ErrorType` in apimachinery).
    public enum ErrorType: String, Sendable, Hashable, CaseIterable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case internalError = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// The human text Go's `ErrorType.String()` gives, e.g. "Unsupported value".
        public var label: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .internalError: return "Internal error"
            case .typeInvalid: return "Invalid value"
            }
        }
    }

    /// The offending value as Go would hold it in `BadValue`.
    public enum BadValue: Sendable, Hashable {
        /// No value is printed (apimachinery's `omitValue`).
        case omitted
        /// An unstructured JSON value; null prints as `"null"`, objects and arrays as Go's `%#v`.
        case value(JSONValue)
        /// A Go value that is printed verbatim (for values that are not JSON, e.g. Go structs).
        case verbatim(String)
    }

    public var type: ErrorType
    /// The field path, e.g. `spec.items[2].name`; `<nil>` when Go reports a nil `*field.Path`.
    public var field: String
    public var badValue: BadValue
    public var detail: String

    public init(type: ErrorType, field: String, badValue: BadValue = .omitted, detail: String = "") {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// `field.Required`.
    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(type: .required, field: field, badValue: .value(""), detail: detail)
    }

    /// `field.Invalid`.
    public static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, badValue: .value(value), detail: detail)
    }

    /// `field.TypeInvalid`.
    public static func typeInvalid(_ field: String, _ value: JSONValue, _ detail: String)
        -> FieldError
    {
        FieldError(type: .typeInvalid, field: field, badValue: .value(value), detail: detail)
    }

    /// `field.Forbidden`.
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, field: field, badValue: .value(""), detail: detail)
    }

    /// `field.Duplicate`.
    public static func duplicate(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(type: .duplicate, field: field, badValue: .value(value))
    }

    /// `field.NotSupported`: the detail lists the supported values, each Go-quoted.
    public static func notSupported(_ field: String, _ value: JSONValue, _ supported: [String])
        -> FieldError
    {
        let detail =
            supported.isEmpty
            ? "" : "supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
        return FieldError(type: .notSupported, field: field, badValue: .value(value), detail: detail)
    }

    /// `field.TooLong` (apimachinery ≥ 1.32 wording: "may not be more than N bytes").
    public static func tooLong(_ field: String, _ value: JSONValue, maxLength: Int64) -> FieldError {
        let detail =
            maxLength >= 0
            ? "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")"
            : "value is too long"
        return FieldError(type: .tooLong, field: field, badValue: .value(value), detail: detail)
    }

    /// `field.TooMany`: "must have at most N items"; a negative actual count omits the value.
    public static func tooMany(_ field: String, actual: Int64, max: Int64) -> FieldError {
        let detail =
            max >= 0 ? "must have at most \(max) \(max == 1 ? "item" : "items")" : "has too many items"
        return FieldError(
            type: .tooMany, field: field, badValue: actual >= 0 ? .value(.int(actual)) : .omitted,
            detail: detail)
    }

    /// Go's `ErrorBody()`: the type label, the bad value unless the type hides it, then the detail.
    public var message: String {
        var body = type.label
        switch type {
        case .required, .forbidden, .tooLong, .internalError:
            break
        default:
            switch badValue {
            case .omitted: break
            case .verbatim(let text): body += ": " + text
            case .value(let value):
                switch value {
                case .null: body += ": \"null\""
                case .string(let string): body += ": " + GoFormat.quote(string)
                case .int, .double, .bool: body += ": " + GoFormat.plain(value)
                case .array, .object: body += ": " + GoFormat.sharpV(value)
                }
            }
        }
        if !detail.isEmpty { body += ": " + detail }
        return body
    }

    /// Go's `Error()`: `"<field>: <body>"`.
    public var description: String { field + ": " + message }

    /// The `metav1.StatusCause` for a Status `details.causes[]` entry:
    /// `{"reason": <type>, "message": <body>, "field": <field>}`, empty members omitted as Go's
    /// `omitempty` does.
    public var statusCause: JSONValue {
        var cause = JSONObject()
        cause["reason"] = .string(type.rawValue)
        if !message.isEmpty { cause["message"] = .string(message) }
        if !field.isEmpty { cause["field"] = .string(field) }
        return .object(cause)
    }

    /// The aggregate text of a list as `field.ErrorList.ToAggregate().Error()` gives it: duplicate
    /// messages dropped, one message bare, several as `[a, b]`; nil for an empty list
    /// (`k8s.io/apimachinery/pkg/util/errors.aggregate`).
    public static func aggregateMessage(_ errors: [FieldError]) -> String? {
        var seen = Set<String>()
        var messages: [String] = []
        for error in errors where seen.insert(error.description).inserted {
            messages.append(error.description)
        }
        if messages.isEmpty { return nil }
        if messages.count == 1 { return messages[0] }
        return "[" + messages.joined(separator: ", ") + "]"
    }
}

/// The 422 Status body kube-apiserver returns for an invalid object, as
/// `k8s.io/apimachinery/pkg/api/errors.NewInvalid` builds it:
/// `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"<Kind>.<group> \"<name>\" is invalid: <aggregate>","reason":"Invalid","details":{"name":…,"group":…,"kind":…,"causes":[…]},"code":422}`.
///
/// - Parameters:
///   - kind: the resource kind, e.g. `AgentRuntime`.
///   - group: the API group; empty for the core group (then the qualified kind is just the kind
///     and `details.group` is omitted).
///   - name: the object's name (quoted with Go's `%q` in the message).
///   - errors: the field errors; each becomes a cause in order (causes are not deduplicated,
///     the message is).
public func invalidStatus(kind: String, group: String, name: String, errors: [FieldError])
    -> JSONValue
{
    let qualifiedKind = group.isEmpty ? kind : kind + "." + group
    var message = qualifiedKind + " " + GoFormat.quote(name) + " is invalid"
    if let aggregate = FieldError.aggregateMessage(errors) { message += ": " + aggregate }
    var details = JSONObject()
    if !name.isEmpty { details["name"] = .string(name) }
    if !group.isEmpty { details["group"] = .string(group) }
    if !kind.isEmpty { details["kind"] = .string(kind) }
    if !errors.isEmpty { details["causes"] = .array(errors.map(\.statusCause)) }
    var status = JSONObject()
    status["kind"] = "Status"
    status["apiVersion"] = "v1"
    status["metadata"] = .object(JSONObject())
    status["status"] = "Failure"
    status["message"] = .string(message)
    status["reason"] = "Invalid"
    status["details"] = .object(details)
    status["code"] = 422
    return .object(status)
}
