/// A tiny protobuf encoder for building test inputs by hand
/// (https://protobuf.dev/programming-guides/encoding/).
struct ProtoWriter {
    var bytes: [UInt8] = []

    /// Builds one message.
    static func message(_ build: (inout ProtoWriter) -> Void) -> [UInt8] {
        var writer = ProtoWriter()
        build(&writer)
        return writer.bytes
    }

    static func varintBytes(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    mutating func tag(_ number: Int, _ wireType: UInt8) {
        bytes += Self.varintBytes(UInt64(number) << 3 | UInt64(wireType))
    }

    mutating func varint(_ number: Int, _ value: UInt64) {
        tag(number, 0)
        bytes += Self.varintBytes(value)
    }

    mutating func int64(_ number: Int, _ value: Int64) { varint(number, UInt64(bitPattern: value)) }

    mutating func bool(_ number: Int, _ value: Bool) { varint(number, value ? 1 : 0) }

    mutating func bytes(_ number: Int, _ value: [UInt8]) {
        tag(number, 2)
        bytes += Self.varintBytes(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ number: Int, _ value: String) { bytes(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ build: (inout ProtoWriter) -> Void) { bytes(number, Self.message(build)) }

    mutating func fixed32(_ number: Int, _ value: UInt32) {
        tag(number, 5)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func fixed64(_ number: Int, _ value: UInt64) {
        tag(number, 1)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// One `map<string, string>` entry.
    mutating func mapEntry(_ number: Int, _ key: String, _ value: String) {
        message(number) { entry in
            entry.string(1, key)
            entry.string(2, value)
        }
    }

    /// One `map<string, bytes>` entry.
    mutating func mapEntry(_ number: Int, _ key: String, bytes value: [UInt8]) {
        message(number) { entry in
            entry.string(1, key)
            entry.bytes(2, value)
        }
    }

    /// The Kubernetes envelope: `k8s\0` then runtime.Unknown {1: typeMeta, 2: raw, 3: "", 4: ""}.
    static func envelope(apiVersion: String, kind: String, raw: [UInt8]) -> [UInt8] {
        [0x6b, 0x38, 0x73, 0x00]
            + message { unknown in
                unknown.message(1) { typeMeta in
                    typeMeta.string(1, apiVersion)
                    typeMeta.string(2, kind)
                }
                unknown.bytes(2, raw)
                unknown.string(3, "")
                unknown.string(4, "")
            }
    }
}
