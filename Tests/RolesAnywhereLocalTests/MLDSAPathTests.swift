import Foundation
import RolesAnywhereCredentials
import RolesAnywhereKeys
import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// CreateSession with ML-DSA certificates, made outside the project (`Tests/Scripts/mldsa_certificate.py`:
/// DER assembled in Python and signed by Python's cryptography, OpenSSL 4): the `AWS4-X509-MLDSA`
/// signature, ML-DSA and mixed chains (an ML-DSA CA above or below RSA and EC ones), ML-DSA-signed
/// CRLs, and the requirements applied to ML-DSA certificates as to any other.
@Suite("CreateSession with ML-DSA certificates")
struct MLDSAPathTests {
    /// A chain made by the script, with a role, an anchor (its root) and a profile for it.
    struct Chain {
        let directory: TemporaryDirectory
        let local: InProcessLocal
        let anchor: String
        let profile: String
        let role: String

        /// `algorithms` from the root to the leaf, as `--chain` takes them.
        init(_ algorithms: [String], leafCN: String = "myContainer", options: [String] = []) async throws {
            directory = try TemporaryDirectory(prefix: "mldsa-local")
            let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_certificate.py").path
            let made = try ChildProcess.run(
                "python3", [script, directory.url.path, "-", "--chain", algorithms.joined(separator: ","), "--leaf-cn", leafCN] + options
            )
            guard made.status == 0 else { throw TestFailure("mldsa_certificate.py: \(made.stderrText)") }
            local = try InProcessLocal()
            role = try await local.createRole("bucket-lister")
            anchor = try await local.createTrustAnchor(try String(contentsOfFile: directory.path("ca.pem"), encoding: .utf8))
            profile = try await local.createProfile(roleArns: [role], extra: ["attributeMappings": [["certificateField": "x509Subject", "mappingRules": [["specifier": "CN"]]]]])
        }

        func text(_ file: String) throws -> String {
            try String(contentsOfFile: directory.path(file), encoding: .utf8)
        }

        /// The leaf's identity, with the intermediates when `withChain`.
        func identity(withChain: Bool = true) throws -> SigningIdentity {
            let leaf = try CertificateParser.certificates(file: directory.path("leaf.pem"), role: "certificate")[0]
            let chain = FileManager.default.fileExists(atPath: directory.path("chain.pem")) && withChain
                ? try CertificateParser.certificates(file: directory.path("chain.pem"), role: "chain") : []
            let keyFile = FileManager.default.fileExists(atPath: directory.path("leaf-seed.pem")) ? "leaf-seed.pem" : "leaf-key.pem"
            let key = try FileIdentitySource.readKey(path: directory.path(keyFile), password: .none)
            return try SigningIdentity(certificate: leaf, certificateChain: chain, key: key)
        }

        func call(withChain: Bool = true) throws -> InProcessLocal.SessionCall {
            InProcessLocal.SessionCall(identity: try identity(withChain: withChain), trustAnchorArn: anchor, profileArn: profile, roleArn: role)
        }
    }

    @Test("an ML-DSA-65 CA and leaf: the signature is verified (a tampered body is Invalid signature) and the session is minted with the leaf's tags")
    func mlDSAChain() async throws {
        let chain = try await Chain(["ML-DSA-65", "ML-DSA-65"])
        #expect(try chain.identity().algorithm == .mldsa)
        var tampered = try chain.call()
        tampered.tamper = { $0.body = Array(#"{"durationSeconds":43200}"#.utf8) }
        CreateSessionRejectionTests.expectDenied(try await chain.local.createSession(tampered), "Invalid signature")

        let answer = try await chain.local.createSession(try chain.call())
        #expect(answer.status == 201, "\(answer.body)")
        let session = try #require(try await chain.local.session(of: answer))
        #expect(session.tags["x509Subject/CN"] == "myContainer")
        #expect(session.sourceIdentity == "CN=myContainer")
    }

    @Test(
        "mixed chains are validated link by link with each issuer's algorithm",
        arguments: [
            ["ML-DSA-44", "ML-DSA-87"],
            ["ML-DSA-87", "ML-DSA-44"],
            ["EC-P256", "ML-DSA-65"],
            ["RSA-2048", "ML-DSA-87", "EC-P256"],
            ["ML-DSA-65", "RSA-2048", "ML-DSA-44"],
            ["ML-DSA-65", "EC-P256"],
        ]
    )
    func mixedChain(_ algorithms: [String]) async throws {
        let chain = try await Chain(algorithms)
        let answer = try await chain.local.createSession(try chain.call())
        #expect(answer.status == 201, "\(algorithms): \(answer.body)")
        if algorithms.count > 2 {
            // Without the intermediate, no path reaches the anchor.
            CreateSessionRejectionTests.expectDenied(try await chain.local.createSession(try chain.call(withChain: false)), "Untrusted Signing Certificate")
        }
    }

    @Test("a certificate of another ML-DSA CA with the same name: Untrusted Signing Certificate")
    func wrongAnchor() async throws {
        let trusted = try await Chain(["ML-DSA-65", "ML-DSA-65"])
        let stranger = try await Chain(["ML-DSA-65", "ML-DSA-65"])
        var call = try stranger.call()
        call.trustAnchorArn = trusted.anchor
        call.profileArn = trusted.profile
        call.roleArn = trusted.role
        CreateSessionRejectionTests.expectDenied(try await trusted.local.createSession(call), "Untrusted Signing Certificate")
    }

    @Test("an ML-DSA-signed CRL is imported only with its issuer's key, and revokes the leaf", arguments: [["ML-DSA-87", "ML-DSA-65"], ["RSA-2048", "ML-DSA-44", "EC-P256"]])
    func revoked(_ algorithms: [String]) async throws {
        let chain = try await Chain(algorithms, options: ["--crl"])
        #expect(try await chain.local.createSession(try chain.call()).status == 201)
        // The CRL is signed by the leaf's issuer: the anchor's CA, or the intermediate the client sends.
        _ = try await chain.local.importCRL(try chain.text("crl.pem"), anchor: chain.anchor)
        CreateSessionRejectionTests.expectDenied(try await chain.local.createSession(try chain.call()), "is revoked since", exact: false)
        // Only a CRL that names an anchor certificate is checked against that certificate's key at import.
        guard algorithms.count == 2 else { return }

        // A CRL naming the anchor but signed by another key is refused at import.
        let other = try await Chain(algorithms, options: ["--crl"])
        let refused = try await chain.local.control(
            "POST", "/crls", json: ["name": "crl", "crlData": Data(try other.text("crl.pem").utf8).base64EncodedString(), "trustAnchorArn": chain.anchor]
        )
        #expect(refused.status == 400, "\(refused.body)")
        #expect(refused.message?.contains("did not sign it") == true, "\(refused.body)")
    }

    @Test("a chain made by rolesanywhere pki (ML-DSA-87 root, P-384 intermediate, ML-DSA-44 leaf in the both form) gets a session; its CA's CRL revokes it")
    func pkiMadeChain() async throws {
        let directory = try TemporaryDirectory(prefix: "mldsa-pki")
        func pki(_ arguments: [String]) throws {
            let output = try Binaries.rolesanywhere(["pki"] + arguments)
            guard output.status == 0 else { throw TestFailure("pki \(arguments.first ?? ""): \(output.stderrText)") }
        }
        let path = directory.path
        try pki(["ca", "--cn", "PQ Root", "--key-type", "ml-dsa-87", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        try pki(["ca", "--cn", "EC Issuing", "--key-type", "p384", "--issuer-cert", path("ca.pem"), "--issuer-key", path("ca.key"), "--out-cert", path("int.pem"), "--out-key", path("int.key")])
        try pki([
            "issue", "--ca-cert", path("int.pem"), "--ca-key", path("int.key"), "--cn", "myContainer", "--key-type", "ml-dsa-44", "--key-format", "both",
            "--out-cert", path("leaf.pem"), "--out-key", path("leaf.key"),
        ])
        let local = try InProcessLocal()
        let role = try await local.createRole("bucket-lister")
        let anchor = try await local.createTrustAnchor(try String(contentsOfFile: path("ca.pem"), encoding: .utf8))
        let profile = try await local.createProfile(roleArns: [role])
        let identity = try SigningIdentity(
            certificate: try CertificateParser.certificates(file: path("leaf.pem"), role: "certificate")[0],
            certificateChain: try CertificateParser.certificates(file: path("int.pem"), role: "chain"),
            key: try FileIdentitySource.readKey(path: path("leaf.key"), password: .none)
        )
        #expect(identity.algorithm == .mldsa)
        let call = InProcessLocal.SessionCall(identity: identity, trustAnchorArn: anchor, profileArn: profile, roleArn: role)
        let answer = try await local.createSession(call)
        #expect(answer.status == 201, "\(answer.body)")

        try pki(["revoke", "--ca-cert", path("int.pem"), "--ca-key", path("int.key"), "--crl", path("crl.pem"), "--certificate", path("leaf.pem")])
        _ = try await local.importCRL(try String(contentsOfFile: path("crl.pem"), encoding: .utf8), anchor: anchor)
        CreateSessionRejectionTests.expectDenied(try await local.createSession(call), "is revoked since", exact: false)
    }

    @Test("an ML-DSA leaf without digitalSignature is refused, saying so")
    func noDigitalSignature() async throws {
        let chain = try await Chain(["ML-DSA-65", "ML-DSA-65"], options: ["--no-digital-signature"])
        CreateSessionRejectionTests.expectDenied(try await chain.local.createSession(try chain.call()), "digitalSignature", exact: false)
    }
}
