/// One unusable setting found while reading Roost's configuration: an environment variable or a
/// command-line flag, the text it held, and what would have been accepted.
///
/// It renders as a single line, e.g. `KUBERNETES_SCHEDULE_AFFINITY_WEIGHT="0": must be an integer
/// from 1 to 100`, so start-up can print every problem on its own line (SPEC §3).
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The variable (`KUBERNETES_SCHEDULE_AFFINITY_WEIGHT`) or flag (`--resync-period`) at fault.
    public var setting: String
    /// The text the setting held, exactly as given.
    public var value: String
    /// What is allowed instead, or why the value cannot be used.
    public var requirement: String

    /// Creates a problem.
    public init(setting: String, value: String, requirement: String) {
        self.setting = setting
        self.value = value
        self.requirement = requirement
    }

    /// `SETTING="value": requirement`, the value quoted with escapes so the line stays one line.
    public var description: String { "\(setting)=\(Self.quote(value)): \(requirement)" }

    /// Double-quotes `text`, escaping quotes, backslashes and control characters.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Why Roost's configuration could not be resolved: every problem found, not only the first,
/// in the order the settings were read (flags and `ROOST_*` variables, then the affinity
/// variables of SPEC §3).
///
/// Named apart from KubeClient's `ConfigurationError` (kubeconfig loading) so code importing both
/// modules needs no qualification.
public struct OperatorConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, never empty when thrown.
    public var problems: [ConfigurationProblem]

    /// Creates an error holding `problems`.
    public init(problems: [ConfigurationProblem]) { self.problems = problems }

    /// One line per problem.
    public var lines: [String] { problems.map(\.description) }

    /// The problems' lines joined by newlines.
    public var description: String { lines.joined(separator: "\n") }
}
