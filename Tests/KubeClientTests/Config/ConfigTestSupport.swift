import Foundation
import Synchronization

@testable import KubeClient

/// A fresh temporary directory, removed by `cleanup()`.
struct ConfigTempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "roost-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func url(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url(name)
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        }
        return file
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: url(name)) }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A settable clock for providers.
final class ConfigTestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var closure: @Sendable () -> Date { { self.now } }
}

func configBase64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
