import Foundation
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import Testing

/// `rolesanywhere-local --upstream` in front of a real moto server (`moto[server]` from PyPI): the
/// walkthrough's role lives in moto (made there with the AWS CLI), the trust anchor and profile
/// here; the helper's credentials come from moto's `sts:AssumeRole` and work against moto.
@Suite(.serialized)
struct UpstreamModeTests {
    /// moto, ours in front of it, the walkthrough's PKI, and the AWS CLI pointed at either.
    final class Setup: @unchecked Sendable {
        let moto: BackgroundServer
        /// moto's access log.
        let motoDirectory: TemporaryDirectory
        let local: LocalServerProcess
        let root: TestPKI.Issued
        let anchorArn: String
        let profileArn: String
        let roleArn = "arn:aws:iam::123456789012:role/bucket-lister"
        var directory: TemporaryDirectory { local.directory }
        var motoEndpoint: String { "http://127.0.0.1:\(moto.port)" }

        init(profileRoles: [String]? = nil) async throws {
            motoDirectory = try TemporaryDirectory(prefix: "moto")
            moto = try BackgroundServer(
                "python3", [Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/moto_upstream.py").path],
                standardErrorPath: motoDirectory.path("moto.log")
            )
            local = try LocalServerProcess(arguments: ["--upstream", "http://127.0.0.1:\(moto.port)", "--upstream-timeout", "5"], logLevel: "info", logPath: nil)
            root = try TestPKI.makeRoot(commonName: "Upstream Test CA")
            // The role, in moto, with the AWS CLI.
            try Self.expectOK(
                try Self.cli(
                    endpoint: "http://127.0.0.1:\(moto.port)", local: local,
                    ["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", Policies.trustRolesAnywhere]
                )
            )
            // The trust anchor and profile, here.
            let client = SignedHTTPClient(port: local.port)
            anchorArn = try await CredentialHelperFixture.create(client, "/trustanchors", [
                "name": "anchor", "enabled": true,
                "source": ["sourceType": "CERTIFICATE_BUNDLE", "sourceData": ["x509CertificateData": root.certificatePEM]],
            ], key: "trustAnchor", arn: "trustAnchorArn")
            profileArn = try await CredentialHelperFixture.create(client, "/profiles", [
                "name": "profile", "roleArns": profileRoles ?? [roleArn], "enabled": true, "durationSeconds": 900,
            ], key: "profile", arn: "profileArn")
        }

        static func expectOK(_ output: ChildProcess.Output, sourceLocation: SourceLocation = #_sourceLocation) throws {
            guard output.status == 0 else { throw TestFailure("failed (\(output.status)): \(output.stderrText) \(output.stdoutText)") }
        }

        /// The AWS CLI against moto itself.
        func motoCLI(_ arguments: [String], as credentials: LocalServerProcess.Credentials = LocalServerProcess.admin) throws -> ChildProcess.Output {
            try Self.cli(endpoint: motoEndpoint, local: local, arguments, as: credentials)
        }

        static func cli(
            endpoint: String, local: LocalServerProcess, _ arguments: [String], as credentials: LocalServerProcess.Credentials = LocalServerProcess.admin
        ) throws -> ChildProcess.Output {
            try ChildProcess.run(
                "aws", ["--endpoint-url", endpoint, "--output", "json"] + arguments, environment: local.awsEnvironment(credentials),
                currentDirectory: local.directory.url.path
            )
        }

        /// A leaf of the test CA with this CN, written as cert.pem and key.pem.
        func writeLeaf(commonName: String) throws {
            let leaf = try TestPKI.makeLeaf(issuer: root, commonName: commonName)
            try directory.write("key.pem", leaf.privateKeyPEM)
            try directory.write("cert.pem", leaf.certificatePEM)
        }

        /// `rolesanywhere credential-process` through our endpoint.
        func credentialProcess(roleArn: String? = nil) throws -> ChildProcess.Output {
            try ChildProcess.run(Binaries.path("rolesanywhere"), [
                "credential-process", "--certificate", directory.path("cert.pem"), "--private-key", directory.path("key.pem"),
                "--trust-anchor-arn", anchorArn, "--profile-arn", profileArn, "--role-arn", roleArn ?? self.roleArn,
                "--endpoint", local.endpoint, "--no-verify-ssl",
            ], environment: local.awsEnvironment())
        }

        func sessionCredentials(_ output: ChildProcess.Output) throws -> LocalServerProcess.Credentials {
            guard output.status == 0, let json = output.json, let id = json["AccessKeyId"] as? String, let secret = json["SecretAccessKey"] as? String,
                let token = json["SessionToken"] as? String
            else { throw TestFailure("credential-process failed (\(output.status)): \(output.stderrText)") }
            return LocalServerProcess.Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
    }

    @Test func credentialsFromOurCreateSessionAreMotosAndWorkAgainstMoto() async throws {
        let setup = try await Setup()
        #expect(setup.local.server.startupOutput.contains("upstream=http://127.0.0.1:\(setup.moto.port) serves=rolesanywhere"))
        try setup.writeLeaf(commonName: "myContainer")
        let session = try setup.sessionCredentials(try setup.credentialProcess())
        #expect(session.accessKeyID.hasPrefix("ASIA") || session.accessKeyID.hasPrefix("FSIA"), "\(session.accessKeyID)")

        // moto knows them: it names the assumed role.
        let identity = try setup.motoCLI(["sts", "get-caller-identity"], as: session)
        try Setup.expectOK(identity)
        let arn = try #require(identity.json?["Arn"] as? String)
        #expect(arn.hasPrefix("arn:aws:sts::123456789012:assumed-role/bucket-lister/"), "\(arn)")

        // moto's buckets, straight from moto and through our endpoint.
        try Setup.expectOK(try setup.motoCLI(["s3api", "create-bucket", "--bucket", "moto-bucket"]))
        let direct = try setup.motoCLI(["s3", "ls"], as: session)
        try Setup.expectOK(direct)
        #expect(direct.stdoutText.contains("moto-bucket"))
        let forwarded = try setup.local.aws(["s3", "ls"], as: session)
        try Setup.expectOK(forwarded)
        #expect(forwarded.stdoutText.contains("moto-bucket"))
        // IAM through our endpoint is moto's too (ours is off).
        let role = try setup.local.aws(["iam", "get-role", "--role-name", "bucket-lister"])
        try Setup.expectOK(role)
        #expect((role.json?["Role"] as? [String: Any])?["Arn"] as? String == setup.roleArn)
    }

    @Test func theTrustPolicyInMotoIsEnforcedHereAndUnknownRolesAreRefused() async throws {
        let setup = try await Setup(profileRoles: ["arn:aws:iam::123456789012:role/bucket-lister", "arn:aws:iam::123456789012:role/not-in-moto"])
        try setup.writeLeaf(commonName: "someoneElse")
        let refused = try setup.credentialProcess()
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("AccessDeniedException"), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("trust policy"), "\(refused.stderrText)")

        try setup.writeLeaf(commonName: "myContainer")
        let unknown = try setup.credentialProcess(roleArn: "arn:aws:iam::123456789012:role/not-in-moto")
        #expect(unknown.status != 0)
        #expect(unknown.stderrText.contains("AccessDeniedException"), "\(unknown.stderrText)")
        #expect(unknown.stderrText.contains("does not exist"), "\(unknown.stderrText)")
    }

    @Test func a50MiBUploadThroughOurEndpointArrivesIntact() async throws {
        let setup = try await Setup()
        try Setup.expectOK(try setup.motoCLI(["s3api", "create-bucket", "--bucket", "big"]))
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 50 << 20)
        for index in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { random in
                for offset in 0..<8 { bytes[index + offset] = random[offset] }
            }
        }
        let source = try setup.directory.write("upload.bin", bytes)
        // The CLI splits it into multipart parts: every part is forwarded.
        try Setup.expectOK(try setup.local.aws(["s3", "cp", source, "s3://big/upload.bin"]))
        let back = setup.directory.path("download.bin")
        try Setup.expectOK(try setup.motoCLI(["s3", "cp", "s3://big/upload.bin", back]))
        let downloaded = try [UInt8](Data(contentsOf: URL(fileURLWithPath: back)))
        #expect(downloaded.count == bytes.count)
        #expect(downloaded == bytes)
        // HEAD through ours: the upstream's length, and no body.
        let head = try setup.local.aws(["s3api", "head-object", "--bucket", "big", "--key", "upload.bin"])
        try Setup.expectOK(head)
        #expect(head.json?["ContentLength"] as? Int == bytes.count)
        // And a download through ours streams it back as well.
        let again = setup.directory.path("again.bin")
        try Setup.expectOK(try setup.local.aws(["s3", "cp", "s3://big/upload.bin", again]))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: again))) == bytes)
    }

    /// moto checks no signature, so the upstream here is a second rolesanywhere-local, which
    /// checks every SigV4 signature: the client signs for our endpoint's Host, and the upstream
    /// verifies what reaches it, headers and body included.
    @Test func forwardedRequestsReachTheUpstreamExactlyAsTheClientSignedThem() throws {
        let upstream = try LocalServerProcess()
        let local = try LocalServerProcess(arguments: ["--upstream", upstream.endpoint])
        let identity = try local.aws(["sts", "get-caller-identity"])
        try Setup.expectOK(identity)
        #expect(identity.json?["Account"] as? String == "123456789012")
        try Setup.expectOK(try local.aws(["s3api", "create-bucket", "--bucket", "signed"]))
        let file = try local.directory.write("object.txt", Array(repeating: UInt8(ascii: "x"), count: 3 << 20))
        try Setup.expectOK(try local.aws(["s3", "cp", file, "s3://signed/object.txt"]))
        let listed = try upstream.aws(["s3api", "list-objects-v2", "--bucket", "signed"])
        try Setup.expectOK(listed)
        #expect(((listed.json?["Contents"] as? [[String: Any]])?.first?["Size"] as? Int) == 3 << 20)
        // A wrong signature is still refused, by the upstream, and its answer comes back as it was.
        let wrong = try local.aws(["s3", "ls"], as: LocalServerProcess.Credentials(accessKeyID: LocalServerProcess.admin.accessKeyID, secretAccessKey: "not-the-secret-key-at-all"))
        #expect(wrong.status != 0)
        #expect(wrong.stderrText.contains("SignatureDoesNotMatch"), "\(wrong.stderrText)")
    }

    @Test func withMotoGoneCreateSessionFailsClearlyAndRolesAnywhereIsStillServed() async throws {
        let setup = try await Setup()
        try setup.writeLeaf(commonName: "myContainer")
        _ = try setup.sessionCredentials(try setup.credentialProcess())
        setup.moto.stop()

        let started = Date()
        let failed = try setup.credentialProcess()
        #expect(failed.status == 6, "the service kept failing: \(failed.status)")
        #expect(failed.stderrText.contains("InternalServerException"), "\(failed.stderrText)")
        #expect(failed.stderrText.contains("127.0.0.1:\(setup.moto.port)"), "\(failed.stderrText)")
        #expect(Date().timeIntervalSince(started) < 60, "no hang")
        // Forwarded calls get an AWS-shaped 503 naming the upstream.
        let s3 = try setup.local.aws(["s3api", "list-buckets"])
        #expect(s3.status != 0)
        #expect(s3.stderrText.contains("did not answer"), "\(s3.stderrText)")
        // Roles Anywhere is ours, and still served.
        let anchors = try setup.local.aws(["rolesanywhere", "list-trust-anchors"])
        try Setup.expectOK(anchors)
        #expect(anchors.stdoutText.contains(setup.anchorArn))
    }
}
