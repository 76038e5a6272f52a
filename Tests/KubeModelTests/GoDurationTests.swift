import KubeModel
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("0", 0.0), ("5m", 300), ("1h30m", 5400), ("300ms", 0.3), ("1.5h", 5400), ("-2s", -2), ("8h", 28800),
        ("30s", 30), ("1m0.5s", 60.5),
    ])
    func parses(text: String, seconds: Double) throws {
        #expect(try GoDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "5", "5x", "m", "1h-", "-", ".s"])
    func refuses(text: String) {
        #expect(throws: GoDuration.ParseError.self) { try GoDuration(parsing: text) }
    }

    @Test func namesUnknownUnit() {
        #expect(throws: GoDuration.ParseError(text: "3d", reason: "unknown unit \"d\" (one of ns, us, ms, s, m, h)")) {
            try GoDuration(parsing: "3d")
        }
    }

    @Test(arguments: [
        (0.0, "0s"), (300, "5m0s"), (5400, "1h30m0s"), (0.3, "300ms"), (1.5, "1.5s"), (-2, "-2s"), (0.000002, "2µs"),
    ])
    func formatsAsGo(seconds: Double, text: String) {
        #expect(GoDuration(seconds: seconds).description == text)
    }
}
