import RolesAnywhereSigning
import Testing

struct EncodingTests {
    @Test func serialNumbersBecomeDecimal() {
        #expect(BigEndianInteger.decimalString([]) == "0")
        #expect(BigEndianInteger.decimalString([0x00]) == "0")
        #expect(BigEndianInteger.decimalString([0x01, 0x23]) == "291")
        #expect(BigEndianInteger.decimalString([0x12, 0xd6, 0x87]) == "1234567")
        #expect(BigEndianInteger.decimalString([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) == "18446744073709551615")
        #expect(BigEndianInteger.decimalString([0x3b, 0x9a, 0xca, 0x00]) == "1000000000")
        // The official helper's EC leaf: hex 15D1...702D.
        let serial = Hex.decode("15d19632234bf759a32802c0da88f9e8afc8702d")!
        #expect(BigEndianInteger.decimalString(serial) == "124562745837719059303232313298209415765143613485")
    }

    @Test func serialNumbersBecomeEvenLengthHex() {
        #expect(BigEndianInteger.evenHexString([0x01, 0x23]) == "0123")
        #expect(BigEndianInteger.evenHexString([0x00, 0x45, 0x67]) == "4567")
        #expect(BigEndianInteger.evenHexString([0x00]) == "00")
    }

    @Test func hexRoundTrips() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func amzDatesFormatAndParse() throws {
        let date = try #require(AmzDate(amzDateTime: "20261129T012802Z"))
        #expect(date.amzDateTime == "20261129T012802Z")
        #expect(date.scopeDate == "20261129")
        #expect(date.iso8601 == "2026-11-29T01:28:02Z")
        #expect(AmzDate(iso8601: "2026-11-29T01:28:02Z") == date)
        #expect(AmzDate(iso8601: "2026-11-29T01:28:02.380711Z") == date)
        #expect(AmzDate(secondsSince1970: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(AmzDate(secondsSince1970: 951_782_400).iso8601 == "2000-02-29T00:00:00Z")
        #expect(AmzDate(secondsSince1970: -1).iso8601 == "1969-12-31T23:59:59Z")
    }

    @Test(arguments: ["", "20261129T012802", "20261329T012802Z", "20260230T012802Z", "2026112XT012802Z", "20261129T246000Z"])
    func malformedAmzDatesAreRejected(text: String) {
        #expect(AmzDate(amzDateTime: text) == nil)
    }

    @Test func uriEncodingFollowsSigV4() {
        #expect(URIEncoding.encode("a b/c~d_e.f-g*") == "a%20b%2Fc~d_e.f-g%2A")
        #expect(URIEncoding.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(URIEncoding.encode("é") == "%C3%A9")
        #expect(URIEncoding.decode("a%20b+c") == "a b+c")
        #expect(URIEncoding.decodeForm("a%20b+c") == "a b c")
        #expect(URIEncoding.decode("%") == nil)
    }
}

/// The one-pass canonical query string against its definition: each name and value percent-decoded,
/// then encoded per SigV4, the pairs sorted by bytes and joined.
struct CanonicalQueryEquivalenceTests {
    static func reference(_ query: String) -> String? {
        var pairs = [(String, String)]()
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = URIEncoding.decodeBytes(parts[0]), let value = URIEncoding.decodeBytes(parts.count > 1 ? parts[1] : "") else { return nil }
            pairs.append((URIEncoding.encode(bytes: name), URIEncoding.encode(bytes: value)))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    @Test("hand-picked queries: escapes of either case, unreserved escapes, bare names, empty parts, '+', '=' in values, non-ASCII")
    func handPicked() throws {
        let queries = [
            "a=1", "b=2&a=1", "a=2&a=1", "x", "x&y=", "&&a=1&&", "a=b=c", "p=%7e%7E%41%2f", "q=a+b", "k=%e2%82%ac", "k=€", "%61=1",
            "roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fbucket-lister&profileArn=arn%3Aaws%3Arolesanywhere",
            "list-type=2&prefix=&delimiter=%2F", "uploads", "X-Amz-Signature=ab&X-Amz-Date=20261203T000000Z",
        ]
        for query in queries {
            #expect(try CanonicalRequest.canonicalQueryString(query) == Self.reference(query), "\(query)")
        }
        for malformed in ["a=%", "a=%4", "a=%zz", "%g0=1", "a=1&b=%"] {
            #expect(throws: SigningError.self, "\(malformed)") { try CanonicalRequest.canonicalQueryString(malformed) }
            #expect(Self.reference(malformed) == nil)
        }
    }

    @Test("10,000 random queries agree with the definition")
    func random() throws {
        // A fixed-seed generator, so a failure is reproducible.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let alphabet = Array("aZ09-_.~%%%+=&&/:é€ \u{7f}")
        for _ in 0..<10_000 {
            var query = ""
            for _ in 0..<Int(next() % 24) {
                if next() % 5 == 0 {
                    query += ["%2F", "%41", "%7e", "%e2%82%ac", "%zz", "%4"][Int(next() % 6)]
                } else {
                    query.append(alphabet[Int(next() % UInt64(alphabet.count))])
                }
            }
            let expected = Self.reference(query)
            let actual = try? CanonicalRequest.canonicalQueryString(query)
            #expect(actual == expected, "\(query.debugDescription)")
        }
    }
}
