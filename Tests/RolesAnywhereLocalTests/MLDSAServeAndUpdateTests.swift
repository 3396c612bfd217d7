import Foundation
import RolesAnywhereTesting
import Testing

/// `rolesanywhere serve` and `rolesanywhere update` with an ML-DSA certificate and key made outside
/// the project (`Tests/Scripts/mldsa_certificate.py`), against `rolesanywhere-local` over loopback,
/// with the AWS CLI as the client.
@Suite("serve and update with ML-DSA keys", .serialized)
struct MLDSAServeAndUpdateTests {
    /// The fixture's helper flags with an ML-DSA-65 leaf under an ML-DSA-87 CA (its own anchor), and
    /// the key file `keyFile` (any of the script's forms).
    static func mlDSAFlags(_ fixture: CredentialHelperFixture, keyFile: String) async throws -> [String] {
        let directory = fixture.directory.path("mldsa")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_certificate.py").path
        let made = try ChildProcess.run("python3", [script, directory, "-", "--chain", "ML-DSA-87,ML-DSA-65", "--leaf-cn", "myContainer"])
        guard made.status == 0 else { throw TestFailure("mldsa_certificate.py: \(made.stderrText)") }
        // The trust anchor holding the ML-DSA CA, made as a user makes it: with the AWS CLI.
        let bundle = try String(contentsOfFile: directory + "/ca.pem", encoding: .utf8)
        let created = try ServeAndUpdateCommandTests.aws(
            fixture,
            ["rolesanywhere", "create-trust-anchor", "--name", "mldsa", "--enabled", "--source",
             #"{"sourceType":"CERTIFICATE_BUNDLE","sourceData":{"x509CertificateData":\#(String(decoding: try JSONSerialization.data(withJSONObject: bundle, options: .fragmentsAllowed), as: UTF8.self))}}"#],
            environment: ["AWS_ACCESS_KEY_ID": LocalServerProcess.admin.accessKeyID, "AWS_SECRET_ACCESS_KEY": LocalServerProcess.admin.secretAccessKey]
        )
        guard created.status == 0, let trustAnchor = created.json?["trustAnchor"] as? [String: Any], let anchor = trustAnchor["trustAnchorArn"] as? String else {
            throw TestFailure("aws rolesanywhere create-trust-anchor: \(created.stderrText)\(created.stdoutText)")
        }
        let source = (trustAnchor["source"] as? [String: Any])?["sourceData"] as? [String: Any]
        #expect(source?["x509CertificateData"] as? String == bundle, "the anchor keeps the ML-DSA bundle as given")
        var flags = fixture.helperFlags
        flags[flags.firstIndex(of: fixture.certificatePath)!] = directory + "/leaf.pem"
        flags[flags.firstIndex(of: fixture.keyPath)!] = directory + "/" + keyFile
        flags[flags.firstIndex(of: fixture.anchorArn)!] = anchor
        return flags
    }

    @Test("update --once writes credentials from an ML-DSA key (both form) that the AWS CLI uses")
    func updateOnce() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let flags = try await Self.mlDSAFlags(fixture, keyFile: "leaf-both.pem")
        let path = fixture.directory.path("credentials")
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": path, "HOME": fixture.directory.path("home"), "AWS_EC2_METADATA_DISABLED": "true"]
        let run = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["update", "--once", "--profile", "pq"] + flags, environment: ServeAndUpdateCommandTests.workloadEnvironment(fixture, environment)
        )
        #expect(run.status == 0, "\(run.stderrText)")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let identity = try ServeAndUpdateCommandTests.aws(fixture, ["--profile", "pq", "sts", "get-caller-identity"], environment: environment)
        #expect(identity.status == 0, "\(identity.stderrText)")
        #expect((identity.json?["Arn"] as? String)?.contains("assumed-role/bucket-lister/") == true, "\(identity.stdoutText)")
    }

    @Test("serve hands out credentials from an encrypted ML-DSA key to the AWS CLI through IMDSv2")
    func serve() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let flags = try await Self.mlDSAFlags(fixture, keyFile: "leaf-encrypted.pem")
        let server = try BackgroundServer(
            Binaries.path("rolesanywhere"), ["serve"] + flags + ["--pkcs8-password", "pass phrase", "--port", "0"],
            environment: ServeAndUpdateCommandTests.workloadEnvironment(fixture, [:]), standardErrorPath: fixture.directory.path("serve.log"),
            readyMarker: "Local server started on port: "
        )
        let imds = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)/"]
        let identity = try ServeAndUpdateCommandTests.aws(fixture, ["sts", "get-caller-identity"], environment: imds)
        #expect(identity.status == 0, "\(identity.stderrText)")
        #expect((identity.json?["Arn"] as? String)?.contains("assumed-role/bucket-lister/") == true, "\(identity.stdoutText)")
        #expect(ServeAndUpdateCommandTests.terminate(server) == 0)
    }
}
