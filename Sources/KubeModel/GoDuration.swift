/// A duration written as Go's `time.ParseDuration` reads it (`5m`, `1h30m`, `300ms`, `0`), the
/// form Kubernetes uses for `metav1.Duration` fields and controller-runtime for duration flags.
///
/// Units: `ns`, `us` (`µs`, `μs`), `ms`, `s`, `m`, `h`. A sign is allowed; fractions are allowed
/// (`1.5h`). Follows `src/time/format.go` (`ParseDuration`) and its `String` for formatting.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A duration of `seconds` seconds, rounded to the nanosecond.
    public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }

    /// The length in seconds.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Why a text is not a Go duration.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String
        public var reason: String

        public init(text: String, reason: String) {
            self.text = text
            self.reason = reason
        }

        public var description: String { "invalid duration \"\(text)\": \(reason)" }
    }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `text` as Go's `time.ParseDuration` does.
    /// - Throws: ``ParseError`` naming the text and what is wrong (missing unit, unknown unit,
    ///   overflow, empty).
    public init(parsing text: String) throws(ParseError) {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            self.nanoseconds = 0
            return
        }
        guard !rest.isEmpty else { throw ParseError(text: text, reason: "empty") }
        var total: Double = 0
        while !rest.isEmpty {
            let whole = rest.prefix(while: { $0.isASCII && $0.isNumber })
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: { $0.isASCII && $0.isNumber })
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else {
                throw ParseError(text: text, reason: "expected a number")
            }
            let unitText = rest.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            guard !unitText.isEmpty else {
                throw ParseError(text: text, reason: "missing unit (one of ns, us, ms, s, m, h)")
            }
            guard let unit = Self.units.first(where: { $0.0 == unitText })?.1 else {
                throw ParseError(text: text, reason: "unknown unit \"\(unitText)\" (one of ns, us, ms, s, m, h)")
            }
            rest = rest.dropFirst(unitText.count)
            let number = Double("\(whole.isEmpty ? "0" : whole).\(fraction.isEmpty ? "0" : fraction)") ?? 0
            total += number * Double(unit)
            guard total <= Double(Int64.max) else { throw ParseError(text: text, reason: "overflow") }
        }
        let value = Int64(total.rounded())
        self.nanoseconds = negative ? -value : value
    }

    /// Go's `Duration.String`: `1h30m0s`, `5m0s`, `300ms`, `0s`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000_000_000 {
            let (unit, scale): (String, UInt64) =
                magnitude < 1_000 ? ("ns", 1) : magnitude < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            return sign + Self.decimal(magnitude, scale: scale) + unit
        }
        let hours = magnitude / 3_600_000_000_000
        let minutes = (magnitude / 60_000_000_000) % 60
        let secondsPart = magnitude % 60_000_000_000
        var text = sign
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        return text + Self.decimal(secondsPart, scale: 1_000_000_000) + "s"
    }

    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        let fraction = value % scale
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: String(scale).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
