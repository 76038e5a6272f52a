import ArgumentParser
import Foundation

/// `roost-bench`: Roost's benchmarks. Every figure is printed in a readable table and as one JSON
/// line `{"bench": ..., "metric": ..., "value": ..., "unit": ...}` (`--json-only` prints just those).
@main
struct RoostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost-bench",
        abstract: "Benchmarks of Roost and its simulated cluster.",
        subcommands: [SimBench.self, ClientBench.self, InformerBench.self, PlacementBench.self, ServeSimCommand.self])
}

/// Options every benchmark shares.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Print only the JSON lines.")
    var jsonOnly = false
}

/// Collects figures and prints them in both forms.
final class Report {
    struct Figure {
        var metric: String
        var value: Double
        var unit: String
    }

    let bench: String
    let jsonOnly: Bool
    private(set) var figures: [Figure] = []

    init(bench: String, jsonOnly: Bool) {
        self.bench = bench
        self.jsonOnly = jsonOnly
    }

    func add(_ metric: String, _ value: Double, _ unit: String) {
        figures.append(Figure(metric: metric, value: value, unit: unit))
        let rounded = (value * 1000).rounded() / 1000
        print(#"{"bench": "\#(bench)", "metric": "\#(metric)", "value": \#(rounded), "unit": "\#(unit)"}"#)
    }

    func note(_ text: String) {
        if !jsonOnly { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    func table() {
        guard !jsonOnly else { return }
        let width = max(6, figures.map(\.metric.count).max() ?? 6)
        var lines = ["", "\(bench) benchmark", String(repeating: "-", count: width + 24)]
        for figure in figures {
            let value = String(format: "%.3f", figure.value)
            lines.append(
                figure.metric.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value.leftPadded(14) + "  "
                    + figure.unit)
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// Peak resident set size of this process, megabytes (VmHWM).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.filter(\.isNumber)
        return (Double(String(digits)) ?? 0) / 1024
    }
    return 0
}
