import Foundation
import RolesAnywhereTesting
import Testing

/// `pki check` on material made by the OpenSSL command line, the walkthrough's way and with the
/// mistakes users make: each requirement gets the right verdict.
struct PKICheckOpenSSLTests {
    /// The walkthrough's OpenSSL configuration, with variants of the sections for the mistakes.
    static let config = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        C = US
        ST = Washington
        L = Seattle
        CN = Demo CA
        [v3_cert]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        [v3_ca]
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always, issuer:always
        basicConstraints = CA:true
        keyUsage = keyCertSign
        [ca_not_ca]
        subjectKeyIdentifier = hash
        basicConstraints = CA:false
        keyUsage = keyCertSign
        [ca_no_certsign]
        subjectKeyIdentifier = hash
        basicConstraints = critical, CA:true
        keyUsage = critical, digitalSignature
        [leaf_is_ca]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, digitalSignature
        [leaf_no_signature]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, keyEncipherment
        """

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "pki-openssl")
        try directory.write("v3.ext", Self.config)
    }

    func path(_ name: String) -> String { directory.path(name) }

    /// The walkthrough's CA: `openssl genrsa -aes256` and `openssl req -new -x509 -days 1095`.
    func makeCA(name: String = "ca", key: String = "rsa", extensions: String = "v3_ca") throws {
        if key == "rsa" {
            try ChildProcess.openssl(["genrsa", "-aes256", "-passout", "pass:capass", "-out", path("\(name)-key.pem"), "2048"])
        } else {
            try ChildProcess.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:capass", "-out", path("\(name)-key.pem")])
        }
        try ChildProcess.openssl([
            "req", "-new", "-x509", "-days", "1095", "-config", path("v3.ext"), "-extensions", extensions, "-key", path("\(name)-key.pem"),
            "-passin", "pass:capass", "-out", path("\(name)-cert.pem"),
        ])
    }

    /// The walkthrough's leaf: `openssl req -newkey` then `openssl x509 -req -days 1 -sha256 -set_serial 01`.
    func makeLeaf(
        name: String = "cert", ca: String = "ca", key: String = "rsa:2048", digest: String = "-sha256",
        extensions: String? = "v3_cert", subject: String = "/CN=myContainer"
    ) throws {
        try ChildProcess.openssl(["req", "-newkey", key, "-nodes", "-keyout", path("\(name)-key.pem"), "-subj", subject, "-out", path("\(name)-csr.pem")])
        var arguments = [
            "x509", "-req", "-days", "1", digest, "-set_serial", "01", "-in", path("\(name)-csr.pem"), "-out", path("\(name).pem"),
            "-CA", path("\(ca)-cert.pem"), "-CAkey", path("\(ca)-key.pem"), "-passin", "pass:capass",
        ]
        if let extensions { arguments += ["-extfile", path("v3.ext"), "-extensions", extensions] }
        try ChildProcess.openssl(arguments)
    }

    /// Runs `pki check --json` and returns its status and the failing finding IDs by section kind.
    func check(ca: String? = "ca-cert.pem", certificate: String? = "cert.pem") throws -> (Int32, [String: Set<String>]) {
        var arguments = ["pki", "check", "--json"]
        if let ca { arguments += ["--ca", path(ca)] }
        if let certificate { arguments += ["--certificate", path(certificate)] }
        let output = try Binaries.rolesanywhere(arguments)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any], "\(output.stderrText)")
        var failures = [String: Set<String>]()
        for section in report["sections"] as? [[String: Any]] ?? [] {
            let kind = section["kind"] as? String ?? "?"
            for finding in section["findings"] as? [[String: Any]] ?? [] where finding["status"] as? String == "FAIL" {
                failures[kind, default: []].insert(finding["id"] as? String ?? "?")
            }
        }
        #expect((report["passed"] as? Bool) == failures.isEmpty)
        return (output.status, failures)
    }

    @Test func theWalkthroughsMaterialPasses() throws {
        try makeCA()
        try makeLeaf()
        let (status, failures) = try check()
        #expect(status == 0)
        #expect(failures.isEmpty)
    }

    @Test func aSHA1SignatureFails() throws {
        try makeCA()
        try makeLeaf(digest: "-sha1")
        let (status, failures) = try check()
        #expect(status == 7)
        #expect(failures["certificate"] == ["signature-algorithm"])
    }

    @Test func aCAMarkedCAFalseFails() throws {
        try makeCA(extensions: "ca_not_ca")
        let (status, failures) = try check(certificate: nil)
        #expect(status == 7)
        #expect(failures["ca"] == ["basic-constraints"])
    }

    @Test func aCAWithoutCertificateSignFails() throws {
        try makeCA(extensions: "ca_no_certsign")
        #expect(try check(certificate: nil).1["ca"] == ["key-usage"])
    }

    @Test func aLeafWithoutExtensionsIsVersion1AndLacksKeyUsage() throws {
        try makeCA()
        try makeLeaf(extensions: nil)
        #expect(try check().1["certificate"] == ["version", "key-usage"])
    }

    @Test func aLeafThatIsACAFails() throws {
        try makeCA()
        try makeLeaf(extensions: "leaf_is_ca")
        #expect(try check().1["certificate"] == ["basic-constraints"])
    }

    @Test func aLeafWithoutDigitalSignatureFails() throws {
        try makeCA()
        try makeLeaf(extensions: "leaf_no_signature")
        #expect(try check().1["certificate"] == ["key-usage"])
    }

    @Test func anRSA1024LeafFails() throws {
        try makeCA()
        try makeLeaf(key: "rsa:1024")
        let failures = try check().1
        #expect(failures["certificate"] == ["key"])
    }

    @Test func anECDSASHA1SignatureFailsAndCannotBeChained() throws {
        try makeCA(key: "ec")
        try makeLeaf(digest: "-sha1")
        let failures = try check().1
        #expect(failures["certificate"] == ["signature-algorithm"])
        #expect(failures["chain"] == ["chain"])
    }

    @Test func anEmptySubjectFails() throws {
        try makeCA()
        try makeLeaf(subject: "/")
        #expect(try check().1["certificate"] == ["subject"])
    }

    @Test func aLeafOfAnotherCAFailsTheChain() throws {
        try makeCA()
        try makeCA(name: "other")
        try makeLeaf(ca: "other")
        let (status, failures) = try check()
        #expect(status == 7)
        #expect(failures == ["chain": ["chain"]])
    }

    @Test func expiredAndNotYetValidCertificatesFail() throws {
        let root = try TestPKI.makeRoot()
        try directory.write("ca-cert.pem", root.certificatePEM)
        let expired = try TestPKI.makeLeaf(issuer: root, notValidBefore: Date().addingTimeInterval(-7200), notValidAfter: Date().addingTimeInterval(-3600))
        try directory.write("expired.pem", expired.certificatePEM)
        #expect(try check(certificate: "expired.pem").1["certificate"] == ["validity"])
        let future = try TestPKI.makeLeaf(issuer: root, notValidBefore: Date().addingTimeInterval(3600), notValidAfter: Date().addingTimeInterval(7200))
        try directory.write("future.pem", future.certificatePEM)
        #expect(try check(certificate: "future.pem").1["certificate"] == ["validity"])
    }

    @Test func theTextReportSaysWhatToChange() throws {
        try makeCA()
        try makeLeaf(digest: "-sha1")
        let output = try Binaries.rolesanywhere(["pki", "check", "--ca", path("ca-cert.pem"), "--certificate", path("cert.pem")])
        #expect(output.stdoutText.contains("FAIL  signature hash SHA-256 or stronger: sha1WithRSAEncryption (SHA-1 is rejected)"))
        #expect(output.stdoutText.contains("-> have the issuer sign it with SHA-256 or stronger (openssl: -sha256)"))
        #expect(output.stdoutText.contains("Result: 1 requirement failed"))
    }
}
