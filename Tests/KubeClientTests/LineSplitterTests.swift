import Testing

@testable import KubeClient

@Suite struct LineSplitterTests {
    /// Splits `text` fed in chunks of the given sizes and returns the lines as strings.
    func split(_ text: String, chunks sizes: [Int]) -> [String] {
        var splitter = LineSplitter()
        var lines: [String] = []
        let bytes = Array(text.utf8)
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = max(1, sizes[index % sizes.count])
            index += 1
            let end = min(bytes.count, offset + size)
            splitter.append(Array(bytes[offset..<end]))
            offset = end
            while let line = splitter.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        if let rest = splitter.finish() { lines.append(String(decoding: rest, as: UTF8.self)) }
        return lines
    }

    @Test(arguments: [[1], [2], [3], [7], [64], [1, 1000], [5, 1, 9, 2], [100_000]])
    func linesSurviveAnyChunking(_ sizes: [Int]) {
        let long = String(repeating: "x", count: 10_000)
        let text = "{\"a\":1}\n{\"b\":\"\(long)\"}\n\n{\"c\":3}\n"
        #expect(split(text, chunks: sizes) == ["{\"a\":1}", "{\"b\":\"\(long)\"}", "{\"c\":3}"])
    }

    @Test func lastLineWithoutNewlineIsKept() {
        #expect(split("one\ntwo", chunks: [3]) == ["one", "two"])
        #expect(split("", chunks: [3]).isEmpty)
        #expect(split("\n\n", chunks: [1]).isEmpty)
    }

    @Test func manyLinesInOneChunkAndCompaction() {
        var splitter = LineSplitter()
        var count = 0
        for round in 0..<200 {
            splitter.append(Array(String(repeating: "line-\(round)\n", count: 50).utf8))
            while let line = splitter.nextLine() {
                #expect(line.elementsEqual("line-\(round)".utf8))
                count += 1
            }
        }
        #expect(count == 10_000)
    }
}
