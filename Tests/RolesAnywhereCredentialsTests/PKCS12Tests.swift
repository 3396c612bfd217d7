import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import X509
import RolesAnywhereSupport
import RolesAnywhereKeys

/// PKCS#12 files made by `openssl pkcs12 -export`, in OpenSSL 3's default form and the legacy one
/// (what the official helper reads), with and without passwords and chains.
struct PKCS12Tests {
    let files: OpenSSLKeyFiles
    let root: TestPKI.Issued
    let intermediate: TestPKI.Issued
    let leaf: TestPKI.Issued
    let leafCert: String
    let leafKey: String
    let chain: String

    init() throws {
        files = try OpenSSLKeyFiles()
        root = try TestPKI.makeRoot()
        intermediate = try TestPKI.makeIntermediate(issuer: root)
        leaf = try TestPKI.makeLeaf(issuer: intermediate, key: .rsa2048)
        leafCert = try files.directory.write("leaf.pem", leaf.certificatePEM)
        leafKey = try files.directory.write("leaf.key", leaf.privateKeyPEM)
        chain = try files.directory.write("chain.pem", root.certificatePEM + intermediate.certificatePEM)
    }

    func export(_ extra: [String], name: String = UUID().uuidString) throws -> String {
        let path = files.directory.path(name + ".p12")
        try ChildProcess.openssl(["pkcs12", "-export", "-out", path] + extra)
        return path
    }

    func load(_ path: String, password: PasswordSource = .none) throws(CredentialsError) -> SigningIdentity {
        try FileIdentitySource(certificatePath: path, password: password).load()
    }

    @Test(arguments: [[String](), ["-legacy"], ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"]])
    func passwordProtectedFilesLoadWithTheirChain(form: [String]) throws {
        let path = try export(["-in", leafCert, "-inkey", leafKey, "-certfile", chain, "-passout", "pass:p12 pass"] + form)
        let identity = try load(path, password: .value("p12 pass"))
        #expect(identity.certificate.certificate == leaf.certificate)
        #expect(identity.key.publicKey == .classic(leaf.privateKey.publicKey))
        // The chain comes out ordered from the leaf's issuer upwards.
        #expect(identity.certificateChain.map(\.certificate) == [intermediate.certificate, root.certificate])
    }

    @Test(arguments: [[String](), ["-legacy"]])
    func filesWithoutPasswordLoad(form: [String]) throws {
        let path = try export(["-in", leafCert, "-inkey", leafKey, "-passout", "pass:"] + form)
        let identity = try load(path)
        #expect(identity.certificate.certificate == leaf.certificate)
        #expect(identity.certificateChain.isEmpty)
        #expect(try load(path, password: .value("")).certificate.certificate == leaf.certificate)
    }

    @Test func unencryptedFilesLoad() throws {
        let path = try export(["-in", leafCert, "-inkey", leafKey, "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", "pass:"])
        #expect(try load(path).certificate.certificate == leaf.certificate)
    }

    @Test(arguments: [[String](), ["-legacy"]])
    func wrongAndMissingPasswordsAreNamed(form: [String]) throws {
        let path = try export(["-in", leafCert, "-inkey", leafKey, "-passout", "pass:right"] + form)
        #expect(code { try load(path, password: .value("wrong")) } == .wrongPassword)
        #expect(code { try load(path) } == .passwordRequired)
    }

    @Test func filesWithoutKeyOrMatchingCertificateAreRefusedNotCrashed() throws {
        let certificatesOnly = try export(["-in", leafCert, "-nokeys", "-passout", "pass:x"])
        let error = try #require(catching { try load(certificatesOnly, password: .value("x")) })
        #expect(error.message.contains("no private key"))

        let keyOnly = try export(["-inkey", leafKey, "-nocerts", "-passout", "pass:x"])
        #expect(code { try load(keyOnly, password: .value("x")) } == .keyMismatch)
    }

    @Test func corruptFilesGetClearErrors() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: try export(["-in", leafCert, "-inkey", leafKey, "-passout", "pass:x"])))
        let truncated = try files.directory.write("truncated.p12", Array(good.prefix(good.count / 2)))
        #expect(code { try load(truncated, password: .value("x")) } == .invalidInput)
        var flipped = Array(good)
        flipped[flipped.count - 40] ^= 0xff
        let tampered = try files.directory.write("tampered.p12", flipped)
        #expect(code { try load(tampered, password: .value("x")) } != nil)
        let garbage = try files.directory.write("garbage.p12", (0..<500).map { _ in UInt8.random(in: 0...255) })
        #expect(code { try load(garbage) } == .invalidInput)
    }

    @Test func intermediatesCannotBeCombinedWithPKCS12() throws {
        let path = try export(["-in", leafCert, "-inkey", leafKey, "-passout", "pass:"])
        let source = FileIdentitySource(certificatePath: path, intermediatesPath: chain)
        #expect(code { try source.load() } == .invalidConfiguration)
    }
}
