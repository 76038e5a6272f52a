/// A type decoded straight from JSON bytes by a ``JSONReader``, reading only the fields it
/// models and skipping the rest.
public protocol KubeDecodable {
    /// Reads one value of this type at the reader's position and leaves the reader after it.
    /// - Throws: ``JSONSyntaxError`` with the byte offset and the field path of the problem.
    static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> Self
}

extension KubeDecodable {
    /// Decodes one JSON document (surrounding whitespace allowed, nothing else).
    /// - Throws: ``JSONSyntaxError`` with the byte offset into `bytes` and the field path.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodingOptions = .default)
        throws(JSONSyntaxError) -> Self
    {
        var reader = JSONReader(bytes: bytes, options: options)
        let value = try decode(from: &reader)
        try reader.finish()
        return value
    }

    /// Decodes one JSON document held in `bytes` (an array, a slice, `Data`, …).
    /// - Throws: ``JSONSyntaxError`` with the byte offset into `bytes` and the field path.
    @inlinable
    public static func decode(_ bytes: some Collection<UInt8>, options: DecodingOptions = .default)
        throws(JSONSyntaxError) -> Self
    {
        try JSONReader.reading(bytes, options: options) { reader throws(JSONSyntaxError) in
            let value = try decode(from: &reader)
            try reader.finish()
            return value
        }
    }

    /// Decodes one JSON document held in a string.
    public static func decode(_ text: String, options: DecodingOptions = .default) throws(JSONSyntaxError) -> Self {
        var text = text
        let result: Result<Self, JSONSyntaxError> = text.withUTF8 { buffer in
            Result { () throws(JSONSyntaxError) in try decode(UnsafeRawBufferPointer(buffer), options: options) }
        }
        return try result.get()
    }
}

extension JSONValue: KubeDecodable {
    /// Reads the next value losslessly with ``JSONValue/parse(_:maxDepth:)``'s parser, for
    /// objects Roost passes through (templates, custom resources).
    public static func decode(from reader: inout JSONReader) throws(JSONSyntaxError) -> JSONValue {
        let range = try reader.readRawRange()
        var parser = JSONParser(buffer: UnsafeRawBufferPointer(rebasing: reader.bytes[range]), maxDepth: reader.options.maxDepth)
        do {
            return try parser.parseDocument()
        } catch {
            throw reader.error(error.reason, at: range.lowerBound + error.offset)
        }
    }
}

// MARK: - Reading into fields

extension JSONReader {
    /// Reads the next value as `T`.
    @inline(__always)
    public mutating func decode<T: KubeDecodable>(_ type: T.Type = T.self) throws(JSONSyntaxError) -> T {
        try T.decode(from: &self)
    }

    /// Reads an array of `T`; `null` reads as empty.
    @inline(__always)
    public mutating func decodeArray<T: KubeDecodable>(of type: T.Type = T.self) throws(JSONSyntaxError) -> [T] {
        var array: [T] = []
        try readArray { reader throws(JSONSyntaxError) in array.append(try T.decode(from: &reader)) }
        return array
    }

    // The `read(_:)` family: typed decoders write `case "name": try reader.read(&meta.name)`.
    // A `null` leaves a non-optional target unchanged and sets an optional one to nil, as Go's
    // encoding/json does.

    /// Reads a string into `target`; `null` leaves it unchanged.
    @inline(__always)
    public mutating func read(_ target: inout String) throws(JSONSyntaxError) {
        if let value = try readStringOrNull() { target = value }
    }

    /// Reads a string or `null` into `target`.
    @inline(__always)
    public mutating func read(_ target: inout String?) throws(JSONSyntaxError) {
        target = try readStringOrNull()
    }

    /// Reads an integer into `target`; `null` leaves it unchanged.
    @inline(__always)
    public mutating func read(_ target: inout Int64) throws(JSONSyntaxError) {
        if let value = try readInt64OrNull() { target = value }
    }

    /// Reads an integer or `null` into `target`.
    @inline(__always)
    public mutating func read(_ target: inout Int64?) throws(JSONSyntaxError) {
        target = try readInt64OrNull()
    }

    /// Reads a 32-bit integer into `target`; `null` leaves it unchanged.
    @inline(__always)
    public mutating func read(_ target: inout Int32) throws(JSONSyntaxError) {
        if let value = try readInt32OrNull() { target = value }
    }

    /// Reads a 32-bit integer or `null` into `target`.
    @inline(__always)
    public mutating func read(_ target: inout Int32?) throws(JSONSyntaxError) {
        target = try readInt32OrNull()
    }

    /// Reads a boolean into `target`; `null` leaves it unchanged.
    @inline(__always)
    public mutating func read(_ target: inout Bool) throws(JSONSyntaxError) {
        if let value = try readBoolOrNull() { target = value }
    }

    /// Reads a boolean or `null` into `target`.
    @inline(__always)
    public mutating func read(_ target: inout Bool?) throws(JSONSyntaxError) {
        target = try readBoolOrNull()
    }

    /// Reads a string-to-string object into `target`; `null` reads as empty.
    @inline(__always)
    public mutating func read(_ target: inout [String: String]) throws(JSONSyntaxError) {
        target = try readStringMap()
    }

    /// Reads an array of strings into `target`; `null` reads as empty.
    @inline(__always)
    public mutating func read(_ target: inout [String]) throws(JSONSyntaxError) {
        target = try readStringArray()
    }

    /// Reads a `T` into `target`.
    @inline(__always)
    public mutating func read<T: KubeDecodable>(_ target: inout T) throws(JSONSyntaxError) {
        target = try T.decode(from: &self)
    }

    /// Reads a `T` or `null` into `target`.
    @inline(__always)
    public mutating func read<T: KubeDecodable>(_ target: inout T?) throws(JSONSyntaxError) {
        target = try readNull() ? nil : T.decode(from: &self)
    }

    /// Reads an array of `T` into `target`; `null` reads as empty.
    @inline(__always)
    public mutating func read<T: KubeDecodable>(_ target: inout [T]) throws(JSONSyntaxError) {
        target = try decodeArray(of: T.self)
    }
}
