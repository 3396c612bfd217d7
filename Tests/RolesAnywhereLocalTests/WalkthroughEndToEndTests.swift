import Foundation
import RolesAnywhereTesting
import Testing

/// The walkthrough (steps 1-8 of shared/docs/WALKTHROUGH.md) against a running
/// `rolesanywhere-local`, with the real AWS CLI and our helper as its `credential_process`, and
/// with a client we did not write (awslabs' Python `iam-rolesanywhere-session`).
@Suite("The walkthrough, offline")
struct WalkthroughEndToEndTests {
    /// A CA and a one-day `myContainer` certificate made with `rolesanywhere pki`, as the walkthrough does.
    struct Material {
        let directory: TemporaryDirectory
        var caCertificate: String { directory.path("ca-cert.pem") }
        var caKey: String { directory.path("ca-key.pem") }
        var certificate: String { directory.path("cert.pem") }
        var key: String { directory.path("key.pem") }

        init(directory: TemporaryDirectory, commonName: String = "myContainer") throws {
            self.directory = directory
            if !FileManager.default.fileExists(atPath: directory.path("ca-cert.pem")) {
                let ca = try Binaries.rolesanywhere(["pki", "ca", "--cn", "Walkthrough CA", "--out-cert", directory.path("ca-cert.pem"), "--out-key", directory.path("ca-key.pem")])
                guard ca.status == 0 else { throw TestFailure("pki ca: \(ca.stderrText)") }
            }
            let issue = try Binaries.rolesanywhere([
                "pki", "issue", "--ca-cert", directory.path("ca-cert.pem"), "--ca-key", directory.path("ca-key.pem"), "--cn", commonName, "--days", "1",
                "--out-cert", directory.path("cert.pem"), "--out-key", directory.path("key.pem"), "--force",
            ])
            guard issue.status == 0 else { throw TestFailure("pki issue: \(issue.stderrText)") }
        }
    }

    /// Steps 3-5: the role, its policies, the trust anchor and the profile, with the AWS CLI.
    static func createAWSSide(_ local: LocalServerProcess, material: Material) throws -> (anchor: String, profile: String, role: String) {
        let trust = try local.directory.write("trust-policy.json", Policies.trustRolesAnywhere)
        let permissions = try local.directory.write("policy.json", Policies.listAllMyBuckets)
        let role = try #require(try local.awsOK(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", "file://\(trust)"])?["Role"] as? [String: Any])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list-buckets", "--policy-document", "file://\(permissions)"])
        let pem = try String(contentsOfFile: material.caCertificate, encoding: .utf8)
        let anchor = try #require(try local.awsOK([
            "rolesanywhere", "create-trust-anchor", "--name", "myPrivateCA",
            "--source", "sourceData={x509CertificateData=\(pem)},sourceType=CERTIFICATE_BUNDLE", "--enabled",
        ])?["trustAnchor"] as? [String: Any])
        let roleArn = try #require(role["Arn"] as? String)
        let profile = try #require(try local.awsOK(["rolesanywhere", "create-profile", "--name", "bucket-lister", "--role-arns", roleArn, "--enabled"])?["profile"] as? [String: Any])
        return (try #require(anchor["trustAnchorArn"] as? String), try #require(profile["profileArn"] as? String), roleArn)
    }

    /// Step 6: `credential_process` in an AWS config file, with our helper.
    static func writeConfig(_ local: LocalServerProcess, material: Material, arns: (anchor: String, profile: String, role: String)) throws -> String {
        let line = [
            Binaries.path("rolesanywhere"), "credential-process", "--certificate", material.certificate, "--private-key", material.key,
            "--trust-anchor-arn", arns.anchor, "--profile-arn", arns.profile, "--role-arn", arns.role,
            "--endpoint", local.endpoint, "--no-verify-ssl",
        ].joined(separator: " ")
        return try local.directory.write("config", "[profile roles-anywhere]\nregion = us-east-1\ncredential_process = \(line)\n")
    }

    /// Runs the AWS CLI as the workload: no keys, only the profile. `AWS_ENDPOINT_URL` points the
    /// clients the CLI makes for itself (STS, for a `role_arn` profile) at the server too.
    static func asWorkload(_ local: LocalServerProcess, config: String, profile: String = "roles-anywhere", _ arguments: [String]) throws -> ChildProcess.Output {
        var environment = local.awsEnvironment()
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        environment["AWS_CONFIG_FILE"] = config
        environment["AWS_ENDPOINT_URL"] = local.endpoint
        return try ChildProcess.run("aws", ["--endpoint-url", local.endpoint, "--profile", profile, "--output", "json"] + arguments, environment: environment)
    }

    @Test("role chaining: a role_arn profile with the Roles Anywhere profile as its source_profile assumes a second role")
    func roleChaining() throws {
        let local = try LocalServerProcess()
        let material = try Material(directory: local.directory)
        let arns = try Self.createAWSSide(local, material: material)
        // The CLI caches assumed-role credentials in ~/.aws/cli/cache by role ARN: names of this
        // run only, so that no earlier run's (and earlier server's) credentials are reused.
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        // A role that trusts the Roles Anywhere role by name, and may create buckets. The session
        // carries the certificate's source identity, so the next trust policy must allow
        // sts:SetSourceIdentity too.
        let trustsRole = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\#(arns.role)"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"myContainer"}}}]}"#
        let writer = try #require(try local.awsOK(["iam", "create-role", "--role-name", "report-writer-\(run)", "--assume-role-policy-document", trustsRole])?["Role"] as? [String: Any])
        try local.awsOK([
            "iam", "put-role-policy", "--role-name", "report-writer-\(run)", "--policy-name", "buckets",
            "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:CreateBucket","Resource":"*"}]}"#,
        ])
        // A role that trusts only the account: the caller's own policies must allow it too.
        let trustsAccount = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}"#
        let guarded = try #require(try local.awsOK(["iam", "create-role", "--role-name", "account-trusting-\(run)", "--assume-role-policy-document", trustsAccount])?["Role"] as? [String: Any])
        // A role that trusts the Roles Anywhere role but not to carry its source identity.
        let withoutSource = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\#(arns.role)"},"Action":"sts:AssumeRole"}]}"#
        let sourceless = try #require(try local.awsOK(["iam", "create-role", "--role-name", "no-source-identity-\(run)", "--assume-role-policy-document", withoutSource])?["Role"] as? [String: Any])
        var config = try String(contentsOfFile: try Self.writeConfig(local, material: material, arns: arns), encoding: .utf8)
        config += """
            [profile chained]
            region = us-east-1
            role_arn = \(try #require(writer["Arn"] as? String))
            source_profile = roles-anywhere
            role_session_name = nightly-report
            [profile long]
            region = us-east-1
            role_arn = \(try #require(writer["Arn"] as? String))
            source_profile = roles-anywhere
            duration_seconds = 7200
            [profile guarded]
            region = us-east-1
            role_arn = \(try #require(guarded["Arn"] as? String))
            source_profile = roles-anywhere
            [profile sourceless]
            region = us-east-1
            role_arn = \(try #require(sourceless["Arn"] as? String))
            source_profile = roles-anywhere

            """
        let configPath = try local.directory.write("chained-config", config)

        let identity = try Self.asWorkload(local, config: configPath, profile: "chained", ["sts", "get-caller-identity"])
        #expect(identity.status == 0, "\(identity.stderrText)")
        #expect(identity.json?["Arn"] as? String == "arn:aws:sts::123456789012:assumed-role/report-writer-\(run)/nightly-report")
        // The second role's permissions, not the first's: it may create a bucket, bucket-lister may not.
        let created = try Self.asWorkload(local, config: configPath, profile: "chained", ["s3", "mb", "s3://chained-reports"])
        #expect(created.status == 0, "\(created.stderrText)")
        #expect(try Self.asWorkload(local, config: configPath, ["s3", "mb", "s3://not-for-bucket-lister"]).stderrText.contains("AccessDenied"))
        // Role chaining is capped at one hour.
        let long = try Self.asWorkload(local, config: configPath, profile: "long", ["sts", "get-caller-identity"])
        #expect(long.status != 0)
        #expect(long.stderrText.contains("1 hour session limit for roles assumed by role chaining"), "\(long.stderrText)")
        // Trusted through the account only, and bucket-lister's own policy does not allow sts:AssumeRole.
        let refused = try Self.asWorkload(local, config: configPath, profile: "guarded", ["sts", "get-caller-identity"])
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("AccessDenied"), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("is not authorized to perform: sts:AssumeRole on resource: \(try #require(guarded["Arn"] as? String))"))
        let withoutSetSourceIdentity = try Self.asWorkload(local, config: configPath, profile: "sourceless", ["sts", "get-caller-identity"])
        #expect(withoutSetSourceIdentity.status != 0)
        #expect(withoutSetSourceIdentity.stderrText.contains("AccessDenied"), "\(withoutSetSourceIdentity.stderrText)")
        // Once bucket-lister's own policy allows sts:AssumeRole on it, the account-trusting role opens.
        try local.awsOK([
            "iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "assume",
            "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"\#(try #require(guarded["Arn"] as? String))"}]}"#,
        ])
        let opened = try Self.asWorkload(local, config: configPath, profile: "guarded", ["sts", "get-caller-identity"])
        #expect(opened.status == 0, "\(opened.stderrText)")
    }

    @Test("steps 1-8: PKI, role, trust anchor, profile, credential_process, aws s3 ls, cleanup")
    func walkthrough() throws {
        let local = try LocalServerProcess()
        let material = try Material(directory: local.directory)
        let check = try Binaries.rolesanywhere(["pki", "check", "--ca", material.caCertificate, "--certificate", material.certificate])
        #expect(check.status == 0, "\(check.stdoutText)")
        try local.awsOK(["s3", "mb", "s3://walkthrough-reports"])
        let arns = try Self.createAWSSide(local, material: material)
        let config = try Self.writeConfig(local, material: material, arns: arns)

        let listing = try Self.asWorkload(local, config: config, ["s3", "ls"])
        #expect(listing.status == 0, "\(listing.stderrText)")
        #expect(listing.stdoutText.contains("walkthrough-reports"))
        let identity = try Self.asWorkload(local, config: config, ["sts", "get-caller-identity"])
        let serial = try Binaries.rolesanywhere(["read-certificate-data", "--certificate", material.certificate])
        #expect(identity.json?["Arn"] as? String == "arn:aws:sts::123456789012:assumed-role/bucket-lister/" + (Self.hexSerial(serial.stdoutText) ?? "?"))
        // The role may list buckets, nothing more.
        let create = try Self.asWorkload(local, config: config, ["s3", "mb", "s3://not-allowed"])
        #expect(create.status != 0)
        #expect(create.stderrText.contains("AccessDenied"))

        // Step 8: clean up.
        let profileID = String(arns.profile.split(separator: "/").last!)
        let anchorID = String(arns.anchor.split(separator: "/").last!)
        try local.awsOK(["rolesanywhere", "delete-profile", "--profile-id", profileID])
        try local.awsOK(["rolesanywhere", "delete-trust-anchor", "--trust-anchor-id", anchorID])
        try local.awsOK(["iam", "delete-role-policy", "--role-name", "bucket-lister", "--policy-name", "list-buckets"])
        try local.awsOK(["iam", "delete-role", "--role-name", "bucket-lister"])
        let after = try Self.asWorkload(local, config: config, ["s3", "ls"])
        #expect(after.status != 0, "credentials must no longer be issued")
    }

    @Test("a certificate with another CN is refused: the helper exits 4 with AWS's answer")
    func otherCommonName() throws {
        let local = try LocalServerProcess()
        let material = try Material(directory: local.directory)
        let arns = try Self.createAWSSide(local, material: material)
        let other = try Material(directory: local.directory, commonName: "someoneElse")
        let output = try Binaries.rolesanywhere([
            "credential-process", "--certificate", other.certificate, "--private-key", other.key, "--trust-anchor-arn", arns.anchor,
            "--profile-arn", arns.profile, "--role-arn", arns.role, "--endpoint", local.endpoint, "--no-verify-ssl",
        ])
        #expect(output.status == 4, "\(output.stderrText)")
        #expect(output.stderrText.contains("AccessDeniedException"))
    }

    @Test("the awslabs iam-rolesanywhere-session client gets credentials over HTTPS and uses them")
    func awslabsClient() throws {
        let directory = try TemporaryDirectory(prefix: "awslabs")
        let tlsCA = try TestPKI.makeRoot(commonName: "Local TLS CA")
        let server = try TestPKI.makeTLSServer(issuer: tlsCA)
        let bundle = try directory.write("tls-ca.pem", tlsCA.certificatePEM)
        let local = try LocalServerProcess(
            arguments: ["--tls-cert", try directory.write("server.pem", server.certificatePEM), "--tls-key", try directory.write("server.key", server.privateKeyPEM)],
            directory: directory
        )
        let material = try Material(directory: directory)
        var environment = local.awsEnvironment(extra: ["AWS_CA_BUNDLE": bundle])
        func aws(_ arguments: [String]) throws -> [String: Any]? {
            let output = try ChildProcess.run("aws", ["--endpoint-url", "https://127.0.0.1:\(local.port)", "--output", "json"] + arguments, environment: environment)
            guard output.status == 0 else { throw TestFailure("aws \(arguments.prefix(2)): \(output.stderrText)") }
            return output.json
        }
        _ = try aws(["s3", "mb", "s3://awslabs-bucket"])
        let role = try #require(try aws(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", Policies.trustRolesAnywhere])?["Role"] as? [String: Any])
        _ = try aws(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let pem = try String(contentsOfFile: material.caCertificate, encoding: .utf8)
        let anchor = try #require((try aws(["rolesanywhere", "create-trust-anchor", "--name", "ca", "--source", "sourceData={x509CertificateData=\(pem)},sourceType=CERTIFICATE_BUNDLE", "--enabled"])?["trustAnchor"] as? [String: Any])?["trustAnchorArn"] as? String)
        let roleArn = try #require(role["Arn"] as? String)
        let profile = try #require((try aws(["rolesanywhere", "create-profile", "--name", "p", "--role-arns", roleArn, "--enabled"])?["profile"] as? [String: Any])?["profileArn"] as? String)

        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/awslabs_client.py").path
        let output = try ChildProcess.run("python3", [script, "127.0.0.1:\(local.port)", bundle, material.certificate, material.key, anchor, profile, roleArn], environment: environment)
        #expect(output.status == 0, "\(output.stdoutText)\n\(output.stderrText)")
        #expect(output.stdoutText.contains("caller: arn:aws:sts::123456789012:assumed-role/bucket-lister/"))
        #expect(output.stdoutText.contains("buckets: awslabs-bucket"))
        #expect(output.stdoutText.contains("AWSLABS OK"))
    }

    /// The serial number (hex) from `read-certificate-data`'s decimal `serialNumber`.
    static func hexSerial(_ json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], let decimal = object["serialNumber"] as? String else { return nil }
        var bytes = [UInt8]()
        var digits = decimal.compactMap { $0.wholeNumberValue }
        while !(digits.isEmpty || digits.allSatisfy { $0 == 0 }) {
            var remainder = 0
            var quotient = [Int]()
            for digit in digits {
                let value = remainder * 10 + digit
                quotient.append(value / 256)
                remainder = value % 256
            }
            bytes.insert(UInt8(remainder), at: 0)
            digits = Array(quotient.drop(while: { $0 == 0 }))
        }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
