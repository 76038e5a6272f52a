public import KubeModel

/// One field another manager owns that an apply would change.
public struct ApplyConflict: Sendable, Equatable, CustomStringConvertible {
    /// The owning manager's name, e.g. `kubectl-client-side-apply`.
    public var manager: String
    /// The owner's operation: `Apply` or `Update`.
    public var operation: String
    /// The API version the owner wrote with (shown for `Update` owners).
    public var apiVersion: String
    /// The field, as structured-merge-diff prints paths: `.spec.replicas`.
    public var field: String

    public init(
        manager: String, operation: String = "Update", apiVersion: String = "v1", field: String
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.field = field
    }

    /// The owner as `printManager` in `k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go`
    /// renders it: `"name"` for appliers, `"name" using apps/v1` for updaters.
    public var ownerDescription: String {
        operation == "Update" ? "\"\(manager)\" using \(apiVersion)" : "\"\(manager)\""
    }

    /// The status cause message: `conflict with "name" using v1`.
    public var description: String { "conflict with \(ownerDescription)" }
}

/// Why a server-side apply failed.
///
/// Follows `k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go` for conflicts
/// (HTTP 409, reason `Conflict`, one cause of type `FieldManagerConflict` per field).
public enum ApplyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fields of the applied configuration owned by other managers with different live values.
    case conflicts([ApplyConflict])
    /// The applied configuration cannot be applied (HTTP 400): not an object,
    /// `metadata.managedFields` set, or a keyed list element without its key.
    case invalidObject(reason: String)

    /// 409 for conflicts, 400 otherwise.
    public var httpStatus: Int {
        if case .conflicts = self { return 409 }
        return 400
    }

    /// The message as `getConflictMessage` words it, e.g.
    /// `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`.
    public var description: String {
        switch self {
        case .invalidObject(let reason):
            return reason
        case .conflicts(let conflicts):
            if conflicts.count == 1, let conflict = conflicts.first {
                return "Apply failed with 1 conflict: \(conflict): \(conflict.field)"
            }
            var lines: [String] = []
            var seen: [String] = []
            for conflict in conflicts where !seen.contains(conflict.ownerDescription) {
                seen.append(conflict.ownerDescription)
            }
            for owner in seen.sorted() {
                lines.append("conflict with \(owner):")
                for conflict in conflicts where conflict.ownerDescription == owner {
                    lines.append("- \(conflict.field)")
                }
            }
            return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
    }
}

/// One `metadata.managedFields` entry (`metav1.ManagedFieldsEntry`).
public struct ManagedFieldsEntry: Sendable, Equatable {
    public var manager: String
    /// `Apply` or `Update`.
    public var operation: String
    public var apiVersion: String
    public var time: String?
    public var subresource: String?
    public var fields: FieldSet

    public init(
        manager: String, operation: String, apiVersion: String, time: String?,
        subresource: String? = nil,
        fields: FieldSet
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// Decodes an entry; nil when it lacks a manager or operation.
    public init?(json: JSONValue) {
        guard let manager = json["manager"]?.stringValue, let operation = json["operation"]?.stringValue
        else {
            return nil
        }
        self.manager = manager
        self.operation = operation
        apiVersion = json["apiVersion"]?.stringValue ?? ""
        time = json["time"]?.stringValue
        subresource = json["subresource"]?.stringValue
        fields = FieldSet(fieldsV1: json["fieldsV1"] ?? .null)
    }

    /// The entry as it appears in `metadata.managedFields`.
    public var json: JSONValue {
        var object: JSONObject = ["manager": .string(manager), "operation": .string(operation)]
        object["apiVersion"] = .string(apiVersion)
        if let time { object["time"] = .string(time) }
        object["fieldsType"] = "FieldsV1"
        object["fieldsV1"] = fields.fieldsV1
        if let subresource, !subresource.isEmpty { object["subresource"] = .string(subresource) }
        return .object(object)
    }

    /// Whether two entries belong to the same manager identity (`BuildManagerIdentifier`:
    /// name, operation, subresource, and the API version for `Update` entries).
    func sameIdentity(_ other: ManagedFieldsEntry) -> Bool {
        manager == other.manager && operation == other.operation
            && (subresource ?? "") == (other.subresource ?? "")
            && (operation == "Apply" || apiVersion == other.apiVersion)
    }

    var conflictOwner: (String, String, String) { (manager, operation, apiVersion) }
}

/// Reading and writing `metadata.managedFields`, and recording non-apply writes, as
/// `k8s.io/apimachinery/pkg/util/managedfields` does with structured-merge-diff's `Updater.Update`.
public enum ManagedFields {
    /// The entries in `object.metadata.managedFields` (malformed entries skipped).
    public static func entries(of object: JSONValue?) -> [ManagedFieldsEntry] {
        object?[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap(
            ManagedFieldsEntry.init(json:)) ?? []
    }

    /// `object` with `metadata.managedFields` set to `entries` (removed when there are none).
    public static func setting(_ entries: [ManagedFieldsEntry], on object: JSONValue) -> JSONValue {
        var result = object
        result.set(
            path: ["metadata", "managedFields"],
            to: entries.isEmpty ? JSONValue?.none : JSONValue?.some(.array(entries.map(\.json))))
        return result
    }

    /// Fields the server owns, which managers never own (`internal/stripmeta.go`), plus `status`
    /// when `ignoreStatus` is set.
    static func isIgnored(_ path: FieldPath, ignoreStatus: Bool) -> Bool {
        guard case .field(let top)? = path.first else { return false }
        switch top {
        case "apiVersion", "kind": return true
        case "status": return ignoreStatus
        case "metadata":
            guard path.count > 1, case .field(let name) = path[1] else { return false }
            return [
                "name", "namespace", "managedFields", "resourceVersion", "uid", "creationTimestamp",
                "generation",
                "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
            ].contains(name)
        default: return false
        }
    }

    static func tracked(_ leaves: [FieldPath: JSONValue?], ignoreStatus: Bool) -> FieldSet {
        FieldSet(Set(leaves.keys.filter { !isIgnored($0, ignoreStatus: ignoreStatus) }))
    }

    static func withoutManagedFields(_ object: JSONValue?) -> JSONValue {
        var result = object ?? .object(JSONObject())
        result.set(path: ["metadata", "managedFields"], to: nil)
        return result
    }

    /// Records a non-apply write (create, update, patch) by `manager`: the fields that changed
    /// between `old` (nil on create) and `new` are added to `manager`'s entry for `operation`
    /// (`Update`) and taken from every other manager, and removed fields leave every set; so a
    /// later apply of a different value conflicts with this manager. Managed fields are read from
    /// `old`; those in `new` are ignored. List elements without their key fields are tracked by
    /// index rather than rejected.
    ///
    /// - Returns: `new` with the updated `metadata.managedFields`.
    public static func recordUpdate(
        old: JSONValue?, new: JSONValue, manager: String, operation: String = "Update", now: String,
        schema: PatchSchema? = nil, subresource: String? = nil, ignoreStatus: Bool = false
    ) -> JSONValue {
        let schema = schema ?? .opaque
        var entries = entries(of: old)
        let oldLeaves =
            (try? FieldWalker.fieldSet(of: withoutManagedFields(old), schema: schema, lenient: true))
            ?? [:]
        let newLeaves =
            (try? FieldWalker.fieldSet(of: withoutManagedFields(new), schema: schema, lenient: true))
            ?? [:]
        let comparison = FieldComparison(old: oldLeaves, new: newLeaves)
        let changed = tracked(newLeaves, ignoreStatus: ignoreStatus).intersection(
            comparison.modified.union(comparison.added))
        let me = ManagedFieldsEntry(
            manager: manager, operation: operation, apiVersion: new["apiVersion"]?.stringValue ?? "",
            time: now,
            subresource: subresource, fields: FieldSet())
        var mine = FieldSet()
        if let index = entries.firstIndex(where: { $0.sameIdentity(me) }) {
            mine = entries[index].fields
            entries.remove(at: index)
        }
        for index in entries.indices {
            entries[index].fields = entries[index].fields.subtracting(changed).subtracting(
                comparison.removed)
        }
        entries.removeAll { $0.fields.isEmpty }
        var updated = me
        updated.fields = mine.subtracting(comparison.removed).union(changed)
        if !updated.fields.isEmpty { entries.append(updated) }
        return setting(entries, on: new)
    }
}

/// Server-side apply (`application/apply-patch+yaml`), a faithful simplification of
/// structured-merge-diff's `merge.Updater.Apply` as driven by
/// `k8s.io/apimachinery/pkg/util/managedfields` (field manager, conflicts, `before-first-apply`).
public enum ServerSideApply {
    /// Applies the configuration `applied` (an object with `apiVersion`, `kind`, `metadata`) for
    /// field manager `manager` to `live` (nil to create).
    ///
    /// - Merges `applied` into `live`: applied values win, maps merge, lists with a merge key merge
    ///   element-wise by key (`schema`), sets of primitives union, other lists are replaced; a
    ///   `null` in `applied` removes the field.
    /// - Removes fields this manager applied last time (its `Apply` entry) that `applied` no
    ///   longer holds and that no other manager owns.
    /// - Fails with ``ApplyError/conflicts(_:)`` when `applied` changes a field another manager
    ///   (any operation, including this manager's own `Update` entries) owns; with `force` the
    ///   fields move to `manager` instead.
    /// - Writes `metadata.managedFields`: this manager's `Apply` entry holds exactly the fields of
    ///   `applied` (server-owned metadata, `apiVersion`/`kind`, and `status` when `ignoreStatus`,
    ///   excluded), stamped with `now`; emptied entries disappear. A live object without managed
    ///   fields first gets a `before-first-apply` `Update` entry owning all its fields.
    ///
    /// - Parameter schema: list metadata; nil treats every list as atomic (as for custom resources
    ///   without list-type markers).
    /// - Throws: ``ApplyError/conflicts(_:)`` (409) or ``ApplyError/invalidObject(reason:)`` (400).
    /// - Returns: the new object, including `metadata.managedFields`.
    public static func apply(
        _ applied: JSONValue, to live: JSONValue?, manager: String, force: Bool, schema: PatchSchema?,
        now: String,
        ignoreStatus: Bool = false
    ) throws(ApplyError) -> JSONValue {
        guard case .object = applied else {
            throw .invalidObject(
                reason: "applied configuration must be an object, got \(applied.typeName)")
        }
        if let managed = applied[path: ["metadata", "managedFields"]], managed != .null {
            throw .invalidObject(reason: "metadata.managedFields must be nil")
        }
        let schema = schema ?? .opaque
        let apiVersion = applied["apiVersion"]?.stringValue ?? ""
        let liveObject = ManagedFields.withoutManagedFields(live)
        var entries = ManagedFields.entries(of: live)
        let liveLeaves = try FieldWalker.fieldSet(of: liveObject, schema: schema, lenient: true)
        if let live, entries.isEmpty {
            let owned = ManagedFields.tracked(liveLeaves, ignoreStatus: ignoreStatus)
            if !owned.isEmpty {
                entries.append(
                    ManagedFieldsEntry(
                        manager: "before-first-apply", operation: "Update",
                        apiVersion: live["apiVersion"]?.stringValue ?? apiVersion, time: now, fields: owned))
            }
        }

        let appliedLeaves = try FieldWalker.fieldSet(of: applied, schema: schema, lenient: false)
        let appliedSet = ManagedFields.tracked(appliedLeaves, ignoreStatus: ignoreStatus)
        var merged = merge(applied, into: liveObject, schema: schema)

        // This manager's Apply entry now holds exactly the applied fields.
        let me = ManagedFieldsEntry(
            manager: manager, operation: "Apply", apiVersion: apiVersion, time: now, fields: appliedSet)
        var lastSet = FieldSet()
        if let index = entries.firstIndex(where: { $0.sameIdentity(me) }) {
            lastSet = entries[index].fields
            entries[index] = me
        } else {
            entries.append(me)
        }

        // Prune what this manager applied before, no longer applies, and nobody else owns.
        let owned = entries.reduce(FieldSet()) { $0.union($1.fields) }
        for path in lastSet.subtracting(owned).paths.sorted(by: { $0.count < $1.count })
        where !entries.contains(where: { $0.fields.containsPrefix(path) }) {
            remove(path, from: &merged)
        }

        // Conflicts: other managers' fields whose values the apply changes.
        let mergedLeaves = try FieldWalker.fieldSet(of: merged, schema: schema, lenient: true)
        let comparison = FieldComparison(old: liveLeaves, new: mergedLeaves)
        let changed = comparison.modified.union(comparison.added)
        var conflicts: [ApplyConflict] = []
        for index in entries.indices where !entries[index].sameIdentity(me) {
            let lost = entries[index].fields.intersection(changed)
            guard !lost.isEmpty else { continue }
            let (owner, operation, ownerVersion) = entries[index].conflictOwner
            for path in lost.paths {
                conflicts.append(
                    ApplyConflict(
                        manager: owner, operation: operation, apiVersion: ownerVersion,
                        field: fieldPathString(path)))
            }
            entries[index].fields = entries[index].fields.subtracting(lost)
        }
        if !conflicts.isEmpty && !force {
            conflicts.sort { ($0.ownerDescription, $0.field) < ($1.ownerDescription, $1.field) }
            throw .conflicts(conflicts)
        }
        for index in entries.indices {
            entries[index].fields = entries[index].fields.subtracting(comparison.removed)
        }
        entries.removeAll { $0.fields.isEmpty }
        return ManagedFields.setting(entries, on: merged)
    }

    // MARK: - Merging

    /// structured-merge-diff `Merge`: `applied` wins; maps merge; merged lists merge by key.
    static func merge(_ applied: JSONValue, into live: JSONValue, schema: PatchSchema) -> JSONValue {
        guard case .object(let patch) = applied else { return applied }
        var result = live.objectValue ?? JSONObject()
        for member in patch.members {
            let childSchema = schema.field(member.key)
            switch (result[member.key], member.value) {
            case (_, .null):
                result.removeValue(forKey: member.key)
            case (.object?, .object):
                result[member.key] = merge(
                    member.value, into: result[member.key] ?? .null, schema: childSchema)
            case (.array(let liveList)?, .array(let appliedList)) where childSchema.isMergedList:
                result[member.key] = .array(mergeList(appliedList, into: liveList, schema: childSchema))
            default:
                result[member.key] = member.value
            }
        }
        return .object(result)
    }

    /// Merges keyed lists: live-only elements keep their place, applied elements follow the
    /// applied order (`merge.go` `mergeListItems`).
    static func mergeList(_ applied: [JSONValue], into live: [JSONValue], schema: PatchSchema)
        -> [JSONValue]
    {
        func id(_ element: JSONValue, _ offset: Int) -> FieldPathElement {
            (try? FieldWalker.element(element, at: offset, schema: schema, path: [], lenient: true))
                ?? .index(offset)
        }
        let liveIDs = live.enumerated().map { id($1, $0) }
        let appliedIDs = applied.enumerated().map { id($1, $0) }
        let appliedSet = Set(appliedIDs)
        var emitted: Set<FieldPathElement> = []
        var result: [JSONValue] = []
        func emitApplied(_ j: Int) {
            let key = appliedIDs[j]
            if let liveIndex = liveIDs.firstIndex(of: key), schema.listMergeKey != nil {
                result.append(merge(applied[j], into: live[liveIndex], schema: schema.element))
            } else {
                result.append(applied[j])
            }
            emitted.insert(key)
        }
        var i = 0
        var j = 0
        while i < live.count || j < applied.count {
            if i < live.count, emitted.contains(liveIDs[i]) {
                i += 1
                continue
            }
            if i < live.count && j < applied.count {
                if liveIDs[i] == appliedIDs[j] {
                    emitApplied(j)
                    i += 1
                    j += 1
                    continue
                }
                if !appliedSet.contains(liveIDs[i]) {
                    result.append(live[i])
                    emitted.insert(liveIDs[i])
                    i += 1
                    continue
                }
            }
            if j < applied.count {
                if !emitted.contains(appliedIDs[j]) { emitApplied(j) }
                j += 1
                continue
            }
            if !appliedSet.contains(liveIDs[i]) { result.append(live[i]) }
            i += 1
        }
        return result
    }

    /// Removes the field at `path` (no-op when absent), and maps or lists left empty on the way.
    static func remove(_ path: FieldPath, from value: inout JSONValue) {
        guard let first = path.first else { return }
        let rest = Array(path.dropFirst())
        switch (value, first) {
        case (.object(var object), .field(let name)):
            if rest.isEmpty {
                object.removeValue(forKey: name)
            } else if var child = object[name] {
                remove(rest, from: &child)
                // Like `typed.RemoveItems`, a map or list emptied by the removal goes too.
                let emptied = child.arrayValue?.isEmpty == true || child.objectValue?.isEmpty == true
                object[name] = emptied ? JSONValue?.none : JSONValue?.some(child)
            }
            value = .object(object)
        case (.array(var list), _):
            guard let index = list.indices.first(where: { matches(list[$0], first, offset: $0) }) else {
                return
            }
            if rest.isEmpty {
                list.remove(at: index)
            } else {
                remove(rest, from: &list[index])
            }
            value = .array(list)
        default:
            return
        }
    }

    static func matches(_ element: JSONValue, _ pathElement: FieldPathElement, offset: Int) -> Bool {
        switch pathElement {
        case .key(let fields):
            return fields.members.allSatisfy { element[$0.key]?.isJSONEqual(to: $0.value) == true }
        case .value(let value): return element.isJSONEqual(to: value)
        case .index(let index): return index == offset
        case .field: return false
        }
    }
}
