/// The API server's `Status` (`k8s.io/apimachinery/pkg/apis/meta/v1/types.go`): the body of
/// failed requests and the object of watch `ERROR` events.
public struct Status: Sendable, Equatable, KubeDecodable {
    /// `Success` or `Failure`.
    public var status: String
    public var message: String
    /// Machine-readable cause: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Gone`, ….
    public var reason: String
    /// The HTTP status code (e.g. 410 for an expired resourceVersion); 0 when absent.
    public var code: Int32
    public var details: StatusDetails?

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(
        status: String = "", message: String = "", reason: String = "", code: Int32 = 0,
        details: StatusDetails? = nil
    ) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Status {
        var status = Status()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "status": try reader.read(&status.status)
            case "message": try reader.read(&status.message)
            case "reason": try reader.read(&status.reason)
            case "code": try reader.read(&status.code)
            case "details": try reader.read(&status.details)
            default: break
            }
        }
        return status
    }
}

/// `StatusDetails`: which object a `Status` is about, and why.
public struct StatusDetails: Sendable, Equatable, KubeDecodable {
    public var name: String
    public var group: String
    public var kind: String
    public var uid: String
    public var causes: [StatusCause]
    /// Seconds the client should wait before retrying; 0 when absent.
    public var retryAfterSeconds: Int32

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(
        name: String = "", group: String = "", kind: String = "", uid: String = "", causes: [StatusCause] = [],
        retryAfterSeconds: Int32 = 0
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> StatusDetails {
        var details = StatusDetails()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "name": try reader.read(&details.name)
            case "group": try reader.read(&details.group)
            case "kind": try reader.read(&details.kind)
            case "uid": try reader.read(&details.uid)
            case "causes": try reader.read(&details.causes)
            case "retryAfterSeconds": try reader.read(&details.retryAfterSeconds)
            default: break
            }
        }
        return details
    }
}

/// A `StatusCause`: one problem, e.g. one invalid field.
public struct StatusCause: Sendable, Equatable, KubeDecodable {
    /// Machine-readable cause, e.g. `FieldValueInvalid`.
    public var reason: String
    public var message: String
    /// The field path, e.g. `spec.containers[0].image`.
    public var field: String

    /// Memberwise initializer; omitted fields take their Go zero value (empty, 0, false, nil).
    public init(reason: String = "", message: String = "", field: String = "") {
        self.reason = reason
        self.message = message
        self.field = field
    }

    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> StatusCause {
        var cause = StatusCause()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "reason": try reader.read(&cause.reason)
            case "message": try reader.read(&cause.message)
            case "field": try reader.read(&cause.field)
            default: break
            }
        }
        return cause
    }
}
