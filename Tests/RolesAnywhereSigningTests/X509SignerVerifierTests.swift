import Crypto
import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import X509

struct X509SignerVerifierTests {
    static let date = AmzDate(amzDateTime: "20261201T120000Z")!

    static func request(host: String = "rolesanywhere.us-east-1.amazonaws.com") -> SignableRequest {
        SignableRequest(
            method: "POST",
            path: "/sessions",
            query: CanonicalRequest.canonicalQueryString(parameters: [
                ("profileArn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p"),
                ("roleArn", "arn:aws:iam::123456789012:role/r"),
                ("trustAnchorArn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t"),
            ]),
            headers: [
                HTTPHeaderField(name: "Host", value: host),
                HTTPHeaderField(name: "Content-Type", value: "application/json"),
                HTTPHeaderField(name: "User-Agent", value: "test"),
            ],
            body: Array(#"{"durationSeconds":3600}"#.utf8)
        )
    }

    static func identity(_ kind: TestPKI.KeyKind, chain: Bool = false) throws -> SigningIdentity {
        try TestPKI.makeSigningIdentity(kind, chain: chain)
    }

    @Test(arguments: [TestPKI.KeyKind.rsa2048, .rsa3072, .p256, .p384, .p521])
    func everySupportedKeyTypeSignsAndVerifies(kind: TestPKI.KeyKind) throws {
        let identity = try Self.identity(kind, chain: true)
        let signed = try X509RequestSigner(identity: identity, region: "us-east-1").sign(Self.request(), date: Self.date)
        let expected: X509SigningAlgorithm = (kind == .rsa2048 || kind == .rsa3072) ? .rsaSHA256 : .ecdsaSHA256
        #expect(signed.authorization.algorithm == expected.name)
        #expect(signed.authorization.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-x509", "x-amz-x509-chain"])
        #expect(signed.authorization.credentialID == identity.certificate.decimalSerialNumber)
        let verified = try X509RequestVerifier.verify(signed.request)
        #expect(verified.certificate == identity.certificate)
        #expect(verified.certificateChain == identity.certificateChain)
        #expect(verified.date == Self.date)
    }

    @Test func signingReplacesStaleSignatureHeaders() throws {
        let identity = try Self.identity(.p256)
        var request = Self.request()
        request.headers.append(HTTPHeaderField(name: "Authorization", value: "stale"))
        request.headers.append(HTTPHeaderField(name: "X-Amz-Date", value: "19990101T000000Z"))
        request.headers.append(HTTPHeaderField(name: "X-Amz-X509-Chain", value: "stale"))
        let signed = try X509RequestSigner(identity: identity, region: "eu-west-1").sign(request, date: Self.date)
        #expect(signed.request.headers.values(named: "authorization").count == 1)
        #expect(signed.request.headers.values(named: "x-amz-date") == ["20261201T120000Z"])
        #expect(signed.request.headers.values(named: "x-amz-x509-chain").isEmpty)
        #expect(signed.authorization.scope.region == "eu-west-1")
        _ = try X509RequestVerifier.verify(signed.request)
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let root = try TestPKI.makeRoot()
        let leaf = try TestPKI.makeLeaf(issuer: root)
        let other = try TestPKI.makeKey(.p256)
        #expect(errorCode {
            try SigningIdentity(certificate: EncodedCertificate(leaf.certificate), privateKey: other)
        } == .keyMismatch)
    }

    @Test func ed25519KeysAreRefused() throws {
        let key = Certificate.PrivateKey(Curve25519.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName("ed") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: Date(),
            notValidAfter: Date().addingTimeInterval(60), issuer: name, subject: name, signatureAlgorithm: .ed25519,
            extensions: Certificate.Extensions(), issuerPrivateKey: key
        )
        #expect(errorCode { try SigningIdentity(certificate: EncodedCertificate(certificate), privateKey: key) } == .unsupportedKey)
    }

    @Test func aRequestWithoutHostCannotBeSigned() throws {
        var request = Self.request()
        request.headers.remove(named: "host")
        let identity = try Self.identity(.p256)
        #expect(errorCode { try X509RequestSigner(identity: identity, region: "us-east-1").sign(request, date: Self.date) } == .malformedRequest)
    }

    @Test func verificationFailuresAreNamed() throws {
        let identity = try Self.identity(.rsa2048, chain: true)
        let signed = try X509RequestSigner(identity: identity, region: "us-east-1").sign(Self.request(), date: Self.date)

        var noAuthorization = signed.request
        noAuthorization.headers.remove(named: "authorization")
        #expect(errorCode { try X509RequestVerifier.verify(noAuthorization) } == .malformedAuthorization)

        var hmac = signed.request
        hmac.headers.replace(
            named: "authorization",
            with: signed.authorization.description.replacingOccurrences(of: "AWS4-X509-RSA-SHA256", with: "AWS4-HMAC-SHA256")
        )
        #expect(errorCode { try X509RequestVerifier.verify(hmac) } == .unsupportedAlgorithm)

        var wrongAlgorithm = signed.request
        wrongAlgorithm.headers.replace(
            named: "authorization",
            with: signed.authorization.description.replacingOccurrences(of: "AWS4-X509-RSA-SHA256", with: "AWS4-X509-ECDSA-SHA256")
        )
        #expect(errorCode { try X509RequestVerifier.verify(wrongAlgorithm) } == .unsupportedKey)

        var serial = signed.authorization
        serial.credentialID = "1"
        var wrongSerial = signed.request
        wrongSerial.headers.replace(named: "authorization", with: serial.description)
        #expect(errorCode { try X509RequestVerifier.verify(wrongSerial) } == .serialNumberMismatch)

        var unsignedChain = signed.authorization
        unsignedChain.signedHeaders.removeAll { $0 == "x-amz-x509-chain" }
        var chainNotSigned = signed.request
        chainNotSigned.headers.replace(named: "authorization", with: unsignedChain.description)
        #expect(errorCode { try X509RequestVerifier.verify(chainNotSigned) } == .requiredHeaderNotSigned)

        var scope = signed.authorization
        scope.scope.date = "20261202"
        var wrongScopeDate = signed.request
        wrongScopeDate.headers.replace(named: "authorization", with: scope.description)
        #expect(errorCode { try X509RequestVerifier.verify(wrongScopeDate) } == .malformedDate)

        var garbageCertificate = signed.request
        garbageCertificate.headers.replace(named: "x-amz-x509", with: "not base64!")
        #expect(errorCode { try X509RequestVerifier.verify(garbageCertificate) } == .malformedCertificate)

        var notACertificate = signed.request
        notACertificate.headers.replace(named: "x-amz-x509", with: "AAAA")
        #expect(errorCode { try X509RequestVerifier.verify(notACertificate) } == .malformedCertificate)

        var droppedChain = signed.request
        droppedChain.headers.remove(named: "x-amz-x509-chain")
        #expect(errorCode { try X509RequestVerifier.verify(droppedChain) } == .missingSignedHeader)

        var otherRegion = signed.authorization
        otherRegion.scope.region = "eu-west-1"
        var wrongRegion = signed.request
        wrongRegion.headers.replace(named: "authorization", with: otherRegion.description)
        #expect(errorCode { try X509RequestVerifier.verify(wrongRegion) } == .signatureMismatch)
    }

    @Test func aCertificateSwappedForAnotherOfTheSameSerialDoesNotVerify() throws {
        let root = try TestPKI.makeRoot()
        let serial = Certificate.SerialNumber()
        let leaf = try TestPKI.makeLeaf(issuer: root, serialNumber: serial)
        let impostor = try TestPKI.makeLeaf(issuer: root, serialNumber: serial)
        let identity = try SigningIdentity(certificate: EncodedCertificate(leaf.certificate), privateKey: leaf.privateKey)
        var signed = try X509RequestSigner(identity: identity, region: "us-east-1").sign(Self.request(), date: Self.date).request
        signed.headers.replace(named: "x-amz-x509", with: try EncodedCertificate(impostor.certificate).base64)
        #expect(errorCode { try X509RequestVerifier.verify(signed) } == .signatureMismatch)
    }
}
