import KubeModel

/// String formats and numeric helpers, following kube-openapi's `pkg/validation/strfmt` (the
/// default registry the apiserver validates `format` against) and go-openapi's `swag`.
public enum Formats {
    /// The string formats checked, by normalized name (lower case, dashes and underscores
    /// removed, as strfmt's registry normalizes). Formats not listed (including the numeric
    /// `int32`, `int64`, `float`, `double`) are not checked on strings, as kube-openapi only
    /// applies formats its registry knows.
    public static let checkedFormats: Set<String> = [
        "byte", "date", "datetime", "duration", "email", "hostname", "ipv4", "ipv6", "cidr", "mac",
        "uri",
        "uuid", "uuid3", "uuid4", "uuid5", "hexcolor", "rgbcolor", "password", "bsonobjectid",
    ]

    static func normalized(_ format: String) -> String {
        String(format.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// The checker for a `format`, nil when the format is not checked.
    static func checker(for format: String) -> ((String) -> Bool)? {
        switch normalized(format) {
        case "byte": return isBase64
        case "date": return isDate
        case "datetime": return isDateTime
        case "duration": return isDuration
        case "email": return isEmail
        case "hostname": return isHostname
        case "ipv4": return isIPv4
        case "ipv6": return isIPv6
        case "cidr": return isCIDR
        case "mac": return isMAC
        case "uri": return isURI
        case "uuid": return { isUUID($0, version: nil) }
        case "uuid3": return { isUUID($0, version: 3) }
        case "uuid4": return { isUUID($0, version: 4) }
        case "uuid5": return { isUUID($0, version: 5) }
        case "hexcolor": return { matches($0, pattern: "^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$") }
        case "rgbcolor":
            let octet = "\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*"
            return { matches($0, pattern: "^rgb\\(\(octet),\(octet),\(octet)\\)$") }
        case "password": return { _ in true }
        case "bsonobjectid": return { matches($0, pattern: "^[0-9a-fA-F]{24}$") }
        default: return nil
        }
    }

    /// Whether `string` contains a match of `pattern` (unanchored, as Go's `regexp.MatchString`);
    /// a pattern that does not compile matches nothing.
    public static func matches(_ string: String, pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return string.contains(regex)
    }

    /// `swag.IsFloat64AJSONInteger`: finite, within ±2^53 and integral (to a relative 1e-9).
    static func isJSONInteger(_ value: Double) -> Bool {
        guard value.isFinite, abs(value) <= 9_007_199_254_740_992 else { return false }
        let rounded = value.rounded()
        if rounded == value { return true }
        return abs(value - rounded) < 1e-9 * max(1, abs(value))
    }

    /// Go's `int64(f)`: truncation toward zero; nil when out of range.
    static func truncated(_ value: Double) -> Int64? {
        Int64(exactly: value.rounded(.towardZero))
    }

    /// Enum membership: numbers compare by value whatever their representation (kube-openapi
    /// converts the value to the enum member's Go type), everything else structurally.
    static func enumEqual(_ value: JSONValue, _ candidate: JSONValue) -> Bool {
        switch (value, candidate) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return value.doubleValue == candidate.doubleValue
        default: return value == candidate
        }
    }

    // MARK: - Checkers

    /// Standard base64 with padding (`base64.StdEncoding`), line breaks ignored.
    static func isBase64(_ string: String) -> Bool {
        let bytes = Array(string.utf8.filter { $0 != 0x0A && $0 != 0x0D })
        guard bytes.count % 4 == 0 else { return false }
        var padding = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }
            case UInt8(ascii: "="):
                padding += 1
                if padding > 2 || index < bytes.count - 2 { return false }
            default: return false
            }
        }
        return true
    }

    private static func digits(_ text: Substring, _ count: Int) -> Int? {
        guard text.count == count, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `YYYY-MM-DD` with a real calendar day (`time.Parse("2006-01-02", …)`).
    static func isDate(_ string: String) -> Bool {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = digits(parts[0], 4), let month = digits(parts[1], 2),
            let day = digits(parts[2], 2), (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// RFC 3339 date-times and the ISO 8601 variants strfmt's `ParseDateTime` accepts:
    /// `2006-01-02T15:04:05[.frac](Z|±07:00|±0700)?` and `2006-01-02T15:04(Z|±07:00)?`.
    static func isDateTime(_ string: String) -> Bool {
        guard let t = string.firstIndex(of: "T"), isDate(String(string[..<t])) else { return false }
        var rest = string[string.index(after: t)...]
        // Zone suffix.
        if rest.hasSuffix("Z") {
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = rest[rest.index(after: sign)...]
            let zoneParts = zone.split(separator: ":", omittingEmptySubsequences: false)
            let valid: Bool
            if zoneParts.count == 2 {
                valid =
                    digits(zoneParts[0], 2).map { $0 < 24 } == true
                    && digits(zoneParts[1], 2).map { $0 < 60 } == true
            } else {
                valid = digits(zone, 4) != nil
            }
            guard valid else { return false }
            rest = rest[..<sign]
        }
        var fraction: Substring = ""
        if let dot = rest.firstIndex(of: ".") {
            fraction = rest[rest.index(after: dot)...]
            rest = rest[..<dot]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return false
            }
        }
        let clock = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2 || clock.count == 3,
            let hour = digits(clock[0], 2), hour < 24,
            let minute = digits(clock[1], 2), minute < 60
        else { return false }
        if clock.count == 3 {
            guard let second = digits(clock[2], 2), second < 60 else { return false }
        } else if !fraction.isEmpty {
            return false
        }
        return true
    }

    /// Go durations (`1h30m`, `1.5s`, `-2m`) and strfmt's long forms (`3 days`, `1w`).
    static func isDuration(_ string: String) -> Bool {
        let units: Set<String> = [
            "ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "w",
            "nanosecond", "nanoseconds", "microsecond", "microseconds", "millisecond", "milliseconds",
            "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "hr", "hrs", "hour",
            "hours",
            "day", "days", "wk", "wks", "week", "weeks",
        ]
        var text = Substring(string.trimmingPrefix(while: { $0 == " " }))
        if text == "0" { return true }
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        guard !text.isEmpty else { return false }
        while !text.isEmpty {
            let number = text.prefix(while: { ($0.isASCII && $0.isNumber) || $0 == "." })
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1 else {
                return false
            }
            text = text.dropFirst(number.count)
            text = text.drop(while: { $0 == " " })
            let unit = text.prefix(while: { $0.isLetter })
            guard units.contains(String(unit)) else { return false }
            text = text.dropFirst(unit.count).drop(while: { $0 == " " })
        }
        return true
    }

    /// A simplified `net/mail.ParseAddress`: one `@` with a non-empty local part and a domain.
    static func isEmail(_ string: String) -> Bool {
        var candidate = Substring(string)
        if let open = string.lastIndex(of: "<"), string.hasSuffix(">") {
            candidate = string[string.index(after: open)..<string.index(before: string.endIndex)]
        }
        let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !candidate.contains(" ") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// RFC 1123 host names: dot-separated labels of letters, digits and inner dashes, each at
    /// most 63 characters, at most 255 in all.
    static func isHostname(_ string: String) -> Bool {
        guard !string.isEmpty, string.utf8.count <= 255 else { return false }
        let labels = string.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if label.isEmpty, index == labels.count - 1, labels.count > 1 { continue }
            guard !label.isEmpty, label.count <= 63, label.first != "-", label.last != "-",
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return false }
        }
        return true
    }

    /// Dotted-quad IPv4 without leading zeros (`net.ParseIP`).
    static func isIPv4(_ string: String) -> Bool {
        let parts = string.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(part), value <= 255, part.count == 1 || part.first != "0"
            else { return false }
        }
        return true
    }

    /// IPv6 in RFC 4291 text form, with at most one `::` and an optional trailing IPv4.
    static func isIPv6(_ string: String) -> Bool {
        guard string.contains(":") else { return false }
        var groups = 0
        let halves = string.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return false }
        for (halfIndex, half) in halves.enumerated() {
            if half.isEmpty { continue }
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if index == parts.count - 1, halfIndex == halves.count - 1, part.contains(".") {
                    guard isIPv4(String(part)) else { return false }
                    groups += 2
                    continue
                }
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit) else { return false }
                groups += 1
            }
        }
        return halves.count == 2 ? groups < 8 : groups == 8
    }

    /// `address/prefix` with an IPv4 or IPv6 address and a prefix length in range.
    static func isCIDR(_ string: String) -> Bool {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else {
            return false
        }
        if isIPv4(String(parts[0])) { return (0...32).contains(bits) }
        if isIPv6(String(parts[0])) { return (0...128).contains(bits) }
        return false
    }

    /// `net.ParseMAC`: 6, 8 or 20 octets as `aa:bb:…`, `aa-bb-…` or `aabb.ccdd.…`.
    static func isMAC(_ string: String) -> Bool {
        for separator: Character in [":", "-"] where string.contains(separator) {
            let parts = string.split(separator: separator, omittingEmptySubsequences: false)
            return [6, 8, 20].contains(parts.count)
                && parts.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.isHexDigit } }
        }
        let parts = string.split(separator: ".", omittingEmptySubsequences: false)
        return [3, 4, 10].contains(parts.count)
            && parts.allSatisfy { $0.count == 4 && $0.allSatisfy { $0.isHexDigit } }
    }

    /// `url.ParseRequestURI`, simplified: an absolute URI (`scheme:…`) or an absolute path, with
    /// no spaces or control characters.
    static func isURI(_ string: String) -> Bool {
        guard !string.isEmpty,
            !string.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { return false }
        if string.hasPrefix("/") { return true }
        return matches(string, pattern: "^[A-Za-z][A-Za-z0-9+.-]*:")
    }

    /// strfmt's UUID patterns: 32 hex digits in 8-4-4-4-12 groups (dashes optional), with the
    /// version nibble checked for uuid3/4/5.
    static func isUUID(_ string: String, version: Int?) -> Bool {
        guard
            matches(
                string, pattern: "^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
        else {
            return false
        }
        guard let version else { return true }
        let hex = Array(string.filter { $0 != "-" }.lowercased())
        guard hex.count == 32, hex[12] == Character(String(version)) else { return false }
        return version == 3 || "89ab".contains(hex[16])
    }
}
