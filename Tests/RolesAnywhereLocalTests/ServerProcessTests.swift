import Foundation
import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import RolesAnywhereSupport

/// The `rolesanywhere-local` executable: its flags, its READY line, TLS, shutdown, and its state
/// across restarts and crashes.
@Suite("rolesanywhere-local process")
struct ServerProcessTests {
    static var binary: String { Binaries.path("rolesanywhere-local") }

    @Test("the READY line gives the port, the endpoint and the admin credentials")
    func readyLine() throws {
        let directory = try TemporaryDirectory(prefix: "ready")
        let process = Subprocess()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--port", "0", "--state", ":memory:", "--account-id", "210987654321", "--region", "eu-west-2"]
        let output = directory.path("stdout")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            ChildProcess.waitForExit(process, timeout: 10)
        }
        var line = ""
        let deadline = Date().addingTimeInterval(30)
        while !line.contains("\n"), Date() < deadline {
            usleep(20_000)
            line = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        let fields = line.trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        #expect(fields.first == "READY")
        let port = try #require(fields.count > 1 ? Int(fields[1]) : nil)
        #expect(fields.contains("endpoint=http://127.0.0.1:\(port)"))
        #expect(fields.contains("region=eu-west-2"))
        #expect(fields.contains("account-id=210987654321"))
        #expect(fields.contains("aws_access_key_id=AKIAIOSFODNN7EXAMPLE"))
        #expect(fields.contains("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))

        // The account and region flags reach the answers.
        let local = try ChildProcess.run("aws", ["--endpoint-url", "http://127.0.0.1:\(port)", "sts", "get-caller-identity", "--output", "json"], environment: [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.url.path,
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_DEFAULT_REGION": "eu-west-2",
        ])
        #expect(local.json?["Arn"] as? String == "arn:aws:iam::210987654321:root", "\(local.stderrText)")
    }

    @Test("--help documents every flag; bad flags are usage errors with a message")
    func flags() throws {
        let help = try ChildProcess.run(Self.binary, ["--help"])
        #expect(help.status == 0)
        for flag in ["--host", "--port", "--region", "--account-id", "--state", "--tls-cert", "--tls-key", "--admin-access-key-id", "--admin-secret-access-key", "--max-clock-skew", "--log-level"] {
            #expect(help.stdoutText.contains(flag), "help lacks \(flag)")
        }
        let cases: [([String], String)] = [
            (["--account-id", "12345"], "--account-id must be 12 digits"),
            (["--region", "moon"], "--region must be a region name"),
            (["--port", "70000"], "--port must be between 0 and 65535"),
            (["--tls-cert", "/tmp/cert.pem"], "--tls-cert and --tls-key go together"),
            (["--admin-access-key-id", "ASIA0000000000000000"], "must not start with ASIA"),
            (["--log-level", "loud"], "--log-level must be one of"),
        ]
        for (arguments, message) in cases {
            let output = try ChildProcess.run(Self.binary, arguments + ["--state", ":memory:"])
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stderrText.contains(message), "\(arguments): \(output.stderrText)")
            #expect(!output.stderrText.contains("Fatal error"))
        }
    }

    @Test("start-up failures are clear: a port in use, a state file another server holds, an unreadable TLS key, a state path it cannot create")
    func startupFailures() throws {
        let running = try LocalServerProcess()
        let inUse = try ChildProcess.run(Self.binary, ["--port", String(running.port), "--state", ":memory:"])
        #expect(inUse.status == 2)
        #expect(inUse.stderrText.contains("already in use"), "\(inUse.stderrText)")

        // One server per state file: a second would write behind the first one's caches.
        let shared = try ChildProcess.run(Self.binary, ["--port", "0", "--state", running.statePath])
        #expect(shared.status == 2)
        #expect(shared.stderrText.contains("is in use by another rolesanywhere-local"), "\(shared.stderrText)")
        #expect(!shared.stderrText.contains("READY") && !shared.stdoutText.contains("READY"))
        try running.awsOK(["s3api", "list-buckets"])
        let lockMode = try FileManager.default.attributesOfItem(atPath: running.statePath + ".lock")[.posixPermissions] as? Int
        #expect(lockMode == 0o600)

        let directory = try TemporaryDirectory(prefix: "startup")
        let certificate = try directory.write("cert.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        let badTLS = try ChildProcess.run(Self.binary, ["--port", "0", "--state", ":memory:", "--tls-cert", certificate, "--tls-key", directory.path("missing.key")])
        #expect(badTLS.status == 2)
        #expect(badTLS.stderrText.contains("cannot use the TLS certificate"), "\(badTLS.stderrText)")

        let blocker = try directory.write("file", "not a directory")
        let badState = try ChildProcess.run(Self.binary, ["--port", "0", "--state", blocker + "/state.sqlite"])
        #expect(badState.status == 2)
        #expect(badState.stderrText.contains("state"), "\(badState.stderrText)")
        #expect(!badState.stderrText.contains("Fatal error"))
    }

    @Test("HTTPS with --tls-cert/--tls-key: the AWS CLI trusts it through AWS_CA_BUNDLE")
    func tls() throws {
        let directory = try TemporaryDirectory(prefix: "tls")
        let ca = try TestPKI.makeRoot(commonName: "Local TLS CA")
        let server = try TestPKI.makeTLSServer(issuer: ca)
        let bundle = try directory.write("ca.pem", ca.certificatePEM)
        let certificate = try directory.write("server.pem", server.certificatePEM)
        let key = try directory.write("server.key", server.privateKeyPEM, mode: 0o600)
        let local = try LocalServerProcess(arguments: ["--tls-cert", certificate, "--tls-key", key], directory: directory)
        let https = "https://127.0.0.1:\(local.port)"
        let identity = try ChildProcess.run("aws", ["--endpoint-url", https, "sts", "get-caller-identity", "--output", "json"], environment: local.awsEnvironment(extra: ["AWS_CA_BUNDLE": bundle]))
        #expect(identity.status == 0, "\(identity.stderrText)")
        #expect(identity.json?["Arn"] as? String == "arn:aws:iam::123456789012:root")
        let s3 = try ChildProcess.run("aws", ["--endpoint-url", https, "s3", "mb", "s3://over-tls"], environment: local.awsEnvironment(extra: ["AWS_CA_BUNDLE": bundle]))
        #expect(s3.status == 0, "\(s3.stderrText)")
        // Without the CA the client refuses the server.
        let untrusted = try ChildProcess.run("aws", ["--endpoint-url", https, "sts", "get-caller-identity"], environment: local.awsEnvironment())
        #expect(untrusted.status != 0)
        #expect(untrusted.stderrText.contains("SSL") || untrusted.stderrText.contains("certificate"))
    }

    @Test("SIGTERM and SIGINT stop the server gracefully, with exit status 0")
    func gracefulShutdown() throws {
        for signal in [SIGTERM, SIGINT] {
            let directory = try TemporaryDirectory(prefix: "shutdown")
            // Started through Python so the signals are unblocked whatever the test runner blocks.
            let server = try BackgroundServer("python3", [
                "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT}); os.execv(sys.argv[1], sys.argv[1:])",
                Self.binary, "--port", "0", "--state", directory.path("state.sqlite"),
            ])
            kill(server.process.processIdentifier, signal)
            ChildProcess.waitForExit(server.process, timeout: 20)
            #expect(!server.process.isRunning)
            #expect(server.process.terminationReason == .exit)
            #expect(server.process.terminationStatus == 0)
        }
    }

    @Test("state survives a restart: roles, policies, buckets and objects")
    func restart() async throws {
        let first = try LocalServerProcess()
        try first.awsOK(["iam", "create-role", "--role-name", "durable", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try first.awsOK(["iam", "put-role-policy", "--role-name", "durable", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        try first.awsOK(["s3", "mb", "s3://durable-bucket"])
        let file = try first.directory.write("kept.txt", "still here\n")
        try first.awsOK(["s3", "cp", file, "s3://durable-bucket/kept.txt"])
        let session = try await first.mintSession(roleName: "durable")

        let second = try first.restarted()
        #expect(try second.awsOK(["iam", "get-role", "--role-name", "durable"])?["Role"] != nil)
        #expect(try second.awsOK(["iam", "list-role-policies", "--role-name", "durable"])?["PolicyNames"] as? [String] == ["list"])
        let copy = second.directory.path("copy.txt")
        try second.awsOK(["s3", "cp", "s3://durable-bucket/kept.txt", copy])
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "still here\n")
        // A session minted before the restart still works, with its role's permissions.
        #expect(try second.aws(["s3", "ls"], as: session).stdoutText.contains("durable-bucket"))
    }

    @Test("kill -9 in the middle of writes loses no acknowledged object and leaves a consistent database")
    func crashMidWrite() async throws {
        let first = try LocalServerProcess()
        try first.awsOK(["s3", "mb", "s3://crash-bucket"])
        let log = first.directory.path("acknowledged.txt")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let writer = Subprocess()
        writer.executableURL = URL(fileURLWithPath: try ChildProcess.resolve("python3"))
        writer.arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/put_until_killed.py").path, first.endpoint, "crash-bucket"]
        writer.environment = first.awsEnvironment()
        writer.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count < 40 {
            usleep(20_000)
        }
        first.kill()
        ChildProcess.waitForExit(writer, timeout: 30)
        let acknowledged = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(acknowledged.count >= 40)

        let second = try first.restarted()
        let store = try second.openStore()
        for key in acknowledged {
            let data = try await store.objectData(bucket: "crash-bucket", key: key)
            #expect(data == Array(String(repeating: key, count: 200).utf8), "\(key) was acknowledged but is missing or damaged")
        }
        // The listing agrees with the store, and the server keeps writing.
        let listed = try await store.objects(bucket: "crash-bucket", prefix: "", after: nil, limit: 100_000)
        #expect(Set(acknowledged).isSubset(of: Set(listed.map(\.key))))
        #expect(listed.count <= acknowledged.count + 1)
        let file = try second.directory.write("after.txt", "after the crash")
        try second.awsOK(["s3", "cp", file, "s3://crash-bucket/after.txt"])
    }

    @Test("boto3 drives IAM, STS and S3 unchanged but for endpoint_url")
    func boto3() throws {
        let local = try LocalServerProcess()
        try local.expectScript("boto3_local_walk.py", expecting: "BOTO3 OK")
    }

    @Test("boto3's multipart uploads: upload_file of 20 MiB, the low-level calls, S3's part rules and errors")
    func boto3Multipart() throws {
        let local = try LocalServerProcess()
        try local.expectScript("boto3_multipart.py", expecting: "MULTIPART OK")
    }

    @Test("boto3's sts.assume_role: trust policies by account and by role, external IDs, session tags and policies, chaining, STS's errors")
    func boto3AssumeRole() throws {
        let local = try LocalServerProcess()
        try local.expectScript("boto3_assume_role.py", expecting: "ASSUME ROLE OK")
    }

    @Test("signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, with and without a signed trailer): stored when every chunk signature chains, refused otherwise")
    func signedStreaming() throws {
        let local = try LocalServerProcess()
        try local.expectScript("signed_streaming.py", expecting: "STREAMING OK")
    }

    @Test("presigned URLs (SigV2 and SigV4, GET and PUT, aws s3 presign) work for the administrator and for a Roles Anywhere session")
    func presignedURLs() async throws {
        let local = try LocalServerProcess()
        try local.expectScript("boto3_presigned.py", ["presigned-admin"], expecting: "PRESIGNED OK")

        // A workload's session: its token travels in the URL, and its policy decides.
        try local.awsOK(["iam", "create-role", "--role-name", "presigner", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK([
            "iam", "put-role-policy", "--role-name", "presigner", "--policy-name", "s3",
            "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        ])
        let session = try await local.mintSession(roleName: "presigner", tags: ["x509Subject/CN": "myContainer"])
        try local.expectScript("boto3_presigned.py", ["presigned-session"], as: session, expecting: "PRESIGNED OK (session)")
    }

    @Test("logs say why a request was refused and never contain a secret, a token or a signature")
    func logsWithoutSecrets() async throws {
        let directory = try TemporaryDirectory(prefix: "logs")
        let logPath = directory.path("server.log")
        let local = try LocalServerProcess(directory: directory, logLevel: "trace", logPath: logPath)
        try local.awsOK(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let session = try await local.mintSession(roleName: "bucket-lister")
        try local.awsOK(["s3", "ls"], as: session)
        _ = try local.aws(["s3", "mb", "s3://denied-bucket"], as: session)
        _ = try local.aws(["sts", "get-caller-identity"], as: LocalServerProcess.Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "a-wrong-secret-access-key"))
        let client = SignedHTTPClient(port: local.port)
        let signed = try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15")
        _ = try await client.send(signed)
        local.kill()

        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("code=AccessDenied"), "the denial and its reason are logged")
        #expect(log.contains("code=SignatureDoesNotMatch"))
        let secrets = [
            LocalServerProcess.admin.secretAccessKey, session.secretAccessKey, try #require(session.sessionToken), "a-wrong-secret-access-key",
            try #require(signed.headers.first(named: "authorization")?.components(separatedBy: "Signature=").last),
        ]
        for secret in secrets {
            #expect(!log.contains(secret), "the log contains a secret: \(secret.prefix(12))...")
        }
    }
}
