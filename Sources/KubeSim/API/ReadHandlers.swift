import Foundation
import KubeMachinery
import KubeModel

/// get, list (with limit/continue and resourceVersion semantics) and watch.
///
/// resourceVersion semantics follow the API-concepts page ("Semantics for get and list",
/// "Semantics for watch"): unset means most recent, "0" any, N with `resourceVersionMatch`
/// NotOlderThan or Exact; continue tokens are consistent snapshots that expire with compaction
/// (410 Expired, `k8s.io/apiserver/pkg/storage/etcd3/store.go`).
extension APIServer {
    func get(_ type: ResourceType, key: ObjectKey, request: APIRequest) throws(APIError) -> APIResponse {
        guard let object = store.get(type.storageKey, key) else { throw .notFound(type, name: key.name) }
        if wantsTable(request) {
            return .json(table(for: type, objects: [object], listRevision: nil, request: request))
        }
        return .bytes(object.bytes)
    }

    /// The continue token's content, as the etcd3 storage encodes it: base64 of
    /// `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`.
    struct ContinueToken {
        var revision: Int64
        var startAfter: ObjectKey

        func encoded(namespaced: Bool) -> String {
            let key = namespaced ? "\(startAfter.namespace)/\(startAfter.name)" : startAfter.name
            let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(key + "\u{0}")]
            return Data(json.encoded()).base64EncodedString()
        }

        init(revision: Int64, startAfter: ObjectKey) {
            self.revision = revision
            self.startAfter = startAfter
        }

        init(decoding token: String, namespaced: Bool) throws(APIError) {
            guard let bytes = Data(base64Encoded: token), let json = try? JSONValue.parse(Array(bytes)),
                json["v"]?.stringValue == "meta.k8s.io/v1", let revision = json["rv"]?.intValue,
                var start = json["start"]?.stringValue
            else {
                throw .badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
            }
            if start.hasSuffix("\u{0}") { start.removeLast() }
            if namespaced {
                let parts = start.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw .badRequest("continue key is not valid: invalid start key") }
                startAfter = ObjectKey(namespace: String(parts[0]), name: String(parts[1]))
            } else {
                startAfter = ObjectKey(namespace: "", name: start)
            }
            self.revision = revision
        }
    }

    func list(_ type: ResourceType, namespace: String?, request: APIRequest) throws(APIError) -> APIResponse {
        try validateListOptions(request, watch: false)
        let filter = try makeFilter(type, namespace: namespace, request: request)
        var limit: Int?
        if let text = request.parameter("limit"), !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw .badRequest("limit: Invalid value: \"\(text)\": must be a non-negative integer")
            }
            limit = value > 0 ? value : nil
        }
        var revision: Int64?
        var startAfter: ObjectKey?
        let requestedRV = request.parameter("resourceVersion") ?? ""
        if let token = request.parameter("continue"), !token.isEmpty {
            let decoded = try ContinueToken(decoding: token, namespaced: type.namespaced)
            revision = decoded.revision
            startAfter = decoded.startAfter
        } else if !requestedRV.isEmpty, requestedRV != "0" {
            guard let value = Int64(requestedRV), value > 0 else {
                throw .badRequest("invalid resource version: \(requestedRV)")
            }
            if request.parameter("resourceVersionMatch") == "Exact" {
                revision = value
            } else if value > store.currentResourceVersion {
                throw .tooLargeResourceVersion(requested: value, current: store.currentResourceVersion)
            }
        }
        let result: (objects: [StoredObject], revision: Int64, remaining: Int)
        do {
            result = try store.list(type.storageKey, filter: filter, atRevision: revision, startAfter: startAfter, limit: limit)
        } catch {
            switch error {
            case .expired:
                if startAfter != nil {
                    throw APIError(
                        code: 410, reason: "Expired",
                        message:
                            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
                    )
                }
                throw .expired("The resourceVersion for the provided list is too old.")
            case .tooLarge(let requested, let current):
                throw .tooLargeResourceVersion(requested: requested, current: current)
            }
        }
        var continueToken: String?
        if result.remaining > 0, let last = result.objects.last {
            continueToken = ContinueToken(revision: result.revision, startAfter: last.key).encoded(namespaced: type.namespaced)
        }
        if wantsTable(request) {
            var table = table(for: type, objects: result.objects, listRevision: result.revision, request: request)
            if let continueToken { table.set(path: ["metadata", "continue"], to: .string(continueToken)) }
            return .json(table)
        }
        var body: [UInt8] = []
        body.reserveCapacity(result.objects.reduce(256) { $0 + $1.bytes.count + 1 })
        body.append(contentsOf: #"{"kind":""#.utf8)
        body.append(contentsOf: type.listKind.utf8)
        body.append(contentsOf: #"","apiVersion":""#.utf8)
        body.append(contentsOf: type.apiVersion.utf8)
        body.append(contentsOf: #"","metadata":{"resourceVersion":""#.utf8)
        body.append(contentsOf: String(result.revision).utf8)
        body.append(UInt8(ascii: "\""))
        if let continueToken {
            body.append(contentsOf: #","continue":""#.utf8)
            body.append(contentsOf: continueToken.utf8)
            body.append(UInt8(ascii: "\""))
            // Only exact without selectors, as kube-apiserver gives it.
            if filter.predicate == nil {
                body.append(contentsOf: #","remainingItemCount":"#.utf8)
                body.append(contentsOf: String(result.remaining).utf8)
            }
        }
        body.append(contentsOf: #"},"items":["#.utf8)
        for (index, object) in result.objects.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: object.bytes)
        }
        body.append(contentsOf: "]}".utf8)
        return .bytes(body)
    }

    /// The checks of `ValidateListOptions` (`k8s.io/apimachinery/pkg/apis/meta/internalversion/validation`).
    func validateListOptions(_ request: APIRequest, watch: Bool) throws(APIError) {
        let match = request.parameter("resourceVersionMatch") ?? ""
        let resourceVersion = request.parameter("resourceVersion") ?? ""
        var problems: [FieldProblem] = []
        if !match.isEmpty {
            if watch {
                if match != "NotOlderThan" || !request.flag("sendInitialEvents") {
                    problems.append(
                        .forbidden(
                            "resourceVersionMatch",
                            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
                }
            } else if resourceVersion.isEmpty {
                problems.append(
                    .forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"))
            } else if !(request.parameter("continue") ?? "").isEmpty {
                problems.append(.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
            } else if match != "NotOlderThan", match != "Exact" {
                problems.append(
                    FieldProblem(
                        reason: "FieldValueNotSupported", field: "resourceVersionMatch",
                        message: "Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\", \"\""))
            } else if match == "Exact", resourceVersion == "0" {
                problems.append(
                    .forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""))
            }
        }
        if request.parameter("sendInitialEvents") != nil {
            if !watch {
                problems.append(.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
            } else if match != "NotOlderThan" {
                problems.append(
                    .forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
            }
        }
        if !(request.parameter("continue") ?? "").isEmpty, !resourceVersion.isEmpty, resourceVersion != "0" || watch {
            problems.append(.forbidden("resourceVersion", "specifying resource version is not allowed when using continue"))
        }
        guard !problems.isEmpty else { return }
        let listOptions = ResourceType(
            group: "meta.k8s.io", version: "v1", plural: "listoptions", singular: "", kind: "ListOptions", namespaced: false)
        throw APIError.invalid(listOptions, name: "", errors: problems)
    }

    func watch(_ type: ResourceType, namespace: String?, name: String?, request: APIRequest) throws(APIError) -> APIResponse {
        try validateListOptions(request, watch: true)
        var filter = try makeFilter(type, namespace: namespace, request: request)
        if let name {
            // The deprecated /watch/.../name form watches one object.
            let inner = filter.predicate
            filter.predicate = { labels, fields in fields["metadata.name"] == name && (inner?(labels, fields) ?? true) }
        }
        let bookmarks = request.flag("allowWatchBookmarks")
        let rv = request.parameter("resourceVersion") ?? ""
        let start: ObjectStore.WatchStart
        if request.flag("sendInitialEvents") {
            start = .initialEvents(bookmark: bookmarks)
        } else if rv.isEmpty || rv == "0" {
            start = .currentState
        } else if let value = Int64(rv), value > 0 {
            start = .after(value)
        } else {
            throw .badRequest("invalid resource version: \(rv)")
        }
        var timeout = options.defaultWatchTimeoutSeconds
        if let text = request.parameter("timeoutSeconds"), !text.isEmpty {
            guard let value = Double(text), value >= 0 else { throw .badRequest("timeoutSeconds: invalid value \(text)") }
            if value > 0 { timeout = value }
        }
        var transform: (@Sendable ([UInt8], WatchEventType) -> [UInt8])?
        if wantsTable(request) {
            transform = { [weak self] bytes, eventType in
                guard let self else { return bytes }
                return self.tableEvent(for: type, objectBytes: bytes, eventType: eventType, request: request)
            }
        }
        return .watch(
            WatchRequest(
                resource: type, filter: filter, start: start, timeoutSeconds: timeout, bookmarks: bookmarks, transform: transform)
        )
    }
}
