/// The error thrown by everything under `Selection/`: label and field selector parsing, node
/// affinity and toleration decoding.
///
/// `message` is the text kube-apiserver or kube-scheduler would produce for the same input (the
/// API server returns selector errors as `400 BadRequest` with exactly this message), so callers
/// can put it into a `Status` unchanged. `input` carries the offending input (the selector
/// string, or a JSON path such as `spec.affinity.nodeAffinity`) for logs.
public struct SelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely.
    public enum Kind: Sendable, Hashable {
        /// `labels.Parse` rejected the string syntax or a key/value in it.
        case labelSelectorSyntax
        /// `metav1.LabelSelectorAsSelector` rejected a structured selector.
        case labelSelectorInvalid
        /// `fields.ParseSelector` rejected the string.
        case fieldSelectorSyntax
        /// A field label the resource does not support (`field label not supported: x`).
        case unsupportedFieldLabel
        /// A node selector term or preferred term could not be parsed
        /// (`nodeaffinity.NewNodeSelector` / `NewPreferredSchedulingTerms`).
        case nodeAffinityInvalid
        /// The JSON does not have the shape of the Kubernetes object (e.g. a string where a list
        /// belongs).
        case malformedObject
    }

    /// The category of the failure.
    public var kind: Kind
    /// The offending input: the selector string, or the JSON path of the bad part of an object.
    public var input: String
    /// The Kubernetes-compatible message.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, input: String, message: String) {
        self.kind = kind
        self.input = input
        self.message = message
    }

    /// The Kubernetes-compatible message.
    public var description: String { message }
}

// MARK: - field.Error rendering (k8s.io/apimachinery/pkg/util/validation/field/errors.go)

/// A `field.Error` as apimachinery renders it: `<path>: <Type>: <value>: <detail>`.
struct SelectorFieldError: Hashable {
    enum ErrorType: String {
        case invalid = "Invalid value"
        case notSupported = "Unsupported value"
    }

    enum BadValue: Hashable {
        case string(String)
        /// A Go `[]string`; nil renders as JSON `null`.
        case strings([String]?)
    }

    /// The rendered `field.Path`; nil renders as Go's `<nil>` for a nil path.
    var path: String?
    var type: ErrorType
    var value: BadValue
    var detail: String

    var message: String {
        var text = "\(path ?? "<nil>"): \(type.rawValue): "
        switch value {
        case .string(let string): text += GoFormat.quote(string)
        case .strings(let list): text += jsonStringArray(list)
        }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}

/// `utilerrors.NewAggregate(...).Error()` over field errors after `ErrorList.ToAggregate`'s
/// de-duplication: one message alone, several as `[a, b]`.
func aggregateMessage(_ messages: [String]) -> String {
    var seen = Set<String>()
    var unique: [String] = []
    for message in messages where seen.insert(message).inserted { unique.append(message) }
    if unique.count == 1 { return unique[0] }
    return "[" + unique.joined(separator: ", ") + "]"
}

/// Go's `json.Marshal` of a `[]string` (HTML-safe escaping included).
func jsonStringArray(_ list: [String]?) -> String {
    guard let list else { return "null" }
    return "[" + list.map(jsonString).joined(separator: ",") + "]"
}

private func jsonString(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "<", ">", "&": out += "\\u" + hex(scalar.value, width: 4)
        default:
            if scalar.value < 0x20 {
                out += "\\u" + hex(scalar.value, width: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

private func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

// MARK: - k8s.io/apimachinery/pkg/util/validation/validation.go

enum NameValidation {
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFormat = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let subdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

    /// `validation.RegexError`, including its double space before each " or ".
    static func regexError(_ message: String, _ format: String, _ examples: [String]) -> String {
        if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'" + example + "', "
        }
        return text + "regex used for validation is '" + format + "')"
    }

    static func maxLengthError(_ length: Int) -> String {
        "must be no more than \(length) characters"
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a)
            || (byte >= 0x61 && byte <= 0x7a)
    }

    /// Matches `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`.
    static func matchesQualifiedName(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".")
        }
    }

    /// Matches the DNS-1123 subdomain regex.
    static func matchesSubdomain(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        for label in value.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last else { return false }
            func lowerAlnum(_ byte: UInt8) -> Bool {
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a)
            }
            guard lowerAlnum(first), lowerAlnum(last) else { return false }
            guard bytes.allSatisfy({ lowerAlnum($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        return true
    }

    /// `validation.IsDNS1123Subdomain`.
    static func subdomainErrors(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append(maxLengthError(253)) }
        if !matchesSubdomain(value) {
            errors.append(regexError(subdomainMessage, subdomainFormat, ["example.com"]))
        }
        return errors
    }

    /// `validation.IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name of at
    /// most 63 characters.
    static func qualifiedNameErrors(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += subdomainErrors(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, ["MyName", "my.name", "123-abc"])
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part " + maxLengthError(63))
        }
        if !matchesQualifiedName(name) {
            errors.append(
                "name part "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    /// `validation.IsValidLabelValue`: empty, or at most 63 characters of the qualified-name
    /// alphabet starting and ending with an alphanumeric.
    static func labelValueErrors(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLengthError(63)) }
        if !value.isEmpty, !matchesQualifiedName(value) {
            errors.append(
                regexError(labelValueMessage, labelValueFormat, ["MyValue", "my_value", "12345"]))
        }
        return errors
    }
}
