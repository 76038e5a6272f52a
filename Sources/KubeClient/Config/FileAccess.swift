import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small POSIX file helpers that report `errno` clearly (Foundation's errors are verbose and lose it).
enum ConfigFileAccess {
    /// Why a read failed.
    struct ReadError: Error {
        var errno: Int32
        var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }
        var reason: String { String(cString: strerror(errno)) }
    }

    /// Reads the whole file at `path`.
    static func readAll(_ path: String) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ReadError(errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads a file referenced by a configuration, mapping failures to ``ConfigurationError``.
    /// - Parameter what: what the file is, for the message, e.g. `client-key of user "dev" (from /home/me/.kube/config)`.
    static func readReferenced(_ path: String, what: String) throws(ConfigurationError) -> [UInt8] {
        do {
            return try readAll(path)
        } catch {
            throw ConfigurationError(.unreadableFile, "cannot read \(what) \(path): \(error.reason)")
        }
    }

    /// True when `path` exists (any file type).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `path` made absolute against the current directory and cleaned lexically (kubeconfig paths as
    /// client-go's `filepath.Abs`).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return clean(path) }
        return clean(FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// An absolute path with `.`, `..` and repeated slashes removed lexically (Go's `filepath.Clean`).
    static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory part of an absolute path (`/a/b/c` → `/a/b`, `/c` → `/`).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// `path` resolved against `directory` unless it is already absolute; nil for an empty path.
    static func resolve(_ path: String?, against directory: String) -> String? {
        guard let path, !path.isEmpty else { return nil }
        if path.hasPrefix("/") { return clean(path) }
        return clean(directory + "/" + path)
    }
}
