import Foundation
import KubeModel

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over a POSIX socket, so tests see exactly what the server
/// put on the wire (status line, headers, chunked framing) without a client library in between.
struct RawHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]

        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    var token: String?

    /// Sends one request on a fresh connection (`Connection: close`) and reads the whole answer.
    func request(
        _ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json",
        headers: [String: String] = [:], timeout: Double = 10
    ) throws -> Response {
        let connection = try Connection(port: port)
        defer { connection.close() }
        try connection.send(head(method, path, body: body, contentType: contentType, headers: headers, close: true) + body)
        let (status, responseHeaders, rest) = try connection.readHead(deadline: Date().addingTimeInterval(timeout))
        var payload = rest
        if responseHeaders["transfer-encoding"]?.lowercased() == "chunked" {
            var decoder = ChunkDecoder()
            var out = decoder.feed(payload)
            while !decoder.finished {
                guard let more = try connection.read(deadline: Date().addingTimeInterval(timeout)), !more.isEmpty else { break }
                out += decoder.feed(more)
            }
            return Response(status: status, headers: responseHeaders, body: out)
        }
        let length = Int(responseHeaders["content-length"] ?? "") ?? Int.max
        while payload.count < length {
            guard let more = try connection.read(deadline: Date().addingTimeInterval(timeout)), !more.isEmpty else { break }
            payload += more
        }
        return Response(status: status, headers: responseHeaders, body: payload)
    }

    func request(_ method: String, _ path: String, json: JSONValue, contentType: String = "application/json") throws -> Response {
        try request(method, path, body: json.encoded(), contentType: contentType)
    }

    func head(_ method: String, _ path: String, body: [UInt8], contentType: String, headers: [String: String], close: Bool)
        -> [UInt8]
    {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "User-Agent: roost-tests/1.0"]
        if let token { lines.append("Authorization: Bearer \(token)") }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            lines.append("Content-Type: \(contentType)")
            lines.append("Content-Length: \(body.count)")
        }
        for (name, value) in headers { lines.append("\(name): \(value)") }
        if close { lines.append("Connection: close") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Opens a watch and returns a reader of its event lines.
    func watch(_ path: String, timeout: Double = 10) throws -> WatchReader {
        let connection = try Connection(port: port)
        try connection.send(head("GET", path, body: [], contentType: "", headers: [:], close: true))
        let (status, headers, rest) = try connection.readHead(deadline: Date().addingTimeInterval(timeout))
        return WatchReader(connection: connection, status: status, headers: headers, pending: rest)
    }
}

/// Reads a chunked watch stream line by line.
final class WatchReader {
    let connection: Connection
    let status: Int
    let headers: [String: String]
    private var decoder = ChunkDecoder()
    private var buffer: [UInt8] = []
    /// Raw chunk payload sizes seen, to check framing.
    private(set) var closed = false

    init(connection: Connection, status: Int, headers: [String: String], pending: [UInt8]) {
        self.connection = connection
        self.status = status
        self.headers = headers
        buffer = decoder.feed(pending)
    }

    /// The next event as JSON, or nil when the stream ended or `timeout` passed.
    func next(timeout: Double = 10) throws -> JSONValue? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return try JSONValue.parse(line)
            }
            if decoder.finished || closed { return nil }
            guard Date() < deadline else { return nil }
            guard let bytes = try connection.read(deadline: deadline) else { return nil }
            if bytes.isEmpty {
                closed = true
                return nil
            }
            buffer += decoder.feed(bytes)
        }
    }

    /// Collects events until `count` arrived or `timeout` passed.
    func collect(_ count: Int, timeout: Double = 10) throws -> [JSONValue] {
        var events: [JSONValue] = []
        let deadline = Date().addingTimeInterval(timeout)
        while events.count < count, Date() < deadline {
            guard let event = try next(timeout: deadline.timeIntervalSinceNow) else { break }
            events.append(event)
        }
        return events
    }

    /// Whether the server ended the stream (terminal chunk or closed connection) within `timeout`.
    func waitForEnd(timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if decoder.finished || closed { return true }
            guard let bytes = try connection.read(deadline: deadline) else { return decoder.finished || closed }
            if bytes.isEmpty { return true }
            buffer += decoder.feed(bytes)
        }
        return decoder.finished || closed
    }

    var ended: Bool { decoder.finished || closed }

    func close() { connection.close() }

    deinit { connection.close() }
}

/// Decodes HTTP/1.1 chunked transfer coding incrementally.
struct ChunkDecoder {
    private var pending: [UInt8] = []
    private var remaining = 0
    private var expectingSize = true
    private(set) var finished = false

    mutating func feed(_ bytes: [UInt8]) -> [UInt8] {
        pending += bytes
        var out: [UInt8] = []
        while !finished {
            if expectingSize {
                guard let lineEnd = findCRLF(pending) else { break }
                let sizeText =
                    String(decoding: pending[..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                pending.removeSubrange(..<(lineEnd + 2))
                remaining = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
                if remaining == 0 {
                    finished = true
                    break
                }
                expectingSize = false
            } else {
                guard pending.count >= remaining + 2 else {
                    break
                }
                out += pending[..<remaining]
                pending.removeSubrange(..<(remaining + 2))
                expectingSize = true
            }
        }
        return out
    }

    private func findCRLF(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 13 && bytes[index + 1] == 10 { return index }
        return nil
    }
}

/// A connected TCP socket to 127.0.0.1.
final class Connection: @unchecked Sendable {
    private let fd: Int32
    private var isClosed = false

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTP.Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw RawHTTP.Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawHTTP.Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Bytes received before `deadline`; empty at end of stream; nil on timeout.
    func read(deadline: Date) throws -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
        let ready = poll(&descriptor, 1, milliseconds)
        if ready == 0 { return nil }
        guard ready > 0 else { throw RawHTTP.Failure(description: "poll failed: errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { return [] }
        return Array(buffer[..<count])
    }

    func readHead(deadline: Date) throws -> (Int, [String: String], [UInt8]) {
        var data: [UInt8] = []
        while true {
            if let end = find(data, [13, 10, 13, 10]) {
                let head = String(decoding: data[..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (status, headers, Array(data[(end + 4)...]))
            }
            guard let more = try read(deadline: deadline) else {
                throw RawHTTP.Failure(description: "timed out waiting for a response")
            }
            guard !more.isEmpty else { throw RawHTTP.Failure(description: "connection closed before a response") }
            data += more
        }
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    deinit { close() }
}
