/// An API object of the usual shape — `metadata`, `spec`, `status` — as Pod, Node and Roost's
/// custom resources are. Conforming types get ``decode(from:)`` for free: the three members are
/// read with their own decoders, unknown members (`apiVersion`, `kind`, anything else) skipped,
/// absent ones left at their defaults.
public protocol KubeObject: KubeDecodable {
    associatedtype Spec: KubeDecodable
    associatedtype Status: KubeDecodable

    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
    var status: Status { get set }

    /// An object with every part at its default.
    init()
}

extension KubeObject {
    /// Reads `metadata`, `spec` and `status`, skipping every other member.
    /// - Throws: ``JSONSyntaxError`` with the field path for malformed JSON or a wrong JSON type.
    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Self {
        var object = Self()
        try reader.readObject { key, reader throws(JSONSyntaxError) in
            switch key {
            case "metadata": try reader.read(&object.metadata)
            case "spec": try reader.read(&object.spec)
            case "status": try reader.read(&object.status)
            default: break
            }
        }
        return object
    }
}
