import Foundation
import RolesAnywhereTesting
import Testing

/// `rolesanywhere pki` end to end: what it makes must satisfy OpenSSL, and what it says about
/// OpenSSL-made material must be right.
struct PKICommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "pki")
    }

    func path(_ name: String) -> String { directory.path(name) }

    @discardableResult
    func pki(_ arguments: [String], status expected: Int32 = 0, environment: [String: String] = [:]) throws -> ChildProcess.Output {
        let output = try Binaries.rolesanywhere(["pki"] + arguments, environment: environment)
        #expect(output.status == expected, "pki \(arguments.joined(separator: " ")): \(output.stderrText)\(output.stdoutText)")
        return output
    }

    func openssl(_ arguments: [String]) throws -> String {
        try ChildProcess.openssl(arguments).stdoutText
    }

    func mode(_ name: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path(name))[.posixPermissions] as? Int) ?? -1
    }

    @Test(arguments: ["rsa2048", "p256", "p384", "rsa3072"])
    func everythingItMakesPassesOpenSSLVerification(keyType: String) throws {
        try pki(["ca", "--cn", "Demo Root", "--o", "Example", "--c", "US", "--key-type", keyType, "--out-cert", path("root.pem"), "--out-key", path("root.key")])
        try pki([
            "ca", "--cn", "Demo Issuing CA", "--issuer-cert", path("root.pem"), "--issuer-key", path("root.key"), "--path-len", "0",
            "--key-type", keyType, "--out-cert", path("int.pem"), "--out-key", path("int.key"),
        ])
        try pki([
            "issue", "--ca-cert", path("int.pem"), "--ca-key", path("int.key"), "--cn", "myContainer", "--ou", "Security",
            "--dns", "app.example.com", "--uri", "spiffe://example.org/ns/prod/sa/app", "--ip", "10.0.0.1",
            "--key-type", keyType, "--out-cert", path("leaf.pem"), "--out-key", path("leaf.key"),
        ])
        #expect(try openssl(["verify", "-x509_strict", "-CAfile", path("root.pem"), "-untrusted", path("int.pem"), path("leaf.pem")]).contains("OK"))
        #expect(try openssl(["verify", "-x509_strict", "-CAfile", path("root.pem"), path("int.pem")]).contains("OK"))
        #expect(try mode("root.key") == 0o600 && mode("int.key") == 0o600 && mode("leaf.key") == 0o600)

        let root = try openssl(["x509", "-in", path("root.pem"), "-noout", "-text"])
        #expect(root.contains("Version: 3 (0x2)"))
        #expect(root.contains("X509v3 Basic Constraints: critical\n                CA:TRUE"))
        #expect(root.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"))
        #expect(root.contains("X509v3 Subject Key Identifier"))
        let intermediate = try openssl(["x509", "-in", path("int.pem"), "-noout", "-text"])
        #expect(intermediate.contains("CA:TRUE, pathlen:0"))
        #expect(intermediate.contains("X509v3 Authority Key Identifier"))
        let leaf = try openssl(["x509", "-in", path("leaf.pem"), "-noout", "-text"])
        #expect(leaf.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(leaf.contains("X509v3 Key Usage: critical\n                Digital Signature"))
        #expect(leaf.contains("DNS:app.example.com, URI:spiffe://example.org/ns/prod/sa/app, IP Address:10.0.0.1"))
        #expect(leaf.contains("Subject: OU = Security, CN = myContainer"))
        // A one-day certificate with a 128-bit serial.
        let dates = try openssl(["x509", "-in", path("leaf.pem"), "-noout", "-startdate", "-enddate", "-serial"])
        #expect(dates.contains("serial="))
        let serial = dates.split(separator: "\n").first { $0.hasPrefix("serial=") }!.dropFirst("serial=".count)
        #expect(serial.count == 32)
        // The keys open with the helper and OpenSSL alike.
        _ = try openssl(["pkey", "-in", path("leaf.key"), "-noout"])

        let check = try pki(["check", "--ca", path("root.pem"), "--intermediates", path("int.pem"), "--certificate", path("leaf.pem")])
        #expect(check.stdoutText.contains("Result: every IAM Roles Anywhere requirement is met"))
    }

    @Test func encryptedCAKeysAndCSRsWorkWithOpenSSL() throws {
        try pki(["ca", "--cn", "Encrypted CA", "--key-password", "s3cret", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        #expect(try String(contentsOfFile: path("ca.key"), encoding: .utf8).contains("ENCRYPTED PRIVATE KEY"))
        _ = try openssl(["pkey", "-in", path("ca.key"), "-passin", "pass:s3cret", "-noout"])
        // Wrong or missing CA key password: a clear error, nothing written.
        let wrong = try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--ca-key-password", "nope", "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], status: 3)
        #expect(wrong.stderrText.contains("password is wrong"))
        #expect(!FileManager.default.fileExists(atPath: path("x.pem")))
        let missing = try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], status: 3)
        #expect(missing.stderrText.contains("encrypted"))

        try pki([
            "csr", "--cn", "myContainer", "--dns", "a.example.com,b.example.com", "--email", "ops@example.com", "--key-type", "p256",
            "--out-csr", path("req.pem"), "--out-key", path("req.key"),
        ])
        #expect(try ChildProcess.run("openssl", ["req", "-verify", "-in", path("req.pem"), "-noout"]).stderrText.contains("verify OK"))
        #expect(try openssl(["req", "-in", path("req.pem"), "-noout", "-text"]).contains("DNS:a.example.com, DNS:b.example.com, email:ops@example.com"))
        let issued = try pki(
            ["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--ca-key-password-file", try directory.write("pw", "s3cret\n"), "--csr", path("req.pem"), "--hours", "2", "--out-cert", path("from-csr.pem")],
            environment: [:]
        )
        #expect(issued.stderrText.contains("CN=myContainer"))
        let text = try openssl(["x509", "-in", path("from-csr.pem"), "-noout", "-text"])
        #expect(text.contains("DNS:a.example.com, DNS:b.example.com, email:ops@example.com"))
        #expect(try openssl(["verify", "-x509_strict", "-CAfile", path("ca.pem"), path("from-csr.pem")]).contains("OK"))
        // The CA's key password can also come from the environment.
        try pki(
            ["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "env", "--out-cert", path("env.pem"), "--out-key", path("env.key")],
            environment: ["ROLESANYWHERE_CA_KEY_PASSWORD": "s3cret"]
        )
    }

    @Test func crlsVerifyWithOpenSSLAndRevocationShowsInCheck() throws {
        try pki(["ca", "--cn", "CRL CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "good", "--out-cert", path("good.pem"), "--out-key", path("good.key")])
        try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "bad", "--serial", "0123", "--out-cert", path("bad.pem"), "--out-key", path("bad.key")])
        try pki(["crl", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--revoke", "0123", "--revoke", "abcdef", "--out", path("crl.pem")])
        let verified = try ChildProcess.run("openssl", ["crl", "-in", path("crl.pem"), "-CAfile", path("ca.pem"), "-verify", "-noout", "-text"])
        #expect(verified.status == 0)
        #expect(verified.stderrText.contains("verify OK"))
        #expect(verified.stdoutText.contains("Version 2"))
        #expect(verified.stdoutText.contains("Serial Number: 0123"))
        #expect(verified.stdoutText.contains("Serial Number: ABCDEF"))
        #expect(verified.stdoutText.contains("X509v3 CRL Number"))

        let bad = try pki(["check", "--ca", path("ca.pem"), "--certificate", path("bad.pem"), "--crl", path("crl.pem")], status: 7)
        #expect(bad.stdoutText.contains("FAIL  certificate not revoked: serial 0123 is revoked"))
        let good = try pki(["check", "--ca", path("ca.pem"), "--certificate", path("good.pem"), "--crl", path("crl.pem")])
        #expect(good.stdoutText.contains("PASS  certificate not revoked"))

        // revoke adds to the file and bumps the CRL number.
        try pki(["revoke", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--crl", path("crl.pem"), "--certificate", path("good.pem")])
        let updated = try openssl(["crl", "-in", path("crl.pem"), "-noout", "-text"])
        #expect(updated.contains("Serial Number: 0123"))
        #expect(updated.contains("X509v3 CRL Number: \n                2"))
        try pki(["check", "--ca", path("ca.pem"), "--certificate", path("good.pem"), "--crl", path("crl.pem")], status: 7)

        // A CRL of another CA does not verify against this one.
        try pki(["ca", "--cn", "Other CA", "--key-type", "p256", "--out-cert", path("other.pem"), "--out-key", path("other.key")])
        try pki(["crl", "--ca-cert", path("other.pem"), "--ca-key", path("other.key"), "--out", path("other-crl.pem")])
        let wrongCA = try pki(["check", "--ca", path("ca.pem"), "--crl", path("other-crl.pem")], status: 7)
        #expect(wrongCA.stdoutText.contains("no CA given is named CN=Other CA"))
    }

    @Test func outputsAreNeverOverwrittenWithoutForce() throws {
        try pki(["ca", "--cn", "A", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        let before = try String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        let refused = try pki(["ca", "--cn", "B", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("new.key")], status: 3)
        #expect(refused.stderrText.contains("already exists; pass --force"))
        #expect(try String(contentsOfFile: path("ca.pem"), encoding: .utf8) == before)
        // Nothing else was written either.
        #expect(!FileManager.default.fileExists(atPath: path("new.key")))
        try pki(["ca", "--cn", "B", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key"), "--force"])
        #expect(try String(contentsOfFile: path("ca.pem"), encoding: .utf8) != before)
    }

    @Test func badInputIsRefusedWithAClearMessage() throws {
        try pki(["ca", "--cn", "CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        // A CSR whose signature no longer verifies.
        try pki(["csr", "--cn", "victim", "--key-type", "p256", "--out-csr", path("req.pem"), "--out-key", path("req.key")])
        let der = try ChildProcess.openssl(["req", "-in", path("req.pem"), "-outform", "DER"]).stdout
        var tampered = der
        let index = tampered.firstRange(of: Array("victim".utf8))!.lowerBound
        tampered[index] = UInt8(ascii: "V")
        try directory.write("tampered.der", tampered)
        let csr = try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--csr", path("tampered.der"), "--out-cert", path("t.pem")], status: 3)
        #expect(csr.stderrText.contains("does not verify"))

        let cases: [([String], Int32, String)] = [
            (["issue", "--ca-cert", path("ca.pem"), "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], 2, "--ca-key is required"),
            (["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--out-cert", path("x.pem"), "--out-key", path("x.key")], 2, "--cn is required"),
            (["ca", "--cn", "x", "--key-type", "ed25519", "--out-cert", path("y.pem"), "--out-key", path("y.key")], 2, "key type 'ed25519'"),
            (["ca", "--out-cert", path("y.pem"), "--out-key", path("y.key")], 2, "the subject is empty"),
            (["ca", "--cn", "x", "--out-cert", path("y.pem")], 2, "--out-key is required"),
            (["issue", "--ca-cert", path("missing.pem"), "--ca-key", path("ca.key"), "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], 3, "no such file"),
            (["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("req.key"), "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], 3, "does not belong to the CA certificate"),
            (["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--cn", "x", "--days", "5000", "--out-cert", path("x.pem"), "--out-key", path("x.key")], 3, "outlive its CA"),
            (["crl", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--revoke", "zz", "--out", path("c.pem")], 2, "not a hexadecimal serial"),
            (["check"], 2, "nothing to check"),
            (["check", "--ca", path("req.key")], 3, "no CERTIFICATE block"),
            (["frobnicate"], 2, "unknown command \"frobnicate\" for \"rolesanywhere pki\""),
        ]
        for (arguments, status, fragment) in cases {
            let output = try pki(arguments, status: status)
            #expect(output.stderrText.contains(fragment), "\(arguments): \(output.stderrText)")
            #expect(!output.stderrText.contains("Fatal error"))
        }
        #expect(!FileManager.default.fileExists(atPath: path("x.pem")))
    }

    @Test func aCSRForAnRSA1024KeyIsRefused() throws {
        try pki(["ca", "--cn", "CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")])
        try ChildProcess.openssl(["req", "-newkey", "rsa:1024", "-nodes", "-keyout", path("weak.key"), "-subj", "/CN=weak", "-out", path("weak.csr")])
        let output = try pki(["issue", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--csr", path("weak.csr"), "--out-cert", path("weak.pem")], status: 3)
        #expect(output.stderrText.contains("RSA 1024 bits is too small"))
    }

    @Test func aCACertificateThatIsNotACACannotIssue() throws {
        try ChildProcess.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("notca.key"), "-subj", "/CN=Not A CA", "-days", "30", "-addext", "basicConstraints=critical,CA:FALSE", "-out", path("notca.pem")])
        let output = try pki(["issue", "--ca-cert", path("notca.pem"), "--ca-key", path("notca.key"), "--cn", "x", "--out-cert", path("x.pem"), "--out-key", path("x.key")], status: 3)
        #expect(output.stderrText.contains("CA:FALSE"))
    }
}
