import Foundation
import KubeModel

/// Turns protobuf messages into the JSON the Kubernetes JSON serializer would have produced for
/// the same Go object, guided by a ``ProtobufMessage`` description.
enum ProtobufConverter {
    /// Converts one message. Unknown field numbers are skipped; a repeated occurrence of a
    /// non-repeated field overrides a scalar and merges into a message, as protobuf's merge rules say.
    /// - Throws: ``ProtobufError`` for malformed input or a known field with the wrong wire type.
    static func object(_ bytes: ArraySlice<UInt8>, as message: ProtobufMessage) throws(ProtobufError) -> JSONObject {
        // Collected wire values per known field, in arrival order.
        var collected: [Int: [ProtobufWireValue]] = [:]
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            guard message.field(number) != nil else { continue }
            collected[number, default: []].append(value)
        }
        var object = JSONObject()
        for field in message.fields {
            let values = collected[field.number] ?? []
            let qualified = "\(message.name).\(field.name)"
            let converted: JSONValue?
            if values.isEmpty {
                converted = field.emptiness == .always ? zeroValue(field.type) : nil
            } else {
                converted = try fieldValue(values, type: field.type, field: qualified)
            }
            guard let converted else { continue }
            if field.emptiness == .omitEmpty, isEmpty(converted) { continue }
            object[field.name] = converted
        }
        return object
    }

    /// The JSON of all occurrences of one field; nil when it has no JSON form (the zero Time).
    private static func fieldValue(_ values: [ProtobufWireValue], type: ProtobufFieldType, field: String) throws(ProtobufError)
        -> JSONValue?
    {
        switch type {
        case .repeated(let element):
            var items: [JSONValue] = []
            for value in values {
                if let item = try single(value, type: element, field: field) { items.append(item) }
            }
            return .array(items)
        case .map(let valueType):
            var object = JSONObject()
            for value in values {
                let entry = try lengthDelimited(value, field: field)
                var key = ""
                var item: ProtobufWireValue?
                var reader = ProtobufReader(entry)
                while let (number, part) = try reader.nextField() {
                    switch number {
                    case 1: key = try string(part, field: field + " key")
                    case 2: item = part
                    default: continue
                    }
                }
                if let item {
                    object[key] = try single(item, type: valueType, field: field)
                } else {
                    object[key] = zeroValue(valueType)
                }
            }
            return .object(object)
        case .message, .time:
            // Occurrences of an embedded message merge: parsing their concatenation does exactly that.
            var merged: [UInt8] = []
            for value in values { merged.append(contentsOf: try lengthDelimited(value, field: field)) }
            return try single(.lengthDelimited(merged[...]), type: type, field: field)
        default:
            guard let last = values.last else { return nil }
            return try single(last, type: type, field: field)
        }
    }

    /// The JSON of one wire value of a non-repeated type.
    private static func single(_ value: ProtobufWireValue, type: ProtobufFieldType, field: String) throws(ProtobufError)
        -> JSONValue?
    {
        switch type {
        case .string:
            return .string(try string(value, field: field))
        case .bytes:
            return .string(Data(try lengthDelimited(value, field: field)).base64EncodedString())
        case .int64:
            return .int(Int64(bitPattern: try varint(value, field: field)))
        case .int32:
            return .int(Int64(Int32(truncatingIfNeeded: try varint(value, field: field))))
        case .bool:
            return .bool(try varint(value, field: field) != 0)
        case .time:
            let bytes = try lengthDelimited(value, field: field)
            var seconds: Int64?
            var reader = ProtobufReader(bytes)
            while let (number, part) = try reader.nextField() {
                if number == 1 { seconds = Int64(bitPattern: try varint(part, field: field + ".seconds")) }
            }
            // An empty Time is Go's zero time, which JSON writes as null: leave it out.
            if bytes.isEmpty { return nil }
            return .string(Timestamp.rfc3339(Double(seconds ?? 0)))
        case .message(let message):
            return .object(try object(try lengthDelimited(value, field: field), as: message))
        case .repeated, .map:
            // Nested repetition does not occur in protobuf; treat the value as one element.
            return try fieldValue([value], type: type, field: field)
        }
    }

    private static func varint(_ value: ProtobufWireValue, field: String) throws(ProtobufError) -> UInt64 {
        guard case .varint(let number) = value else { throw .wrongWireType(field: field, got: value.wireType) }
        return number
    }

    private static func lengthDelimited(_ value: ProtobufWireValue, field: String) throws(ProtobufError) -> ArraySlice<UInt8> {
        guard case .lengthDelimited(let bytes) = value else { throw .wrongWireType(field: field, got: value.wireType) }
        return bytes
    }

    private static func string(_ value: ProtobufWireValue, field: String) throws(ProtobufError) -> String {
        let bytes = try lengthDelimited(value, field: field)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }

    /// Go's zero value of a type in JSON.
    private static func zeroValue(_ type: ProtobufFieldType) -> JSONValue? {
        switch type {
        case .string, .bytes: .string("")
        case .int64, .int32: .int(0)
        case .bool: .bool(false)
        case .time: nil
        case .message: .object(JSONObject())
        case .repeated: .array([])
        case .map: .object(JSONObject())
        }
    }

    /// Whether `omitempty` leaves a value out: "", 0, false, empty arrays and maps. Structs are
    /// never empty to `encoding/json`, but no described struct field is `omitEmpty`.
    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .int(let number): number == 0
        case .double(let number): number == 0
        case .bool(let flag): !flag
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        }
    }
}

/// The Kubernetes protobuf envelope (`k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go`):
/// the 4-byte magic `k8s\0`, then a `runtime.Unknown` message (`k8s.io/apimachinery/pkg/runtime/generated.proto`)
/// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType} whose raw
/// bytes are the object's own message.
struct KubernetesProtobufEnvelope: Sendable, Equatable {
    /// The media type of Kubernetes protobuf bodies.
    static let mediaType = "application/vnd.kubernetes.protobuf"
    /// `protoEncodingPrefix`.
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// typeMeta.apiVersion, e.g. "v1" or "policy/v1".
    var apiVersion: String
    /// typeMeta.kind.
    var kind: String
    /// The object's own protobuf message.
    var raw: ArraySlice<UInt8>
    /// Empty for every body Kubernetes clients send.
    var contentEncoding: String
    /// Usually empty (protobuf is implied).
    var contentType: String

    /// Why a body is not a Kubernetes protobuf envelope; the messages are those of `protobuf.go`.
    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyData
        case missingPrefix
        case emptyBody
        case malformed(ProtobufError)

        var description: String {
            switch self {
            case .emptyData: "empty data"
            case .missingPrefix:
                "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
            case .emptyBody: "empty body"
            case .malformed(let error): error.description
            }
        }
    }

    /// Parses the magic and the `runtime.Unknown` message.
    init(decoding body: [UInt8]) throws(Failure) {
        guard !body.isEmpty else { throw .emptyData }
        guard body.count >= 4, Array(body[0..<4]) == Self.magic else { throw .missingPrefix }
        guard body.count > 4 else { throw .emptyBody }
        apiVersion = ""
        kind = ""
        raw = []
        contentEncoding = ""
        contentType = ""
        do throws(ProtobufError) {
            var reader = ProtobufReader(body[4...])
            while let (number, value) = try reader.nextField() {
                switch (number, value) {
                case (1, .lengthDelimited(let typeMeta)):
                    var inner = ProtobufReader(typeMeta)
                    while let (field, part) = try inner.nextField() {
                        guard case .lengthDelimited(let bytes) = part, field == 1 || field == 2 else { continue }
                        guard let text = String(validating: bytes, as: UTF8.self) else {
                            throw ProtobufError.invalidUTF8(field: "TypeMeta")
                        }
                        if field == 1 { apiVersion = text } else { kind = text }
                    }
                case (2, .lengthDelimited(let bytes)): raw = bytes
                case (3, .lengthDelimited(let bytes)): contentEncoding = String(decoding: bytes, as: UTF8.self)
                case (4, .lengthDelimited(let bytes)): contentType = String(decoding: bytes, as: UTF8.self)
                case (1...4, _): throw ProtobufError.wrongWireType(field: "Unknown.\(number)", got: value.wireType)
                default: continue
                }
            }
        } catch {
            throw .malformed(error)
        }
    }
}

extension APIServer {
    /// Decodes a `application/vnd.kubernetes.protobuf` request body into the JSON object the same
    /// request would have carried as `application/json`, `apiVersion` and `kind` taken from the
    /// envelope's typeMeta.
    /// - Throws: 400 BadRequest for a malformed body; 415 UnsupportedMediaType for a kind the
    ///   simulated cluster has no description of (see ``ProtobufSchemas``).
    func decodeProtobufBody(_ body: [UInt8]) throws(APIError) -> JSONValue {
        let envelope: KubernetesProtobufEnvelope
        do { envelope = try KubernetesProtobufEnvelope(decoding: body) } catch { throw .badRequest(error.description) }
        if !envelope.contentEncoding.isEmpty {
            throw .badRequest("unsupported protobuf content encoding \"\(envelope.contentEncoding)\"")
        }
        guard let message = ProtobufSchemas.message(apiVersion: envelope.apiVersion, kind: envelope.kind) else {
            let kind = envelope.kind.isEmpty ? "objects without a kind" : envelope.kind
            throw APIError(
                code: 415, reason: "UnsupportedMediaType",
                message:
                    "protobuf request bodies for \(kind) are not supported by the simulated cluster; send application/json")
        }
        var object = JSONObject()
        object["kind"] = .string(envelope.kind)
        object["apiVersion"] = .string(envelope.apiVersion)
        do throws(ProtobufError) {
            for member in try ProtobufConverter.object(envelope.raw, as: message) { object[member.key] = member.value }
        } catch {
            throw .badRequest("unable to decode protobuf \(envelope.kind): \(error.description)")
        }
        return .object(object)
    }

    /// Decodes a protobuf DELETE body, which must hold a `meta/v1 DeleteOptions`.
    /// - Throws: as ``decodeProtobufBody(_:)``; 400 when the body holds another kind.
    func decodeProtobufDeleteOptions(_ body: [UInt8]) throws(APIError) -> JSONValue {
        let options = try decodeProtobufBody(body)
        guard options["kind"]?.stringValue == "DeleteOptions" else {
            throw .badRequest(
                "error decoding DeleteOptions: the body holds a \(options["kind"]?.stringValue ?? "object without a kind")")
        }
        return options
    }
}
