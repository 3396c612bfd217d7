import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509
import RolesAnywhereSupport

struct FileIdentitySourceTests {
    let directory: TemporaryDirectory
    let root: TestPKI.Issued
    let intermediate: TestPKI.Issued
    let leaf: TestPKI.Issued

    init() throws {
        directory = try TemporaryDirectory()
        root = try TestPKI.makeRoot()
        intermediate = try TestPKI.makeIntermediate(issuer: root)
        leaf = try TestPKI.makeLeaf(issuer: intermediate)
    }

    @Test func certificateKeyAndIntermediatesLoadTogether() throws {
        let cert = try directory.write("cert.pem", "subject=CN = myContainer\n" + leaf.certificatePEM + intermediate.certificatePEM)
        let key = try directory.write("key.pem", leaf.privateKeyPEM)
        let bundle = try directory.write("bundle.pem", "# intermediates\n" + intermediate.certificatePEM + "\n\n" + root.certificatePEM)
        let identity = try FileIdentitySource(certificatePath: cert, privateKeyPath: key, intermediatesPath: bundle).load()
        // The first certificate of the file is the end-entity certificate.
        #expect(identity.certificate.certificate == leaf.certificate)
        #expect(identity.certificateChain.map(\.certificate) == [intermediate.certificate, root.certificate])
        #expect(identity.algorithm == .ecdsaSHA256)
    }

    @Test func aCombinedPEMNeedsNoPrivateKeyFlag() throws {
        let combined = try directory.write("combo.pem", leaf.certificatePEM + leaf.privateKeyPEM)
        let identity = try FileIdentitySource(certificatePath: combined).load()
        #expect(identity.key.publicKey == .classic(leaf.privateKey.publicKey))
        #expect(try FileIdentitySource(certificatePath: combined).loadPrivateKey().publicKey == .classic(leaf.privateKey.publicKey))
    }

    @Test func aDERCertificateIsAccepted() throws {
        let der = try directory.write("cert.der", leaf.certificateDER)
        let key = try directory.write("key.pem", leaf.privateKeyPEM)
        #expect(try FileIdentitySource(certificatePath: der, privateKeyPath: key).load().certificate.derBytes == leaf.certificateDER)
    }

    @Test func filesAreReadAgainOnEveryLoad() throws {
        let certPath = directory.path("cert.pem")
        let keyPath = directory.path("key.pem")
        try directory.write("cert.pem", leaf.certificatePEM)
        try directory.write("key.pem", leaf.privateKeyPEM)
        let source = FileIdentitySource(certificatePath: certPath, privateKeyPath: keyPath)
        #expect(try source.load().certificate.certificate == leaf.certificate)
        let rotated = try TestPKI.makeLeaf(issuer: intermediate)
        try directory.write("cert.pem", rotated.certificatePEM)
        try directory.write("key.pem", rotated.privateKeyPEM)
        #expect(try source.load().certificate.certificate == rotated.certificate)
    }

    @Test func keyContentsReadByTheCallerAreNotReadAgainUnlessRotationIsFollowed() throws {
        let certPath = try directory.write("cert.pem", leaf.certificatePEM)
        let keyPath = directory.path("read-once.pem")
        try directory.write("read-once.pem", leaf.privateKeyPEM)
        let contents = Array(leaf.privateKeyPEM.utf8)
        let oneShot = FileIdentitySource(certificatePath: certPath, privateKeyPath: keyPath, privateKeyContents: contents)
        // The file is gone: the contents given are what is used.
        try FileManager.default.removeItem(atPath: keyPath)
        #expect(try oneShot.load().certificate == EncodedCertificate(leaf.certificate))
        #expect(try oneShot.loadPrivateKey().publicKey == .classic(leaf.certificate.publicKey))
        // A source that follows rotation reads the file on every load.
        let error = #expect(throws: CredentialsError.self) { try oneShot.rereadingFiles.load() }
        #expect(error?.message.contains("read-once.pem") == true, "\(String(describing: error))")
        // Contents without a key path mean nothing.
        #expect(FileIdentitySource(certificatePath: certPath, privateKeyContents: contents).privateKeyContents == nil)
    }

    @Test func mistakesAreNamed() throws {
        let cert = try directory.write("cert.pem", leaf.certificatePEM)
        let key = try directory.write("key.pem", leaf.privateKeyPEM)
        let otherKey = try directory.write("other.pem", try TestPKI.makeKey(.p256).serializeAsPEM().pemString + "\n")
        let keyAsCertificate = try directory.write("key-as-cert.pem", leaf.privateKeyPEM)
        let notPEM = try directory.write("garbage.bin", [0x30, 0x03, 0x02, 0x01, 0x01])
        let badBundle = try directory.write("bad-bundle.pem", intermediate.certificatePEM + leaf.privateKeyPEM)
        let emptyBundle = try directory.write("empty-bundle.pem", "nothing here\n")
        let badCertificate = try directory.write("bad-cert.pem", "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")

        let cases: [(FileIdentitySource, CredentialsError.Code, String)] = [
            (FileIdentitySource(certificatePath: nil, privateKeyPath: nil), .invalidConfiguration, "--certificate"),
            (FileIdentitySource(certificatePath: nil, privateKeyPath: key), .invalidConfiguration, "--certificate"),
            (FileIdentitySource(certificatePath: cert), .invalidConfiguration, "--private-key"),
            (FileIdentitySource(certificatePath: cert, privateKeyPath: otherKey), .keyMismatch, "does not belong"),
            (FileIdentitySource(certificatePath: keyAsCertificate, privateKeyPath: key), .invalidInput, "no CERTIFICATE"),
            (FileIdentitySource(certificatePath: notPEM, privateKeyPath: key), .invalidInput, "neither"),
            (FileIdentitySource(certificatePath: cert, privateKeyPath: key, intermediatesPath: badBundle), .invalidInput, "only CERTIFICATE"),
            (FileIdentitySource(certificatePath: cert, privateKeyPath: key, intermediatesPath: emptyBundle), .invalidInput, "no PEM certificate"),
            (FileIdentitySource(certificatePath: cert, privateKeyPath: key, intermediatesPath: directory.path("nope")), .invalidInput, "no such file"),
            (FileIdentitySource(certificatePath: badCertificate, privateKeyPath: key), .invalidInput, "not a valid X.509"),
            (FileIdentitySource(certificatePath: directory.path("missing.pem"), privateKeyPath: key), .invalidInput, "no such file"),
        ]
        for (source, expectedCode, fragment) in cases {
            let error = try #require(catching { try source.load() }, "\(source)")
            #expect(error.code == expectedCode, "\(source): \(error)")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}
