import Foundation
import KubeMachinery
import KubeModel

/// Reads settings from command-line flags and environment variables, collecting a
/// ``ConfigurationProblem`` for every unusable one instead of stopping at the first.
///
/// An environment variable that is empty or only whitespace counts as unset (the Go convention
/// `os.Getenv(name) == ""`), so manifests may list a variable with no value. A flag given on the
/// command line always counts, even with an empty value.
struct SettingReader {
    /// A setting as given: where it came from and its text.
    struct Given {
        var setting: String
        var text: String
    }

    let flags: [String: String]
    let environment: [String: String]
    private(set) var problems: [ConfigurationProblem] = []

    init(flags: [String: String], environment: [String: String]) {
        self.flags = flags
        self.environment = environment
    }

    mutating func report(_ given: Given, _ requirement: String) {
        problems.append(ConfigurationProblem(setting: given.setting, value: given.text, requirement: requirement))
    }

    /// The environment variable `name`, nil when unset or blank.
    func environmentValue(_ name: String) -> Given? {
        guard let text = environment[name], !text.allSatisfy(\.isWhitespace) else { return nil }
        return Given(setting: name, text: text)
    }

    /// Parses `given`, reporting each rejection; nil when it was rejected.
    mutating func parse<Value>(_ given: Given, with parser: SettingParser<Value>) -> Value? {
        switch parser.parse(given.text) {
        case .success(let value):
            return value
        case .failure(let rejection):
            for requirement in rejection.requirements { report(given, requirement) }
            return nil
        }
    }

    /// The environment variable `name` or its `alias`, parsed; nil when neither is set or the value
    /// is unusable. Both set to values that parse to different results is a problem reported
    /// against the alias; both set to the same value (`true` and `1` included) is fine.
    mutating func environment<Value: Equatable>(
        _ name: String, alias: String? = nil, _ parser: SettingParser<Value>
    ) -> Value? {
        let primary = environmentValue(name)
        let secondary = alias.flatMap(environmentValue)
        let primaryValue = primary.flatMap { parse($0, with: parser) }
        let secondaryValue = secondary.flatMap { parse($0, with: parser) }
        if let primary, let secondary, let primaryValue, let secondaryValue, primaryValue != secondaryValue {
            report(
                secondary,
                "conflicts with \(primary.setting)=\(ConfigurationProblem.quote(primary.text)) (the same setting "
                    + "under its earlier name); set only one of them, or both to the same value")
            return nil
        }
        if primary != nil { return primaryValue }
        return secondaryValue
    }

    /// The flag `flag` when given on the command line, else its `ROOST_*` environment variable,
    /// parsed; nil when neither is set or the value is unusable. The environment is not read at
    /// all when the flag is given.
    mutating func option<Value>(_ flag: OperatorFlag, _ parser: SettingParser<Value>) -> Value? {
        if let text = flags[flag.rawValue] {
            return parse(Given(setting: "--" + flag.rawValue, text: text), with: parser)
        }
        guard let given = environmentValue(flag.environmentVariable) else { return nil }
        return parse(given, with: parser)
    }
}

/// Why a setting's text was refused: one or more requirements, each becoming one problem line.
struct SettingRejection: Error {
    var requirements: [String]

    init(_ requirements: [String]) { self.requirements = requirements }
    init(_ requirement: String) { self.requirements = [requirement] }
}

/// Turns a setting's text into a value.
struct SettingParser<Value> {
    let parse: (String) -> Result<Value, SettingRejection>
}

extension SettingParser where Value == Bool {
    /// `true`, `false`, `1` or `0`, case-insensitive, surrounding whitespace ignored.
    static var boolean: Self {
        SettingParser { text in
            switch text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
            case "true", "1": return .success(true)
            case "false", "0": return .success(false)
            default: return .failure(SettingRejection("must be one of true, false, 1, 0 (case-insensitive)"))
            }
        }
    }
}

extension SettingParser where Value == Int {
    /// A node affinity weight: a decimal integer from 1 to 100 (the range kube-apiserver accepts).
    static var weight: Self {
        SettingParser { text in
            guard let weight = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), (1...100).contains(weight) else {
                return .failure(SettingRejection("must be an integer from 1 to 100"))
            }
            return .success(weight)
        }
    }
}

extension SettingParser where Value == GoDuration {
    /// A Go duration (`time.ParseDuration`) greater than zero.
    static var positiveDuration: Self {
        SettingParser { text in
            guard let duration = try? GoDuration(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                duration.nanoseconds > 0
            else {
                return .failure(SettingRejection("must be a duration greater than 0 with a unit, e.g. 30s, 5m or 1h30m"))
            }
            return .success(duration)
        }
    }
}

extension SettingParser where Value == String {
    /// A node label key (a qualified name with an optional DNS subdomain prefix), as
    /// `labels.NewRequirement` validates it.
    static var labelKey: Self {
        SettingParser { text in
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do throws(SelectionError) {
                _ = try LabelSelector.Requirement(key: key, operator: .exists, values: [])
                return .success(key)
            } catch {
                return .failure(SettingRejection("must be a valid label key: \(error.message)"))
            }
        }
    }

    /// A non-empty node label value, as `labels.NewRequirement` validates it.
    static var labelValue: Self {
        SettingParser { text in
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do throws(SelectionError) {
                _ = try LabelSelector.Requirement(key: "value", operator: .in, values: [value])
                return .success(value)
            } catch {
                return .failure(SettingRejection("must be a valid label value: \(error.message)"))
            }
        }
    }

    /// Any text, surrounding whitespace removed.
    static var text: Self { SettingParser { .success($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
}

extension SettingParser where Value == [CoreV1.Toleration] {
    /// A toleration list (`key=value:Effect,key:Effect`); each bad entry is its own problem.
    static var tolerations: Self {
        SettingParser { text in
            do throws(TolerationList.ParseError) {
                return .success(try TolerationList.parse(text))
            } catch {
                return .failure(SettingRejection(error.entries.map(\.description)))
            }
        }
    }
}
