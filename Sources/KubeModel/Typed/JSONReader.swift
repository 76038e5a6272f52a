/// Choices that change what typed decoders keep.
///
/// By default decoders drop the two parts of an object that Roost never reads and that make up
/// most of its size: `metadata.managedFields` (server-side apply bookkeeping, about 40% of a
/// typical object) and the `kubectl.kubernetes.io/last-applied-configuration` annotation (a copy
/// of the whole object as escaped JSON). This is the transform client-go informers apply to
/// keep their caches small.
public struct DecodingOptions: Sendable, Equatable {
    /// Keep `metadata.managedFields` (as a lossless ``JSONValue``) instead of skipping it.
    public var keepManagedFields: Bool
    /// Keep the `kubectl.kubernetes.io/last-applied-configuration` annotation.
    public var keepLastAppliedConfiguration: Bool
    /// Nesting limit for skipped and pass-through values, so hostile input cannot exhaust the
    /// stack or run unbounded (kube-apiserver's decoder stops at 10,000; 512 is ample).
    public var maxDepth: Int

    /// Options; the defaults drop managedFields and the last-applied annotation.
    public init(keepManagedFields: Bool = false, keepLastAppliedConfiguration: Bool = false, maxDepth: Int = 512) {
        self.keepManagedFields = keepManagedFields
        self.keepLastAppliedConfiguration = keepLastAppliedConfiguration
        self.maxDepth = maxDepth
    }

    /// Drop managedFields and the last-applied annotation; depth limit 512.
    public static let `default` = DecodingOptions()
}

/// The kind of the next JSON value, as ``JSONReader/peekKind()`` reports it.
public enum JSONKind: Sendable, Equatable {
    case object, array, string, number, boolean, null

    /// The name used in error messages ("object", "array", "string", "number", "boolean", "null").
    public var name: String {
        switch self {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .boolean: return "boolean"
        case .null: return "null"
        }
    }
}

/// A forward-only pull reader over the raw UTF-8 bytes of one JSON document (RFC 8259).
///
/// Typed decoders ask for exactly the values they model and let the reader skip everything
/// else with a tight byte scan that builds nothing: keys are handed out as ``JSONKey`` views of
/// the input (compared as bytes, no `String` is created for them), strings without escapes
/// become `String`s straight from their byte range, and skipped values (for example
/// `metadata.managedFields`) are only checked for balanced, matching brackets and well-formed
/// strings, not for full grammar.
///
/// The reader borrows `bytes`: it must not outlive the buffer it was made from (use it inside
/// `withUnsafeBytes`, or through ``KubeDecodable/decode(_:options:)``, which does that).
///
/// Errors are ``JSONSyntaxError``s whose `offset` is the byte offset into `bytes` where reading
/// stopped and whose `reason` starts with the path of the field being read, e.g.
/// `metadata.labels["app"]: expected string, found number` or
/// `items[3].metadata: unexpected end of input`.
///
/// Go's `encoding/json` semantics are followed for `null`: a `null` object or array reads as
/// empty, and the `read(_:)` family leaves a non-optional target unchanged on `null`.
public struct JSONReader {
    /// The whole document.
    public let bytes: UnsafeRawBufferPointer
    /// Byte offset of the next unread byte.
    public var offset: Int
    /// What typed decoders keep; see ``DecodingOptions``.
    public var options: DecodingOptions
    /// Whether the reason of the error in flight already starts with a field path.
    var errorHasPath = false

    /// A reader positioned at the start of `bytes`.
    public init(bytes: UnsafeRawBufferPointer, options: DecodingOptions = .default) {
        self.bytes = bytes
        self.offset = 0
        self.options = options
    }

    /// Runs `body` with a reader over `bytes` (contiguous storage is borrowed, anything else is
    /// copied once) and returns its result. The reader is valid only inside `body`.
    public static func reading<Result>(
        _ bytes: some Collection<UInt8>, options: DecodingOptions = .default,
        _ body: (inout JSONReader) throws(JSONSyntaxError) -> Result
    ) throws(JSONSyntaxError) -> Result {
        typealias Outcome = Swift.Result<Result, JSONSyntaxError>
        func run(_ buffer: UnsafeRawBufferPointer) -> Outcome {
            var reader = JSONReader(bytes: buffer, options: options)
            return Outcome { () throws(JSONSyntaxError) in try body(&reader) }
        }
        if let outcome = bytes.withContiguousStorageIfAvailable({ run(UnsafeRawBufferPointer($0)) }) {
            return try outcome.get()
        }
        return try Array(bytes).withUnsafeBytes { run($0) }.get()
    }

    // MARK: - Errors

    /// An error at the current offset (after whitespace); use it for semantic errors in typed
    /// decoders so the field path is added as the error propagates.
    public mutating func error(_ reason: String) -> JSONSyntaxError {
        skipWhitespace()
        return error(reason, at: offset)
    }

    /// An error at byte `offset`.
    public mutating func error(_ reason: String, at offset: Int) -> JSONSyntaxError {
        errorHasPath = false
        return JSONSyntaxError(offset: offset, reason: reason)
    }

    /// Prefixes `error.reason` with one path component: an object key or `[index]`.
    @usableFromInline
    mutating func addPath(_ component: String, to error: inout JSONSyntaxError) {
        if !errorHasPath {
            error.reason = component + ": " + error.reason
            errorHasPath = true
        } else if error.reason.utf8.first == UInt8(ascii: "[") {
            error.reason = component + error.reason
        } else {
            error.reason = component + "." + error.reason
        }
    }

    /// The path component for an object key: bare when it is an identifier, else `["key"]`.
    static func pathComponent(forKey key: String) -> String {
        let plain =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                    return true
                default: return false
                }
            }
        if plain { return key }
        var quoted: [UInt8] = []
        JSONValue.encodeString(key, into: &quoted)
        return "[" + String(decoding: quoted, as: UTF8.self) + "]"
    }

    private mutating func typeMismatch(expected: String) -> JSONSyntaxError {
        skipWhitespace()
        guard offset < bytes.count else { return error("unexpected end of input, expected \(expected)") }
        if let kind = kind(of: bytes[offset]) {
            return error("expected \(expected), found \(kind.name)")
        }
        return error("unexpected character \(Self.describe(bytes[offset])), expected \(expected)")
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    // MARK: - Scanning primitives

    /// Moves past JSON whitespace (space, tab, CR, LF).
    @inline(__always)
    public mutating func skipWhitespace() {
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte > 0x20 { return }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    private func kind(of byte: UInt8) -> JSONKind? {
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// The kind of the next value, judged by its first byte, without consuming it; nil at the end
    /// of input or before a byte that cannot start a value.
    public mutating func peekKind() -> JSONKind? {
        skipWhitespace()
        guard offset < bytes.count else { return nil }
        return kind(of: bytes[offset])
    }

    /// Consumes a `null` if one comes next and reports whether it did.
    public mutating func readNull() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let base = literal.utf8Start
        for index in 0..<count {
            guard offset + index < bytes.count else {
                throw error("unexpected end of input in literal \(literal)", at: bytes.count)
            }
            guard bytes[offset + index] == base[index] else {
                throw error("invalid literal, expected \(literal)", at: offset)
            }
        }
        offset += count
    }

    /// Scans the string whose opening quote is at `offset`. Returns the byte range of its content
    /// (between the quotes) and whether it holds escapes; leaves `offset` after the closing quote.
    ///
    /// Eight bytes at a time: a word is searched for a quote, a backslash or a control character
    /// with the usual SWAR tricks; the lowest flagged byte is always a true match.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> (start: Int, end: Int, escaped: Bool) {
        let start = offset + 1
        var index = start
        var escaped = false
        let count = bytes.count
        while true {
            var byte: UInt8 = 0
            var found = false
            while index + 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quotes = word ^ 0x2222_2222_2222_2222
                let slashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
                let ones: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                let mask =
                    ((quotes &- ones) & ~quotes | (slashes &- ones) & ~slashes
                        | (word &- 0x2020_2020_2020_2020) & ~word) & highs
                if mask == 0 {
                    index += 8
                    continue
                }
                index += mask.trailingZeroBitCount >> 3
                byte = bytes[index]
                found = true
                break
            }
            if !found {
                while index < count {
                    let candidate = bytes[index]
                    if candidate == 0x22 || candidate == 0x5C || candidate < 0x20 {
                        byte = candidate
                        found = true
                        break
                    }
                    index += 1
                }
                guard found else { throw error("unexpected end of input in string", at: count) }
            }
            if byte == 0x22 {
                offset = index + 1
                return (start, index, escaped)
            }
            if byte == 0x5C {
                escaped = true
                guard index + 1 < count else { throw error("unexpected end of input in string", at: count) }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "u"):
                    index += 2
                default:
                    throw error("invalid escape character", at: index + 1)
                }
                continue
            }
            throw error("control character in string", at: index)
        }
    }

    /// The string for content bytes `start..<end` that contain escapes (already checked by
    /// ``scanString()``): decodes them as Go does, turning lone surrogates into U+FFFD.
    func unescape(start: Int, end: Int) throws(JSONSyntaxError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(end - start)
        var index = start
        func hex4(at position: Int) -> UInt32? {
            guard position + 4 <= end else { return nil }
            var value: UInt32 = 0
            for byte in UnsafeRawBufferPointer(rebasing: bytes[position..<position + 4]) {
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < end {
            let byte = bytes[index]
            guard byte == 0x5C else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            default:  // "u", the only other escape scanString lets through
                guard var scalar = hex4(at: index) else {
                    throw JSONSyntaxError(offset: index, reason: "invalid \\u escape")
                }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    if index + 6 <= end, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u"),
                        let low = hex4(at: index + 2), (0xDC00..<0xE000).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: String(Character(unicode)).utf8)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    @inline(__always)
    func makeString(start: Int, end: Int, escaped: Bool) throws(JSONSyntaxError) -> String {
        if escaped { return try unescape(start: start, end: end) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    // MARK: - Containers

    /// Reads an object, calling `body` once per member with its key and the reader positioned at
    /// the member's value. `body` reads the value (with any `read…` method) or leaves it alone,
    /// in which case it is skipped. A `null` reads as an empty object.
    ///
    /// Errors thrown inside `body` get the key prefixed to their path.
    /// - Throws: ``JSONSyntaxError`` when the value is not an object or is malformed.
    @inline(__always)
    public mutating func readObject(
        _ body: (_ key: JSONKey, _ reader: inout JSONReader) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "{") else {
            if try readNull() { return }
            throw typeMismatch(expected: "object")
        }
        offset += 1
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw offset < bytes.count
                    ? error("expected a string key", at: offset)
                    : error("unexpected end of input in object", at: offset)
            }
            let (start, end, escaped) = try scanString()
            let key = try JSONKey(reader: self, start: start, end: end, escaped: escaped)
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw offset < bytes.count
                    ? error("expected ':' after object key", at: offset)
                    : error("unexpected end of input in object", at: offset)
            }
            offset += 1
            skipWhitespace()
            let valueStart = offset
            do {
                try body(key, &self)
                if offset == valueStart { try skipValue() }
            } catch var failure {
                addPath(Self.pathComponent(forKey: key.string), to: &failure)
                throw failure
            }
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in object", at: offset) }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return
            default: throw error("expected ',' or '}' in object", at: offset)
            }
        }
    }

    /// Reads an array, calling `body` once per element with the reader positioned at it. `body`
    /// reads the element or leaves it alone, in which case it is skipped. A `null` reads as an
    /// empty array. Errors thrown inside `body` get `[index]` prefixed to their path.
    /// - Throws: ``JSONSyntaxError`` when the value is not an array or is malformed.
    @inline(__always)
    public mutating func readArray(_ body: (_ reader: inout JSONReader) throws(JSONSyntaxError) -> Void)
        throws(JSONSyntaxError)
    {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "[") else {
            if try readNull() { return }
            throw typeMismatch(expected: "array")
        }
        offset += 1
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return
        }
        var index = 0
        while true {
            skipWhitespace()
            let valueStart = offset
            do {
                try body(&self)
                if offset == valueStart { try skipValue() }
            } catch var failure {
                addPath("[\(index)]", to: &failure)
                throw failure
            }
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in array", at: offset) }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return
            default: throw error("expected ',' or ']' in array", at: offset)
            }
            index += 1
        }
    }

    // MARK: - Scalars

    /// Reads a string, decoding escapes. Invalid UTF-8 is repaired with U+FFFD.
    /// - Throws: when the next value is not a string (`null` included).
    public mutating func readString() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw typeMismatch(expected: "string")
        }
        let (start, end, escaped) = try scanString()
        return try makeString(start: start, end: end, escaped: escaped)
    }

    /// Reads a string, or nil for `null`.
    public mutating func readStringOrNull() throws(JSONSyntaxError) -> String? {
        if try readNull() { return nil }
        return try readString()
    }

    /// Reads an integer that fits in 64 bits. A number with a fraction or exponent is an error,
    /// as it is for Go's `encoding/json` decoding into `int64`.
    public mutating func readInt64() throws(JSONSyntaxError) -> Int64 {
        skipWhitespace()
        let start = offset
        guard offset < bytes.count else { throw typeMismatch(expected: "integer") }
        var negative = false
        if bytes[offset] == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        guard offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 else {
            offset = start
            throw typeMismatch(expected: "integer")
        }
        var value: Int64 = 0
        var overflow = false
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            while offset < bytes.count {
                let digit = bytes[offset] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) =
                    negative
                    ? times.subtractingReportingOverflow(Int64(digit)) : times.addingReportingOverflow(Int64(digit))
                overflow = overflow || o1 || o2
                value = sum
                offset += 1
            }
        }
        if offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                offset = start
                try skipValue()
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                throw error("expected integer, found number \(text)", at: start)
            default: break
            }
        }
        if overflow { throw error("integer out of the 64-bit range", at: start) }
        return value
    }

    /// Reads an integer, or nil for `null`.
    public mutating func readInt64OrNull() throws(JSONSyntaxError) -> Int64? {
        if try readNull() { return nil }
        return try readInt64()
    }

    /// Reads an integer that fits in 32 bits (Go `int32`, e.g. `restartCount`, `priority`).
    public mutating func readInt32() throws(JSONSyntaxError) -> Int32 {
        skipWhitespace()
        let start = offset
        let value = try readInt64()
        guard let narrow = Int32(exactly: value) else { throw error("integer \(value) out of the 32-bit range", at: start) }
        return narrow
    }

    /// Reads a 32-bit integer, or nil for `null`.
    public mutating func readInt32OrNull() throws(JSONSyntaxError) -> Int32? {
        if try readNull() { return nil }
        return try readInt32()
    }

    /// Reads a number as a double (integers included).
    public mutating func readDouble() throws(JSONSyntaxError) -> Double {
        skipWhitespace()
        guard peekKind() == .number else { throw typeMismatch(expected: "number") }
        let start = offset
        try skipNumber()
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw error("number out of range", at: start) }
        return double
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return true
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return false
            default: break
            }
        }
        throw typeMismatch(expected: "boolean")
    }

    /// Reads a boolean, or nil for `null`.
    public mutating func readBoolOrNull() throws(JSONSyntaxError) -> Bool? {
        if try readNull() { return nil }
        return try readBool()
    }

    /// Reads an object whose values are all strings (labels, annotations, nodeSelector).
    /// `null` reads as empty; a `null` member value is skipped, as Go leaves the map entry out.
    public mutating func readStringMap() throws(JSONSyntaxError) -> [String: String] {
        try readStringMap(dropping: nil)
    }

    /// ``readStringMap()`` that leaves out the member `dropped` without building its value.
    mutating func readStringMap(dropping dropped: StaticString?) throws(JSONSyntaxError) -> [String: String] {
        var map: [String: String] = [:]
        try readObject { key, reader throws(JSONSyntaxError) in
            if let dropped, dropped ~= key { return }
            if let value = try reader.readStringOrNull() { map[key.string] = value }
        }
        return map
    }

    /// Reads an array of strings; `null` reads as empty.
    public mutating func readStringArray() throws(JSONSyntaxError) -> [String] {
        var array: [String] = []
        try readArray { reader throws(JSONSyntaxError) in array.append(try reader.readString()) }
        return array
    }

    // MARK: - Skipping and raw values

    /// Skips the next value without building anything. Strings are scanned for their closing
    /// quote (escapes checked), containers for balanced, matching brackets up to
    /// ``DecodingOptions/maxDepth``; literals and numbers are checked.
    public mutating func skipValue() throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input, expected a value", at: offset) }
        switch bytes[offset] {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default:
            throw error("unexpected character \(Self.describe(bytes[offset])), expected a value", at: offset)
        }
    }

    private mutating func skipNumber() throws(JSONSyntaxError) {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        func digits(_ reader: inout JSONReader) -> Int {
            let first = reader.offset
            while reader.offset < reader.bytes.count, reader.bytes[reader.offset] &- UInt8(ascii: "0") < 10 {
                reader.offset += 1
            }
            return reader.offset - first
        }
        let integerStart = offset
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw error("invalid number", at: start) }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
            throw error("invalid number: leading zero", at: start)
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw error("invalid number: digit expected after '.'", at: offset) }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard digits(&self) > 0 else { throw error("invalid number: digit expected in exponent", at: offset) }
        }
    }

    /// Skips the object or array at `offset`, tracking bracket kinds in a bit stack (1 = object).
    private mutating func skipContainer() throws(JSONSyntaxError) {
        let maxDepth = options.maxDepth
        var depth = 0
        var stack: UInt64 = 0  // kinds of the innermost 64 open containers
        var deep: [Bool] = []  // kinds of containers more than 64 levels down
        var index = offset
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                offset = index
                _ = try scanString()
                index = offset
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels", at: index) }
                if depth > 64 { deep.append(stack >> 63 == 1) }
                stack = stack << 1 | (byte == UInt8(ascii: "{") ? 1 : 0)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                let isObject = stack & 1 == 1
                guard isObject == (byte == UInt8(ascii: "}")) else {
                    throw error("mismatched '\(Character(Unicode.Scalar(byte)))'", at: index)
                }
                stack >>= 1
                if depth > 64, let outer = deep.popLast() { stack |= outer ? 1 << 63 : 0 }
                depth -= 1
                if depth == 0 {
                    offset = index + 1
                    return
                }
            default: break
            }
            index += 1
        }
        throw error("unexpected end of input in \(stack & 1 == 1 ? "object" : "array")", at: count)
    }

    /// Skips the next value and returns its byte range in ``bytes`` (leading whitespace excluded).
    public mutating func readRawRange() throws(JSONSyntaxError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        try skipValue()
        return start..<offset
    }

    /// The exact bytes of the next value, for passing it through unchanged.
    public mutating func readRaw() throws(JSONSyntaxError) -> [UInt8] {
        let range = try readRawRange()
        return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Checks that only whitespace follows the value just read.
    public mutating func finish() throws(JSONSyntaxError) {
        skipWhitespace()
        if offset != bytes.count { throw error("unexpected data after the top-level value", at: offset) }
    }
}

/// One object key as ``JSONReader/readObject(_:)`` hands it out: a view of the key's bytes in
/// the document, valid only inside the `readObject` body. Compare it with string literals
/// (`key == "name"`, or `case "name":` in a `switch`) without creating a `String`.
public struct JSONKey {
    let base: UnsafeRawBufferPointer
    let escaped: Bool
    let decoded: String?

    init(reader: JSONReader, start: Int, end: Int, escaped: Bool) throws(JSONSyntaxError) {
        base = UnsafeRawBufferPointer(rebasing: reader.bytes[start..<end])
        self.escaped = escaped
        // Keys with escapes are rare; decode them once so comparisons see the real key.
        decoded = escaped ? try reader.unescape(start: start, end: end) : nil
    }

    /// The key as a string (escapes decoded).
    public var string: String {
        if let decoded { return decoded }
        return String(decoding: base, as: UTF8.self)
    }

    /// Whether the key equals `literal`, byte for byte.
    @inline(__always)
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        if key.escaped { return key.string == literal.description }
        return literal.withUTF8Buffer { pattern in
            guard pattern.count == key.base.count else { return false }
            for index in 0..<pattern.count where pattern[index] != key.base[index] { return false }
            return true
        }
    }

    /// Pattern matching, so a `switch key` can list string literals.
    @inline(__always)
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool { key == pattern }
}
