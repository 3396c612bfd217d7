import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// SigV4 (AWS4-HMAC-SHA256) against botocore, the signer of the AWS CLI: our verifier accepts what it
/// signs, and our signer makes the same signatures.
struct SigV4InteropTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    struct BotocoreCase {
        var service: String
        var request: SignableRequest
        var authorization: SigV4Authorization
        var date: AmzDate
        var token: String?
    }

    static func botocoreCases() throws -> [BotocoreCase] {
        let output = try ChildProcess.run("python3", [Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/botocore_sigv4.py").path])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [[String: Any]], "\(output.stderrText)")
        return try cases.map { item in
            let headers = (item["headers"] as? [[String]] ?? []).map { HTTPHeaderField(name: $0[0], value: $0[1]) }
                + [HTTPHeaderField(name: "Host", value: item["host"] as? String ?? "")]
            let request = SignableRequest(
                method: item["method"] as? String ?? "", path: item["path"] as? String ?? "/", query: item["query"] as? String ?? "",
                headers: headers, body: Array((item["body"] as? String ?? "").utf8)
            )
            let authorizationText = try #require(headers.first(named: "authorization"))
            let authorization = try SigV4Authorization(parsing: authorizationText)
            let dateText = try #require(headers.first(named: "x-amz-date"))
            return BotocoreCase(
                service: item["service"] as? String ?? "", request: request, authorization: authorization,
                date: try #require(AmzDate(amzDateTime: dateText)),
                token: headers.first(named: "x-amz-security-token")
            )
        }
    }

    @Test func theIAMUserGuidesExampleSignatureIsReproduced() throws {
        let request = SignableRequest(
            method: "GET", path: "/", query: "Action=ListUsers&Version=2010-05-08",
            headers: [
                HTTPHeaderField(name: "Host", value: "iam.amazonaws.com"),
                HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            ]
        )
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret), region: "us-east-1", service: "iam")
        let date = try #require(AmzDate(amzDateTime: "20150830T123600Z"))
        let signed = try signer.sign(request, date: date)
        #expect(signed.authorization.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(try SigV4RequestVerifier.parse(signed.request).verify(secretAccessKey: Self.secret))
    }

    @Test func requestsSignedByBotocoreVerify() throws {
        for item in try Self.botocoreCases() {
            let parsed = try SigV4RequestVerifier.parse(item.request)
            #expect(parsed.accessKeyId == "AKIDEXAMPLE")
            #expect(parsed.authorization.scope.service == item.service)
            #expect(parsed.verify(secretAccessKey: Self.secret), "\(item.service) \(item.request.method) \(item.request.path)")
            #expect(!parsed.verify(secretAccessKey: Self.secret + "x"))
            var tampered = item.request
            tampered.body += Array("x".utf8)
            if item.service != "s3" {
                #expect(!(try SigV4RequestVerifier.parse(tampered).verify(secretAccessKey: Self.secret)))
            }
        }
    }

    @Test func ourSignerMakesBotocoresSignatures() throws {
        for item in try Self.botocoreCases() {
            var unsigned = item.request
            for name in ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"] {
                unsigned.headers.remove(named: name)
            }
            let signer = SigV4Signer(
                credentials: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret, sessionToken: item.token),
                region: "us-east-1", service: item.service
            )
            let signed = try signer.sign(unsigned, date: item.date)
            #expect(signed.authorization.signedHeaders == item.authorization.signedHeaders, "\(item.service) \(item.request.path)")
            #expect(signed.authorization.signature == item.authorization.signature, "\(item.service) \(item.request.path)")
        }
    }

    @Test func malformedRequestsAreNamed() throws {
        let base = SignableRequest(method: "GET", path: "/", headers: [HTTPHeaderField(name: "Host", value: "h")])
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyId: "AKID", secretAccessKey: "s"), region: "us-east-1", service: "sts")
        let date = try #require(AmzDate(amzDateTime: "20261129T000000Z"))
        let signed = try signer.sign(base, date: date).request

        var noDate = signed
        noDate.headers.remove(named: "x-amz-date")
        #expect(errorCode { try SigV4RequestVerifier.parse(noDate) } == .malformedDate)
        var x509 = signed
        x509.headers.replace(named: "authorization", with: "AWS4-X509-RSA-SHA256 Credential=1/20261129/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
        #expect(errorCode { try SigV4RequestVerifier.parse(x509) } == .unsupportedAlgorithm)
        var noHost = signed
        noHost.headers.replace(named: "authorization", with: "AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature=00")
        #expect(errorCode { try SigV4RequestVerifier.parse(noHost) } == .requiredHeaderNotSigned)
        let s3 = SigV4Signer(credentials: SigV4Credentials(accessKeyId: "AKID", secretAccessKey: "s"), region: "us-east-1", service: "s3")
        var noPayloadHash = try s3.sign(base, date: date).request
        noPayloadHash.headers.remove(named: "x-amz-content-sha256")
        #expect(errorCode { try SigV4RequestVerifier.parse(noPayloadHash) } == .missingSignedHeader)
    }
}
