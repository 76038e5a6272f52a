import Foundation
import KubeModel

extension Demo.Report {
    /// The report as one JSON document (`roost demo --json`): every placement and the summary.
    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .double(($0 * 1000).rounded() / 1000) } ?? .null }
        let rows: [JSONValue] = placements.map { placement in
            [
                "session": .string(placement.session), "runtime": .string(placement.runtime),
                "triggerSource": .string(placement.triggerSource),
                "rootTriggerSource": placement.rootTriggerSource.map(JSONValue.string) ?? .null,
                "machine": .string(placement.machine),
                "kind": .string(placement.kind), "reason": .string(placement.reason), "start": .string(placement.start),
                "node": .string(placement.node), "pool": .string(placement.pool),
                "createdToBoundSeconds": number(placement.createdToBound),
                "createdToReadySeconds": number(placement.createdToReady),
            ]
        }
        let bound = placements.filter { !$0.kind.isEmpty }
        return [
            "placements": .array(rows),
            "summary": [
                "sessions": .int(Int64(placements.count)), "bound": .int(Int64(bound.count)),
                "claimed": .int(Int64(bound.filter { $0.kind == "claimed" }.count)),
                "spawned": .int(Int64(bound.filter { $0.kind == "spawned" }.count)),
                "coldStartShare": number(coldStartShare), "reaped": .int(Int64(reaped)),
                "readyP50Seconds": number(Self.percentile(placements.compactMap(\.createdToReady), 0.5)),
                "readyP95Seconds": number(Self.percentile(placements.compactMap(\.createdToReady), 0.95)),
                "wallSeconds": number(wallSeconds),
            ],
        ]
    }

    /// The report as a table for people, then a summary.
    public var table: String {
        let header = [
            "SESSION", "RUNTIME", "TRIGGER", "MACHINE", "PLACEMENT", "REASON", "START", "POOL", "NODE", "BOUND", "READY",
        ]
        var rows = [header]
        for placement in placements {
            rows.append([
                placement.session, placement.runtime,
                placement.rootTriggerSource.map { "\(placement.triggerSource) (root \($0))" } ?? placement.triggerSource,
                placement.machine,
                placement.kind.isEmpty ? "-" : placement.kind, placement.reason.isEmpty ? "-" : placement.reason,
                placement.start.isEmpty ? "-" : placement.start, placement.pool.isEmpty ? "-" : placement.pool,
                placement.node.isEmpty ? "-" : placement.node,
                Self.seconds(placement.createdToBound), Self.seconds(placement.createdToReady),
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var lines = rows.map { row in
            row.enumerated().map { index, cell in cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let bound = placements.filter { !$0.kind.isEmpty }
        let claimed = bound.filter { $0.kind == "claimed" }.count
        lines.append("")
        lines.append(
            "\(placements.count) sessions, \(bound.count) bound: \(claimed) claimed from the warm pool, \(bound.count - claimed) spawned; \(reaped) idle workers reaped"
        )
        var byPool: [String: Int] = [:]
        for placement in bound where !placement.pool.isEmpty { byPool[placement.pool, default: 0] += 1 }
        lines.append(
            "by node pool: " + byPool.keys.sorted().map { "\($0) \(byPool[$0] ?? 0)" }.joined(separator: ", "))
        lines.append(
            String(
                format: "cold-start share %.0f%%; created→ready p50 %@, p95 %@; ran %.1f s",
                coldStartShare * 100, Self.seconds(Self.percentile(placements.compactMap(\.createdToReady), 0.5)),
                Self.seconds(Self.percentile(placements.compactMap(\.createdToReady), 0.95)), wallSeconds))
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 1 ? String(format: "%.0fms", value * 1000) : String(format: "%.2fs", value)
    }

    /// Nearest-rank percentile; nil for no values.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
