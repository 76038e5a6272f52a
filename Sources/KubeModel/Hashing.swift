/// FNV-1a, 64-bit (Fowler–Noll–Vo): a small stable hash for content fingerprints such as a
/// template hash label or an OpenAPI document hash — not for security.
public enum FNV1a {
    /// The hash of `bytes` as 16 hexadecimal digits (zero-padded).
    public static func hex64(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension JSONValue {
    /// The value with every object's members sorted by key, recursively: a canonical form for
    /// hashing and for printing as Go's encoding/json does maps.
    public func sortedKeys() -> JSONValue {
        switch self {
        case .array(let array): return .array(array.map { $0.sortedKeys() })
        case .object(let object):
            return .object(
                JSONObject(
                    members: object.members.sorted { $0.key < $1.key }.map {
                        JSONObject.Member(key: $0.key, value: $0.value.sortedKeys())
                    }))
        default: return self
        }
    }
}
