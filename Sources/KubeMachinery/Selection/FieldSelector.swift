/// A field selector: an AND of `field=value` / `field!=value` terms over a flat field set such as
/// `["metadata.name": "web-0", "status.phase": "Running"]`.
///
/// Follows `k8s.io/apimachinery/pkg/fields/selector.go` (`ParseSelector`, `EscapeValue`,
/// `UnescapeValue`): terms are split on unescaped commas, sorted as strings, empty terms skipped;
/// each term splits at the first `!=`, `==` or `=`; values may escape `\`, `,` and `=` with a
/// backslash. A field missing from the set compares as the empty string.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// One term of a field selector.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        /// The field label, e.g. `metadata.name`.
        public var field: String
        /// The unescaped value.
        public var value: String
        /// True for `!=`.
        public var isNegated: Bool

        /// Creates a term.
        public init(field: String, value: String, isNegated: Bool = false) {
            self.field = field
            self.value = value
            self.isNegated = isNegated
        }

        /// `hasTerm.Matches` / `notHasTerm.Matches`.
        public func matches(_ fields: [String: String]) -> Bool {
            (fields[field] ?? "") == value ? !isNegated : isNegated
        }

        /// `field=value` or `field!=value` with the value escaped.
        public var description: String {
            field + (isNegated ? "!=" : "=") + FieldSelector.escape(value)
        }
    }

    /// The terms, in the parser's (sorted) order.
    public let requirements: [Requirement]

    /// The selector matching everything.
    public static let everything = FieldSelector(requirements: [])

    /// A selector from terms.
    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses as `fields.ParseSelector`. Errors carry the real texts:
    /// `invalid selector: 'x'; can't understand 'x'`,
    /// `invalid field selector: invalid escape sequence: \x`, and
    /// `invalid field selector: unescaped character in value: 61` (Go prints the rune as a number).
    public init(parsing selector: String) throws(SelectionError) {
        var requirements: [Requirement] = []
        for part in FieldSelector.splitTerms(selector).sorted() where !part.isEmpty {
            guard let (lhs, op, rhs) = FieldSelector.splitTerm(part) else {
                throw SelectionError(
                    kind: .fieldSelectorSyntax, input: selector,
                    message: "invalid selector: '\(selector)'; can't understand '\(part)'")
            }
            let value: String
            do {
                value = try FieldSelector.unescape(rhs)
            } catch {
                throw SelectionError(kind: .fieldSelectorSyntax, input: selector, message: error.text)
            }
            requirements.append(Requirement(field: lhs, value: value, isNegated: op == "!="))
        }
        self.requirements = requirements
    }

    /// True when every term matches.
    public func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(fields) }
    }

    /// True when the selector has no terms.
    public var isEverything: Bool { requirements.isEmpty }

    /// The field labels the selector uses, in order, without duplicates.
    public var fieldLabels: [String] {
        var seen = Set<String>()
        return requirements.map(\.field).filter { seen.insert($0).inserted }
    }

    /// The terms joined by `,` with escaped values (`andTerm.String`).
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// `RequiresExactMatch`: the value an `=` term on `field` demands, if any.
    public func requiredExactValue(for field: String) -> String? {
        requirements.first { $0.field == field && !$0.isNegated }?.value
    }

    /// Rejects field labels the resource does not support, as a resource's field label
    /// conversion function does (e.g. `pkg/registry/core/pod/strategy.go`); the API server turns
    /// the message into a 400 BadRequest: `field label not supported: spec.foo`. Terms are
    /// checked in selector order; the first unsupported label is reported.
    public func validate(supported: Set<String>, resource: String) throws(SelectionError) {
        for label in fieldLabels where !supported.contains(label) {
            throw SelectionError(
                kind: .unsupportedFieldLabel, input: "\(resource): \(label)",
                message: "field label not supported: \(label)")
        }
    }

    /// Rejects labels other than `metadata.name` and `metadata.namespace` with the message of
    /// `runtime.DefaultMetaV1FieldSelectorConversion`, used by resources without their own
    /// conversion: `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`.
    public func validateMetadataOnly() throws(SelectionError) {
        for label in fieldLabels where label != "metadata.name" && label != "metadata.namespace" {
            throw SelectionError(
                kind: .unsupportedFieldLabel, input: label,
                message:
                    "\(GoFormat.quote(label)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            )
        }
    }

    /// `fields.EscapeValue`: prefixes `\`, `,` and `=` with a backslash.
    public static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// `fields.UnescapeValue`.
    static func unescape(_ value: String) throws(ParseMessage) -> String {
        var out = ""
        var inSlash = false
        for scalar in value.unicodeScalars {
            if inSlash {
                switch scalar {
                case "\\", ",", "=": out.unicodeScalars.append(scalar)
                default:
                    throw ParseMessage(text: "invalid field selector: invalid escape sequence: \\\(scalar)")
                }
                inSlash = false
                continue
            }
            switch scalar {
            case "\\": inSlash = true
            case ",", "=":
                throw ParseMessage(
                    text: "invalid field selector: unescaped character in value: \(scalar.value)")
            default: out.unicodeScalars.append(scalar)
            }
        }
        if inSlash { throw ParseMessage(text: "invalid field selector: invalid escape sequence: \\") }
        return out
    }

    /// `splitTerms`: splits on commas not preceded by an escaping backslash (escapes kept).
    static func splitTerms(_ selector: String) -> [String] {
        if selector.isEmpty { return [] }
        var terms: [String] = []
        var current = ""
        var inSlash = false
        for scalar in selector.unicodeScalars {
            if inSlash {
                inSlash = false
            } else if scalar == "\\" {
                inSlash = true
            } else if scalar == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(scalar)
        }
        terms.append(current)
        return terms
    }

    /// `splitTerm`: the first position where `!=`, `==` or `=` starts.
    static func splitTerm(_ term: String) -> (String, String, String)? {
        let scalars = Array(term.unicodeScalars)
        for index in scalars.indices {
            for op in ["!=", "==", "="] {
                let opScalars = Array(op.unicodeScalars)
                if scalars[index...].starts(with: opScalars) {
                    var lhs = ""
                    lhs.unicodeScalars.append(contentsOf: scalars[..<index])
                    var rhs = ""
                    rhs.unicodeScalars.append(contentsOf: scalars[(index + opScalars.count)...])
                    return (lhs, op, rhs)
                }
            }
        }
        return nil
    }
}
