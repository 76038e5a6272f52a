import Yams

extension YAMLDocument {
    /// Writes `documents` as one YAML stream in block style, each document starting with `---`, for
    /// manifests people read and commit (CRDs). Members keep their order; two-space indentation,
    /// sequences at their key's indentation and no line wrapping, as kubectl and controller-gen write.
    ///
    /// Strings that a YAML 1.1 reader would take for another type (`"0"`, `"true"`, `"yes"`, `"1.5"`)
    /// are single-quoted, so ``parseAll(_:)`` reads back exactly `documents`.
    /// - Throws: ``YAMLError`` when the emitter fails (it does not for values built from ``JSONValue``).
    public static func serialize(_ documents: [JSONValue]) throws(YAMLError) -> String {
        do {
            return try Yams.serialize(
                nodes: documents.map(node(for:)), indent: 2, width: -1, allowUnicode: true, explicitStart: true)
        } catch {
            throw YAMLError(description: "cannot write YAML: \(error)")
        }
    }

    static func node(for value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let bool): return Node(bool ? "true" : "false", Tag(.bool))
        case .int(let int): return Node(String(int), Tag(.int))
        case .double(let double):
            var text: [UInt8] = []
            JSONValue.encodeDouble(double, into: &text)
            return Node(String(decoding: text, as: UTF8.self), Tag(.float))
        case .string(let string): return .scalar(string.represented())
        case .array(let array): return Node(array.map(node(for:)))
        case .object(let object):
            return Node(object.members.map { (Node.scalar($0.key.represented()), node(for: $0.value)) })
        }
    }
}
