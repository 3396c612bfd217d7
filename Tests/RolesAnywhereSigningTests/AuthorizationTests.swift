import RolesAnywhereSigning
import Testing

struct AuthorizationTests {
    @Test func authorizationHeadersRoundTrip() throws {
        let text = "AWS4-X509-RSA-SHA256 Credential=1234567/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509, Signature=00ff"
        let parsed = try SigV4Authorization(parsing: text)
        #expect(parsed.algorithm == "AWS4-X509-RSA-SHA256")
        #expect(parsed.credentialID == "1234567")
        #expect(parsed.scope == CredentialScope(date: "20261129", region: "us-east-1", service: "rolesanywhere"))
        #expect(parsed.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-x509"])
        #expect(parsed.description == text)
    }

    @Test func credentialsWithAccessKeysParseToo() throws {
        let parsed = try SigV4Authorization(
            parsing: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,SignedHeaders=host;x-amz-date,Signature=5d67"
        )
        #expect(parsed.credentialID == "AKIDEXAMPLE")
        #expect(parsed.scope.service == "iam")
    }

    @Test(arguments: [
        "",
        "AWS4-X509-RSA-SHA256",
        "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host",
        "AWS4-X509-RSA-SHA256 SignedHeaders=host, Signature=00",
        "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/rolesanywhere, SignedHeaders=host, Signature=00",
        "AWS4-X509-RSA-SHA256 Credential=1/2026112/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=Host, Signature=00",
        "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=xyz",
        "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00, Extra=1",
        "AWS4-X509-RSA-SHA256 Credential=/20261129/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00",
    ])
    func malformedAuthorizationHeadersAreRejected(text: String) {
        #expect(errorCode { try SigV4Authorization(parsing: text) } == .malformedAuthorization)
    }
}
