public import KubeModel

/// A label selector: an AND of requirements over a label set, or the selector that matches
/// nothing.
///
/// Follows `k8s.io/apimachinery/pkg/labels/selector.go` (`labels.Parse`, `Requirement.Matches`,
/// `String`) and `k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go` (`LabelSelectorAsSelector`):
///
/// - String syntax: `a=b`, `a==b`, `a!=b`, `a in (b,c)`, `a notin (b,c)`, `a` (exists), `!a`
///   (does not exist), `a>5` / `a<5` (integer comparison; `labels.Parse` accepts these too),
///   separated by commas; spaces, tabs, CR and LF separate tokens. Keys must be qualified names
///   (optional DNS-subdomain prefix and `/`, name ≤ 63 characters), values valid label values.
/// - Requirements are kept sorted by key (stable), as `parse` sorts them; `description` renders
///   the canonical string (`in`/`notin` value lists sorted).
/// - `LabelSelector.everything` (no requirements, e.g. the empty string or `{}`) matches every
///   label set; `LabelSelector.nothing` (a nil `metav1.LabelSelector`) matches none and renders
///   as the empty string.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// A requirement operator; raw values are `selection.Operator`'s.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case `in` = "in"
        case notIn = "notin"
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One requirement: `key`, `operator` and its values (empty for exists/does-not-exist).
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public let key: String
        public let `operator`: Operator
        public let values: [String]

        /// Validates like `labels.NewRequirement` and throws its aggregated field errors
        /// (e.g. `values: Invalid value: null: for 'in', 'notin' operators, values set can't be
        /// empty`).
        public init(key: String, operator op: Operator, values: [String]) throws(SelectionError) {
            let errors = Requirement.validationErrors(key: key, operator: op, values: values, path: nil)
            if !errors.isEmpty {
                throw SelectionError(
                    kind: .labelSelectorInvalid, input: key, message: aggregateMessage(errors))
            }
            self.init(unchecked: key, op, values)
        }

        init(unchecked key: String, _ op: Operator, _ values: [String]) {
            self.key = key
            self.operator = op
            self.values = values
        }

        /// `labels.NewRequirement`'s checks as field-error messages under `path` (a rendered
        /// `field.Path`, nil for none).
        static func validationErrors(
            key: String, operator op: Operator, values: [String]?, path: String?
        )
            -> [String]
        {
            var errors: [String] = []
            let keyErrors = NameValidation.qualifiedNameErrors(key)
            if !keyErrors.isEmpty {
                errors.append(
                    SelectorFieldError(
                        path: SelectorPath.child(path, "key"), type: .invalid, value: .string(key),
                        detail: keyErrors.joined(separator: "; ")
                    ).message)
            }
            let valuePath = SelectorPath.child(path, "values")
            let count = values?.count ?? 0
            switch op {
            case .in, .notIn:
                if count == 0 {
                    errors.append(
                        SelectorFieldError(
                            path: valuePath, type: .invalid, value: .strings(values),
                            detail: "for 'in', 'notin' operators, values set can't be empty"
                        ).message)
                }
            case .equals, .doubleEquals, .notEquals:
                if count != 1 {
                    errors.append(
                        SelectorFieldError(
                            path: valuePath, type: .invalid, value: .strings(values),
                            detail: "exact-match compatibility requires one single value"
                        ).message)
                }
            case .exists, .doesNotExist:
                if count != 0 {
                    errors.append(
                        SelectorFieldError(
                            path: valuePath, type: .invalid, value: .strings(values),
                            detail: "values set must be empty for exists and does not exist"
                        ).message)
                }
            case .greaterThan, .lessThan:
                if count != 1 {
                    errors.append(
                        SelectorFieldError(
                            path: valuePath, type: .invalid, value: .strings(values),
                            detail: "for 'Gt', 'Lt' operators, exactly one value is required"
                        ).message)
                }
                for (index, value) in (values ?? []).enumerated() where Int64(value) == nil {
                    errors.append(
                        SelectorFieldError(
                            path: SelectorPath.index(valuePath, index), type: .invalid, value: .string(value),
                            detail: "for 'Gt', 'Lt' operators, the value must be an integer"
                        ).message)
                }
            }
            for (index, value) in (values ?? []).enumerated() {
                let valueErrors = NameValidation.labelValueErrors(value)
                if !valueErrors.isEmpty {
                    errors.append(
                        SelectorFieldError(
                            path: SelectorPath.key(SelectorPath.index(valuePath, index), key), type: .invalid,
                            value: .string(value), detail: valueErrors.joined(separator: "; ")
                        ).message)
                }
            }
            return errors
        }

        /// `Requirement.Matches`: `in`/`=`/`==` need the key with a listed value; `notin`/`!=`
        /// match when the key is absent or its value is not listed; `gt`/`lt` need the key with
        /// an integer value strictly above/below the requirement's single integer.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in, .equals, .doubleEquals:
                guard let value = labels[key] else { return false }
                return values.contains(value)
            case .notIn, .notEquals:
                guard let value = labels[key] else { return true }
                return !values.contains(value)
            case .exists:
                return labels[key] != nil
            case .doesNotExist:
                return labels[key] == nil
            case .greaterThan, .lessThan:
                guard let raw = labels[key], let actual = Int64(raw) else { return false }
                guard values.count == 1, let bound = Int64(values[0]) else { return false }
                return self.operator == .greaterThan ? actual > bound : actual < bound
            }
        }

        /// `Requirement.String`: e.g. `!a`, `a`, `a=b`, `a in (b,c)` (values sorted), `a>5`.
        public var description: String {
            var text = self.operator == .doesNotExist ? "!" + key : key
            switch self.operator {
            case .exists, .doesNotExist: return text
            case .equals: text += "="
            case .doubleEquals: text += "=="
            case .notEquals: text += "!="
            case .in: text += " in "
            case .notIn: text += " notin "
            case .greaterThan: text += ">"
            case .lessThan: text += "<"
            }
            let list = values.count == 1 ? values[0] : values.sorted().joined(separator: ",")
            if self.operator == .in || self.operator == .notIn { return text + "(" + list + ")" }
            return text + list
        }
    }

    /// The requirements, sorted by key; empty for `everything` and `nothing`.
    public let requirements: [Requirement]
    /// True only for `LabelSelector.nothing`.
    public let matchesNothing: Bool

    /// Selects every label set (`labels.Everything()`).
    public static let everything = LabelSelector(requirements: [], matchesNothing: false)
    /// Selects no label set (`labels.Nothing()`): what a nil `metav1.LabelSelector` converts to.
    public static let nothing = LabelSelector(requirements: [], matchesNothing: true)

    private init(requirements: [Requirement], matchesNothing: Bool) {
        self.requirements = requirements
        self.matchesNothing = matchesNothing
    }

    /// A selector from requirements (sorted stably by key, as `Selector.Add` does).
    public init(requirements: [Requirement]) {
        self.init(requirements: LabelSelector.sortedByKey(requirements), matchesNothing: false)
    }

    /// A selector matching exactly the given labels (`labels.SelectorFromSet`); not validated.
    public init(matchingLabels set: [String: String]) {
        let requirements = set.keys.sorted().map { key in
            Requirement(unchecked: key, .equals, [set[key] ?? ""])
        }
        self.init(requirements: requirements, matchesNothing: false)
    }

    /// Parses the string syntax exactly as `labels.Parse` does.
    ///
    /// Errors carry the real messages, e.g. `unable to parse requirement: found '=', expected:
    /// identifier`, `found ',', expected: !, identifier, or 'end of string'`, or
    /// `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must …`.
    public init(parsing string: String) throws(SelectionError) {
        var parser = LabelSelectorParser(input: string)
        do {
            let parsed = try parser.parse()
            self.init(requirements: parsed)
        } catch let message {
            throw SelectionError(kind: .labelSelectorSyntax, input: string, message: message.text)
        }
    }

    /// Converts a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions` with operators
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`) as `metav1.LabelSelectorAsSelector` does.
    ///
    /// JSON `null` gives `nothing` (a nil selector selects no objects); an object with no
    /// `matchLabels` and no `matchExpressions` entries gives `everything`. Errors: `"Gt" is not a
    /// valid label selector operator`, or `labels.NewRequirement`'s field errors such as
    /// `key: Invalid value: "-a": name part must consist of …`.
    public init(json: JSONValue) throws(SelectionError) {
        if json.isNull {
            self = .nothing
            return
        }
        guard let object = json.objectValue else {
            throw SelectionError(
                kind: .malformedObject, input: "labelSelector",
                message: "labelSelector: expected an object, got \(json.typeName)")
        }
        var requirements: [Requirement] = []
        var matchLabelCount = 0
        if let labels = object["matchLabels"], !labels.isNull {
            guard let labelObject = labels.objectValue else {
                throw SelectionError(
                    kind: .malformedObject, input: "labelSelector.matchLabels",
                    message: "labelSelector.matchLabels: expected an object, got \(labels.typeName)")
            }
            matchLabelCount = labelObject.count
            for member in labelObject.members.sorted(by: { $0.key < $1.key }) {
                guard let value = member.value.stringValue else {
                    throw SelectionError(
                        kind: .malformedObject, input: "labelSelector.matchLabels.\(member.key)",
                        message:
                            "labelSelector.matchLabels.\(member.key): expected a string, got \(member.value.typeName)"
                    )
                }
                requirements.append(try LabelSelector.checked(member.key, .equals, [value]))
            }
        }
        let expressions = try JSONShape.objectList(
            object["matchExpressions"], path: "labelSelector.matchExpressions")
        if matchLabelCount + expressions.count == 0 {
            self = .everything
            return
        }
        for (index, expression) in expressions.enumerated() {
            let path = "labelSelector.matchExpressions[\(index)]"
            let key = try JSONShape.string(expression["key"], path: path + ".key") ?? ""
            let opName = try JSONShape.string(expression["operator"], path: path + ".operator") ?? ""
            let values = try JSONShape.stringList(expression["values"], path: path + ".values")
            let op: Operator
            switch opName {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw SelectionError(
                    kind: .labelSelectorInvalid, input: path,
                    message: "\(GoFormat.quote(opName)) is not a valid label selector operator")
            }
            requirements.append(try LabelSelector.checked(key, op, values))
        }
        self.init(requirements: requirements)
    }

    private static func checked(_ key: String, _ op: Operator, _ values: [String]?)
        throws(SelectionError)
        -> Requirement
    {
        let errors = Requirement.validationErrors(key: key, operator: op, values: values, path: nil)
        if !errors.isEmpty {
            throw SelectionError(
                kind: .labelSelectorInvalid, input: key, message: aggregateMessage(errors))
        }
        return Requirement(unchecked: key, op, values ?? [])
    }

    static func sortedByKey(_ requirements: [Requirement]) -> [Requirement] {
        requirements.enumerated().sorted { lhs, rhs in
            lhs.element.key != rhs.element.key
                ? lhs.element.key < rhs.element.key : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// True when every requirement matches (always for `everything`, never for `nothing`).
    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// `Selector.Empty()`: true when the selector does not restrict anything.
    public var isEverything: Bool { !matchesNothing && requirements.isEmpty }

    /// The canonical string: requirements joined by `,` (`""` for `everything` and `nothing`).
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// `RequiresExactMatch`: the single value an `=`, `==` or single-valued `in` requirement on
    /// `label` demands, if any.
    public func requiredExactValue(for label: String) -> String? {
        guard let requirement = requirements.first(where: { $0.key == label }) else { return nil }
        switch requirement.operator {
        case .equals, .doubleEquals, .in:
            return requirement.values.count == 1 ? requirement.values[0] : nil
        default:
            return nil
        }
    }
}

// MARK: - field.Path rendering

/// Renders `field.Path` the way apimachinery does; nil is the nil path.
enum SelectorPath {
    static func child(_ path: String?, _ name: String) -> String {
        guard let path, !path.isEmpty else { return name }
        return path + "." + name
    }

    static func index(_ path: String?, _ index: Int) -> String { (path ?? "") + "[\(index)]" }

    static func key(_ path: String?, _ key: String) -> String { (path ?? "") + "[\(key)]" }
}

// MARK: - JSON shape helpers

enum JSONShape {
    static func malformed(_ path: String, _ expected: String, _ value: JSONValue) -> SelectionError {
        SelectionError(
            kind: .malformedObject, input: path,
            message: "\(path): expected \(expected), got \(value.typeName)")
    }

    /// A string member, nil when absent or null.
    static func string(_ value: JSONValue?, path: String) throws(SelectionError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.stringValue else { throw malformed(path, "a string", value) }
        return string
    }

    /// A list of strings, nil when absent or null (Go's nil slice).
    static func stringList(_ value: JSONValue?, path: String) throws(SelectionError) -> [String]? {
        guard let value, !value.isNull else { return nil }
        guard let array = value.arrayValue else { throw malformed(path, "an array", value) }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.stringValue else {
                throw malformed(path + "[\(index)]", "a string", element)
            }
            strings.append(string)
        }
        return strings
    }

    /// A list of objects; empty when absent or null.
    static func objectList(_ value: JSONValue?, path: String) throws(SelectionError) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw malformed(path, "an array", value) }
        for (index, element) in array.enumerated() where element.objectValue == nil {
            throw malformed(path + "[\(index)]", "an object", element)
        }
        return array
    }

    /// A string-to-string map; empty when absent or null.
    static func stringMap(_ value: JSONValue?, path: String) throws(SelectionError) -> [String:
        String]
    {
        guard let value, !value.isNull else { return [:] }
        guard let object = value.objectValue else { throw malformed(path, "an object", value) }
        var map: [String: String] = [:]
        for member in object.members {
            guard let string = member.value.stringValue else {
                throw malformed(path + "." + member.key, "a string", member.value)
            }
            map[member.key] = string
        }
        return map
    }
}

// MARK: - The labels.Parse lexer and parser

struct ParseMessage: Error {
    var text: String
}

private struct LabelSelectorParser {
    enum Token: Equatable {
        case error, endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan
        case identifier, `in`, lessThan, notEquals, notIn, openPar
    }

    enum Context { case keyAndOperator, values }

    static let literalTokens: [String: Token] = [
        ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals,
        ">": .greaterThan, "in": .in, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
    ]

    let bytes: [UInt8]
    var position = 0
    var items: [(token: Token, literal: String)] = []
    var cursor = 0

    init(input: String) { bytes = Array(input.utf8) }

    // MARK: Lexer

    mutating func read() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    mutating func lex() -> (Token, String) {
        var byte = read()
        while LabelSelectorParser.isWhitespace(byte) { byte = read() }
        if byte == 0 { return (.endOfString, "") }
        position -= 1
        if LabelSelectorParser.isSpecial(byte) { return scanSpecial() }
        return scanIdentifierOrKeyword()
    }

    mutating func scanIdentifierOrKeyword() -> (Token, String) {
        var buffer: [UInt8] = []
        while true {
            let byte = read()
            if byte == 0 { break }
            if LabelSelectorParser.isSpecial(byte) || LabelSelectorParser.isWhitespace(byte) {
                position -= 1
                break
            }
            buffer.append(byte)
        }
        let text = String(decoding: buffer, as: UTF8.self)
        if let token = LabelSelectorParser.literalTokens[text] { return (token, text) }
        return (.identifier, text)
    }

    mutating func scanSpecial() -> (Token, String) {
        var buffer: [UInt8] = []
        var last: (Token, String)?
        while true {
            let byte = read()
            if byte == 0 { break }
            if LabelSelectorParser.isSpecial(byte) {
                buffer.append(byte)
                let text = String(decoding: buffer, as: UTF8.self)
                if let token = LabelSelectorParser.literalTokens[text] {
                    last = (token, text)
                } else if last != nil {
                    position -= 1
                    break
                }
            } else {
                position -= 1
                break
            }
        }
        if let last { return last }
        return (.error, "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'")
    }

    // MARK: Parser

    func adjust(_ token: Token, _ context: Context) -> Token {
        if context == .values, token == .in || token == .notIn { return .identifier }
        return token
    }

    func lookahead(_ context: Context) -> (Token, String) {
        let item = items[cursor]
        return (adjust(item.token, context), item.literal)
    }

    mutating func consume(_ context: Context) -> (Token, String) {
        let item = items[cursor]
        cursor += 1
        return (adjust(item.token, context), item.literal)
    }

    mutating func parse() throws(ParseMessage) -> [LabelSelector.Requirement] {
        while true {
            let (token, literal) = lex()
            items.append((token, literal))
            if token == .endOfString { break }
        }
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let (token, literal) = lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw ParseMessage(text: "unable to parse requirement: \(error.text)")
                }
                let (next, nextLiteral) = consume(.values)
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead(.values)
                    if after != .identifier && after != .doesNotExist {
                        throw ParseMessage(text: "found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw ParseMessage(text: "found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw ParseMessage(text: "found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    mutating func parseRequirement() throws(ParseMessage) -> LabelSelector.Requirement {
        var op: LabelSelector.Operator?
        var (token, literal) = consume(.values)
        if token == .doesNotExist {
            op = .doesNotExist
            (token, literal) = consume(.values)
        }
        if token != .identifier {
            throw ParseMessage(text: "found '\(literal)', expected: identifier")
        }
        let key = literal
        let keyErrors = NameValidation.qualifiedNameErrors(key)
        if !keyErrors.isEmpty {
            throw ParseMessage(
                text: SelectorFieldError(
                    path: nil, type: .invalid, value: .string(key), detail: keyErrors.joined(separator: "; ")
                )
                .message)
        }
        let (next, _) = lookahead(.values)
        if next == .endOfString || next == .comma {
            if op != .doesNotExist { op = .exists }
        }
        if let op, op == .exists || op == .doesNotExist {
            return try build(key, op, [])
        }
        let (opToken, opLiteral) = consume(.keyAndOperator)
        let binary: LabelSelector.Operator
        switch opToken {
        case .in: binary = .in
        case .equals: binary = .equals
        case .doubleEquals: binary = .doubleEquals
        case .greaterThan: binary = .greaterThan
        case .lessThan: binary = .lessThan
        case .notIn: binary = .notIn
        case .notEquals: binary = .notEquals
        default:
            throw ParseMessage(text: "found '\(opLiteral)', expected: in, notin, =, ==, !=, gt, lt")
        }
        let values: Set<String>
        switch binary {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try build(key, binary, values.sorted())
    }

    func build(_ key: String, _ op: LabelSelector.Operator, _ values: [String]) throws(ParseMessage)
        -> LabelSelector.Requirement
    {
        let errors = LabelSelector.Requirement.validationErrors(
            key: key, operator: op, values: values, path: nil)
        if !errors.isEmpty { throw ParseMessage(text: aggregateMessage(errors)) }
        return LabelSelector.Requirement(unchecked: key, op, values)
    }

    mutating func parseValues() throws(ParseMessage) -> Set<String> {
        let (token, literal) = consume(.values)
        if token != .openPar { throw ParseMessage(text: "found '\(literal)' expected: '('") }
        let (next, nextLiteral) = lookahead(.values)
        switch next {
        case .identifier, .comma:
            let set = try parseIdentifierList()
            let (close, _) = consume(.values)
            if close != .closedPar { throw ParseMessage(text: "found '\(nextLiteral)', expected: ')'") }
            return set
        case .closedPar:
            _ = consume(.values)
            return [""]
        default:
            throw ParseMessage(text: "found '\(nextLiteral)', expected: ',', ')' or identifier")
        }
    }

    mutating func parseIdentifierList() throws(ParseMessage) -> Set<String> {
        var set = Set<String>()
        while true {
            let (token, literal) = consume(.values)
            switch token {
            case .identifier:
                set.insert(literal)
                let (next, nextLiteral) = lookahead(.values)
                switch next {
                case .comma: continue
                case .closedPar: return set
                default: throw ParseMessage(text: "found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if set.isEmpty { set.insert("") }
                let (next, _) = lookahead(.values)
                if next == .closedPar {
                    set.insert("")
                    return set
                }
                if next == .comma {
                    _ = consume(.values)
                    set.insert("")
                }
            default:
                throw ParseMessage(text: "found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    mutating func parseExactValue() throws(ParseMessage) -> Set<String> {
        let (next, _) = lookahead(.values)
        if next == .endOfString || next == .comma { return [""] }
        let (token, literal) = consume(.values)
        if token == .identifier { return [literal] }
        throw ParseMessage(text: "found '\(literal)', expected: identifier")
    }
}
