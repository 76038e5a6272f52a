import KubeModel

/// Renderings of values the way Go's `fmt` and `strconv` print them, so messages built here read
/// exactly like kube-apiserver's (which formats with `%q`, `%v` and `%#v`).
enum GoFormat {
    /// `strconv.Quote`: double-quoted, with Go escapes for control and non-printable characters.
    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, width: 2)
                } else if (0x80..<0xA0).contains(v) || v == 0xFEFF || (0xD800..<0xE000).contains(v) {
                    out += "\\u" + hex(v, width: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `%v` of a float64: shortest round-trip digits, exponent form when the decimal exponent is
    /// below -4 or at least 6 (`strconv.FormatFloat(f, 'g', -1, 64)`), e.g. `1e+06`, `0.5`, `100`.
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (negative, digits, pointPosition) = decimalDigits(value)
        let exponent = pointPosition - 1
        var out = negative ? "-" : ""
        if exponent < -4 || exponent >= 6 {
            out.append(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            out += magnitude.count < 2 ? "0" + magnitude : magnitude
        } else if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<index] + "." + digits[index...]
        }
        return out
    }

    /// The shortest decimal digits of `value` (no leading or trailing zeros) and the position of
    /// the decimal point relative to the first digit, from Swift's shortest round-trip rendering.
    private static func decimalDigits(_ value: Double) -> (negative: Bool, digits: String, point: Int) {
        var text = abs(value).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integer = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integer = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = integer + fraction
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { digits = "0" }
        return (value < 0, digits, point)
    }

    /// `%v` of a scalar JSON value as Go prints the unstructured form (int64, float64, bool,
    /// string unquoted).
    static func plain(_ value: JSONValue) -> String {
        switch value {
        case .int(let int): return String(int)
        case .double(let double): return float(double)
        case .bool(let bool): return bool ? "true" : "false"
        case .string(let string): return string
        case .null: return "<nil>"
        default: return sharpV(value)
        }
    }

    /// `%#v` of an unstructured value: `map[string]interface {}{"a":1}` (keys sorted),
    /// `[]interface {}{"x", 2}`, quoted strings, `interface {}(nil)` for null.
    static func sharpV(_ value: JSONValue) -> String {
        switch value {
        case .null: return "interface {}(nil)"
        case .bool(let bool): return bool ? "true" : "false"
        case .int(let int): return String(int)
        case .double(let double): return float(double)
        case .string(let string): return quote(string)
        case .array(let array):
            return "[]interface {}{" + array.map(sharpV).joined(separator: ", ") + "}"
        case .object(let object):
            let members = object.members.sorted { $0.key < $1.key }
            return "map[string]interface {}{"
                + members.map { quote($0.key) + ":" + sharpV($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// `json.Marshal` of an unstructured value: compact, object keys sorted as Go sorts map keys.
    static func json(_ value: JSONValue) -> String {
        value.sortedKeys().jsonString
    }
}
