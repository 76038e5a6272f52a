import Foundation
import KubeMachinery
import KubeModel

/// The toleration list format of `KUBERNETES_RUNNER_TOLERATIONS` and `KUBERNETES_SCHEDULE_TOLERATIONS`
/// (SPEC §2 B1, §3; the format of trigger.dev's `KUBERNETES_SCHEDULED_RUN_TOLERATIONS`):
/// comma-separated entries `key=value:Effect` (operator `Equal`) or `key:Effect` (operator `Exists`),
/// where Effect is `NoSchedule`, `NoExecute` or `PreferNoSchedule`.
///
/// Whitespace around entries is ignored; an empty or blank text is an empty list. Keys are
/// validated as Kubernetes validates a toleration's key (a label key) and values as label values,
/// so a list accepted here never makes the API server refuse a worker pod.
public enum TolerationList {
    /// The taint effects an entry may name.
    public static let effects = ["NoSchedule", "NoExecute", "PreferNoSchedule"]

    /// One refused entry and why.
    public struct EntryError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The entry as written, without surrounding whitespace.
        public var entry: String
        /// What is wrong with it and what is allowed.
        public var reason: String

        /// Creates an entry error.
        public init(entry: String, reason: String) {
            self.entry = entry
            self.reason = reason
        }

        /// `entry "a=b:Foo": effect "Foo" is not one of NoSchedule, NoExecute, PreferNoSchedule`.
        public var description: String { "entry \(ConfigurationProblem.quote(entry)): \(reason)" }
    }

    /// Every refused entry of a list.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The refused entries in the order they appear; never empty.
        public var entries: [EntryError]

        /// Creates a parse error.
        public init(entries: [EntryError]) { self.entries = entries }

        /// The entries' descriptions joined by `; `.
        public var description: String { entries.map(\.description).joined(separator: "; ") }
    }

    /// Parses a toleration list.
    /// - Returns: the tolerations in the order written, `Equal` ones with their value, `Exists`
    ///   ones without; no `tolerationSeconds`.
    /// - Throws: ``ParseError`` listing every refused entry: an empty entry (`a:NoSchedule,,b:NoSchedule`),
    ///   a missing or unknown effect, an empty or invalid key, an empty or invalid value.
    public static func parse(_ text: String) throws(ParseError) -> [CoreV1.Toleration] {
        if text.allSatisfy(\.isWhitespace) { return [] }
        var tolerations: [CoreV1.Toleration] = []
        var errors: [EntryError] = []
        for rawEntry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = rawEntry.trimmingCharacters(in: .whitespacesAndNewlines)
            switch parseEntry(entry) {
            case .success(let toleration): tolerations.append(toleration)
            case .failure(let error): errors.append(error)
            }
        }
        if !errors.isEmpty { throw ParseError(entries: errors) }
        return tolerations
    }

    private static func parseEntry(_ entry: String) -> Result<CoreV1.Toleration, EntryError> {
        func refuse(_ reason: String) -> Result<CoreV1.Toleration, EntryError> {
            .failure(EntryError(entry: entry, reason: reason))
        }
        guard !entry.isEmpty else {
            return refuse("empty entry; entries are key=value:Effect or key:Effect, separated by commas")
        }
        guard let colon = entry.lastIndex(of: ":") else {
            return refuse("missing effect; write key=value:Effect or key:Effect")
        }
        let effect = String(entry[entry.index(after: colon)...])
        guard effects.contains(effect) else {
            return refuse("effect \(ConfigurationProblem.quote(effect)) is not one of \(effects.joined(separator: ", "))")
        }
        let selector = entry[..<colon]
        let key: String
        let value: String?
        if let equals = selector.firstIndex(of: "=") {
            key = String(selector[..<equals])
            value = String(selector[selector.index(after: equals)...])
        } else {
            key = String(selector)
            value = nil
        }
        guard !key.isEmpty else { return refuse("missing key before the effect") }
        do {
            _ = try LabelSelector.Requirement(key: key, operator: .exists, values: [])
        } catch {
            return refuse("key is not a valid label key: \(error.message)")
        }
        guard let value else { return .success(CoreV1.Toleration(key: key, operator: "Exists", effect: effect)) }
        guard !value.isEmpty else { return refuse("empty value after \"=\"; write key:Effect to tolerate any value") }
        do {
            _ = try LabelSelector.Requirement(key: key, operator: .in, values: [value])
        } catch {
            return refuse("value is not a valid label value: \(error.message)")
        }
        return .success(CoreV1.Toleration(key: key, operator: "Equal", value: value, effect: effect))
    }
}
