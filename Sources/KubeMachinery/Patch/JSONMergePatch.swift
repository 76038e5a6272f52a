public import KubeModel

/// JSON merge patch, RFC 7386 (`application/merge-patch+json`), as kube-apiserver applies it with
/// `gopkg.in/evanphx/json-patch.v4` (`merge.go`, `MergePatch` and `CreateMergePatch`).
public enum JSONMergePatch {
    /// Applies `patch` to `target` (RFC 7386 section 2, `MergePatch`).
    ///
    /// When `patch` is an object, each member merges into `target` (a non-object `target` is
    /// replaced by an empty object first): `null` members delete, object members merge
    /// recursively, all other members replace. Any other `patch` replaces `target` whole.
    /// Merge patches never fail, so this does not throw.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for member in patchObject.members {
            if case .null = member.value {
                result.removeValue(forKey: member.key)
            } else {
                result[member.key] = apply(member.value, to: result[member.key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`, so that
    /// `apply(diff(from: a, to: b), to: a) == b` whenever `b` holds no `null` members (which a merge
    /// patch cannot express).
    ///
    /// For two objects the result holds `null` for removed members, the new value for added or
    /// changed non-object members, and a nested diff for changed object members; equal documents
    /// give `{}`. For anything else the result is `modified` itself.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let old) = original, case .object(let new) = modified else {
            return modified
        }
        var patch = JSONObject()
        for member in old.members where new[member.key] == nil {
            patch[member.key] = .null
        }
        for member in new.members {
            guard let oldValue = old[member.key] else {
                patch[member.key] = member.value
                continue
            }
            if case .object = oldValue, case .object = member.value {
                let nested = diff(from: oldValue, to: member.value)
                if nested.objectValue?.isEmpty == false { patch[member.key] = nested }
            } else if !oldValue.isJSONEqual(to: member.value) {
                patch[member.key] = member.value
            }
        }
        return .object(patch)
    }
}
