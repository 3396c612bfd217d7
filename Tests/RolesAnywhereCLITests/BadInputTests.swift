import Foundation
import RolesAnywhereTesting
import Testing
import RolesAnywhereSupport

/// Every malformed or wrong input gets one sentence on standard error and a documented non-zero
/// exit code: 2 for usage and configuration, 3 for files, keys, certificates and passwords.
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: @Sendable (CLIFixture) throws -> [String]
        var status: Int32
        var fragment: String
        var testDescription: String { name }
    }

    static func replacing(_ flag: String, with value: String?, in fixture: CLIFixture) -> [String] {
        var flags = ["credential-process"] + fixture.credentialFlags + ["--endpoint", "https://127.0.0.1:9"]
        let index = flags.firstIndex(of: flag)!
        if let value {
            flags[index + 1] = value
        } else {
            flags.removeSubrange(index...(index + 1))
        }
        return flags
    }

    static let cases: [Case] = [
        Case(name: "unknown flag", arguments: { _ in ["credential-process", "--bogus"] }, status: 2, fragment: "unknown flag: --bogus"),
        Case(name: "unknown command", arguments: { _ in ["credential-proces"] }, status: 2, fragment: "credential-proces"),
        Case(name: "missing role", arguments: { replacing("--role-arn", with: nil, in: $0) }, status: 2, fragment: "--role-arn is required"),
        Case(name: "malformed ARN", arguments: { replacing("--trust-anchor-arn", with: "arn:aws:rolesanywhere", in: $0) }, status: 2, fragment: "not an ARN"),
        Case(
            name: "mismatched regions",
            arguments: { replacing("--profile-arn", with: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/x", in: $0) },
            status: 2, fragment: "regions don't match"
        ),
        Case(name: "http endpoint", arguments: { replacing("--endpoint", with: "http://127.0.0.1:9", in: $0) }, status: 2, fragment: "--no-verify-ssl"),
        Case(name: "endpoint path", arguments: { replacing("--endpoint", with: "https://example.com/api", in: $0) }, status: 2, fragment: "path"),
        Case(name: "duration", arguments: { replacing("--certificate", with: $0.certificate, in: $0) + ["--session-duration", "60"] }, status: 2, fragment: "900 to 43200"),
        Case(name: "cert store", arguments: { replacing("--certificate", with: $0.certificate, in: $0) + ["--cert-selector", "Key=x509Subject,Value=CN=a"] }, status: 2, fragment: "macOS and Windows"),
        Case(name: "no certificate", arguments: { replacing("--certificate", with: nil, in: $0) }, status: 2, fragment: "--certificate"),
        Case(name: "missing file", arguments: { replacing("--certificate", with: "/nonexistent/cert.pem", in: $0) }, status: 3, fragment: "no such file"),
        Case(name: "directory", arguments: { replacing("--private-key", with: "/tmp", in: $0) }, status: 3, fragment: "is a directory"),
        Case(name: "key as certificate", arguments: { replacing("--certificate", with: $0.privateKey, in: $0) }, status: 3, fragment: "no CERTIFICATE block"),
        Case(name: "certificate as key", arguments: { replacing("--private-key", with: $0.certificate, in: $0) }, status: 3, fragment: "holds no private key"),
        Case(
            name: "garbage DER",
            arguments: { fixture in
                replacing("--certificate", with: try fixture.directory.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"), in: fixture)
            },
            status: 3, fragment: "not a valid X.509 certificate"
        ),
        Case(
            name: "key of another certificate",
            arguments: { fixture in
                replacing("--private-key", with: try fixture.directory.write("other.pem", try TestPKI.makeLeaf(issuer: fixture.root, key: .rsa2048).privateKeyPEM), in: fixture)
            },
            status: 3, fragment: "does not belong to the certificate"
        ),
        Case(
            name: "unsupported curve",
            arguments: { fixture in
                let path = fixture.directory.path("k1.pem")
                try ChildProcess.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", path])
                return replacing("--private-key", with: path, in: fixture)
            },
            status: 3, fragment: "secp256k1"
        ),
    ]

    @Test(arguments: cases)
    func badInputIsExplainedInOneLine(testCase: Case) throws {
        let fixture = try CLIFixture()
        let output = try Binaries.rolesanywhere(try testCase.arguments(fixture), environment: ["AWS_MAX_ATTEMPTS": "1"])
        #expect(output.status == testCase.status, "\(output.stderrText)")
        #expect(output.stderrText.contains(testCase.fragment), "\(output.stderrText)")
        #expect(output.stdout.isEmpty)
        #expect(!output.stderrText.contains("Fatal error"))
        #expect(!output.stderrText.contains("Stack dump"))
    }
}
