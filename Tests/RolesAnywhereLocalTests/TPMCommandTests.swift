import Crypto
import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509
import _CryptoExtras

/// Keys in a real software TPM (swtpm, provisioned with tpm2-tools), certified with
/// `rolesanywhere pki csr --key` and used by the built helper against `rolesanywhere-local`, which
/// verifies every signature.
@Suite("TPM 2.0 keys with swtpm, end to end", .serialized)
struct TPMCommandTests {
    struct Setup {
        let fixture: CredentialHelperFixture
        let tpm: SoftwareTPM

        init() async throws {
            fixture = try await CredentialHelperFixture()
            tpm = try SoftwareTPM()
        }

        func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess.Output {
            try Binaries.rolesanywhere(arguments, environment: tpm.environment.merging(extra) { $1 })
        }

        /// A certificate for the TPM key `key`, made from a CSR the TPM signed; returns its path.
        func certify(_ key: String, password: [String]) throws -> String {
            let directory = fixture.directory
            let name = UUID().uuidString
            let caCert = try directory.write("ca.pem", fixture.root.certificatePEM)
            let caKey = try directory.write("ca.key", fixture.root.privateKeyPEM, mode: 0o600)
            let csr = try run(["pki", "csr", "--cn", "myContainer", "--key", key, "--out-csr", directory.path("\(name).csr")] + password)
            guard csr.status == 0 else { throw TestFailure("pki csr: \(csr.stderrText)") }
            let verified = try ChildProcess.run("openssl", ["req", "-in", directory.path("\(name).csr"), "-verify", "-noout"])
            guard verified.status == 0 else { throw TestFailure("openssl req -verify: \(verified.stderrText)") }
            let issued = try run(["pki", "issue", "--ca-cert", caCert, "--ca-key", caKey, "--csr", directory.path("\(name).csr"), "--out-cert", directory.path("\(name).pem")])
            guard issued.status == 0 else { throw TestFailure("pki issue: \(issued.stderrText)") }
            return directory.path("\(name).pem")
        }

        var arns: [String] {
            ["--trust-anchor-arn", fixture.anchorArn, "--profile-arn", fixture.profileArn, "--role-arn", fixture.roleArn,
             "--endpoint", fixture.endpoint, "--no-verify-ssl"]
        }

        /// Runs credential-process and checks that the service accepted the certificate's signature.
        func expectCredentials(certificate: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let output = try run(["credential-process", "--certificate", certificate] + arguments + arns)
            #expect(output.status == 0, "\(output.stderrText)", sourceLocation: sourceLocation)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any], sourceLocation: sourceLocation)
            let accessKey = try #require(json["AccessKeyId"] as? String, sourceLocation: sourceLocation)
            let leaf = try Certificate(pemEncoded: try String(contentsOfFile: certificate, encoding: .utf8))
            #expect(try await fixture.sessionName(of: accessKey) == BigEndianInteger.evenHexString(leaf.serialNumber.bytes), sourceLocation: sourceLocation)
            #expect(try tpm.transientHandles().isEmpty, "nothing is left loaded in the TPM", sourceLocation: sourceLocation)
        }
    }

    @Test("persistent keys (handle:0x81...): RSA with a password, EC without; certified through pki csr, then credentials")
    func persistentKeys() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        try setup.tpm.createPersistentKey(rsa: true, handle: "0x81000010", password: "s3cret")
        try setup.tpm.createPersistentKey(rsa: false, handle: "0x81000011", password: nil)
        let rsaCertificate = try setup.certify("handle:0x81000010", password: ["--tpm-key-password", "s3cret"])
        try await setup.expectCredentials(certificate: rsaCertificate, ["--private-key", "handle:0x81000010", "--tpm-key-password", "s3cret"])
        let ecCertificate = try setup.certify("handle:0x81000011", password: ["--no-tpm-key-password"])
        try await setup.expectCredentials(certificate: ecCertificate, ["--private-key", "handle:0x81000011", "--no-tpm-key-password"])
        // The password may also come from the environment.
        let output = try setup.run(
            ["credential-process", "--certificate", rsaCertificate, "--private-key", "handle:0x81000010"] + setup.arns,
            environment: ["ROLESANYWHERE_TPM_KEY_PASSWORD": "s3cret"]
        )
        #expect(output.status == 0, "\(output.stderrText)")
    }

    @Test("TSS2 PRIVATE KEY files from tpm2_encodeobject, under a persistent parent (EC) and under the owner hierarchy (RSA)")
    func keyFiles() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        for (rsa, owner) in [(false, false), (true, true)] {
            let path = setup.fixture.directory.path("key-\(rsa)-\(owner).tss2.pem")
            try setup.tpm.createKeyFile(rsa: rsa, ownerParent: owner, path: path)
            let certificate = try setup.certify(path, password: ["--no-tpm-key-password"])
            try await setup.expectCredentials(certificate: certificate, ["--private-key", path, "--no-tpm-key-password"])
        }
    }

    @Test("sign-string with TPM keys: the RSA signature verifies with openssl, the EC one with the certificate's key")
    func signString() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        try setup.tpm.createPersistentKey(rsa: true, handle: "0x81000020", password: nil)
        try setup.tpm.createPersistentKey(rsa: false, handle: "0x81000021", password: nil)
        for (handle, rsa) in [("handle:0x81000020", true), ("handle:0x81000021", false)] {
            let certificatePath = try setup.certify(handle, password: ["--no-tpm-key-password"])
            let certificate = try Certificate(pemEncoded: try String(contentsOfFile: certificatePath, encoding: .utf8))
            let output = try setup.run(["sign-string", "--certificate", certificatePath, "--private-key", handle, "--no-tpm-key-password", "--format", "bin"])
            #expect(output.status == 0, "\(output.stderrText)")
            let message = try FixedStringSigner.message(for: certificate.publicKey)
            if rsa {
                let key = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
                #expect(key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: output.stdout), for: message, padding: .insecurePKCS1v1_5))
            } else {
                let key = try #require(P256.Signing.PublicKey(certificate.publicKey))
                #expect(key.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: output.stdout), for: message))
            }
        }
    }

    @Test("update --once with a TPM key")
    func update() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        try setup.tpm.createPersistentKey(rsa: false, handle: "0x81000030", password: nil)
        let certificate = try setup.certify("handle:0x81000030", password: ["--no-tpm-key-password"])
        let credentials = setup.fixture.directory.path("credentials")
        let output = try setup.run(
            ["update", "--once", "--certificate", certificate, "--private-key", "handle:0x81000030", "--no-tpm-key-password"] + setup.arns,
            environment: ["AWS_SHARED_CREDENTIALS_FILE": credentials]
        )
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(try String(contentsOfFile: credentials, encoding: .utf8).contains("aws_session_token = "))
    }

    @Test("a TPM in dictionary-attack lockout: the wrong passwords that caused it, then the lockout itself, each said plainly (exit 3), without retrying")
    func lockout() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        try setup.tpm.createPersistentKey(rsa: false, handle: "0x81000050", password: "right")
        let certificate = try setup.certify("handle:0x81000050", password: ["--tpm-key-password", "right"])
        var messages = [String]()
        // swtpm allows 3 failures before the lockout; each run sends exactly one wrong password.
        for _ in 0..<4 {
            let output = try setup.run(["credential-process", "--certificate", certificate, "--private-key", "handle:0x81000050", "--tpm-key-password", "wrong"] + setup.arns)
            #expect(output.status == 3, "\(output.stderrText)")
            messages.append(output.stderrText)
        }
        #expect(messages.prefix(3).allSatisfy { $0.contains("TPM_RC_AUTH_FAIL") }, "\(messages)")
        #expect(messages[3].contains("TPM_RC_LOCKOUT") && messages[3].contains("tpm2_dictionarylockout --clear-lockout"), "\(messages)")
        // Now even the right password is refused until the lockout ends, and the message says why.
        let locked = try setup.run(["credential-process", "--certificate", certificate, "--private-key", "handle:0x81000050", "--tpm-key-password", "right"] + setup.arns)
        #expect(locked.status == 3)
        #expect(locked.stderrText.contains("the TPM refuses the key handle:0x81000050 for now"), "\(locked.stderrText)")
    }

    @Test("mistakes get one clear sentence and the documented exit code, without a prompt")
    func mistakes() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        try setup.tpm.createPersistentKey(rsa: false, handle: "0x81000040", password: "right")
        let certificate = try setup.certify("handle:0x81000040", password: ["--tpm-key-password", "right"])
        let foreign = try SoftwareTPM()
        let foreignKey = setup.fixture.directory.path("foreign.tss2.pem")
        try foreign.createKeyFile(rsa: false, ownerParent: false, path: foreignKey)
        let cases: [(String, [String], [String: String], Int32, String)] = [
            ("wrong password", ["--private-key", "handle:0x81000040", "--tpm-key-password", "wrong"], [:], 3, "password of the TPM key handle:0x81000040 is wrong"),
            ("no password given", ["--private-key", "handle:0x81000040"], [:], 3, "--no-tpm-key-password if it has none"),
            ("missing key", ["--private-key", "handle:0x81000099", "--no-tpm-key-password"], [:], 3, "there is no key at handle:0x81000099"),
            ("not a persistent handle", ["--private-key", "handle:0x80000001", "--no-tpm-key-password"], [:], 2, "is not a persistent TPM handle"),
            ("no TPM", ["--private-key", "handle:0x81000040", "--tpm-key-password", "right"], ["TPM_DEVICE": "/nonexistent/tpmrm0"], 3, "cannot use the TPM at '/nonexistent/tpmrm0'"),
            ("a key of another TPM", ["--private-key", foreignKey, "--no-tpm-key-password"], [:], 3, "it was made for another TPM or parent"),
            ("both password flags", ["--private-key", "handle:0x81000040", "--tpm-key-password", "x", "--no-tpm-key-password"], [:], 2, "not both"),
            ("TPM flag for a file key", ["--private-key", setup.fixture.keyPath, "--no-tpm-key-password"], [:], 2, "are for TPM keys"),
        ]
        for (name, arguments, environment, status, message) in cases {
            let started = Date()
            let output = try setup.run(["credential-process", "--certificate", certificate] + arguments + setup.arns, environment: environment)
            #expect(output.status == status, "\(name): \(output.stderrText)")
            #expect(output.stderrText.hasPrefix("rolesanywhere: "), "\(name)")
            #expect(output.stderrText.contains(message), "\(name): \(output.stderrText)")
            #expect(output.stdout.isEmpty, "\(name)")
            #expect(Date().timeIntervalSince(started) < 30, "\(name) took too long")
        }
        // An ML-DSA certificate is refused before the TPM is asked for anything.
        let mlDSACertificate = setup.fixture.directory.path("mldsa.pem")
        let made = try Binaries.rolesanywhere(["pki", "ca", "--cn", "PQ", "--key-type", "ml-dsa-44", "--out-cert", mlDSACertificate, "--out-key", setup.fixture.directory.path("mldsa.key")])
        try #require(made.status == 0, "\(made.stderrText)")
        let refused = try setup.run(["credential-process", "--certificate", mlDSACertificate, "--private-key", "handle:0x81000040", "--tpm-key-password", "right"] + setup.arns)
        #expect(refused.status == 3, "\(refused.stderrText)")
        #expect(refused.stderrText.contains("the certificate has an ML-DSA-44 key, which cannot be in a TPM"), "\(refused.stderrText)")
        #expect(try setup.tpm.transientHandles().isEmpty)
    }
}
