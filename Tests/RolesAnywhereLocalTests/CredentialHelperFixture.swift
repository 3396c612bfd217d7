import Foundation
import Logging
import RolesAnywhereLocal
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Synchronization
import RolesAnywhereSupport

/// A running `rolesanywhere-local` with the walkthrough's AWS side (role `bucket-lister`, a trust
/// anchor, a profile) made through its API, and a `myContainer` certificate and key on disk: what
/// the tests of `serve` and `update` need.
final class CredentialHelperFixture: @unchecked Sendable {
    private(set) var local: LocalServerProcess
    let root: TestPKI.Issued
    let anchorArn: String
    let profileArn: String
    let roleArn = "arn:aws:iam::123456789012:role/bucket-lister"
    var directory: TemporaryDirectory { local.directory }
    var certificatePath: String { directory.path("cert.pem") }
    var keyPath: String { directory.path("key.pem") }

    init(sessionDuration: Int? = nil, localArguments: [String] = [], logLevel: String = "warning", logPath: String? = nil) async throws {
        local = try LocalServerProcess(arguments: localArguments, logLevel: logLevel, logPath: logPath)
        root = try TestPKI.makeRoot(commonName: "Helper Test CA")
        let client = SignedHTTPClient(port: local.port)
        let form = { (pairs: [(String, String)]) in (pairs + [("Version", "2010-05-08")]).map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&") }
        for body in [
            form([("Action", "CreateRole"), ("RoleName", "bucket-lister"), ("AssumeRolePolicyDocument", Policies.trustRolesAnywhere)]),
            form([("Action", "PutRolePolicy"), ("RoleName", "bucket-lister"), ("PolicyName", "list"), ("PolicyDocument", Policies.listAllMyBuckets)]),
        ] {
            let answer = try await client.send(try client.query(service: "iam", body))
            guard answer.status == 200 else { throw TestFailure("IAM setup: \(answer.body)") }
        }
        anchorArn = try await Self.create(client, "/trustanchors", [
            "name": "anchor", "enabled": true,
            "source": ["sourceType": "CERTIFICATE_BUNDLE", "sourceData": ["x509CertificateData": root.certificatePEM]],
        ], key: "trustAnchor", arn: "trustAnchorArn")
        var profile: [String: Any] = ["name": "profile", "roleArns": [roleArn], "enabled": true]
        if let sessionDuration { profile["durationSeconds"] = sessionDuration }
        profileArn = try await Self.create(client, "/profiles", profile, key: "profile", arn: "profileArn")
        try writeLeaf()
    }

    /// Creates another enabled trust anchor for a PEM bundle and returns its ARN.
    func createTrustAnchor(pem: String, name: String) async throws -> String {
        try await Self.create(SignedHTTPClient(port: local.port), "/trustanchors", [
            "name": name, "enabled": true,
            "source": ["sourceType": "CERTIFICATE_BUNDLE", "sourceData": ["x509CertificateData": pem]],
        ], key: "trustAnchor", arn: "trustAnchorArn")
    }

    /// Creates a Roles Anywhere resource with a signed POST and returns its ARN.
    static func create(_ client: SignedHTTPClient, _ path: String, _ json: [String: Any], key: String, arn: String) async throws -> String {
        let request = try client.signed(
            service: "rolesanywhere", path: path, headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: json))
        )
        let answer = try await client.send(request)
        guard answer.status == 201,
            let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let value = (object[key] as? [String: Any])?[arn] as? String
        else { throw TestFailure("\(path): \(answer.status) \(answer.body)") }
        return value
    }

    /// Issues a new `myContainer` leaf (a new serial) and writes it and its key, as a rotation would.
    @discardableResult
    func writeLeaf(commonName: String = "myContainer") throws -> TestPKI.Issued {
        let leaf = try TestPKI.makeLeaf(issuer: root, commonName: commonName)
        try directory.write("key.pem", leaf.privateKeyPEM)
        try directory.write("cert.pem", leaf.certificatePEM)
        return leaf
    }

    var endpoint: String { local.endpoint }

    /// The helper's credential flags for this setup.
    var helperFlags: [String] {
        [
            "--certificate", certificatePath, "--private-key", keyPath, "--trust-anchor-arn", anchorArn, "--profile-arn", profileArn,
            "--role-arn", roleArn, "--endpoint", endpoint, "--no-verify-ssl",
        ]
    }

    /// A CreateSession client for this setup (what `serve` and `update` run), counting its calls.
    /// `firstDuration` asks for shorter credentials on the first call only, so that a test can let
    /// them expire (on its manual clock) while later ones stay valid.
    func fetch(counter: FetchCounter, firstDuration: Int? = nil, environment: [String: String] = [:]) throws -> CredentialRefresher.Fetch {
        let settings = CredentialRequestSettings(roleArn: roleArn, profileArn: profileArn, trustAnchorArn: anchorArn, endpoint: endpoint, noVerifySSL: true)
        var resolved = try settings.resolve(environment: environment)
        resolved.client.retry = RetryPolicy(maxAttempts: 1)
        resolved.client.connectTimeout = .seconds(2)
        let client = RolesAnywhereClient(configuration: resolved.client)
        let identity = ReloadingIdentity(source: FileIdentitySource(certificatePath: certificatePath, privateKeyPath: keyPath), logger: .init(label: "test"))
        let input = resolved.input
        return { () throws(CredentialsError) -> SessionCredentials in
            var input = input
            if counter.value == 0, let firstDuration { input.durationSeconds = firstDuration }
            counter.increment()
            return try await client.createSession(input, identity: { () throws(CredentialsError) in try identity.identity() }).sessionCredentials()
        }
    }

    /// Kills the server (an outage).
    func stopService() {
        local.kill()
    }

    /// Starts the server again on the same port and state (the end of the outage).
    func restartService() throws {
        local = try LocalServerProcess(arguments: ["--port", String(local.port)], directory: local.directory, statePath: local.statePath)
    }

    /// The session name the server recorded for an access key (the certificate's serial by default).
    func sessionName(of accessKeyId: String) async throws -> String? {
        try await local.openStore().session(accessKeyId: accessKeyId)?.sessionName
    }
}

/// Counts calls across tasks.
final class FetchCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
