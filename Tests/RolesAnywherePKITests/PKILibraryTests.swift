import Crypto
import Foundation
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereKeys
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509

struct PKILibraryTests {
    @Test func keyTypesParseInEverySpelling() throws {
        #expect(try KeyAlgorithm(parsing: "rsa") == .rsa(bits: 2048))
        #expect(try KeyAlgorithm(parsing: "RSA-3072") == .rsa(bits: 3072))
        #expect(try KeyAlgorithm(parsing: "ec") == .ecdsa(.p256))
        #expect(try KeyAlgorithm(parsing: "P-384") == .ecdsa(.p384))
        #expect(try KeyAlgorithm(parsing: "ec-p521") == .ecdsa(.p521))
        #expect(throws: PKIError.self) { try KeyAlgorithm(parsing: "ed25519") }
        #expect(throws: PKIError.self) { try KeyAlgorithm(parsing: "rsa1024") }
    }

    @Test func subjectsAreCheckedBeforeUse() throws {
        let name = try SubjectName(commonName: "myContainer", organization: "Example", organizationalUnits: ["Security", "Engineering"], country: "us")
            .distinguishedName()
        #expect(name.description == "CN=myContainer,OU=Engineering,OU=Security,O=Example,C=US")
        #expect(throws: PKIError.self) { try SubjectName().distinguishedName() }
        #expect(throws: PKIError.self) { try SubjectName(commonName: "  ").distinguishedName() }
        #expect(throws: PKIError.self) { try SubjectName(commonName: "a", country: "USA").distinguishedName() }
        #expect(throws: PKIError.self) { try SubjectName(commonName: String(repeating: "x", count: 65)).distinguishedName() }
    }

    @Test func alternativeNamesAreChecked() throws {
        let names = try SubjectAlternativeNameList(
            dnsNames: ["app.example.com"], uris: ["spiffe://example.org/ns/prod/sa/app"], emails: ["ops@example.com"],
            ipAddresses: ["127.0.0.1", "2001:db8::1", "::1"]
        ).extensionValue()
        #expect(Array(names).count == 6)
        #expect(Array(names).contains(.ipAddress(ASN1OctetString(contentBytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]))))
        for bad in [
            SubjectAlternativeNameList(dnsNames: ["bad name"]), SubjectAlternativeNameList(uris: ["no-scheme"]),
            SubjectAlternativeNameList(emails: ["nobody"]), SubjectAlternativeNameList(ipAddresses: ["300.1.1.1"]),
            SubjectAlternativeNameList(ipAddresses: ["1::2::3"]),
        ] {
            #expect(throws: PKIError.self) { try bad.extensionValue() }
        }
    }

    @Test func serialNumbersParseFromHexadecimal() throws {
        #expect(try Certificate.SerialNumber(hex: "0123").hexString == "0123")
        #expect(try Certificate.SerialNumber(hex: "0x123").hexString == "0123")
        #expect(try Certificate.SerialNumber(hex: "ab:cd").hexString == "abcd")
        #expect(throws: PKIError.self) { try Certificate.SerialNumber(hex: "00") }
        #expect(throws: PKIError.self) { try Certificate.SerialNumber(hex: "xyz") }
        #expect(throws: PKIError.self) { try Certificate.SerialNumber(hex: String(repeating: "ff", count: 21)) }
        let random = Certificate.SerialNumber.random128()
        #expect(random.bytes.count == 16)
        #expect(random.bytes[0] & 0x80 == 0 && random.bytes[0] != 0)
    }

    @Test func rootsIntermediatesAndLeavesMeetEveryRequirement() async throws {
        let now = Date()
        let rootKey = try KeyAlgorithm.rsa(bits: 2048).generate()
        let root = try CertificateAuthority.makeRoot(
            subject: try SubjectName(commonName: "Root").distinguishedName(), key: rootKey,
            validity: .starting(at: now, lasting: 86_400 * 365)
        )
        let intermediateKey = try KeyAlgorithm.ecdsa(.p384).generate()
        let intermediateCertificate = try root.issueIntermediate(
            subject: try SubjectName(commonName: "Intermediate").distinguishedName(), publicKey: intermediateKey.publicKey,
            validity: .starting(at: now, lasting: 86_400 * 90), pathLength: 0
        )
        let intermediate = try CertificateAuthority(certificate: intermediateCertificate, privateKey: intermediateKey)
        let leafKey = try KeyAlgorithm.ecdsa(.p256).generate()
        let leaf = try intermediate.issueEndEntity(
            subject: try SubjectName(commonName: "myContainer").distinguishedName(), publicKey: leafKey.publicKey,
            validity: .starting(at: now, lasting: 3600)
        )
        for (certificate, role) in [(root.certificate, RolesAnywhereRequirements.Role.certificateAuthority), (intermediateCertificate, .certificateAuthority), (leaf, .endEntity)] {
            let failing = RolesAnywhereRequirements.check(CertificateFacts(certificate), as: role, at: now).filter { $0.status != .pass }
            #expect(failing.isEmpty, "\(certificate.fields.subject): \(failing)")
        }
        let result = await CertificatePathValidator.validate(
            leaf: CertificateFacts(leaf), intermediates: [CertificateFacts(intermediateCertificate)], anchors: [CertificateFacts(root.certificate)], at: now
        )
        #expect(result.isTrusted, "\(result.problems)")
        #expect(result.path?.count == 3)
        // The intermediate alone is a valid anchor.
        #expect(await CertificatePathValidator.validate(leaf: CertificateFacts(leaf), intermediates: [], anchors: [CertificateFacts(intermediateCertificate)], at: now).isTrusted)
        // Without the intermediate there is no path to the root.
        let missing = await CertificatePathValidator.validate(leaf: CertificateFacts(leaf), intermediates: [], anchors: [CertificateFacts(root.certificate)], at: now)
        #expect(!missing.isTrusted)
        #expect(missing.problems.first?.kind == .noPath)
        // Later than the leaf's life, the same path is refused.
        let later = await CertificatePathValidator.validate(
            leaf: CertificateFacts(leaf), intermediates: [CertificateFacts(intermediateCertificate)], anchors: [CertificateFacts(root.certificate)],
            at: now.addingTimeInterval(7200)
        )
        #expect(later.problems.contains { $0.kind == .requirement && $0.message.contains("expired") })
    }

    @Test("pki check's path check is RFC 5280 validation: DNS and IP-address constraints of the CA hold")
    func pathValidationEnforcesNameConstraints() async throws {
        let now = Date()
        let constraints = NameConstraints(permittedDNSDomains: ["example.com"], permittedIPRanges: [ASN1OctetString(contentBytes: [10, 0, 0, 0, 255, 0, 0, 0])])
        let root = try TestPKI.makeRoot(commonName: "Constrained Root", nameConstraints: constraints)
        let anchors = [CertificateFacts(try EncodedCertificate(root.certificate))]
        func check(_ leaf: TestPKI.Issued) async throws -> CertificatePathValidator.Result {
            await CertificatePathValidator.validate(leaf: CertificateFacts(try EncodedCertificate(leaf.certificate)), intermediates: [], anchors: anchors, at: now)
        }
        let inside = try await check(try TestPKI.makeLeaf(issuer: root, dnsNames: ["a.example.com"]))
        #expect(inside.isTrusted, "\(inside.problems)")
        let outside = try await check(try TestPKI.makeLeaf(issuer: root, dnsNames: ["a.example.org"]))
        #expect(!outside.isTrusted)
        #expect(outside.problems.map(\.kind) == [.rfc5280], "\(outside.problems)")
        #expect(outside.problems.first?.message.contains("permitted subtree") == true, "\(outside.problems)")
        let ipOutside = try TestPKI.makeLeaf(
            issuer: root, extraExtensions: [try Certificate.Extension(SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [192, 168, 1, 1]))]), critical: false)]
        )
        #expect(try await !check(ipOutside).isTrusted)
        let ipInside = try TestPKI.makeLeaf(
            issuer: root, extraExtensions: [try Certificate.Extension(SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))]), critical: false)]
        )
        let ipResult = try await check(ipInside)
        #expect(ipResult.isTrusted, "\(ipResult.problems)")
    }

    @Test func issuingRefusesWhatRolesAnywhereRejects() throws {
        let now = Date()
        let rootKey = try KeyAlgorithm.ecdsa(.p256).generate()
        let root = try CertificateAuthority.makeRoot(
            subject: try SubjectName(commonName: "Root").distinguishedName(), key: rootKey, validity: .starting(at: now, lasting: 86_400)
        )
        let key = try KeyAlgorithm.ecdsa(.p256).generate()
        #expect(throws: PKIError.self) {
            try root.issueEndEntity(subject: try SubjectName(commonName: "a").distinguishedName(), publicKey: key.publicKey, validity: .starting(at: now, lasting: 86_400 * 2))
        }
        #expect(throws: PKIError.self) {
            try root.issueEndEntity(subject: DistinguishedName(), publicKey: key.publicKey, validity: .starting(at: now, lasting: 60))
        }
        // A CA whose certificate is not a CA certificate is refused as an issuer.
        let leaf = try TestPKI.makeLeaf(issuer: TestPKI.makeRoot())
        #expect(throws: PKIError.self) {
            try CertificateAuthority(certificate: EncodedCertificate(leaf.certificate), privateKey: leaf.privateKey)
        }
    }

    @Test func crlsRoundTripAndVerify() throws {
        let now = Date()
        let key = try KeyAlgorithm.ecdsa(.p256).generate()
        let ca = try CertificateAuthority.makeRoot(subject: try SubjectName(commonName: "CRL CA").distinguishedName(), key: key, validity: .starting(at: now, lasting: 86_400))
        let entries = [
            CertificateRevocationList.Entry(serialNumber: [0x01, 0x23], revocationDate: now),
            CertificateRevocationList.Entry(serialNumber: [0x00, 0x80, 0x00], revocationDate: now),
        ]
        let crl = try CertificateRevocationList.make(authority: ca, entries: entries, thisUpdate: now, nextUpdate: now.addingTimeInterval(3600), crlNumber: 7)
        let parsed = try CertificateRevocationList(pemOrDER: Array(crl.pemString.utf8), source: "test")
        #expect(parsed.version == 2)
        #expect(parsed.crlNumberValue == 7)
        #expect(parsed.issuer == ca.certificate.fields.subject)
        #expect(parsed.entries.map(\.serialHex) == ["0123", "8000"])
        #expect(parsed.entry(revoking: [0x00, 0x01, 0x23]) != nil)
        #expect(parsed.entry(revoking: [0x01, 0x24]) == nil)
        #expect(parsed.isSigned(by: ca.certificate.fields))
        #expect(!parsed.isSigned(by: .classic(try TestPKI.makeRoot().certificate.publicKey)))
    }

    @Test func theCheckedInCRLRevokes0123AndIsSignedByItsCA() throws {
        let crl = try CertificateRevocationList(pemOrDER: try Fixtures.bytes("createsession/crl.pem"), source: "fixture")
        let ca = try Certificate(pemEncoded: try Fixtures.string("createsession/ca.pem"))
        #expect(crl.isSigned(by: .classic(ca.publicKey)))
        #expect(crl.entry(revoking: [0x01, 0x23]) != nil)
        #expect(crl.issuer == ca.subject)
    }

    @Test func keysAreWrittenAsPKCS8AndEncryptedOnRequest() throws {
        for algorithm in [KeyAlgorithm.rsa(bits: 2048), .ecdsa(.p384), .mlDSA(.mlDSA65)] {
            let key = try algorithm.generate()
            let plain = try PrivateKeyPEM.encode(key, password: nil)
            #expect(plain.hasPrefix("-----BEGIN PRIVATE KEY-----"))
            let encrypted = try PrivateKeyPEM.encode(key, password: "pw")
            #expect(encrypted.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            let directory = try TemporaryDirectory()
            let path = try directory.write("key.pem", encrypted)
            #expect(try FileIdentitySource.readKey(path: path, password: .value("pw")).publicKey == key.publicKey)
        }
    }
}

/// A P-256 key that signs the wrong bytes (the message with a byte appended), as a faulty device
/// or computation would: its signatures are well formed and never verify.
struct FaultySigningKey: CustomPrivateKey {
    let key: P256.Signing.PrivateKey

    init(_ key: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) { self.key = key }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.key.rawRepresentation == rhs.key.rawRepresentation }
    func hash(into hasher: inout Hasher) { hasher.combine(key.rawRepresentation) }
    var publicKey: Certificate.PublicKey { Certificate.PublicKey(key.publicKey) }
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }
    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        try Certificate.PrivateKey(key).sign(bytes: Array(bytes) + [0], signatureAlgorithm: signatureAlgorithm)
    }

    func serialize(into coder: inout DER.Serializer) throws {
        throw PKIError(.invalidConfiguration, "a test key is not serialised")
    }
}

struct FaultySignerTests {
    /// Whether `error` is the refusal of a signature that does not verify.
    static func isUnverifiedSignature(_ error: any Error) -> Bool {
        (error as? PKIError)?.message.contains("does not verify with the signer's own public key") == true
    }

    @Test("a key whose signatures do not verify hands out no certificate, request or CRL, saying why")
    func faultyKey() throws {
        let subject = try SubjectName(commonName: "Faulty CA").distinguishedName()
        let faulty = SigningKey.certificateKey(Certificate.PrivateKey(FaultySigningKey()))
        #expect(performing: {
            _ = try CertificateAuthority.makeRoot(subject: subject, key: faulty, validity: .starting(lasting: 86_400))
        }, throws: Self.isUnverifiedSignature)
        #expect(performing: {
            _ = try SigningRequests.make(subject: subject, key: faulty, subjectAlternativeNames: nil)
        }, throws: Self.isUnverifiedSignature)

        // A sound CA whose key then goes wrong: no leaf, no CRL.
        let key = P256.Signing.PrivateKey()
        let sound = try CertificateAuthority.makeRoot(subject: subject, key: .certificateKey(Certificate.PrivateKey(key)), validity: .starting(lasting: 86_400))
        let broken = try CertificateAuthority(certificate: sound.certificate, privateKey: .certificateKey(Certificate.PrivateKey(FaultySigningKey(key))))
        let leafKey = try KeyAlgorithm.ecdsa(.p256).generate()
        #expect(performing: {
            _ = try broken.issueEndEntity(subject: try SubjectName(commonName: "leaf").distinguishedName(), publicKey: leafKey.publicKey, validity: .starting(lasting: 3_600))
        }, throws: Self.isUnverifiedSignature)
        #expect(performing: {
            _ = try CertificateRevocationList.make(authority: broken, entries: [], thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(86_400), crlNumber: 1)
        }, throws: Self.isUnverifiedSignature)
    }
}
