import Yams

/// Why a YAML document could not be read.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// YAML to JSON conversion with the rules of `sigs.k8s.io/yaml`, which kube-apiserver and
/// kubectl use: YAML 1.1 scalars (yes/no/on/off are booleans), timestamps stay strings, mapping
/// keys become strings, merge keys (`<<`) are applied.
public enum YAMLDocument {
    static let resolver = Resolver.default.removing(.timestamp)

    /// Parses the first document of `bytes`.
    /// - Throws: ``YAMLError`` naming the problem and where it is.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> JSONValue {
        let documents = try parseAll(bytes)
        return documents.first ?? .null
    }

    /// Parses every document of a multi-document stream (`---` separated); empty documents are skipped.
    public static func parseAll(_ bytes: [UInt8]) throws(YAMLError) -> [JSONValue] {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            var result: [JSONValue] = []
            var sequence = try Yams.compose_all(yaml: text, resolver)
            while let node = sequence.next() {
                result.append(try convert(node))
            }
            if let error = sequence.error { throw YAMLError(description: String(describing: error)) }
            return result.filter { $0 != .null }
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(description: String(describing: error))
        }
    }

    static func convert(_ node: Node) throws(YAMLError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch resolver.resolveTag(of: node) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int:
                if let int = node.int { return .int(Int64(int)) }
                return node.float.map(JSONValue.double) ?? .string(scalar.string)
            case .float:
                guard let double = node.float, double.isFinite else { return .string(scalar.string) }
                return .double(double)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try convert(element)) }
            return .array(elements)
        case .mapping(let mapping):
            var object = JSONObject()
            var merged: [JSONObject] = []
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? String(describing: keyNode)
                if key == "<<", resolver.resolveTag(of: keyNode) == .merge {
                    switch try convert(valueNode) {
                    case .object(let source): merged.append(source)
                    case .array(let sources): merged.append(contentsOf: sources.compactMap(\.objectValue))
                    default: throw YAMLError(description: "merge key '<<' needs a mapping or a list of mappings")
                    }
                    continue
                }
                object[key] = try convert(valueNode)
            }
            for source in merged {
                for member in source where object[member.key] == nil { object[member.key] = member.value }
            }
            return .object(object)
        case .alias:
            throw YAMLError(description: "unresolved alias")
        }
    }
}
