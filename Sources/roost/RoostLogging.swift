import Foundation
import KubeModel
import Logging
import Roost
import Synchronization

/// Log output of the `roost` command: `--log-format json` writes one JSON object per line
/// (`ts`, `level`, `logger`, `msg`, then the metadata), `text` swift-log's stream format.
enum RoostLogging {
    static func bootstrap(format: OperatorConfiguration.LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}

/// A swift-log handler writing one JSON object per line to standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private static let output = Mutex(FileHandle.standardError)

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: JSONObject = [
            "ts": .string(Timestamp.rfc3339Micro(Timestamp.now())), "level": .string(event.level.rawValue),
            "logger": .string(label), "msg": .string(event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            if let value = merged[key] { object[key] = Self.json(value) }
        }
        let line = JSONValue.object(object).encoded() + [0x0A]
        Self.output.withLock { $0.write(Data(line)) }
    }

    private static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let value): return .string(value.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let values):
            var object = JSONObject()
            for key in values.keys.sorted() { object[key] = values[key].map(json) }
            return .object(object)
        }
    }
}
