/// Protocol Buffers wire types (https://protobuf.dev/programming-guides/encoding/#structure).
enum ProtobufWireType: UInt8, Sendable, Equatable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    var description: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .startGroup: "start-group"
        case .endGroup: "end-group"
        case .fixed32: "fixed32"
        }
    }
}

/// Why a protobuf message could not be read. The descriptions are the reasons a 400 BadRequest
/// answer gives.
enum ProtobufError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended inside a tag, varint, fixed-width value or length-delimited field.
    case truncated(offset: Int)
    /// A varint ran past ten bytes or 64 bits.
    case varintTooLong(offset: Int)
    /// A tag carried wire type 6 or 7.
    case invalidWireType(UInt8, offset: Int)
    /// A tag carried field number 0 or one above 2^29 - 1.
    case invalidFieldNumber(UInt64, offset: Int)
    /// A known field arrived with a wire type its declared type cannot have.
    case wrongWireType(field: String, got: ProtobufWireType)
    /// A string field held bytes that are not UTF-8.
    case invalidUTF8(field: String)
    /// An end-group tag without its start group, or a group that never ends.
    case unbalancedGroup(offset: Int)

    var description: String {
        switch self {
        case .truncated(let offset): "unexpected end of protobuf data at byte \(offset)"
        case .varintTooLong(let offset): "protobuf varint overflows 64 bits at byte \(offset)"
        case .invalidWireType(let type, let offset): "illegal protobuf wire type \(type) at byte \(offset)"
        case .invalidFieldNumber(let number, let offset): "illegal protobuf field number \(number) at byte \(offset)"
        case .wrongWireType(let field, let got): "wrong protobuf wire type \(got) for field \(field)"
        case .invalidUTF8(let field): "protobuf field \(field) is not valid UTF-8"
        case .unbalancedGroup(let offset): "unbalanced protobuf group at byte \(offset)"
        }
    }
}

/// One field value as it appears on the wire, before a schema gives it a meaning.
enum ProtobufWireValue: Sendable, Equatable {
    case varint(UInt64)
    case fixed64(UInt64)
    case lengthDelimited(ArraySlice<UInt8>)
    case fixed32(UInt32)

    /// The wire type the value was read with.
    var wireType: ProtobufWireType {
        switch self {
        case .varint: .varint
        case .fixed64: .fixed64
        case .lengthDelimited: .lengthDelimited
        case .fixed32: .fixed32
        }
    }
}

/// A forward-only reader of the Protocol Buffers binary wire format
/// (https://protobuf.dev/programming-guides/encoding/): tags, base-128 varints, little-endian
/// fixed32/fixed64 and length-delimited fields. Groups (wire types 3 and 4, deprecated and unused
/// by Kubernetes) are skipped whole.
struct ProtobufReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    /// A reader of `bytes`; offsets in errors count from their start.
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// True when every byte has been read.
    var isAtEnd: Bool { position >= bytes.endIndex }

    /// The offset of the next byte from the start of the input.
    var offset: Int { position - bytes.startIndex }

    /// Reads a base-128 varint of at most ten bytes. Like Go's `protowire.ConsumeVarint`, a tenth
    /// byte may only carry the 64th bit; anything more is an overflow.
    mutating func readVarint() throws(ProtobufError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex else { throw .truncated(offset: offset) }
            let byte = bytes[position]
            position += 1
            if shift == 63, byte > 1 { throw .varintTooLong(offset: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a little-endian 32-bit value.
    mutating func readFixed32() throws(ProtobufError) -> UInt32 {
        guard bytes.endIndex - position >= 4 else { throw .truncated(offset: bytes.endIndex - bytes.startIndex) }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[position + index]) << (8 * UInt32(index)) }
        position += 4
        return value
    }

    /// Reads a little-endian 64-bit value.
    mutating func readFixed64() throws(ProtobufError) -> UInt64 {
        guard bytes.endIndex - position >= 8 else { throw .truncated(offset: bytes.endIndex - bytes.startIndex) }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += 8
        return value
    }

    /// Reads a varint length and that many bytes.
    mutating func readLengthDelimited() throws(ProtobufError) -> ArraySlice<UInt8> {
        let length = try readVarint()
        guard length <= UInt64(bytes.endIndex - position) else { throw .truncated(offset: bytes.endIndex - bytes.startIndex) }
        let end = position + Int(length)
        defer { position = end }
        return bytes[position..<end]
    }

    /// Reads a tag: the field number and the wire type.
    mutating func readTag() throws(ProtobufError) -> (number: Int, wireType: ProtobufWireType) {
        let start = offset
        let key = try readVarint()
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw .invalidWireType(UInt8(key & 7), offset: start)
        }
        let number = key >> 3
        guard number >= 1, number <= (1 << 29) - 1 else { throw .invalidFieldNumber(number, offset: start) }
        return (Int(number), wireType)
    }

    /// The next field, skipping groups; nil at the end of the input.
    mutating func nextField() throws(ProtobufError) -> (number: Int, value: ProtobufWireValue)? {
        while !isAtEnd {
            let start = offset
            let (number, wireType) = try readTag()
            switch wireType {
            case .varint: return (number, .varint(try readVarint()))
            case .fixed64: return (number, .fixed64(try readFixed64()))
            case .lengthDelimited: return (number, .lengthDelimited(try readLengthDelimited()))
            case .fixed32: return (number, .fixed32(try readFixed32()))
            case .startGroup: try skipGroup(number)
            case .endGroup: throw .unbalancedGroup(offset: start)
            }
        }
        return nil
    }

    /// Skips the rest of a group that started with field `number`, nested groups included.
    private mutating func skipGroup(_ number: Int) throws(ProtobufError) {
        var open = [number]
        while let current = open.last {
            guard !isAtEnd else { throw .unbalancedGroup(offset: offset) }
            let start = offset
            let (field, wireType) = try readTag()
            switch wireType {
            case .varint: _ = try readVarint()
            case .fixed64: _ = try readFixed64()
            case .lengthDelimited: _ = try readLengthDelimited()
            case .fixed32: _ = try readFixed32()
            case .startGroup: open.append(field)
            case .endGroup:
                guard field == current else { throw .unbalancedGroup(offset: start) }
                open.removeLast()
            }
        }
    }
}
