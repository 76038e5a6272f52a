public import KubeModel

/// Strategic merge patch (`application/strategic-merge-patch+json`), the way kube-apiserver
/// applies it: `StrategicMergeMapPatchUsingLookupPatchMeta` in
/// `k8s.io/apimachinery/pkg/util/strategicpatch/patch.go`, with the server's merge options
/// (`MergeParallelList` and `IgnoreUnmatchedNulls` both true).
public enum StrategicMergePatch {
    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    /// Applies `patch` to `original` using the list metadata in `schema`.
    ///
    /// - Maps merge recursively; a `null` member deletes. Members the schema does not know merge
    ///   as plain maps (lists under them are replaced).
    /// - Lists with `patchStrategy: merge` and a merge key merge element-wise by that key: patch
    ///   elements update the matching element recursively, others are appended; the result keeps
    ///   the patch's order for patched elements and the live order for the rest (`$setElementOrder/<field>`
    ///   fixes the order explicitly; without it, elements new to the list come first, as in Go's
    ///   `mergeSortedSlice`). Lists of primitives with strategy merge are unioned, and
    ///   `$deleteFromPrimitiveList/<field>` removes values. All other lists are replaced whole.
    /// - Directives: `$patch: replace` on a map replaces the map, as a list element replaces the
    ///   list; `$patch: delete` on a map deletes it (the whole document becomes `{}`), as a list
    ///   element deletes the element with its merge key; `$patch: merge` on a map is the default;
    ///   `$retainKeys` drops the original's members not listed. Directives never reach the result.
    ///
    /// - Throws: ``PatchError/invalidPatchDocument(reason:)`` when `patch` is not an object,
    ///   ``PatchError/invalidStrategicPatch(reason:path:)`` (400) for malformed directives, and
    ///   ``PatchError/strategicMergeFailed(reason:path:)`` (422) for elements without merge key,
    ///   lists of lists, or element orders contradicting the patch.
    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: PatchSchema)
        throws(PatchError)
        -> JSONValue
    {
        guard case .object(let patchObject) = patch else {
            throw .invalidPatchDocument(
                reason:
                    "json: cannot unmarshal \(patch.goTypeWord) into Go value of type map[string]interface {}"
            )
        }
        let merged = try mergeMap(original.objectValue, patchObject, schema: schema, path: "")
        return .object(merged ?? JSONObject())
    }

    // MARK: - Maps

    /// Merges `patch` into `original`; nil means "delete this map" (`$patch: delete`).
    static func mergeMap(
        _ original: JSONObject?, _ patch: JSONObject, schema: PatchSchema, path: String
    )
        throws(PatchError) -> JSONObject?
    {
        var patch = patch
        if let directive = patch.removeValue(forKey: directiveMarker) {
            switch directive {
            case "replace":
                return try mergeMap(nil, patch, schema: schema, path: path)
            case "delete":
                return nil
            case "merge":
                break
            default:
                throw .invalidStrategicPatch(
                    reason:
                        "unknown patch type: \(directive.jsonString) in map: \(JSONValue.object(patch).jsonString)",
                    path: path)
            }
        }
        var result = original ?? JSONObject()

        if let retain = patch.removeValue(forKey: retainKeysDirective) {
            try applyRetainKeys(retain, patch: patch, to: &result, path: path)
        }

        for member in patch.members where member.key.hasPrefix(setElementOrderPrefix) {
            let field = String(member.key.dropFirst(setElementOrderPrefix.count))
            try applySetElementOrder(
                member.value, field: field, patch: &patch, to: &result, schema: schema, path: path)
        }

        for member in patch.members {
            var key = member.key
            if key.hasPrefix(setElementOrderPrefix) { continue }
            var isDeleteList = false
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                key = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                isDeleteList = true
            }
            let childPath = path + "." + key
            let childSchema = schema.field(key)
            let patchValue = member.value
            if case .null = patchValue {
                result.removeValue(forKey: key)
                continue
            }
            guard let originalValue = result[key] else {
                if !isDeleteList {
                    result[key] = try fresh(patchValue, schema: childSchema, path: childPath)
                }
                continue
            }
            switch (originalValue, patchValue) {
            case (.object(let originalObject), .object(let patchObject)):
                result[key] = try mergeMap(
                    originalObject, patchObject, schema: childSchema, path: childPath
                )
                .map(JSONValue.object)
            case (.array(let originalList), .array(let patchList)):
                if isDeleteList {
                    result[key] = .array(
                        originalList.filter { value in !patchList.contains { $0.isJSONEqual(to: value) } })
                } else {
                    result[key] = .array(
                        try mergeList(originalList, patchList, schema: childSchema, path: childPath))
                }
            default:
                if !isDeleteList {
                    result[key] = try fresh(patchValue, schema: childSchema, path: childPath)
                }
            }
        }
        return result
    }

    /// A patch value for a member the original lacks: merged into nothing, so that directives and
    /// `null`s inside disappear (`IgnoreUnmatchedNulls`).
    static func fresh(_ value: JSONValue, schema: PatchSchema, path: String) throws(PatchError)
        -> JSONValue?
    {
        switch value {
        case .object(let object):
            return try mergeMap(nil, object, schema: schema, path: path).map(JSONValue.object)
        case .array(let list):
            return .array(try mergeList([], list, schema: schema, path: path))
        default:
            return value
        }
    }

    /// `applyRetainKeysDirective`: validates the key list against the patch and drops the
    /// original's unlisted members.
    static func applyRetainKeys(
        _ retain: JSONValue, patch: JSONObject, to result: inout JSONObject, path: String
    )
        throws(PatchError)
    {
        guard case .array(let list) = retain else {
            throw .invalidStrategicPatch(reason: "invalid patch format of retainKeys", path: path)
        }
        var keys: Set<String> = []
        for element in list {
            guard case .string(let key) = element else {
                throw .invalidStrategicPatch(reason: "invalid patch format of retainKeys", path: path)
            }
            keys.insert(key)
        }
        for member in patch.members {
            if case .null = member.value { continue }
            if member.key.hasPrefix(setElementOrderPrefix)
                || member.key.hasPrefix(deleteFromPrimitiveListPrefix)
            {
                continue
            }
            guard keys.contains(member.key) else {
                throw .invalidStrategicPatch(reason: "invalid patch format of retainKeys", path: path)
            }
        }
        for key in result.keys where !keys.contains(key) {
            result.removeValue(forKey: key)
        }
    }

    // MARK: - Lists

    /// `mergeSliceHandler`/`mergeSlice`: merges `patch` into `original` according to `schema`.
    static func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], schema: PatchSchema, path: String
    )
        throws(PatchError) -> [JSONValue]
    {
        guard schema.isMergedList else { return patch }
        if original.isEmpty && patch.isEmpty { return original }
        let isMapList = try elementsAreMaps(original, patch, path: path)
        guard isMapList else {
            var merged: [JSONValue] = []
            for value in original + patch where !merged.contains(where: { $0.isJSONEqual(to: value) }) {
                merged.append(value)
            }
            let (patchItems, serverOnly) = partition(merged, presentIn: patch, mergeKey: nil)
            return normalizeElementOrder(
                patchItems: patchItems, serverOnly: serverOnly, patchOrder: patch, serverOrder: original,
                mergeKey: nil)
        }
        guard let mergeKey = schema.listMergeKey else {
            throw .strategicMergeFailed(
                reason: "cannot merge lists without merge key for \(path)", path: path)
        }
        let itemSchema = schema.element

        // mergeSliceWithSpecialElements
        var base = original
        var plain: [JSONObject] = []
        var replace = false
        for element in patch {
            guard case .object(var object) = element else { continue }
            guard let directive = object[directiveMarker] else {
                plain.append(object)
                continue
            }
            switch directive {
            case "delete":
                guard let keyValue = object[mergeKey] else {
                    throw noMergeKey(object, mergeKey, path)
                }
                base.removeAll { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }
            case "replace":
                replace = true
                object.removeValue(forKey: directiveMarker)
            case "merge":
                throw .strategicMergeFailed(
                    reason: "merging lists cannot yet be specified in the patch", path: path)
            default:
                throw .invalidStrategicPatch(
                    reason: "unknown patch type: \(directive.jsonString) in map: \(element.jsonString)",
                    path: path)
            }
        }
        if replace {
            var replaced: [JSONValue] = []
            for object in plain {
                if let cleaned = try mergeMap(nil, object, schema: itemSchema, path: path) {
                    replaced.append(.object(cleaned))
                }
            }
            return replaced
        }

        // mergeSliceWithoutSpecialElements
        var merged = base
        for object in plain {
            guard let keyValue = object[mergeKey] else { throw noMergeKey(object, mergeKey, path) }
            let elementPath = "\(path)[\(mergeKey)=\(keyValue.jsonString)]"
            if let index = merged.firstIndex(where: { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }) {
                if let updated = try mergeMap(
                    merged[index].objectValue, object, schema: itemSchema, path: elementPath)
                {
                    merged[index] = .object(updated)
                } else {
                    merged.remove(at: index)
                }
            } else if let added = try mergeMap(nil, object, schema: itemSchema, path: elementPath) {
                merged.append(.object(added))
            }
        }
        let patchOrder = plain.map(JSONValue.object)
        let (patchItems, serverOnly) = partition(merged, presentIn: patchOrder, mergeKey: mergeKey)
        return normalizeElementOrder(
            patchItems: patchItems, serverOnly: serverOnly, patchOrder: patchOrder, serverOrder: base,
            mergeKey: mergeKey)
    }

    static func noMergeKey(_ object: JSONObject, _ mergeKey: String, _ path: String) -> PatchError {
        .strategicMergeFailed(
            reason:
                "map: \(JSONValue.object(object).jsonString) does not contain declared merge key: \(mergeKey)",
            path: path)
    }

    /// Whether the elements of both lists are maps (true) or primitives (false); lists of lists
    /// and mixed lists are errors, as in `sliceElementType`.
    static func elementsAreMaps(_ original: [JSONValue], _ patch: [JSONValue], path: String)
        throws(PatchError)
        -> Bool
    {
        var sawMap = false
        var sawPrimitive = false
        for element in original + patch {
            switch element {
            case .array:
                throw .strategicMergeFailed(reason: "lists of lists are not supported", path: path)
            case .object: sawMap = true
            default: sawPrimitive = true
            }
        }
        if sawMap && sawPrimitive {
            throw .strategicMergeFailed(
                reason: "found elements of different types in lists: \(path)", path: path)
        }
        return sawMap
    }

    /// The identity of a list element: its merge key value for maps, itself for primitives.
    static func identity(_ element: JSONValue, _ mergeKey: String?) -> JSONValue? {
        guard let mergeKey else { return element }
        return element[mergeKey]
    }

    static func index(of element: JSONValue, in list: [JSONValue], mergeKey: String?) -> Int? {
        guard let id = identity(element, mergeKey) else { return nil }
        return list.firstIndex { other in identity(other, mergeKey)?.isJSONEqual(to: id) == true }
    }

    /// `partitionMapsByPresentInList` / `partitionPrimitivesByPresentInList`.
    static func partition(_ list: [JSONValue], presentIn order: [JSONValue], mergeKey: String?)
        -> (present: [JSONValue], absent: [JSONValue])
    {
        var present: [JSONValue] = []
        var absent: [JSONValue] = []
        for element in list {
            if index(of: element, in: order, mergeKey: mergeKey) != nil {
                present.append(element)
            } else {
                absent.append(element)
            }
        }
        return (present, absent)
    }

    /// `normalizeSliceOrder`: stable sort by position in `order`; unknown elements go last.
    static func sorted(_ list: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        let positions = list.enumerated().map { offset, element in
            (offset, index(of: element, in: order, mergeKey: mergeKey) ?? Int.max, element)
        }
        return positions.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.2)
    }

    /// `normalizeElementOrder` + `mergeSortedSlice`: sorts the patched items by the patch's order
    /// and the server-only items by the live order, then interleaves them, keeping server-only
    /// items before patched items that follow them in the live list.
    static func normalizeElementOrder(
        patchItems: [JSONValue], serverOnly: [JSONValue], patchOrder: [JSONValue],
        serverOrder: [JSONValue],
        mergeKey: String?
    ) -> [JSONValue] {
        let right = sorted(patchItems, by: patchOrder, mergeKey: mergeKey)
        let left = sorted(serverOnly, by: serverOrder, mergeKey: mergeKey)
        var result: [JSONValue] = []
        result.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                result.append(right[j])
                j += 1
            } else if j >= right.count {
                result.append(left[i])
                i += 1
            } else if let li = index(of: left[i], in: serverOrder, mergeKey: mergeKey),
                let ri = index(of: right[j], in: serverOrder, mergeKey: mergeKey), li < ri
            {
                result.append(left[i])
                i += 1
            } else {
                result.append(right[j])
                j += 1
            }
        }
        return result
    }

    /// `mergePatchIntoOriginal`: merges the list `field` together with its `$setElementOrder`
    /// directive and orders the result by it, then removes `field` from the patch.
    static func applySetElementOrder(
        _ orderValue: JSONValue, field: String, patch: inout JSONObject, to result: inout JSONObject,
        schema: PatchSchema, path: String
    ) throws(PatchError) {
        let childPath = path + "." + field
        guard case .array(let order) = orderValue else {
            throw .invalidStrategicPatch(
                reason: "invalid patch format of setElementOrder list", path: childPath)
        }
        let listSchema = schema.field(field)
        let mergeKey = listSchema.listMergeKey
        let originalList: [JSONValue]?
        switch result[field] {
        case nil: originalList = nil
        case .array(let list)?: originalList = list
        case let other?:
            throw .strategicMergeFailed(
                reason: "expected a []interface {}, but received a \(other.goTypeWord)", path: childPath)
        }
        let patchList: [JSONValue]?
        switch patch[field] {
        case nil: patchList = nil
        case .array(let list)?: patchList = list
        case let other?:
            throw .strategicMergeFailed(
                reason: "expected a []interface {}, but received a \(other.goTypeWord)", path: childPath)
        }
        if let patchList {
            try validate(patchList, against: order, mergeKey: mergeKey, path: childPath)
        }
        let merged: [JSONValue]
        switch (originalList, patchList) {
        case (let original?, nil): merged = original
        case (nil, let patched?):
            merged = try mergeList([], patched, schema: listSchema, path: childPath)
        case (let original?, let patched?):
            merged = try mergeList(original, patched, schema: listSchema, path: childPath)
        case (nil, nil): return
        }
        let (patchItems, serverOnly) = partition(merged, presentIn: order, mergeKey: mergeKey)
        result[field] = .array(
            normalizeElementOrder(
                patchItems: patchItems, serverOnly: serverOnly, patchOrder: order,
                serverOrder: originalList ?? [],
                mergeKey: mergeKey))
        patch.removeValue(forKey: field)
    }

    /// `validatePatchWithSetOrderList`: the patch's elements must appear in the order list, in
    /// the same relative order.
    static func validate(
        _ patchList: [JSONValue], against order: [JSONValue], mergeKey: String?, path: String
    )
        throws(PatchError)
    {
        let items = patchList.filter { $0[directiveMarker] == nil }
        var p = 0
        var o = 0
        while p < items.count && o < order.count {
            if let a = identity(items[p], mergeKey), let b = identity(order[o], mergeKey),
                a.isJSONEqual(to: b)
            {
                p += 1
            }
            o += 1
        }
        if p < items.count && !order.isEmpty {
            throw .strategicMergeFailed(
                reason:
                    "The order in patch list:\n\(JSONValue.array(patchList).jsonString)\n doesn't match $setElementOrder list:\n\(JSONValue.array(order).jsonString)\n",
                path: path)
        }
    }
}
