import Foundation
import RolesAnywhereTesting
import Synchronization
import Testing
import RolesAnywhereSigning
import RolesAnywhereSupport

/// `rolesanywhere serve` and `rolesanywhere update` as processes, against `rolesanywhere-local`,
/// with clients we did not write: the AWS CLI and boto3.
@Suite("serve and update, end to end", .serialized)
struct ServeAndUpdateCommandTests {
    /// The environment of a workload: no keys, no AWS configuration, metadata lookups allowed.
    static func workloadEnvironment(_ fixture: CredentialHelperFixture, _ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.lowercased().hasSuffix("_proxy") }
        environment["AWS_CONFIG_FILE"] = fixture.directory.path("no-config")
        environment["AWS_SHARED_CREDENTIALS_FILE"] = fixture.directory.path("no-credentials")
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment.merge(extra) { $1 }
        return environment
    }

    static func aws(_ fixture: CredentialHelperFixture, _ arguments: [String], environment extra: [String: String]) throws -> ChildProcess.Output {
        try ChildProcess.run("aws", ["--endpoint-url", fixture.endpoint, "--output", "json"] + arguments, environment: workloadEnvironment(fixture, extra))
    }

    static let boto3Script = """
        import boto3, sys
        session = boto3.Session(region_name="us-east-1")
        credentials = session.get_credentials()
        identity = session.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()
        print(credentials.method, identity["Arn"])
        """

    /// Starts `rolesanywhere serve` and returns it once it listens.
    static func serve(_ fixture: CredentialHelperFixture, _ extra: [String], logPath: String) throws -> BackgroundServer {
        try BackgroundServer(
            Binaries.path("rolesanywhere"), ["serve"] + fixture.helperFlags + ["--port", "0"] + extra,
            environment: workloadEnvironment(fixture, [:]), standardErrorPath: logPath, readyMarker: "Local server started on port: "
        )
    }

    /// Sends SIGTERM and returns the exit status.
    static func terminate(_ server: BackgroundServer) -> Int32 {
        kill(server.process.processIdentifier, SIGTERM)
        ChildProcess.waitForExit(server.process, timeout: 10)
        return server.process.isRunning ? -1 : server.process.terminationStatus
    }

    @Test("the AWS CLI and boto3 get credentials from serve through IMDSv2 and through the container variables; SIGTERM stops it cleanly; nothing secret is logged")
    func clientsThroughServe() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let log = fixture.directory.path("serve.log")
        let tokenFile = fixture.directory.path("container-token")
        let server = try Self.serve(fixture, ["--container-token-file", tokenFile, "--debug"], logPath: log)
        let base = "http://127.0.0.1:\(server.port)"
        let imds = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": base + "/"]
        let container = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile, "AWS_EC2_METADATA_DISABLED": "true"]

        for (name, environment) in [("IMDS", imds), ("container", container)] {
            let identity = try Self.aws(fixture, ["sts", "get-caller-identity"], environment: environment)
            #expect(identity.status == 0, "\(name): \(identity.stderrText)")
            #expect((identity.json?["Arn"] as? String)?.contains("assumed-role/bucket-lister/") == true, "\(name)")
            let listing = try Self.aws(fixture, ["s3api", "list-buckets"], environment: environment)
            #expect(listing.status == 0, "\(name): \(listing.stderrText)")
            let boto = try ChildProcess.run("python3", ["-c", Self.boto3Script, fixture.endpoint], environment: Self.workloadEnvironment(fixture, environment))
            #expect(boto.status == 0, "\(name): \(boto.stderrText)")
            #expect(boto.stdoutText.contains(name == "IMDS" ? "iam-role" : "container-role") && boto.stdoutText.contains("assumed-role/bucket-lister"), "\(boto.stdoutText)")
        }
        // The credentials it handed out, and the tokens, must not be in its log (even with --debug).
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8)
        let document = try ChildProcess.run("curl", ["-s", "-H", "Authorization: \(token)", base + "/v1/credentials"])
        let credentials = try #require(document.json)
        #expect(Self.terminate(server) == 0)
        let logText = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logText.contains("obtained temporary credentials") && logText.contains("stopping"))
        for secret in [credentials["SecretAccessKey"] as? String, credentials["Token"] as? String, token] {
            let secret = try #require(secret)
            #expect(!logText.contains(secret))
        }
        #expect(FileManager.default.fileExists(atPath: tokenFile))
        let mode = (try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }

    /// Scrapes `url` and parses it with the Prometheus project's own parser (prometheus_client):
    /// prints every sample as `name{label="value",...} value`, sorted, and the certificate's
    /// not-after as `certificate_not_after VALUE`.
    static let scrapeScript = """
        import sys, urllib.request
        from cryptography import x509
        from prometheus_client.parser import text_string_to_metric_families
        response = urllib.request.urlopen(sys.argv[1])
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4"), response.headers["Content-Type"]
        lines = []
        for family in text_string_to_metric_families(response.read().decode()):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                lines.append(f"{sample.name}{{{labels}}} {sample.value:.0f}")
        certificate = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
        lines.append(f"certificate_not_after {certificate.not_valid_after_utc.timestamp():.0f}")
        print("\\n".join(sorted(lines)))
        """

    @Test("serve --metrics-port: metrics prometheus_client parses (credential expiry, certificate not-after, refreshes, requests by path and status) and /healthz for probes; no credentials on that port")
    func metrics() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let server = try BackgroundServer(
            Binaries.path("rolesanywhere"), ["serve"] + fixture.helperFlags + ["--port", "0", "--metrics-port", "0"],
            environment: Self.workloadEnvironment(fixture, [:]), standardErrorPath: fixture.directory.path("serve-metrics.log"),
            readyMarker: "# metrics at http://127.0.0.1:"
        )
        defer { _ = Self.terminate(server) }
        let metricsBase = "http://127.0.0.1:\(server.port)"
        let portLine = try #require(server.startupOutput.split(separator: "\n").first { $0.hasPrefix("Local server started on port: ") })
        let base = "http://127.0.0.1:\(portLine.split(separator: " ").last!)"
        #expect(server.startupOutput.contains("health at \(metricsBase)/healthz"))

        // Traffic on the credentials port: a token, the credentials, and a 404.
        let token = try ChildProcess.run("curl", ["-sf", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", base + "/latest/api/token"]).stdoutText
        let document = try #require(try ChildProcess.run("curl", ["-sf", "-H", "x-aws-ec2-metadata-token: \(token)", base + "/latest/meta-data/iam/security-credentials/bucket-lister"]).json)
        _ = try ChildProcess.run("curl", ["-s", "-H", "x-aws-ec2-metadata-token: \(token)", base + "/latest/meta-data/nothing-here"])

        let scraped = try ChildProcess.run("python3", ["-c", Self.scrapeScript, metricsBase + "/metrics", fixture.certificatePath])
        #expect(scraped.status == 0, "\(scraped.stderrText)")
        let samples = Dictionary(scraped.stdoutText.split(separator: "\n").compactMap { line -> (String, Double)? in
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            return (String(line[..<space]), value)
        }, uniquingKeysWith: { $1 })
        let expirationText = try #require(document["Expiration"] as? String)
        let expiration = try #require(AmzDate(iso8601: expirationText)?.date)
        #expect(samples["rolesanywhere_serve_credentials_valid{}"] == 1, "\(scraped.stdoutText)")
        #expect(samples["rolesanywhere_serve_credentials_expiration_timestamp_seconds{}"] == expiration.timeIntervalSince1970.rounded())
        #expect((samples["rolesanywhere_serve_credentials_expires_in_seconds{}"] ?? 0) > 3000)
        #expect(samples["rolesanywhere_serve_certificate_not_after_timestamp_seconds{}"] == samples["certificate_not_after"])
        #expect((samples["rolesanywhere_serve_certificate_expires_in_seconds{}"] ?? 0) > 3600)
        #expect(samples[#"rolesanywhere_serve_refreshes_total{outcome="success"}"#] == 1)
        #expect(samples[#"rolesanywhere_serve_refreshes_total{outcome="failure"}"#] == 0)
        #expect(samples["rolesanywhere_serve_consecutive_refresh_failures{}"] == 0)
        #expect(samples[#"rolesanywhere_serve_requests_total{path="token",status="200"}"#] == 1)
        #expect(samples[#"rolesanywhere_serve_requests_total{path="credentials",status="200"}"#] == 1)
        #expect(samples[#"rolesanywhere_serve_requests_total{path="metadata",status="404"}"#] == 1)
        let raw = try ChildProcess.run("curl", ["-sf", metricsBase + "/metrics"]).stdoutText
        for secret in [document["AccessKeyId"], document["SecretAccessKey"], document["Token"]] {
            #expect(!raw.contains(try #require(secret as? String)))
        }

        // The metrics port answers /healthz and nothing that carries credentials.
        let health = try ChildProcess.run("curl", ["-sf", metricsBase + "/healthz"])
        #expect(health.status == 0 && health.json?["status"] as? String == "ok", "\(health.stdoutText)")
        let tokenThere = try ChildProcess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", metricsBase + "/latest/api/token"])
        #expect(tokenThere.stdoutText == "404")
        let credentialsThere = try ChildProcess.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "x-aws-ec2-metadata-token: \(token)", metricsBase + "/latest/meta-data/iam/security-credentials/bucket-lister"]
        )
        #expect(credentialsThere.stdoutText == "404")
        // The credentials port has no /metrics.
        #expect(try ChildProcess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"]).stdoutText == "404")

        // Flags that cannot work are refused before anything starts.
        let sameAddress = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["serve", "--port", "9911", "--metrics-port", "9911"] + fixture.helperFlags, environment: Self.workloadEnvironment(fixture, [:])
        )
        #expect(sameAddress.status == 2 && sameAddress.stderrText.contains("give the metrics their own port"), "\(sameAddress.stderrText)")
        let addressOnly = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["serve", "--port", "0", "--metrics-address", "0.0.0.0"] + fixture.helperFlags, environment: Self.workloadEnvironment(fixture, [:])
        )
        #expect(addressOnly.status == 2 && addressOnly.stderrText.contains("--metrics-address needs --metrics-port"), "\(addressOnly.stderrText)")
    }

    @Test("serve fails fast, before it listens, with the exit code of the cause; unsafe addresses need an explicit flag")
    func serveFailsFast() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        func serve(_ flags: [String], _ extra: [String]) throws -> ChildProcess.Output {
            try ChildProcess.run(Binaries.path("rolesanywhere"), ["serve", "--port", "0"] + flags + extra, environment: Self.workloadEnvironment(fixture, [:]))
        }
        var wrongRole = fixture.helperFlags
        wrongRole[wrongRole.firstIndex(of: fixture.roleArn)!] = "arn:aws:iam::123456789012:role/not-in-profile"
        let denied = try serve(wrongRole, [])
        #expect(denied.status == 4 && denied.stderrText.contains("AccessDeniedException"), "\(denied.stderrText)")
        #expect(!denied.stdoutText.contains("Local server started"))

        var unreachable = fixture.helperFlags
        unreachable[unreachable.firstIndex(of: fixture.endpoint)!] = "http://127.0.0.1:1"
        let down = try serve(unreachable, [])
        #expect(down.status == 5, "\(down.stderrText)")

        let open = try serve(fixture.helperFlags, ["--address", "0.0.0.0"])
        #expect(open.status == 2 && open.stderrText.contains("--allow-non-loopback"), "\(open.stderrText)")
        let hops = try serve(fixture.helperFlags, ["--address", "0.0.0.0", "--allow-non-loopback", "--hop-limit", "5"])
        #expect(hops.status == 2 && hops.stderrText.contains("--hop-limit must be 1"), "\(hops.stderrText)")
        let busy = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["serve", "--port", String(fixture.local.port)] + fixture.helperFlags, environment: Self.workloadEnvironment(fixture, [:])
        )
        #expect(busy.status == 2 && busy.stderrText.contains("cannot listen"), "\(busy.stderrText)")
    }

    @Test("serve listens on IPv6 loopback when asked")
    func serveIPv6() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let server = try Self.serve(fixture, ["--address", "::1"], logPath: fixture.directory.path("serve6.log"))
        let base = "http://[::1]:\(server.port)"
        let token = try ChildProcess.run("curl", ["-s", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", base + "/latest/api/token"])
        #expect(token.stdoutText.count == 100)
        let identity = try Self.aws(fixture, ["sts", "get-caller-identity"], environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": base + "/"])
        #expect(identity.status == 0, "\(identity.stderrText)")
        #expect(Self.terminate(server) == 0)
    }

    @Test("update --once fills a profile the AWS CLI uses, keeping every other byte of the file; a refusal changes nothing")
    func updateOnce() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let path = fixture.directory.path("aws/credentials")
        try FileManager.default.createDirectory(atPath: fixture.directory.path("aws"), withIntermediateDirectories: true)
        let original = "# team credentials\n[admin]\naws_access_key_id = AKIAADMIN\naws_secret_access_key = admin-secret\n\n[roles-anywhere]\naws_access_key_id = OLDKEY\n; refreshed by rolesanywhere update\nregion = us-east-1"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": path, "HOME": fixture.directory.path("home")]

        let run = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["update", "--once", "--profile", "roles-anywhere"] + fixture.helperFlags, environment: Self.workloadEnvironment(fixture, environment)
        )
        #expect(run.status == 0, "\(run.stderrText)")
        let updated = try String(contentsOfFile: path, encoding: .utf8)
        let keyLines = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("aws_") && !$0.contains("AKIAADMIN") && !$0.contains("admin-secret") } }
        let outside = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).filter { !keyLines(text).contains($0) }.joined(separator: "\n") }
        #expect(outside(updated) == outside(original))
        #expect(updated.hasSuffix("\nregion = us-east-1"))
        #expect(keyLines(updated).count == 3)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let listing = try Self.aws(fixture, ["--profile", "roles-anywhere", "sts", "get-caller-identity"], environment: environment.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { $1 })
        #expect(listing.status == 0, "\(listing.stderrText)")
        #expect((listing.json?["Arn"] as? String)?.contains("assumed-role/bucket-lister") == true)

        let boto = try ChildProcess.run(
            "python3", ["-c", "import boto3,sys; s=boto3.Session(profile_name='roles-anywhere'); print(s.get_credentials().method, s.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()['Arn'])", fixture.endpoint],
            environment: Self.workloadEnvironment(fixture, environment.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { $1 })
        )
        #expect(boto.status == 0, "\(boto.stderrText)")
        #expect(boto.stdoutText.hasPrefix("shared-credentials-file") && boto.stdoutText.contains("assumed-role/bucket-lister"), "\(boto.stdoutText)")

        var wrongRole = fixture.helperFlags
        wrongRole[wrongRole.firstIndex(of: fixture.roleArn)!] = "arn:aws:iam::123456789012:role/not-in-profile"
        let refused = try ChildProcess.run(
            Binaries.path("rolesanywhere"), ["update", "--once", "--profile", "roles-anywhere"] + wrongRole, environment: Self.workloadEnvironment(fixture, environment)
        )
        #expect(refused.status == 4, "\(refused.stderrText)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == updated)
    }

    @Test("concurrent update --once runs on one file take turns: every profile lands, nothing is corrupted")
    func concurrentUpdates() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        let path = fixture.directory.path("shared-credentials")
        let original = "[keep]\naws_access_key_id = AKIAKEEP\nregion = eu-west-1\n"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let environment = Self.workloadEnvironment(fixture, ["AWS_SHARED_CREDENTIALS_FILE": path])
        let profiles = (0..<8).map { "worker-\($0)" }
        let results = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: profiles.count) { index in
            let output = try? ChildProcess.run(Binaries.path("rolesanywhere"), ["update", "--once", "--profile", profiles[index]] + fixture.helperFlags, environment: environment)
            results.withLock { $0.append(output?.status ?? -1) }
        }
        #expect(results.withLock { $0 } == Array(repeating: 0, count: profiles.count))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(original))
        let check = try ChildProcess.run("python3", ["-c", "import configparser,sys; c=configparser.RawConfigParser(); c.read(sys.argv[1]); print(' '.join(sorted(s for s in c.sections() if all(c.has_option(s,k) for k in ('aws_access_key_id','aws_secret_access_key','aws_session_token')))))", path])
        #expect(check.status == 0, "\(check.stderrText)")
        #expect(check.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == profiles.joined(separator: " "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("")).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test("update keeps retrying through an outage instead of exiting, writes once the service is back, and stops on SIGTERM")
    func updateRetriesThroughOutage() async throws {
        let fixture = try await CredentialHelperFixture()
        let path = fixture.directory.path("retry-credentials")
        let log = fixture.directory.path("update.log")
        fixture.stopService()
        let process = Subprocess()
        process.executableURL = URL(fileURLWithPath: Binaries.path("rolesanywhere"))
        process.arguments = ["update"] + fixture.helperFlags
        process.environment = Self.workloadEnvironment(fixture, ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_MAX_ATTEMPTS": "1"])
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        try await Self.waitFor("a failed attempt in the log") { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("retrying") == true }
        #expect(process.isRunning)
        #expect(!FileManager.default.fileExists(atPath: path))
        try fixture.restartService()
        try await Self.waitFor("the credentials file", timeout: 30) { (try? String(contentsOfFile: path, encoding: .utf8))?.contains("aws_session_token") == true }
        kill(process.processIdentifier, SIGTERM)
        ChildProcess.waitForExit(process, timeout: 10)
        #expect(!process.isRunning && process.terminationStatus == 0)
        fixture.stopService()
    }

    /// Waits (sleeping, not blocking a thread of the cooperative pool) until `condition` holds.
    static func waitFor(_ what: String, timeout: TimeInterval = 15, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw TestFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
