import Crypto
import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import X509

/// Keys on a real SoftHSM2 token (made with SoftHSM's and OpenSC's tools), used by the built
/// `rolesanywhere` through p11-kit's proxy or SoftHSM's module, against `rolesanywhere-local`, which
/// verifies every signature.
@Suite("PKCS#11 keys with SoftHSM, end to end", .serialized)
struct PKCS11CommandTests {
    /// A fixture, a token, and a leaf issued by the fixture's CA whose key and certificate are on the
    /// token as object `workload` with ID 01.
    struct Setup {
        let fixture: CredentialHelperFixture
        let token: SoftHSMToken
        let leaf: TestPKI.Issued

        init(key: TestPKI.KeyKind = .p256, certificateOnToken: Bool = true, pin: String = "1234") async throws {
            fixture = try await CredentialHelperFixture()
            token = try SoftHSMToken(userPIN: pin)
            leaf = try TestPKI.makeLeaf(issuer: fixture.root, key: key)
            try token.importKey(pem: leaf.privateKeyPEM, label: "workload", id: "01")
            if certificateOnToken {
                try token.importCertificate(der: leaf.certificateDER, label: "workload", id: "01")
            }
            try fixture.directory.write("token-cert.pem", leaf.certificatePEM)
        }

        var arns: [String] {
            ["--trust-anchor-arn", fixture.anchorArn, "--profile-arn", fixture.profileArn, "--role-arn", fixture.roleArn,
             "--endpoint", fixture.endpoint, "--no-verify-ssl"]
        }

        func uri(_ attributes: String = "object=workload") -> String { "pkcs11:token=\(token.label);\(attributes)" }

        func run(_ arguments: [String], pin: String? = nil) throws -> ChildProcess.Output {
            var environment = token.environment
            environment["ROLESANYWHERE_PKCS11_PIN"] = pin ?? token.userPIN
            return try Binaries.rolesanywhere(arguments, environment: environment)
        }

        /// Runs credential-process and checks that the service accepted the signature of this leaf.
        func expectCredentials(_ arguments: [String], pin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let output = try run(["credential-process"] + arguments + arns, pin: pin)
            #expect(output.status == 0, "\(output.stderrText)", sourceLocation: sourceLocation)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any], sourceLocation: sourceLocation)
            let accessKey = try #require(json["AccessKeyId"] as? String, sourceLocation: sourceLocation)
            #expect(accessKey.hasPrefix("ASIA"), sourceLocation: sourceLocation)
            // The session is named after the certificate's serial: the service verified this leaf.
            let serial = BigEndianInteger.evenHexString(leaf.certificate.serialNumber.bytes)
            #expect(try await fixture.sessionName(of: accessKey) == serial, sourceLocation: sourceLocation)
        }
    }

    @Test("credential-process signs with an RSA or EC key on the token, through p11-kit's proxy (the default module)", arguments: [TestPKI.KeyKind.rsa2048, .p256, .p384])
    func tokenKeys(kind: TestPKI.KeyKind) async throws {
        let setup = try await Setup(key: kind)
        defer { setup.fixture.stopService() }
        try await setup.expectCredentials(["--certificate", setup.uri()])
    }

    @Test("hybrid mode: the certificate from a file, the key on the token, with an explicit module and the PIN from a file")
    func hybrid() async throws {
        let setup = try await Setup(key: .rsa2048, certificateOnToken: false)
        defer { setup.fixture.stopService() }
        let pinFile = try setup.fixture.directory.write("pin", setup.token.userPIN + "\n", mode: 0o600)
        try await setup.expectCredentials(
            ["--certificate", setup.fixture.directory.path("token-cert.pem"), "--private-key", setup.uri("id=%01?pin-source=file:\(pinFile)"),
             "--pkcs11-lib", SoftHSMToken.modulePath],
            pin: ""
        )
    }

    @Test("the intermediate CA on the token is sent as the chain; the trust anchor holds only the root")
    func chainFromToken() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let token = try SoftHSMToken()
        let intermediate = try TestPKI.makeIntermediate(issuer: fixture.root)
        let leaf = try TestPKI.makeLeaf(issuer: intermediate, key: .p256)
        try token.importKey(pem: leaf.privateKeyPEM, label: "workload", id: "01")
        try token.importCertificate(der: leaf.certificateDER, label: "workload", id: "01")
        try token.importCertificate(der: intermediate.certificateDER, label: "issuing-ca", id: "02")
        try token.importCertificate(der: fixture.root.certificateDER, label: "root-ca", id: "03")
        let arguments = ["credential-process", "--certificate", "pkcs11:token=\(token.label);object=workload"]
            + ["--trust-anchor-arn", fixture.anchorArn, "--profile-arn", fixture.profileArn, "--role-arn", fixture.roleArn,
               "--endpoint", fixture.endpoint, "--no-verify-ssl"]
        var environment = token.environment
        environment["ROLESANYWHERE_PKCS11_PIN"] = token.userPIN
        let output = try Binaries.rolesanywhere(arguments, environment: environment)
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(output.stdoutText.contains("\"AccessKeyId\":\"ASIA"))
    }

    @Test("a key generated on the token gets a certificate through pki csr and pki issue, then credentials: the key never exists outside the token")
    func keyThatNeverLeavesTheToken() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let token = try SoftHSMToken()
        try token.generateKeyPair(keyType: "EC:prime256v1", label: "generated", id: "07")
        let directory = fixture.directory
        let caCert = try directory.write("ca.pem", fixture.root.certificatePEM)
        let caKey = try directory.write("ca.key", fixture.root.privateKeyPEM, mode: 0o600)
        var environment = token.environment
        environment["ROLESANYWHERE_PKCS11_PIN"] = token.userPIN
        let key = "pkcs11:token=\(token.label);object=generated"
        let csr = try Binaries.rolesanywhere(["pki", "csr", "--cn", "myContainer", "--key", key, "--out-csr", directory.path("req.csr")], environment: environment)
        #expect(csr.status == 0, "\(csr.stderrText)")
        // OpenSSL checks the request's signature, made by the token.
        let verified = try ChildProcess.run("openssl", ["req", "-in", directory.path("req.csr"), "-verify", "-noout"])
        #expect(verified.status == 0, "\(verified.stderrText)")
        let issued = try Binaries.rolesanywhere(
            ["pki", "issue", "--ca-cert", caCert, "--ca-key", caKey, "--csr", directory.path("req.csr"), "--out-cert", directory.path("hsm-cert.pem")],
            environment: environment
        )
        #expect(issued.status == 0, "\(issued.stderrText)")
        let output = try Binaries.rolesanywhere(
            ["credential-process", "--certificate", directory.path("hsm-cert.pem"), "--private-key", key,
             "--trust-anchor-arn", fixture.anchorArn, "--profile-arn", fixture.profileArn, "--role-arn", fixture.roleArn,
             "--endpoint", fixture.endpoint, "--no-verify-ssl"],
            environment: environment
        )
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(output.stdoutText.contains("\"AccessKeyId\":\"ASIA"))
    }

    @Test("sign-string with a token key: RSA equals the file key's signature byte for byte; EC verifies with the certificate's key")
    func signString() async throws {
        for kind in [TestPKI.KeyKind.rsa2048, .p256] {
            let setup = try await Setup(key: kind)
            defer { setup.fixture.stopService() }
            let token = try setup.run(["sign-string", "--certificate", setup.uri(), "--format", "text"])
            #expect(token.status == 0, "\(token.stderrText)")
            let signature = try #require(Hex.decode(token.stdoutText))
            let message = try FixedStringSigner.message(for: setup.leaf.certificate.publicKey)
            switch kind {
            case .rsa2048:
                let keyFile = try setup.fixture.directory.write("file-key.pem", setup.leaf.privateKeyPEM)
                let file = try setup.run(["sign-string", "--private-key", keyFile, "--format", "text"])
                #expect(token.stdoutText == file.stdoutText)
            default:
                let key = try #require(P256.Signing.PublicKey(setup.leaf.certificate.publicKey))
                #expect(key.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: signature), for: message))
            }
        }
    }

    @Test("update --once writes credentials obtained with a token key")
    func updateWithTokenKey() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        let credentials = setup.fixture.directory.path("credentials")
        var environment = setup.token.environment
        environment["ROLESANYWHERE_PKCS11_PIN"] = setup.token.userPIN
        environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials
        let output = try Binaries.rolesanywhere(["update", "--once", "--certificate", setup.uri()] + setup.arns, environment: environment)
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(try String(contentsOfFile: credentials, encoding: .utf8).contains("aws_session_token = "))
    }

    @Test("serve signs every refresh with the token key on the session it opened at start; the AWS CLI gets credentials through IMDSv2")
    func serveWithTokenKey() async throws {
        let setup = try await Setup(key: .rsa2048, pin: "7730219846")
        defer { setup.fixture.stopService() }
        var environment = ServeAndUpdateCommandTests.workloadEnvironment(setup.fixture, setup.token.environment)
        environment["ROLESANYWHERE_PKCS11_PIN"] = setup.token.userPIN
        let server = try BackgroundServer(
            Binaries.path("rolesanywhere"), ["serve", "--certificate", setup.uri(), "--port", "0", "--debug"] + setup.arns,
            environment: environment, standardErrorPath: setup.fixture.directory.path("serve.log"), readyMarker: "Local server started on port: "
        )
        defer { server.stop() }
        // The PIN is not needed after start: the session is logged in once.
        let imds = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)/"]
        for _ in 0..<2 {
            let identity = try ServeAndUpdateCommandTests.aws(setup.fixture, ["sts", "get-caller-identity"], environment: imds)
            #expect(identity.status == 0, "\(identity.stderrText)")
            #expect(identity.stdoutText.contains("assumed-role/bucket-lister/"))
        }
        let log = try String(contentsOfFile: setup.fixture.directory.path("serve.log"), encoding: .utf8)
        #expect(log.contains("credentials"), "\(log)")
        #expect(!log.contains("7730219846"), "the PIN is never logged")
    }

    @Test("read-certificate-data lists the token's certificates as aws_signing_helper does")
    func listing() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        let output = try setup.run(["read-certificate-data", "--certificate", "pkcs11:token=\(setup.token.label)"])
        #expect(output.status == 0, "\(output.stderrText)")
        let fingerprint = Insecure.SHA1.hash(data: setup.leaf.certificateDER).map { String(format: "%02x", $0) }.joined()
        let lines = output.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Matching identities")
        #expect(lines.dropFirst().first == "1) \(fingerprint) \"CN=myContainer\"")
        #expect(lines.dropFirst(2).first?.hasPrefix("\tURI: pkcs11:") == true)
        #expect(lines.dropFirst(2).first?.contains("token=\(setup.token.label);object=workload;id=%01;type=cert") == true)
        let none = try setup.run(["read-certificate-data", "--certificate", "pkcs11:token=\(setup.token.label);object=nothing"])
        #expect(none.status == 0)
        #expect(none.stdoutText == "No matching identities\n")
    }

    @Test("--reuse-pin: a key that needs the PIN before every signature works with it, and without it the error names the flag")
    func reusePIN() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let token = try SoftHSMToken()
        try token.generateKeyPair(keyType: "EC:prime256v1", label: "strict", id: "09", alwaysAuthenticate: true)
        var environment = token.environment
        environment["ROLESANYWHERE_PKCS11_PIN"] = token.userPIN
        let key = "pkcs11:token=\(token.label);object=strict"
        let refused = try Binaries.rolesanywhere(["sign-string", "--private-key", key], environment: environment)
        #expect(refused.status == 2)
        #expect(refused.stderrText.contains("--reuse-pin"), "\(refused.stderrText)")
        let signed = try Binaries.rolesanywhere(["sign-string", "--private-key", key, "--reuse-pin"], environment: environment)
        #expect(signed.status == 0, "\(signed.stderrText)")
    }

    @Test("mistakes get one clear sentence and the documented exit code, without waiting for a terminal")
    func mistakes() async throws {
        let setup = try await Setup()
        defer { setup.fixture.stopService() }
        let uninitialised = try SoftHSMToken(label: "no-user-pin", initializeUserPIN: false)
        let mlDSACertificate = setup.fixture.directory.path("mldsa.pem")
        let made = try Binaries.rolesanywhere(["pki", "ca", "--cn", "PQ", "--key-type", "ml-dsa-65", "--out-cert", mlDSACertificate, "--out-key", setup.fixture.directory.path("mldsa.key")])
        try #require(made.status == 0, "\(made.stderrText)")
        let cases: [(String, [String], String?, [String: String], Int32, String)] = [
            ("an ML-DSA certificate with a token key", ["--certificate", mlDSACertificate, "--private-key", setup.uri("id=%01")], nil, [:], 3, "the certificate has an ML-DSA-65 key, which cannot be in a PKCS#11 token"),
            ("wrong PIN", ["--certificate", setup.uri()], "0000", [:], 3, "PIN of the PKCS#11 token '\(setup.token.label)'"),
            ("no PIN", ["--certificate", setup.uri()], "", [:], 3, "ROLESANYWHERE_PKCS11_PIN"),
            ("missing object", ["--certificate", setup.uri("object=absent")], nil, [:], 3, "no certificate on the PKCS#11 token"),
            ("missing key", ["--certificate", setup.fixture.directory.path("token-cert.pem"), "--private-key", setup.uri("object=absent")], nil, [:], 3, "no private key on the PKCS#11 token"),
            ("certificate on the token, key in a file", ["--certificate", setup.uri(), "--private-key", setup.fixture.keyPath], nil, [:], 2, "a certificate on a PKCS#11 token needs its key on a token"),
            ("missing token", ["--certificate", "pkcs11:token=absent"], nil, [:], 3, "no PKCS#11 token matches pkcs11:token=absent"),
            ("missing module", ["--certificate", setup.uri(), "--pkcs11-lib", "/nonexistent/libpkcs11.so"], nil, [:], 2, "cannot load the PKCS#11 module '/nonexistent/libpkcs11.so'"),
            ("not a module", ["--certificate", setup.uri(), "--pkcs11-lib", "libc.so.6"], nil, [:], 2, "is not a PKCS#11 module"),
            ("malformed URI", ["--certificate", "pkcs11:token=x;colour=blue"], nil, [:], 2, "'colour' is not one rolesanywhere knows"),
            ("no user PIN on the token", ["--certificate", "pkcs11:token=no-user-pin"], nil, uninitialised.environment, 3, "no user PIN yet"),
            ("module flag without a URI", ["--certificate", setup.fixture.directory.path("token-cert.pem"), "--private-key", setup.fixture.keyPath, "--pkcs11-lib", SoftHSMToken.modulePath], nil, [:], 2, "--pkcs11-lib and --reuse-pin are for keys on PKCS#11 tokens"),
        ]
        for (name, arguments, pin, extra, status, message) in cases {
            var environment = extra.isEmpty ? setup.token.environment : extra
            environment["ROLESANYWHERE_PKCS11_PIN"] = pin ?? setup.token.userPIN
            let started = Date()
            let output = try Binaries.rolesanywhere(["credential-process"] + arguments + setup.arns, environment: environment)
            #expect(output.status == status, "\(name): \(output.stderrText)")
            #expect(output.stderrText.hasPrefix("rolesanywhere: "), "\(name)")
            #expect(output.stderrText.contains(message), "\(name): \(output.stderrText)")
            #expect(Date().timeIntervalSince(started) < 30, "\(name) took too long")
            #expect(output.stdout.isEmpty, "\(name)")
        }
    }
}
