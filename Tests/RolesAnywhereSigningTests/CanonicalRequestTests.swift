import RolesAnywhereSigning
import Testing

struct CanonicalRequestTests {
    @Test func queryIsDecodedReencodedAndSortedByNameThenValue() throws {
        let query = "b=2&a=z&a=y&c&d=%7e%2f%20x+y&e=caf%C3%A9"
        #expect(
            try CanonicalRequest.canonicalQueryString(query)
                == "a=y&a=z&b=2&c=&d=~%2F%20x%2By&e=caf%C3%A9"
        )
    }

    @Test func queryWithBadEscapeIsRejected() {
        #expect(throws: SigningError.self) { try CanonicalRequest.canonicalQueryString("a=%zz") }
        #expect(throws: SigningError.self) { try CanonicalRequest.canonicalQueryString("a=%4") }
    }

    @Test func queryFromParametersEncodesEverythingButUnreserved() {
        let query = CanonicalRequest.canonicalQueryString(parameters: [
            ("roleArn", "arn:aws:iam::000000000000:role/path/ExampleRole"), ("a b", "c+d"),
        ])
        #expect(query == "a%20b=c%2Bd&roleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fpath%2FExampleRole")
    }

    @Test func headerValuesAreTrimmedAndInnerWhitespaceCollapsed() {
        #expect(CanonicalRequest.canonicalHeaderValue("  a   b\t c  ") == "a b c")
        #expect(CanonicalRequest.canonicalHeaderValue("") == "")
    }

    @Test func repeatedHeadersAreJoinedWithCommasInOrderAndListedOnce() throws {
        let request = SignableRequest(
            method: "GET",
            path: "/",
            headers: [
                HTTPHeaderField(name: "Host", value: "example.com"),
                HTTPHeaderField(name: "My-Header1", value: "value2"),
                HTTPHeaderField(name: "my-header1", value: " value2 "),
                HTTPHeaderField(name: "MY-HEADER1", value: "value1"),
            ]
        )
        let names = CanonicalRequest.signedHeaderNames(of: request.headers, excluding: [])
        #expect(names == ["host", "my-header1"])
        let canonical = try CanonicalRequest(request: request, signedHeaders: names)
        #expect(canonical.canonicalHeaderLines == ["host:example.com", "my-header1:value2,value2,value1"])
    }

    @Test func signedHeaderMissingFromRequestIsAnError() {
        let request = SignableRequest(method: "GET", path: "/", headers: [HTTPHeaderField(name: "Host", value: "h")])
        #expect(errorCode { try CanonicalRequest(request: request, signedHeaders: ["host", "x-amz-date"]) } == .missingSignedHeader)
    }

    @Test func pathsAreNormalisedAndDoubleEncodedExceptForS3() {
        #expect(CanonicalRequest.canonicalURI(path: "", encoding: .normalizedDoubleEncoded) == "/")
        #expect(CanonicalRequest.canonicalURI(path: "/sessions", encoding: .normalizedDoubleEncoded) == "/sessions")
        #expect(CanonicalRequest.canonicalURI(path: "/a/./b/../c//d/", encoding: .normalizedDoubleEncoded) == "/a/c/d/")
        #expect(CanonicalRequest.canonicalURI(path: "/a%20b", encoding: .normalizedDoubleEncoded) == "/a%2520b")
        #expect(CanonicalRequest.canonicalURI(path: "/b/a%20b/./c", encoding: .raw) == "/b/a%20b/./c")
    }

    @Test func emptyBodyHashIsTheSHA256OfNothing() throws {
        let request = SignableRequest(method: "GET", path: "/", headers: [HTTPHeaderField(name: "Host", value: "h")])
        let canonical = try CanonicalRequest(request: request, signedHeaders: ["host"])
        #expect(canonical.payloadHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(canonical.description == "GET\n/\n\nhost:h\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
