import Foundation
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509

/// `pki ca`, `pki csr`, `pki issue`, `pki crl` and `pki revoke` with ML-DSA keys, alone and mixed
/// with RSA and EC. Every signature the built binary writes is verified by Python's cryptography
/// (OpenSSL 4, `Tests/Scripts/x509_verify.py`), not by the code that made it.
@Suite("pki with ML-DSA keys")
struct PKIMLDSATests {
    /// The scratch directory and the `pki` runner of the classic PKI tests.
    let base: PKICommandTests

    init() throws { base = try PKICommandTests() }

    var directory: TemporaryDirectory { base.directory }
    func path(_ name: String) -> String { base.path(name) }
    @discardableResult
    func pki(_ arguments: [String]) throws -> ChildProcess.Output { try base.pki(arguments) }

    /// Runs the cryptography oracle; its exit status and output.
    func oracle(_ arguments: [String]) throws -> ChildProcess.Output {
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/x509_verify.py").path
        return try ChildProcess.run("python3", [script] + arguments)
    }

    /// Expects cryptography to verify `certificate`'s signature with `issuer`'s key.
    func expectSigned(_ certificate: String, by issuer: String) throws {
        let output = try oracle(["cert", path(certificate), path(issuer)])
        #expect(output.status == 0, "\(certificate) by \(issuer): \(output.stderrText)")
    }

    /// The first byte of the PKCS#8 `privateKey` field: 0x80 (seed), 0x04 (expanded), 0x30 (both).
    func formTag(_ keyFile: String) throws -> UInt8? {
        let block = try #require(try PEMBlock.parseAll(String(contentsOfFile: path(keyFile), encoding: .utf8)).first)
        guard case .constructed(let fields) = try DER.parse(block.derBytes).content else { return nil }
        let field = try ASN1OctetString(derEncoded: try #require(Array(fields).last))
        return field.bytes.first
    }

    @Test("an ML-DSA CA issues ML-DSA leaves in the seed, expanded and both forms; OpenSSL verifies every signature, and every form signs as its certificate's key", arguments: MLDSAParameterSet.allCases)
    func everyParameterSetAndForm(_ set: MLDSAParameterSet) throws {
        let name = set.name.lowercased()
        let created = try pki(["ca", "--cn", "PQ Root", "--key-type", name, "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        #expect(created.stderrText.contains("(\(set.name), serial "))
        try expectSigned("ca.pem", by: "ca.pem")
        #expect(try formTag("ca.key") == 0x80, "keys are written in the seed form by default")
        #expect(try oracle(["key", path("ca.key"), path("ca.pem")]).status == 0, "cryptography reads the seed form")

        var signatures = Set<[UInt8]>()
        for (form, tag) in [("seed", UInt8(0x80)), ("expanded", 0x04), ("both", 0x30)] {
            try pki([
                "issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "leaf-\(form)", "--key-type", name, "--key-format", form,
                "--out-cert", path("leaf-\(form).pem"), "--out-key", path("leaf-\(form).key"),
            ])
            try expectSigned("leaf-\(form).pem", by: "ca.pem")
            #expect(try formTag("leaf-\(form).key") == tag, "\(form)")
            // The helper reads every form, and signs with it as the certificate's key.
            let signed = try Binaries.rolesanywhere([
                "sign-string", "--certificate", path("leaf-\(form).pem"), "--private-key", path("leaf-\(form).key"), "--format", "bin",
            ])
            #expect(signed.status == 0, "\(form): \(signed.stderrText)")
            let certificate = try X509Certificate(derEncoded: try #require(try PEMBlock.parseAll(String(contentsOfFile: path("leaf-\(form).pem"), encoding: .utf8)).first).derBytes)
            let publicKey = try #require(certificate.publicKey.mlDSA)
            #expect(publicKey.parameterSet == set)
            #expect(try MLDSACommandTests.opensslAccepts(set, publicKey: publicKey.rawRepresentation, message: MLDSACommandTests.fixedString(publicKey.rawRepresentation), signature: signed.stdout))
            signatures.insert(signed.stdout)
        }
        #expect(signatures.count == 3, "three keys, three signatures")
        let check = try Binaries.rolesanywhere(["pki", "check", "--ca", path("ca.pem"), "--certificate", path("leaf-both.pem")])
        #expect(check.status == 0, "\(check.stdoutText)")
    }

    @Test(
        "mixed chains: each CA signs with its own algorithm whatever the subject's key, and pki check passes them",
        arguments: [["rsa2048", "ml-dsa-65", "p256"], ["ml-dsa-87", "p384", "ml-dsa-44"], ["p521", "ml-dsa-44", "rsa3072"]]
    )
    func mixedChain(_ keyTypes: [String]) throws {
        try pki(["ca", "--cn", "Root", "--key-type", keyTypes[0], "--out-cert", path("root.pem"), "--out-key", path("root.key")])
        try pki([
            "ca", "--cn", "Issuing", "--key-type", keyTypes[1], "--issuer-cert", path("root.pem"), "--issuer-key", path("root.key"),
            "--out-cert", path("int.pem"), "--out-key", path("int.key"),
        ])
        try pki([
            "issue", "--ca-cert", path("int.pem"), "--ca-key", path("int.key"), "--cn", "myContainer", "--key-type", keyTypes[2],
            "--out-cert", path("leaf.pem"), "--out-key", path("leaf.key"),
        ])
        try expectSigned("root.pem", by: "root.pem")
        try expectSigned("int.pem", by: "root.pem")
        try expectSigned("leaf.pem", by: "int.pem")
        #expect(try oracle(["cert", path("leaf.pem"), path("root.pem")]).status == 1, "the oracle refuses a wrong issuer")
        let check = try Binaries.rolesanywhere(["pki", "check", "--ca", path("root.pem"), "--intermediates", path("int.pem"), "--certificate", path("leaf.pem")])
        #expect(check.status == 0, "\(check.stdoutText)")
        #expect(check.stdoutText.contains("PASS  chain builds to the CA: CN=myContainer <- CN=Issuing <- CN=Root"))
    }

    @Test("an ML-DSA-87 CSR with SANs: OpenSSL verifies it, an EC CA issues it with its names, and an altered request is refused")
    func signingRequest() throws {
        try pki([
            "csr", "--cn", "workload", "--uri", "spiffe://example.org/ns/prod/sa/app", "--dns", "app.example.org", "--key-type", "ml-dsa-87",
            "--out-csr", path("csr.pem"), "--out-key", path("csr.key"),
        ])
        let names = try oracle(["csr", path("csr.pem")])
        #expect(names.status == 0, "\(names.stderrText)")
        #expect(names.stdoutText.contains("spiffe://example.org/ns/prod/sa/app") && names.stdoutText.contains("app.example.org"))
        try pki(["ca", "--cn", "EC CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--csr", path("csr.pem"), "--out-cert", path("cert.pem")])
        try expectSigned("cert.pem", by: "ca.pem")
        #expect(try oracle(["key", path("csr.key"), path("cert.pem")]).status == 0, "the certificate is for the request's key")
        let text = try Binaries.rolesanywhere(["read-certificate-data", "--certificate", path("cert.pem")])
        #expect(text.stdoutText.contains("ML-DSA-87"), "\(text.stdoutText)")

        // One byte of the subject changed after signing: the signature no longer verifies.
        let block = try #require(try PEMBlock.parseAll(String(contentsOfFile: path("csr.pem"), encoding: .utf8)).first)
        var altered = block.derBytes
        let at = try #require(altered.firstRange(of: Array("workload".utf8))).lowerBound
        altered[at] = UInt8(ascii: "W")
        _ = try directory.write("altered.pem", PEMBlock(type: "CERTIFICATE REQUEST", derBytes: altered).pemString)
        let refused = try Binaries.rolesanywhere(["pki", "issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--csr", path("altered.pem"), "--out-cert", path("no.pem")])
        #expect(refused.status == 3, "\(refused.stderrText)")
        #expect(refused.stderrText.contains("does not verify: the request was altered or is corrupt"), "\(refused.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: path("no.pem")))

        // A request for an existing ML-DSA key.
        try pki(["csr", "--cn", "again", "--key", path("csr.key"), "--out-csr", path("again.pem")])
        #expect(try oracle(["csr", path("again.pem")]).status == 0)
    }

    @Test("an ML-DSA-65 CA signs CRLs: OpenSSL verifies them, and pki check fails the revoked leaf with exit 7")
    func revocation() throws {
        try pki(["ca", "--cn", "PQ CA", "--key-type", "ml-dsa-65", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "leaf", "--key-type", "ml-dsa-44", "--out-cert", path("leaf.pem"), "--out-key", path("leaf.key")])
        try pki(["revoke", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--crl", path("crl.pem"), "--certificate", path("leaf.pem")])
        let listed = try oracle(["crl", path("crl.pem"), path("ca.pem")])
        #expect(listed.status == 0, "\(listed.stderrText)")
        let serial = try X509Certificate(derEncoded: try #require(try PEMBlock.parseAll(String(contentsOfFile: path("leaf.pem"), encoding: .utf8)).first).derBytes).serialNumber
        // Python prints the serial in hex without leading zeros; a byte string may start with a "0" digit.
        let printed = listed.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed == String(Hex.encode(Array(serial.bytes)).drop(while: { $0 == "0" })))
        let check = try Binaries.rolesanywhere(["pki", "check", "--ca", path("ca.pem"), "--certificate", path("leaf.pem"), "--crl", path("crl.pem")])
        #expect(check.status == 7, "\(check.stdoutText)")
        #expect(check.stdoutText.contains("with ML-DSA-65"), "\(check.stdoutText)")
        #expect(check.stdoutText.contains("is revoked since"), "\(check.stdoutText)")
    }

    @Test("an encrypted ML-DSA key opens with its password in OpenSSL and in the helper")
    func encryptedKey() throws {
        try pki(["ca", "--cn", "PQ CA", "--key-type", "ml-dsa-44", "--key-password", "s3cret", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        #expect(try String(contentsOfFile: path("ca.key"), encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let mode = try FileManager.default.attributesOfItem(atPath: path("ca.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try oracle(["key", path("ca.key"), path("ca.pem"), "s3cret"]).status == 0)
        try pki([
            "issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--ca-key-password", "s3cret", "--cn", "leaf",
            "--key-type", "p256", "--out-cert", path("leaf.pem"), "--out-key", path("leaf.key"),
        ])
        try expectSigned("leaf.pem", by: "ca.pem")
    }

    @Test("--key-format is refused for RSA and EC keys, and an unknown form or key type is named", arguments: [
        (["--key-type", "p256", "--key-format", "both"], "--key-format is for ML-DSA keys"),
        (["--key-type", "ml-dsa-65", "--key-format", "compact"], "--key-format must be seed, expanded or both, not 'compact'"),
        (["--key-type", "ml-dsa-66"], "ml-dsa-44, ml-dsa-65, ml-dsa-87"),
    ])
    func badKeyOptions(_ options: [String], _ message: String) throws {
        let output = try Binaries.rolesanywhere(["pki", "ca", "--cn", "X", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")] + options)
        #expect(output.status == 2, "\(output.stderrText)")
        #expect(output.stderrText.contains(message), "\(output.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: path("ca.key")))
    }
}
