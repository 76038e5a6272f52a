#if canImport(Glibc)
    import Glibc
#endif

/// Splits a byte stream into newline-terminated lines however it was chunked: a line may span
/// many chunks, a chunk may hold many lines. Empty lines are skipped. Uses `memchr`, so the
/// split costs a fraction of decoding the lines.
public struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// Start of the unread part of `buffer`.
    private var start = 0
    /// Where to resume searching for a newline (everything before it was searched).
    private var searched = 0

    public init() {}

    /// Adds a chunk.
    public mutating func append(_ chunk: [UInt8]) {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(..<start)
            searched -= start
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete line, without its newline, or nil until more bytes arrive.
    public mutating func nextLine() -> ArraySlice<UInt8>? {
        while true {
            let from = max(searched, start)
            guard from < buffer.count else { return nil }
            let found: Int? = buffer.withUnsafeBufferPointer { pointer in
                guard let base = pointer.baseAddress,
                    let hit = memchr(base + from, Int32(UInt8(ascii: "\n")), pointer.count - from)
                else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            guard let newline = found else {
                searched = buffer.count
                return nil
            }
            let line = buffer[start..<newline]
            start = newline + 1
            searched = start
            if !line.isEmpty { return line }
        }
    }

    /// What is left after the stream ended: a last line without a trailing newline, if any.
    public mutating func finish() -> ArraySlice<UInt8>? {
        guard start < buffer.count else { return nil }
        let rest = buffer[start...]
        start = buffer.count
        searched = start
        return rest
    }
}
