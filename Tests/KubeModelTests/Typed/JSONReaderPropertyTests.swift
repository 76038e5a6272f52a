import KubeModel
import Testing

/// SplitMix64: a small deterministic generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    /// Characters chosen to stress string scanning: quotes, backslashes, brackets, control
    /// characters, multi-byte UTF-8 and astral-plane scalars.
    static let alphabet: [Character] = Array("ab z09\"\\/[]{},:\n\t\r\u{01}\u{1F}é€😀")

    static func string(_ rng: inout SplitMix64) -> String {
        let length = Int.random(in: 0...20, using: &rng)
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
    }

    static func value(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let leaf = depth >= 6 || Int.random(in: 0..<10, using: &rng) < 4
        if leaf {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int.random(in: 0..<64, using: &rng))
            case 3: return .double(Double(Int.random(in: -100_000...100_000, using: &rng)) / 64 + 1.0 / 128)  // never integral
            default: return .string(string(&rng))
            }
        }
        let count = Int.random(in: 0...5, using: &rng)
        if Bool.random(using: &rng) {
            return .array((0..<count).map { _ in value(&rng, depth: depth + 1) })
        }
        var object = JSONObject()
        for _ in 0..<count { object[string(&rng)] = value(&rng, depth: depth + 1) }
        return .object(object)
    }
}

@Suite struct JSONReaderPropertyTests {
    /// For 200 random documents, compact and indented: `skipValue` consumes exactly the
    /// document, `readRaw` returns bytes that parse back equal, and decoding as `JSONValue`
    /// through the reader equals `JSONValue.parse`.
    @Test func skipAndRawAgreeWithTheParser() throws {
        var rng = SplitMix64(state: 0x5EED)
        for round in 0..<200 {
            let value = RandomJSON.value(&rng)
            let texts = [value.encoded(), Array(value.prettyEncoded().utf8) + Array(" \n".utf8)]
            for text in texts {
                try JSONReader.reading(text) { reader throws(JSONSyntaxError) in
                    try reader.skipValue()
                    reader.skipWhitespace()
                    #expect(reader.offset == reader.bytes.count, "round \(round): skip stopped early")

                    var rawReader = JSONReader(bytes: reader.bytes)
                    let raw = try rawReader.readRaw()
                    let reparsed = try JSONValue.parse(raw)
                    #expect(reparsed == value, "round \(round)")
                    try rawReader.finish()

                    var decodingReader = JSONReader(bytes: reader.bytes)
                    let decoded = try decodingReader.decode(JSONValue.self)
                    #expect(decoded == value, "round \(round)")
                }
                let wrapped = Array("[".utf8) + text + Array(",7]".utf8)
                try JSONReader.reading(wrapped) { reader throws(JSONSyntaxError) in
                    var elements: [[UInt8]] = []
                    try reader.readArray { reader throws(JSONSyntaxError) in elements.append(try reader.readRaw()) }
                    try reader.finish()
                    #expect(elements.count == 2)
                    let first = try JSONValue.parse(elements.first ?? [])
                    #expect(first == value)
                    #expect(elements.last == Array("7".utf8))
                }
            }
        }
    }

    /// Random strings (every character of the stress alphabet) read back through `readString`,
    /// both as the encoder writes them and with every character `\u`-escaped.
    @Test func stringsRoundTrip() throws {
        var rng = SplitMix64(state: 42)
        for _ in 0..<300 {
            let string = RandomJSON.string(&rng)
            var encoded: [UInt8] = []
            JSONValue.encodeString(string, into: &encoded)
            var escaped = "\""
            for unit in string.utf16 {
                let hex = String(unit, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            escaped += "\""
            for bytes in [encoded, Array(escaped.utf8)] {
                try JSONReader.reading(bytes) { reader throws(JSONSyntaxError) in
                    let read = try reader.readString()
                    #expect(read == string)
                    try reader.finish()
                }
            }
        }
    }

    @Test func readerPrimitives() throws {
        let text = #" {"s":"x","n":null,"i":-9223372036854775808,"b":false,"d":2.5e3,"m":{"k":"v","z":null},"a":["p","q"]} "#
        try JSONReader.reading(Array(text.utf8)) { reader throws(JSONSyntaxError) in
            #expect(reader.peekKind() == .object)
            var seen: [String] = []
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                seen.append(key.string)
                switch key {
                case "s":
                    let value = try reader.readString()
                    #expect(value == "x")
                case "n":
                    let value = try reader.readStringOrNull()
                    #expect(value == nil)
                case "i":
                    let value = try reader.readInt64()
                    #expect(value == Int64.min)
                case "b":
                    let value = try reader.readBool()
                    #expect(value == false)
                case "d":
                    let value = try reader.readDouble()
                    #expect(value == 2500)
                case "m":
                    let value = try reader.readStringMap()
                    #expect(value == ["k": "v"])
                case "a":
                    let value = try reader.readStringArray()
                    #expect(value == ["p", "q"])
                default: Issue.record("unexpected key \(key.string)")
                }
            }
            try reader.finish()
            #expect(seen == ["s", "n", "i", "b", "d", "m", "a"])
        }
    }
}
