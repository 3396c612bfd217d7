import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509

/// Requests captured on the wire from AWS's official `aws_signing_helper` (and the createsession
/// vectors signed the same way). RSA PKCS#1 v1.5 is deterministic, so those must match byte for byte;
/// ECDSA signatures are checked by verification.
struct KnownAnswerVectorTests {
    struct Vector {
        var method: String
        var target: String
        var headers: [HTTPHeaderField]
        var body: String
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String

        var request: SignableRequest {
            SignableRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
        }

        func header(_ name: String) -> String? { headers.first(named: name) }
    }

    static func officialVector(_ name: String) throws -> Vector {
        let json = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes("official-helper/known-answer-vectors.json")))
        let vector = try #require((json as? [String: Any])?[name] as? [String: Any])
        let headers = try #require(vector["headers"] as? [String: String])
        return Vector(
            method: try #require(vector["method"] as? String),
            target: try #require(vector["raw_path"] as? String),
            headers: headers.map { HTTPHeaderField(name: $0.key, value: $0.value) },
            body: try #require(vector["body"] as? String),
            canonicalRequest: try #require(vector["canonical_request"] as? String),
            stringToSign: try #require(vector["string_to_sign"] as? String),
            authorization: try #require(headers["Authorization"])
        )
    }

    static func createSessionVector(_ name: String) throws -> Vector {
        let json = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes("createsession/createsession_vectors.json")))
        let vector = try #require((json as? [String: Any])?[name] as? [String: Any])
        let request = try #require(vector["request"] as? [String: Any])
        let headers = try #require(request["headers"] as? [String: String])
        return Vector(
            method: try #require(request["method"] as? String),
            target: try #require(request["target"] as? String),
            headers: headers.map { HTTPHeaderField(name: $0.key, value: $0.value) },
            body: try #require(request["body"] as? String),
            canonicalRequest: try #require(vector["canonical_request"] as? String),
            stringToSign: try #require(vector["string_to_sign"] as? String),
            authorization: try #require(headers["Authorization"])
        )
    }

    /// Signs the vector's request again with our signer: only the headers the client itself sets
    /// (Host and Content-Type) go in; the signer adds the date and certificate headers.
    static func resign(
        _ vector: Vector,
        certificate: String,
        key: String,
        chain: [String] = [],
        region: String = "us-east-1"
    ) throws -> SignedRequest {
        let certificateDER = try Certificate(pemEncoded: Fixtures.string(certificate))
        let identity = try SigningIdentity(
            certificate: EncodedCertificate(certificateDER),
            certificateChain: try chain.map { try EncodedCertificate(Certificate(pemEncoded: Fixtures.string($0))) },
            privateKey: Certificate.PrivateKey(pemEncoded: Fixtures.string(key))
        )
        let dateText = try #require(vector.header("X-Amz-Date"))
        let date = try #require(AmzDate(amzDateTime: dateText))
        let host = try #require(vector.header("Host"))
        let request = SignableRequest(
            method: vector.method,
            target: vector.target,
            headers: [
                HTTPHeaderField(name: "Host", value: host),
                HTTPHeaderField(name: "Content-Type", value: "application/json"),
            ],
            body: Array(vector.body.utf8)
        )
        return try X509RequestSigner(identity: identity, region: region).sign(request, date: date)
    }

    @Test func officialRSARequestIsReproducedByteForByte() throws {
        let vector = try Self.officialVector("rsa")
        let signed = try Self.resign(vector, certificate: "official-helper/leaf-rsa-cert.pem", key: "official-helper/leaf-rsa-key.pem")
        #expect(signed.canonicalRequest.description == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.authorization.description == vector.authorization)
        #expect(signed.request.headers.first(named: "X-Amz-X509") == vector.header("X-Amz-X509"))
    }

    @Test func officialECRequestWithChainMatchesAndVerifies() throws {
        let vector = try Self.officialVector("ec_with_chain")
        let signed = try Self.resign(
            vector,
            certificate: "official-helper/leaf-ec-cert.pem",
            key: "official-helper/leaf-ec-key.pem",
            chain: ["official-helper/int-cert.pem"]
        )
        #expect(signed.canonicalRequest.description == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.request.headers.first(named: "X-Amz-X509-Chain") == vector.header("X-Amz-X509-Chain"))
        // ECDSA is randomised: our signature differs but verifies, and so does the captured one.
        _ = try X509RequestVerifier.verify(signed.request)
        let captured = try X509RequestVerifier.verify(vector.request)
        #expect(captured.canonicalRequest.description == vector.canonicalRequest)
        #expect(captured.stringToSign == vector.stringToSign)
        #expect(captured.certificateChain.count == 1)
    }

    @Test func capturedOfficialRequestsVerify() throws {
        for name in ["rsa", "ec_with_chain"] {
            let vector = try Self.officialVector(name)
            let verified = try X509RequestVerifier.verify(vector.request)
            #expect(verified.stringToSign == vector.stringToSign, "\(name)")
            #expect(verified.date == AmzDate(amzDateTime: "20261129T012802Z"))
        }
    }

    @Test func createSessionRSAVectorIsReproducedByteForByte() throws {
        let vector = try Self.createSessionVector("rsa")
        let signed = try Self.resign(vector, certificate: "createsession/leaf-rsa.pem", key: "createsession/leaf-rsa.key")
        #expect(signed.canonicalRequest.description == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.authorization.description == vector.authorization)
        #expect(signed.authorization.credentialID == "291")
    }

    @Test func createSessionECVectorMatchesAndVerifies() throws {
        let vector = try Self.createSessionVector("ec")
        let signed = try Self.resign(vector, certificate: "createsession/leaf-ec.pem", key: "createsession/leaf-ec.key")
        #expect(signed.canonicalRequest.description == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        _ = try X509RequestVerifier.verify(signed.request)
        _ = try X509RequestVerifier.verify(vector.request)
    }

    @Test(arguments: ["rsa", "ec_with_chain"])
    func tamperedCapturedRequestsAreRejected(name: String) throws {
        let vector = try Self.officialVector(name)

        var body = vector.request
        body.body = Array(#"{"durationSeconds":43200}"#.utf8)
        #expect(throws: SigningError.self) { try X509RequestVerifier.verify(body) }
        #expect(errorCode { try X509RequestVerifier.verify(body) } == .signatureMismatch)

        var date = vector.request
        date.headers.replace(named: "X-Amz-Date", with: "20261129T012803Z")
        #expect(errorCode { try X509RequestVerifier.verify(date) } == .signatureMismatch)

        var query = vector.request
        query.query = query.query.replacingOccurrences(of: "ExampleRole", with: "AdminRole")
        #expect(errorCode { try X509RequestVerifier.verify(query) } == .signatureMismatch)

        var host = vector.request
        host.headers.replace(named: "Host", with: "127.0.0.1:18444")
        #expect(errorCode { try X509RequestVerifier.verify(host) } == .signatureMismatch)
    }

    @Test func unsignedHeadersDoNotAffectVerification() throws {
        var request = try Self.officialVector("rsa").request
        request.headers.replace(named: "User-Agent", with: "something else")
        request.headers.append(HTTPHeaderField(name: "X-Unsigned-Extra", value: "1"))
        _ = try X509RequestVerifier.verify(request)
    }
}

func errorCode(_ body: () throws -> Any) -> SigningError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as SigningError {
        return error.code
    } catch {
        return nil
    }
}
