import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509

/// Our certificate reader against swift-certificates' on the certificates both read, and its
/// refusals of what is not a certificate.
@Suite("X509Certificate")
struct X509CertificateTests {
    @Test("reads the same fields as swift-certificates, and checks the issuer's signature", arguments: [TestPKI.KeyKind.rsa2048, .p256, .p384])
    func sameFieldsAsSwiftCertificates(_ key: TestPKI.KeyKind) throws {
        let root = try TestPKI.makeRoot(key: key)
        let intermediate = try TestPKI.makeIntermediate(issuer: root)
        let leaf = try TestPKI.makeLeaf(issuer: intermediate, key: key)
        for issued in [root, intermediate, leaf] {
            let fields = try X509Certificate(derEncoded: issued.certificateDER)
            let certificate = issued.certificate
            #expect(fields.version == 3)
            #expect(fields.serialNumber == certificate.serialNumber)
            #expect(fields.issuer == certificate.issuer)
            #expect(fields.subject == certificate.subject)
            #expect(fields.notValidBefore == certificate.notValidBefore)
            #expect(fields.notValidAfter == certificate.notValidAfter)
            #expect(fields.extensions == certificate.extensions)
            #expect(fields.publicKey == .classic(certificate.publicKey))
            #expect(Array(fields.tbsCertificateBytes) == Array(certificate.tbsCertificateBytes))
        }
        let leafFields = try X509Certificate(derEncoded: leaf.certificateDER)
        #expect(leafFields.isSigned(by: .classic(intermediate.certificate.publicKey)))
        #expect(!leafFields.isSigned(by: .classic(root.certificate.publicKey)))
        #expect(!leafFields.isSigned(by: .mlDSA(try MLDSAPrivateKey.generate(.mlDSA65).publicKey)))
    }

    @Test("what is not a certificate is refused with malformedCertificate, never a crash")
    func refusals() throws {
        let der = try TestPKI.makeRoot().certificateDER
        var inputs: [[UInt8]] = [[], [0x30, 0x00], Array(der.dropLast()), Array(der.prefix(40)), [0x02, 0x01, 0x00]]
        // The signature algorithm inside the TBS changed from the outer one (ecdsa-with-SHA256 to -SHA384).
        // Its first occurrence is the TBS's.
        let ecdsaWithSHA256: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        let at = try #require(der.indices.first { der[$0...].starts(with: ecdsaWithSHA256) })
        var changed = der
        changed[at + 7] = 0x03
        inputs.append(changed)
        for input in inputs {
            let error = #expect(throws: SigningError.self) { try X509Certificate(derEncoded: input) }
            #expect(error?.code == .malformedCertificate)
        }
    }
}
