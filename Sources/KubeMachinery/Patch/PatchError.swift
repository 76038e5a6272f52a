/// Why a patch could not be applied, worded as kube-apiserver words it.
///
/// The messages follow the libraries kube-apiserver uses: `gopkg.in/evanphx/json-patch.v4`
/// (`patch.go`, errors wrapped with `github.com/pkg/errors`, hence the `": missing value"` tails),
/// and `k8s.io/apimachinery/pkg/util/mergepatch/errors.go` for strategic merge patches.
///
/// The API server answers ``isMalformedPatch`` errors with 400 Bad Request (the patch could not be
/// decoded) and all others with 422 Unprocessable Entity (the patch is well formed but cannot be
/// applied to this object), as `k8s.io/apiserver/pkg/endpoints/handlers/patch.go` does.
public enum PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The patch document does not have the shape of its patch type; `reason` is the decoder's
    /// message, e.g. `json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp`.
    case invalidPatchDocument(reason: String)
    /// A JSON patch operation (at `index` in the patch) names an operation RFC 6902 does not define.
    case unknownOperation(index: Int, op: String)
    /// A JSON patch operation lacks a member its operation requires (`path`, `from` or `value`).
    case missingOperationField(index: Int, op: String, field: String)
    /// A JSON pointer that does not start with `/`.
    case invalidPointer(op: String, pointer: String)
    /// The container that should hold the target of `op` does not exist.
    case missingPath(op: String, path: String)
    /// The object member addressed by `path` (whose last token is `key`) does not exist.
    case missingKey(op: String, path: String, key: String)
    /// An array index in `path` is not a number or lies outside the array.
    case invalidIndex(op: String, path: String, index: String)
    /// A `test` operation found a different value at `path`.
    case testFailed(path: String)
    /// A `move` operation whose `from` location is a proper prefix of its `path`.
    case moveIntoChild(from: String, path: String)
    /// A strategic merge patch that cannot be decoded (400): one of the format errors of
    /// `k8s.io/apimachinery/pkg/util/mergepatch/errors.go`, e.g. `invalid patch format of retainKeys`.
    case invalidStrategicPatch(reason: String, path: String)
    /// A well-formed strategic merge patch that cannot be merged into this object (422), e.g. a list
    /// element without its merge key. `path` is where in the document (dotted) it happened.
    case strategicMergeFailed(reason: String, path: String)

    /// True when the patch itself is malformed (HTTP 400); false when it is well formed but cannot
    /// be applied to the object (HTTP 422).
    public var isMalformedPatch: Bool {
        switch self {
        case .invalidPatchDocument, .invalidStrategicPatch: return true
        default: return false
        }
    }

    /// The HTTP status kube-apiserver answers with: 400 or 422.
    public var httpStatus: Int { isMalformedPatch ? 400 : 422 }

    public var description: String {
        switch self {
        case .invalidPatchDocument(let reason):
            return reason
        case .unknownOperation(_, let op):
            return "Unexpected kind: \(op)"
        case .missingOperationField(_, let op, let field):
            return "\(op) operation failed to decode \(field): missing value"
        case .invalidPointer(let op, let pointer):
            return "\(op) operation does not apply: invalid JSON pointer \"\(pointer)\": missing value"
        case .missingPath(let op, let path):
            return "\(op) operation does not apply: doc is missing path: \"\(path)\": missing value"
        case .missingKey(let op, let path, let key):
            let verb = op == "remove" ? "remove" : "get"
            return
                "error in \(op) for path: '\(path)': Unable to \(verb) nonexistent key: \(key): missing value"
        case .invalidIndex(let op, let path, let index):
            return
                "error in \(op) for path: '\(path)': Unable to access invalid index: \(index): invalid index referenced"
        case .testFailed(let path):
            return "testing value \(path) failed: test failed"
        case .moveIntoChild(let from, let path):
            return "move operation does not apply: from \"\(from)\" is a prefix of path \"\(path)\""
        case .invalidStrategicPatch(let reason, _), .strategicMergeFailed(let reason, _):
            return reason
        }
    }
}
