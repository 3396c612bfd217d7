import RolesAnywherePolicy
import Testing
import RolesAnywhereSupport

/// The JSON parser behind `JSONValue.parse`: RFC 8259, strict, bounded.
struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null, "x"], "b": {"c": {}} , "d": []} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object(["c": .object([:])]),
            "d": .array([]),
        ]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try JSONValue.parse("\"caf\u{e9}\"") == .string("café"))
    }

    @Test("refuses what is not JSON", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "tru", "\"unterminated", "\"bad \\x escape\"",
        "\"\\ud83d alone\"", "\"tab\tinside\"", "[1] 2", "{\"a\" 1}", "nul",
    ])
    func refuses(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(text) }
    }

    @Test func boundsTheNestingDepth() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: (any Error).self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONValue.parse(fine)
    }
}
