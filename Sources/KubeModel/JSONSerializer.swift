extension JSONValue {
    /// The compact UTF-8 encoding of this value (no insignificant whitespace), members in order.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        encode(into: &output)
        return output
    }

    /// The compact encoding as a string.
    public var jsonString: String { String(decoding: encoded(), as: UTF8.self) }

    /// An indented encoding (four spaces, as `kubectl -o json`), ending without a newline.
    public func prettyEncoded() -> String {
        var output: [UInt8] = []
        encodePretty(into: &output, indent: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the compact encoding to `output`.
    public func encode(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int): output.append(contentsOf: String(int).utf8)
        case .double(let double): JSONValue.encodeDouble(double, into: &output)
        case .string(let string): JSONValue.encodeString(string, into: &output)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                element.encode(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.encodeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.encode(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private func encodePretty(into output: inout [UInt8], indent: Int) {
        func newline(_ level: Int) {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 4))
        }
        switch self {
        case .array(let array) where !array.isEmpty:
            output.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                element.encodePretty(into: &output, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                JSONValue.encodeString(member.key, into: &output)
                output.append(contentsOf: ": ".utf8)
                member.value.encodePretty(into: &output, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        default:
            encode(into: &output)
        }
    }

    /// Writes a double the way Go's `encoding/json` does (`encode.go`, floatEncoder): the shortest
    /// representation, in plain notation when 1e-6 <= |x| < 1e21, otherwise in exponent notation
    /// with at least one exponent digit (`1e-7`, `1e+21`).
    static func encodeDouble(_ double: Double, into output: inout [UInt8]) {
        guard double.isFinite else {
            // JSON has no encoding for these; null is what JavaScript emits.
            output.append(contentsOf: "null".utf8)
            return
        }
        let magnitude = abs(double)
        let shortest = double.description
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            output.append(contentsOf: goExponent(shortest).utf8)
        } else {
            output.append(contentsOf: plainNotation(shortest).utf8)
        }
    }

    /// `1e-07` → `1e-7`; `1.5e+21` stays.
    private static func goExponent(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        let mantissa = text[..<e]
        var exponent = text[text.index(after: e)...]
        var sign = "+"
        if let first = exponent.first, first == "-" || first == "+" {
            sign = String(first)
            exponent = exponent.dropFirst()
        }
        let digits = exponent.drop { $0 == "0" }
        let trimmedMantissa = mantissa.hasSuffix(".0") ? mantissa.dropLast(2) : mantissa
        return "\(trimmedMantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
    }

    /// Expands Swift's shortest form into plain decimal notation, without a trailing `.0`.
    private static func plainNotation(_ text: String) -> String {
        var negative = false
        var body = Substring(text)
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        var exponent = 0
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(body[body.index(after: e)...]) ?? 0
            body = body[..<e]
        }
        var integerPart = body
        var fractionPart: Substring = ""
        if let dot = body.firstIndex(of: ".") {
            integerPart = body[..<dot]
            fractionPart = body[body.index(after: dot)...]
        }
        var digits = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while pointPosition > digits.count { digits.append("0") }
        while pointPosition < 0 {
            digits.insert("0", at: 0)
            pointPosition += 1
        }
        var integerDigits = String(digits[..<pointPosition]).drop { $0 == "0" }
        if integerDigits.isEmpty { integerDigits = "0" }
        var fraction = String(digits[pointPosition...])
        while fraction.last == "0" { fraction.removeLast() }
        let sign = negative && !(integerDigits == "0" && fraction.isEmpty) ? "-" : ""
        return sign + integerDigits + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Appends `string` as a quoted JSON string, escaping quotes, backslashes and control
    /// characters.
    public static func encodeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case 0x22: output.append(contentsOf: "\\\"".utf8)
                case 0x5C: output.append(contentsOf: "\\\\".utf8)
                case 0x0A: output.append(contentsOf: "\\n".utf8)
                case 0x0D: output.append(contentsOf: "\\r".utf8)
                case 0x09: output.append(contentsOf: "\\t".utf8)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0F)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonString }
}
