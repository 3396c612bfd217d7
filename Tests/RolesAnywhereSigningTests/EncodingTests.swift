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
