import Crypto
import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509

/// The helper with ML-DSA certificates and keys made outside the project (DER assembled and signed
/// by `Tests/Scripts/mldsa_certificate.py` with Python's cryptography, expanded keys from
/// dilithium-py), every signature checked by cryptography (OpenSSL 4).
@Suite("ML-DSA in the helper")
struct MLDSACommandTests {
    /// A CA and a leaf of `set`, and the leaf's key in every PKCS#8 form.
    struct Material {
        let directory: TemporaryDirectory
        let set: MLDSAParameterSet
        /// The leaf's encoded public key.
        let publicKey: [UInt8]

        init(_ set: MLDSAParameterSet, issuer: MLDSAParameterSet? = nil) throws {
            directory = try TemporaryDirectory(prefix: "mldsa")
            self.set = set
            let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_certificate.py").path
            let output = try ChildProcess.run("python3", [script, directory.url.path, set.name, "--issuer-set", (issuer ?? set).name])
            guard output.status == 0, let key = Hex.decode(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestFailure("mldsa_certificate.py: \(output.stderrText)")
            }
            publicKey = key
        }

        func path(_ name: String) -> String { directory.path(name) }
    }

    /// The official helper's fixed string for a key: prefix, version, SHA-256("IAM RA" || key).
    static func fixedString(_ publicKey: [UInt8]) -> [UInt8] {
        Array("AWS Roles Anywhere Credential Helper Signing Test1".utf8) + Array(SHA256.hash(data: Array("IAM RA".utf8) + publicKey))
    }

    /// Whether cryptography (OpenSSL 4) accepts `signature` of `message` by `publicKey`.
    static func opensslAccepts(_ set: MLDSAParameterSet, publicKey: [UInt8], message: [UInt8], signature: [UInt8]) throws -> Bool {
        let request = #"{"op":"verify","set":"\#(set.name)","public":"\#(Hex.encode(publicKey))","message":"\#(Hex.encode(message))","signature":"\#(Hex.encode(signature))"}"#
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_oracle.py").path
        let output = try ChildProcess.run("python3", [script], input: Array((request + "\n").utf8))
        return output.stdoutText.contains(#""valid": true"#)
    }

    @Test("read-certificate-data names the parameter set; sign-string signs with every key form the same deterministic signature, which OpenSSL accepts", arguments: MLDSAParameterSet.allCases)
    func signStringAndCertificateData(_ set: MLDSAParameterSet) throws {
        let material = try Material(set)
        let data = try Binaries.rolesanywhere(["read-certificate-data", "--certificate", material.path("leaf.pem")])
        #expect(data.status == 0, "\(data.stderrText)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(data.stdout)) as? [String: Any])
        #expect(json["keyType"] as? String == set.name)
        #expect(json["supportedAlgorithms"] as? [String] == [set.name])
        let base64 = try #require(json["certificateData"] as? String)
        let der = try #require(Data(base64Encoded: base64))
        let certificate = try X509Certificate(derEncoded: Array(der))
        #expect(json["serialNumber"] as? String == BigEndianInteger.decimalString(certificate.serialNumber.bytes))
        #expect(certificate.publicKey.mlDSA?.rawRepresentation == material.publicKey)

        var signatures = [[UInt8]]()
        for (key, extra) in [
            ("leaf-seed.pem", [String]()), ("leaf-both.pem", []), ("leaf-expanded.pem", []),
            ("leaf-encrypted.pem", ["--pkcs8-password", "pass phrase"]),
        ] {
            let output = try Binaries.rolesanywhere(["sign-string", "--certificate", material.path("leaf.pem"), "--private-key", material.path(key), "--format", "bin"] + extra)
            #expect(output.status == 0, "\(key): \(output.stderrText)")
            #expect(output.stdout.count == set.signatureByteCount)
            signatures.append(output.stdout)
        }
        #expect(Set(signatures).count == 1, "every form of the key signs the same (deterministic) signature")
        let signature = try #require(signatures.first)
        #expect(try Self.opensslAccepts(set, publicKey: material.publicKey, message: Self.fixedString(material.publicKey), signature: signature))
        #expect(!(try Self.opensslAccepts(set, publicKey: material.publicKey, message: Self.fixedString(material.publicKey) + [0], signature: signature)))

        // The formats agree, and the digest (which ML-DSA does not use) changes nothing.
        let text = try Binaries.rolesanywhere(["sign-string", "--private-key", material.path("leaf-seed.pem"), "--format", "text", "--digest", "SHA512"])
        let quoted = try Binaries.rolesanywhere(["sign-string", "--private-key", material.path("leaf-seed.pem"), "--format", "json"])
        #expect(Hex.decode(text.stdoutText) == signature)
        #expect(quoted.stdoutText == "\"" + text.stdoutText + "\"")
    }

    @Test("credential-process signs AWS4-X509-MLDSA requests that an independent server verifies with OpenSSL", arguments: MLDSAParameterSet.allCases)
    func credentialProcess(_ set: MLDSAParameterSet) throws {
        let material = try Material(set)
        let verifier = try IndependentVerifier()
        for key in ["leaf-seed.pem", "leaf-both.pem"] {
            let output = try Binaries.rolesanywhere(
                ["credential-process", "--certificate", material.path("leaf.pem"), "--private-key", material.path(key),
                 "--trust-anchor-arn", CLIFixture.trustAnchorArn, "--profile-arn", CLIFixture.profileArn, "--role-arn", CLIFixture.roleArn,
                 "--endpoint", verifier.endpoint],
                environment: ["AWS_CA_BUNDLE": verifier.caBundlePath]
            )
            #expect(output.status == 0, "\(key): \(output.stderrText)")
            #expect(output.stdoutText.hasPrefix(#"{"Version":1,"AccessKeyId":"ASIA"#))
        }
        let requests = try verifier.receivedRequests()
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0["verified"] as? Bool == true }, "\(requests)")
    }

    @Test("an ML-DSA key and certificate in a PKCS#12 file laid out as OpenSSL 3.5 writes it: the same signature as the PEM key, credential-process verified, a wrong password refused", arguments: [MLDSAParameterSet.mlDSA65, .mlDSA87])
    func pkcs12Bundle(_ set: MLDSAParameterSet) throws {
        let material = try Material(set)
        let bundle = material.path("leaf.p12")
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_pkcs12.py").path
        let made = try ChildProcess.run("python3", [script, material.path("leaf-seed.pem"), material.path("leaf.pem"), "pass phrase", bundle])
        try #require(made.status == 0, "\(made.stderrText)")
        // OpenSSL 3.0 cannot read the key, but checks the container: the MAC and the certificate safe.
        let openssl = try ChildProcess.run("openssl", ["pkcs12", "-in", bundle, "-passin", "pass:pass phrase", "-info", "-nokeys", "-noout"])
        #expect(openssl.status == 0, "\(openssl.stderrText)")

        let fromBundle = try Binaries.rolesanywhere(["sign-string", "--certificate", bundle, "--pkcs8-password", "pass phrase", "--format", "bin"])
        #expect(fromBundle.status == 0, "\(fromBundle.stderrText)")
        let fromPEM = try Binaries.rolesanywhere(["sign-string", "--certificate", material.path("leaf.pem"), "--private-key", material.path("leaf-seed.pem"), "--format", "bin"])
        #expect(fromBundle.stdout == fromPEM.stdout, "the bundle holds the same key, which signs deterministically")

        let verifier = try IndependentVerifier()
        let output = try Binaries.rolesanywhere(
            ["credential-process", "--certificate", bundle, "--trust-anchor-arn", CLIFixture.trustAnchorArn, "--profile-arn", CLIFixture.profileArn,
             "--role-arn", CLIFixture.roleArn, "--endpoint", verifier.endpoint],
            environment: ["AWS_CA_BUNDLE": verifier.caBundlePath, "ROLESANYWHERE_PKCS8_PASSWORD": "pass phrase"]
        )
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(try verifier.receivedRequests().allSatisfy { $0["verified"] as? Bool == true })

        let wrong = try Binaries.rolesanywhere(["sign-string", "--certificate", bundle, "--pkcs8-password", "not it"])
        #expect(wrong.status == 3)
        #expect(wrong.stderrText.contains("is wrong (its MAC does not verify)"), "\(wrong.stderrText)")
    }

    /// A PKCS#8 `PrivateKeyInfo` with the ML-DSA OID of `oidLast` (17-19 are ML-DSA) around `field`.
    static func pkcs8(oidLast: UInt, field: [UInt8]) throws -> String {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(0)
            try coder.appendConstructedNode(identifier: .sequence) { algorithm in
                try algorithm.serialize(try ASN1ObjectIdentifier(elements: [2, 16, 840, 1, 101, 3, 4, 3, oidLast]))
            }
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(field)))
        }
        let body = Data(serializer.serializedBytes).base64EncodedString(options: .lineLength64Characters)
        return "-----BEGIN PRIVATE KEY-----\n\(body)\n-----END PRIVATE KEY-----\n"
    }

    /// The DER of the seed form `[0] IMPLICIT OCTET STRING`.
    static func seedField(_ seed: [UInt8]) -> [UInt8] { [0x80, UInt8(seed.count)] + seed }

    @Test("bad ML-DSA keys get one clear sentence and the bad-input exit code")
    func badKeys() throws {
        let material = try Material(.mlDSA65)
        let directory = material.directory
        let other = try MLDSAPrivateKey.generate(.mlDSA65)
        let seed = try #require(try MLDSAPrivateKey.generate(.mlDSA65).seed)
        let rsa = try CLIFixture()
        let cases: [(String, String, String)] = [
            ("truncated seed", try Self.pkcs8(oidLast: 18, field: Self.seedField(Array(seed.dropLast()))), "seed is 31 bytes"),
            ("expanded key of another seed", try Self.pkcs8(oidLast: 18, field: try Self.bothField(seed: seed, expanded: other.expandedKey())), "does not match its seed"),
            ("truncated expanded key", try Self.pkcs8(oidLast: 18, field: [0x04, 0x82, 0x0F, 0xBF] + Array(other.expandedKey().dropLast())), "expanded form is 4031 bytes"),
            ("unknown parameter set", try Self.pkcs8(oidLast: 20, field: Self.seedField(seed)), "2.16.840.1.101.3.4.3.20"),
            ("unknown form", try Self.pkcs8(oidLast: 18, field: [0x02, 0x01, 0x05]), "none of RFC 9881's forms"),
        ]
        for (name, pem, message) in cases {
            let path = try directory.write("bad.pem", pem, mode: 0o600)
            let output = try Binaries.rolesanywhere(["sign-string", "--private-key", path])
            #expect(output.status == 3, "\(name): \(output.stderrText)")
            #expect(output.stderrText.contains(message), "\(name): \(output.stderrText)")
            #expect(output.stderrText.split(separator: "\n").count == 1, "\(name): \(output.stderrText)")
            #expect(output.stdout.isEmpty)
        }
        // An ML-DSA key with an RSA certificate, and an RSA key with an ML-DSA certificate.
        for (certificate, key) in [(rsa.certificate, material.path("leaf-seed.pem")), (material.path("leaf.pem"), rsa.privateKey)] {
            let output = try Binaries.rolesanywhere(["sign-string", "--certificate", certificate, "--private-key", key])
            #expect(output.status == 3, "\(output.stderrText)")
            #expect(output.stderrText.contains("does not belong to the certificate"), "\(output.stderrText)")
        }
        // A wrong password for the encrypted key.
        let wrong = try Binaries.rolesanywhere(["sign-string", "--private-key", material.path("leaf-encrypted.pem"), "--pkcs8-password", "nope"])
        #expect(wrong.status == 3, "\(wrong.stderrText)")
    }

    static func bothField(seed: [UInt8], expanded: [UInt8]) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(seed)))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(expanded)))
        }
        return serializer.serializedBytes
    }
}

/// `rolesanywhere pki check` judging ML-DSA material made outside the project.
@Suite("pki check with ML-DSA material")
struct PKICheckMLDSATests {
    static func make(_ chain: String, _ options: [String] = []) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "mldsa-check")
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_certificate.py").path
        let output = try ChildProcess.run("python3", [script, directory.url.path, "-", "--chain", chain] + options)
        guard output.status == 0 else { throw TestFailure("mldsa_certificate.py: \(output.stderrText)") }
        return directory
    }

    @Test("a mixed chain (RSA root, ML-DSA-65 intermediate, ML-DSA-44 leaf) passes; its issuer's ML-DSA-signed CRL revoking the leaf fails it with exit 7")
    func mixedChainAndCRL() throws {
        let directory = try Self.make("RSA-2048,ML-DSA-65,ML-DSA-44", ["--crl"])
        let arguments = ["pki", "check", "--ca", directory.path("ca.pem"), "--certificate", directory.path("leaf.pem"), "--intermediates", directory.path("chain.pem")]
        let passed = try Binaries.rolesanywhere(arguments)
        #expect(passed.status == 0, "\(passed.stdoutText)\(passed.stderrText)")
        #expect(passed.stdoutText.contains("PASS  chain builds to the CA"))
        let revoked = try Binaries.rolesanywhere(arguments + ["--crl", directory.path("crl.pem")])
        #expect(revoked.status == 7, "\(revoked.stdoutText)")
        #expect(revoked.stdoutText.contains("signed by CN=ML-DSA test intermediate 1 with ML-DSA-65"))
        #expect(revoked.stdoutText.contains("is revoked since"))
    }

    @Test("an ML-DSA leaf below a CA signed with SHA-1 RSA: the CA's signature fails, saying what to change, and the chain points to it")
    func caSignedWithSHA1() throws {
        let directory = try Self.make("RSA-2048-SHA1,RSA-2048,ML-DSA-65")
        let output = try Binaries.rolesanywhere(
            ["pki", "check", "--ca", directory.path("ca.pem"), "--certificate", directory.path("leaf.pem"), "--intermediates", directory.path("chain.pem")]
        )
        #expect(output.status == 7, "\(output.stdoutText)")
        // The intermediate's own section: from its heading to the end-entity certificate's.
        let start = try #require(output.stdoutText.range(of: "\nIntermediate ")).upperBound
        let end = try #require(output.stdoutText.range(of: "\nCertificate ", range: start..<output.stdoutText.endIndex)).lowerBound
        let section = output.stdoutText[start..<end]
        #expect(section.contains("FAIL  signature hash SHA-256 or stronger: sha1WithRSAEncryption (SHA-1 is rejected)"), "\(output.stdoutText)")
        #expect(output.stdoutText.contains("-> have the issuer sign it with SHA-256 or stronger"))
        #expect(output.stdoutText.contains("(see the failures above)"))
    }

    @Test("an ML-DSA leaf without digitalSignature fails, saying what to change")
    func leafWithoutDigitalSignature() throws {
        let directory = try Self.make("ML-DSA-87,ML-DSA-65", ["--no-digital-signature"])
        let output = try Binaries.rolesanywhere(["pki", "check", "--ca", directory.path("ca.pem"), "--certificate", directory.path("leaf.pem")])
        #expect(output.status == 7, "\(output.stdoutText)")
        #expect(output.stdoutText.contains("FAIL  keyUsage includes digitalSignature"), "\(output.stdoutText)")
    }
}
