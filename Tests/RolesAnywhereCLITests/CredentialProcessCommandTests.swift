import Foundation
import RolesAnywhereTesting
import Testing

/// `rolesanywhere credential-process` as a program: its output, its use by the real AWS CLI, and its
/// exit codes.
@Suite(.serialized)
struct CredentialProcessCommandTests {
    @Test func printsOneLineOfJSONInTheOfficialShape() throws {
        let fixture = try CLIFixture()
        let verifier = try IndependentVerifier()
        let output = try Binaries.rolesanywhere(
            ["credential-process"] + fixture.credentialFlags + ["--endpoint", verifier.endpoint],
            environment: ["AWS_CA_BUNDLE": verifier.caBundlePath]
        )
        #expect(output.status == 0, "\(output.stderrText)")
        #expect(output.stderr.isEmpty)
        let text = output.stdoutText
        #expect(text.hasPrefix(#"{"Version":1,"AccessKeyId":"ASIA"#))
        #expect(!text.hasSuffix("\n"))
        #expect(text.range(of: #""SecretAccessKey":".*","SessionToken":".*","Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$"#, options: .regularExpression) != nil)
        let request = try #require(try verifier.receivedRequests().first)
        #expect(request["verified"] as? Bool == true)
        #expect((request["body"] as? [String: Any])?["durationSeconds"] as? Int == 3600)
    }

    @Test func theRealAWSCLIUsesTheCredentials() throws {
        let fixture = try CLIFixture(key: .p256)
        let verifier = try IndependentVerifier()
        // The line a user of aws_signing_helper already has, with only the program name changed.
        let line = ([Binaries.path("rolesanywhere"), "credential-process"] + fixture.credentialFlags + ["--endpoint", verifier.endpoint])
            .joined(separator: " ")
        let config = try fixture.directory.write("config", "[profile roles-anywhere]\nregion = us-east-1\ncredential_process = \(line)\n")
        let aws = try ChildProcess.run(
            "aws",
            ["sts", "get-caller-identity", "--profile", "roles-anywhere", "--endpoint-url", verifier.endpoint, "--output", "json"],
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": fixture.directory.url.path,
                "AWS_CONFIG_FILE": config,
                "AWS_SHARED_CREDENTIALS_FILE": fixture.directory.path("no-credentials"),
                "AWS_CA_BUNDLE": verifier.caBundlePath,
            ]
        )
        #expect(aws.status == 0, "\(aws.stderrText)")
        // The verifier answers GetCallerIdentity only for a request signed with the credentials it
        // issued through CreateSession.
        let identity = try JSONSerialization.jsonObject(with: Data(aws.stdout)) as? [String: Any]
        #expect(identity?["Arn"] as? String == "arn:aws:sts::000000000000:assumed-role/bucket-lister/verified")
    }

    @Test func serviceErrorsNetworkErrorsAndThrottlingHaveTheirOwnExitCodes() throws {
        let fixture = try CLIFixture()
        let denied = try IndependentVerifier(extraArguments: ["--error-status", "403"])
        let deniedRun = try Binaries.rolesanywhere(
            ["credential-process"] + fixture.credentialFlags + ["--endpoint", denied.endpoint],
            environment: ["AWS_CA_BUNDLE": denied.caBundlePath]
        )
        #expect(deniedRun.status == 4)
        #expect(deniedRun.stderrText == "rolesanywhere: AccessDeniedException: Untrusted Signing Certificate\n")
        #expect(deniedRun.stdout.isEmpty)

        let throttled = try IndependentVerifier(extraArguments: ["--fail-first", "100", "--fail-status", "429"])
        let throttledRun = try Binaries.rolesanywhere(
            ["credential-process"] + fixture.credentialFlags + ["--endpoint", throttled.endpoint],
            environment: ["AWS_CA_BUNDLE": throttled.caBundlePath, "AWS_MAX_ATTEMPTS": "1"]
        )
        #expect(throttledRun.status == 6, "\(throttledRun.stderrText)")
        #expect(throttledRun.stderrText.contains("ThrottlingException"))

        let refused = try Binaries.rolesanywhere(
            ["credential-process"] + fixture.credentialFlags + ["--endpoint", "https://127.0.0.1:9"],
            environment: ["AWS_MAX_ATTEMPTS": "1"]
        )
        #expect(refused.status == 5)
        #expect(refused.stderrText.contains("connection refused"))

        let untrusted = try Binaries.rolesanywhere(["credential-process"] + fixture.credentialFlags + ["--endpoint", denied.endpoint])
        #expect(untrusted.status == 5)
        #expect(untrusted.stderrText.contains("AWS_CA_BUNDLE"))
    }

    @Test func noVerifySSLAcceptsGoStyleBooleanValues() throws {
        let fixture = try CLIFixture()
        let verifier = try IndependentVerifier()
        for spelling in [["--no-verify-ssl"], ["--no-verify-ssl=true"]] {
            let output = try Binaries.rolesanywhere(["credential-process"] + fixture.credentialFlags + ["--endpoint", verifier.endpoint] + spelling)
            #expect(output.status == 0, "\(spelling): \(output.stderrText)")
        }
        let off = try Binaries.rolesanywhere(["credential-process"] + fixture.credentialFlags + ["--endpoint", verifier.endpoint, "--no-verify-ssl=false"])
        #expect(off.status == 5)
    }

    @Test func encryptedKeysTakeTheirPasswordFromAFlagAFileOrTheEnvironment() throws {
        let fixture = try CLIFixture(key: .p256)
        let verifier = try IndependentVerifier()
        let encrypted = fixture.directory.path("encrypted.pem")
        try ChildProcess.openssl(["pkcs8", "-topk8", "-in", fixture.privateKey, "-v2", "aes-256-cbc", "-passout", "pass:hunter2", "-out", encrypted])
        let passwordFile = try fixture.directory.write("password", "hunter2\n", mode: 0o600)
        var flags = fixture.credentialFlags
        flags[flags.firstIndex(of: fixture.privateKey)!] = encrypted
        let base = ["credential-process"] + flags + ["--endpoint", verifier.endpoint]
        let environment = ["AWS_CA_BUNDLE": verifier.caBundlePath]
        #expect(try Binaries.rolesanywhere(base + ["--pkcs8-password", "hunter2"], environment: environment).status == 0)
        #expect(try Binaries.rolesanywhere(base + ["--pkcs8-password-file", passwordFile], environment: environment).status == 0)
        #expect(try Binaries.rolesanywhere(base, environment: environment.merging(["ROLESANYWHERE_PKCS8_PASSWORD": "hunter2"]) { $1 }).status == 0)
        let missing = try Binaries.rolesanywhere(base, environment: environment)
        #expect(missing.status == 3)
        #expect(missing.stderrText.contains("--pkcs8-password"))
        let wrong = try Binaries.rolesanywhere(base + ["--pkcs8-password", "nope"], environment: environment)
        #expect(wrong.status == 3)
        #expect(wrong.stderrText.contains("password is wrong"))
        // Nothing reached the service without a usable key.
        #expect(try verifier.receivedRequests().count == 3)
    }
}
