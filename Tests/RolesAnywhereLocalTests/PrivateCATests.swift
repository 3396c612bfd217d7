import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// AWS Private CA in `rolesanywhere-local`, driven by the real AWS CLI (which parses every answer
/// with botocore's shapes): a root CA made, self-signed with RootCACertificate/V1 and activated; a
/// subordinate signed by it and imported with its chain; end-entity certificates with AWS's
/// templates checked by `openssl verify -x509_strict` and their extensions read by openssl; the
/// refusals AWS gives for bad input; the CA keys sealed at rest.
@Suite("AWS Private CA", .serialized)
struct PrivateCATests {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    final class Setup {
        let local: LocalServerProcess
        var directory: TemporaryDirectory { local.directory }

        init(arguments: [String] = []) throws { local = try LocalServerProcess(arguments: arguments) }

        @discardableResult
        func pca(_ arguments: [String]) throws -> [String: Any] {
            try local.awsOK(["acm-pca"] + arguments) ?? [:]
        }

        /// The AWS CLI's failure for a call that must fail: its stderr.
        func refused(_ arguments: [String]) throws -> String {
            let output = try local.aws(["acm-pca"] + arguments)
            guard output.status != 0 else { throw Failure(description: "acm-pca \(arguments.joined(separator: " ")) succeeded") }
            return output.stderrText
        }

        func write(_ name: String, _ text: String) throws -> String {
            try directory.write(name, text)
        }

        func openssl(_ arguments: [String]) throws -> ChildProcess.Output {
            try ChildProcess.run("openssl", arguments, currentDirectory: directory.url.path)
        }

        /// A new key and CSR for `cn` made with openssl.
        func csr(_ name: String, cn: String, key: String = "ec") throws -> (key: String, csr: String) {
            let keyPath = directory.path("\(name).key")
            let csrPath = directory.path("\(name).csr")
            let newKey = key == "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"]
            let made = try openssl(["req", "-new"] + newKey + ["-nodes", "-keyout", keyPath, "-out", csrPath, "-subj", "/CN=\(cn)"])
            guard made.status == 0 else { throw Failure(description: "openssl req: \(made.stderrText)") }
            return (keyPath, csrPath)
        }

        /// Creates a CA and returns its ARN.
        func createCA(type: String, key: String, signing: String, cn: String, usage: String = "GENERAL_PURPOSE") throws -> String {
            let created = try pca([
                "create-certificate-authority", "--certificate-authority-type", type, "--usage-mode", usage,
                "--certificate-authority-configuration", "KeyAlgorithm=\(key),SigningAlgorithm=\(signing),Subject={CommonName=\(cn),Organization=Example Corp,Country=US}",
            ])
            guard let arn = created["CertificateAuthorityArn"] as? String else { throw Failure(description: "no ARN in \(created)") }
            return arn
        }

        /// Issues a certificate and returns it (and its chain) once `wait certificate-issued` says so.
        func issue(ca: String, csr: String, signing: String, template: String, validity: String, extra: [String] = []) throws -> (certificate: String, chain: String?, arn: String) {
            let issued = try pca([
                "issue-certificate", "--certificate-authority-arn", ca, "--csr", "fileb://\(csr)", "--signing-algorithm", signing,
                "--template-arn", "arn:aws:acm-pca:::template/\(template)", "--validity", validity,
            ] + extra)
            guard let arn = issued["CertificateArn"] as? String else { throw Failure(description: "no certificate ARN in \(issued)") }
            let waited = try local.aws(["acm-pca", "wait", "certificate-issued", "--certificate-authority-arn", ca, "--certificate-arn", arn])
            guard waited.status == 0 else { throw Failure(description: "wait certificate-issued: \(waited.stderrText)") }
            let got = try pca(["get-certificate", "--certificate-authority-arn", ca, "--certificate-arn", arn])
            guard let certificate = got["Certificate"] as? String else { throw Failure(description: "no certificate in \(got)") }
            return (certificate, got["CertificateChain"] as? String, arn)
        }

        /// A root CA, activated: its CSR signed with RootCACertificate/V1 and imported.
        func activeRoot(usage: String = "GENERAL_PURPOSE", key: String = "EC_prime256v1", signing: String = "SHA256WITHECDSA") throws -> (arn: String, pem: String) {
            let arn = try createCA(type: "ROOT", key: key, signing: signing, cn: "Example Root CA", usage: usage)
            let csr = try pca(["get-certificate-authority-csr", "--certificate-authority-arn", arn])["Csr"] as? String ?? ""
            let csrPath = try write("root-\(UUID().uuidString).csr", csr)
            let root = try issue(ca: arn, csr: csrPath, signing: signing, template: "RootCACertificate/V1", validity: "Value=10,Type=YEARS")
            let certPath = try write("root-\(UUID().uuidString).pem", root.certificate)
            try pca(["import-certificate-authority-certificate", "--certificate-authority-arn", arn, "--certificate", "fileb://\(certPath)"])
            return (arn, root.certificate)
        }
    }

    @Test("a root CA: created PENDING_CERTIFICATE with a CSR signed by its key, self-signed with RootCACertificate/V1 (AWS's extensions), imported, ACTIVE; described and listed in the model's shapes")
    func rootLifecycle() throws {
        let setup = try Setup()
        let arn = try setup.createCA(type: "ROOT", key: "EC_prime256v1", signing: "SHA256WITHECDSA", cn: "Example Root CA")
        #expect(arn.hasPrefix("arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/"))
        let pending = try #require(setup.pca(["describe-certificate-authority", "--certificate-authority-arn", arn])["CertificateAuthority"] as? [String: Any])
        #expect(pending["Status"] as? String == "PENDING_CERTIFICATE" && pending["Type"] as? String == "ROOT" && pending["UsageMode"] as? String == "GENERAL_PURPOSE")
        let configuration = try #require(pending["CertificateAuthorityConfiguration"] as? [String: Any])
        #expect(configuration["KeyAlgorithm"] as? String == "EC_prime256v1")
        #expect((configuration["Subject"] as? [String: Any])?["CommonName"] as? String == "Example Root CA")
        #expect(pending["CreatedAt"] != nil && pending["OwnerAccount"] as? String == "123456789012")

        // The CSR is signed by the CA's key and names its subject.
        let csr = try #require(setup.pca(["get-certificate-authority-csr", "--certificate-authority-arn", arn])["Csr"] as? String)
        let csrPath = try setup.write("root.csr", csr)
        let verified = try setup.openssl(["req", "-in", csrPath, "-verify", "-noout", "-subject"])
        #expect(verified.status == 0 && verified.stdoutText.contains("CN") && verified.stdoutText.contains("Example Root CA"), "\(verified.stdoutText)\(verified.stderrText)")

        // A pending CA has no certificate and issues nothing else.
        #expect(try setup.refused(["get-certificate-authority-certificate", "--certificate-authority-arn", arn]).contains("InvalidStateException"))
        let leaf = try setup.csr("early", cn: "myContainer")
        #expect(try setup.refused([
            "issue-certificate", "--certificate-authority-arn", arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ]).contains("InvalidStateException"))

        let root = try setup.issue(ca: arn, csr: csrPath, signing: "SHA256WITHECDSA", template: "RootCACertificate/V1", validity: "Value=10,Type=YEARS")
        let rootPath = try setup.write("root.pem", root.certificate)
        let text = try setup.openssl(["x509", "-in", rootPath, "-noout", "-text"]).stdoutText
        #expect(text.contains("X509v3 Basic Constraints: critical") && text.contains("CA:TRUE"), "\(text)")
        #expect(!text.contains("pathlen"))
        #expect(text.contains("X509v3 Key Usage: critical") && text.contains("Digital Signature, Certificate Sign, CRL Sign"), "\(text)")
        #expect(text.contains("X509v3 Subject Key Identifier") && !text.contains("Authority Key Identifier") && !text.contains("Extended Key Usage"), "\(text)")
        #expect(try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, rootPath]).status == 0)

        try setup.pca(["import-certificate-authority-certificate", "--certificate-authority-arn", arn, "--certificate", "fileb://\(rootPath)"])
        let active = try #require(setup.pca(["describe-certificate-authority", "--certificate-authority-arn", arn])["CertificateAuthority"] as? [String: Any])
        #expect(active["Status"] as? String == "ACTIVE" && active["Serial"] as? String != nil && active["NotAfter"] != nil, "\(active)")
        let installed = try setup.pca(["get-certificate-authority-certificate", "--certificate-authority-arn", arn])
        #expect(installed["Certificate"] as? String == root.certificate && installed["CertificateChain"] == nil)
        let listed = try #require(setup.pca(["list-certificate-authorities"])["CertificateAuthorities"] as? [[String: Any]])
        #expect(listed.map { $0["Arn"] as? String } == [arn])

        // The key is sealed at rest: a 0600 key file beside the state, no private key in the database.
        let keyFile = setup.local.statePath + ".ca-keys"
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let state = try Data(contentsOf: URL(fileURLWithPath: setup.local.statePath))
        #expect(state.range(of: Data("PRIVATE KEY".utf8)) == nil)
    }

    @Test("end-entity certificates with EndEntityClientAuthCertificate/V1 and EndEntityCertificate/V1 from a short-lived CA: verified by openssl -x509_strict, AWS's extensions, END_DATE and ABSOLUTE validity, the 7-day cap")
    func endEntityCertificates() throws {
        let setup = try Setup()
        let root = try setup.activeRoot(usage: "SHORT_LIVED_CERTIFICATE")
        let rootPath = try setup.write("root.pem", root.pem)
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let tenMinutes = Int(Date().addingTimeInterval(600).timeIntervalSince1970)
        let client = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=\(tenMinutes),Type=ABSOLUTE")
        #expect(client.chain == root.pem, "the chain up to the root")
        let clientPath = try setup.write("client.pem", client.certificate)
        let verified = try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, clientPath])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderrText)")
        let text = try setup.openssl(["x509", "-in", clientPath, "-noout", "-text", "-enddate", "-subject"]).stdoutText
        #expect(text.contains("CA:FALSE") && !text.contains("X509v3 Basic Constraints: critical"), "\(text)")
        #expect(text.contains("X509v3 Key Usage: critical") && text.contains("Digital Signature, Key Encipherment"), "\(text)")
        #expect(text.contains("TLS Web Client Authentication") && !text.contains("TLS Web Server Authentication"), "\(text)")
        #expect(text.contains("X509v3 Authority Key Identifier") && text.contains("X509v3 Subject Key Identifier"))
        #expect(text.contains("CN = myContainer") || text.contains("CN=myContainer"))
        // notAfter is the ABSOLUTE time asked for.
        let endDate = try setup.openssl(["x509", "-in", clientPath, "-noout", "-enddate", "-dateopt", "iso_8601"]).stdoutText
        #expect(endDate.contains(AmzDate(Date(timeIntervalSince1970: TimeInterval(tenMinutes))).iso8601.replacingOccurrences(of: "T", with: " ")), "\(endDate)")

        let both = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityCertificate/V1", validity: "Value=2,Type=DAYS")
        let bothText = try setup.openssl(["x509", "-noout", "-text"] + ["-in", try setup.write("both.pem", both.certificate)]).stdoutText
        #expect(bothText.contains("TLS Web Server Authentication, TLS Web Client Authentication"), "\(bothText)")

        // A short-lived CA issues for at most 7 days.
        let long = try setup.refused([
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=8,Type=DAYS",
        ])
        #expect(long.contains("ValidationException") && long.contains("7 days"), "\(long)")
        let endDateFormat = try setup.refused([
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=2030,Type=END_DATE",
        ])
        #expect(endDateFormat.contains("InvalidArgsException") && endDateFormat.contains("YYYYMMDDHHMMSS"), "\(endDateFormat)")
    }

    @Test("a subordinate CA: signed by the root with SubordinateCACertificate_PathLen0/V1, imported with its chain, issuing certificates openssl verifies through it")
    func subordinate() throws {
        let setup = try Setup()
        let root = try setup.activeRoot()
        let rootPath = try setup.write("root.pem", root.pem)
        let sub = try setup.createCA(type: "SUBORDINATE", key: "RSA_2048", signing: "SHA256WITHRSA", cn: "Example Issuing CA")
        let csr = try #require(setup.pca(["get-certificate-authority-csr", "--certificate-authority-arn", sub])["Csr"] as? String)
        let csrPath = try setup.write("sub.csr", csr)
        // A root's own template cannot sign another CA's key.
        #expect(try setup.refused([
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(csrPath)", "--signing-algorithm", "SHA256WITHECDSA",
            "--template-arn", "arn:aws:acm-pca:::template/RootCACertificate/V1", "--validity", "Value=1,Type=YEARS",
        ]).contains("InvalidArgsException"))
        let issued = try setup.issue(ca: root.arn, csr: csrPath, signing: "SHA256WITHECDSA", template: "SubordinateCACertificate_PathLen0/V1", validity: "Value=5,Type=YEARS")
        let subPath = try setup.write("sub.pem", issued.certificate)
        let text = try setup.openssl(["x509", "-in", subPath, "-noout", "-text"]).stdoutText
        #expect(text.contains("CA:TRUE, pathlen:0") && text.contains("Certificate Sign, CRL Sign"), "\(text)")

        // Importing: without the chain refused, with the wrong certificate refused, with its chain accepted.
        #expect(try setup.refused(["import-certificate-authority-certificate", "--certificate-authority-arn", sub, "--certificate", "fileb://\(subPath)"])
            .contains("InvalidRequestException"))
        #expect(try setup.refused([
            "import-certificate-authority-certificate", "--certificate-authority-arn", sub, "--certificate", "fileb://\(rootPath)",
        ]).contains("CertificateMismatchException"))
        try setup.pca([
            "import-certificate-authority-certificate", "--certificate-authority-arn", sub, "--certificate", "fileb://\(subPath)",
            "--certificate-chain", "fileb://\(rootPath)",
        ])
        let installed = try setup.pca(["get-certificate-authority-certificate", "--certificate-authority-arn", sub])
        #expect(installed["CertificateChain"] as? String == root.pem)

        let leaf = try setup.csr("leaf", cn: "myContainer", key: "rsa")
        let client = try setup.issue(ca: sub, csr: leaf.csr, signing: "SHA256WITHRSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        #expect(client.chain == issued.certificate + root.pem)
        let clientPath = try setup.write("client.pem", client.certificate)
        let verified = try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, "-untrusted", subPath, clientPath])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderrText)")
        // A path length of 0 allows no further CA below the subordinate.
        let deeper = try setup.csr("deeper", cn: "Deeper CA")
        #expect(try setup.refused([
            "issue-certificate", "--certificate-authority-arn", sub, "--csr", "fileb://\(deeper.csr)", "--signing-algorithm", "SHA256WITHRSA",
            "--template-arn", "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1", "--validity", "Value=1,Type=YEARS",
        ]).contains("InvalidArgsException"))
    }

    @Test("bad input gets AWS's errors: a tampered CSR, a signing algorithm the key cannot make, an unknown template, an unknown CA or ARN, a bad enum; the CA keys survive a restart and a replaced key file is refused")
    func refusals() throws {
        let setup = try Setup()
        let root = try setup.activeRoot()
        let leaf = try setup.csr("leaf", cn: "myContainer")
        func issue(_ extra: [String], csr: String? = nil, ca: String? = nil, signing: String = "SHA256WITHECDSA") throws -> String {
            try setup.refused(
                ["issue-certificate", "--certificate-authority-arn", ca ?? root.arn, "--csr", "fileb://\(csr ?? leaf.csr)", "--signing-algorithm", signing, "--validity", "Value=1,Type=DAYS"] + extra
            )
        }
        // A CSR whose signature does not verify.
        var der = try setup.openssl(["req", "-in", leaf.csr, "-outform", "DER"]).stdout
        der[der.count - 10] ^= 0xff
        let tampered = setup.directory.path("tampered.der")
        try Data(der).write(to: URL(fileURLWithPath: tampered))
        #expect(try issue([], csr: tampered).contains("MalformedCSRException"))
        #expect(try issue([], signing: "SHA256WITHRSA").contains("InvalidArgsException"))
        #expect(try issue(["--template-arn", "arn:aws:acm-pca:::template/NoSuchTemplate/V1"]).contains("InvalidArgsException"))
        let missing = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/00000000-0000-4000-8000-000000000000"
        #expect(try issue([], ca: missing).contains("ResourceNotFoundException"))
        #expect(try setup.refused(["describe-certificate-authority", "--certificate-authority-arn", "arn:aws:iam::123456789012:role/not-a-ca"]).contains("InvalidArnException"))
        let badEnum = try setup.refused([
            "create-certificate-authority", "--certificate-authority-type", "ROOT",
            "--certificate-authority-configuration", "KeyAlgorithm=RSA_1024,SigningAlgorithm=SHA256WITHRSA,Subject={CommonName=x}",
        ])
        #expect(badEnum.contains("ValidationException") && badEnum.contains("keyAlgorithm"), "\(badEnum)")
        let mismatch = try setup.refused([
            "create-certificate-authority", "--certificate-authority-type", "ROOT",
            "--certificate-authority-configuration", "KeyAlgorithm=RSA_2048,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=x}",
        ])
        #expect(mismatch.contains("InvalidArgsException"), "\(mismatch)")
        // No certificate outlives its CA (the root here is valid for 10 years).
        let beyond = try setup.refused([
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=11,Type=YEARS",
        ])
        #expect(beyond.contains("ValidationException") && beyond.contains("after its CA"), "\(beyond)")

        // A restart on the same state: the sealed keys open, the CA still issues.
        let restarted = try setup.local.restarted()
        let again = try restarted.awsOK([
            "acm-pca", "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])
        #expect(again?["CertificateArn"] as? String != nil)
        // Another key file: the sealed keys no longer open, and the call fails plainly.
        let keyFile = restarted.statePath + ".ca-keys"
        try FileManager.default.removeItem(atPath: keyFile)
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }), attributes: [.posixPermissions: 0o600])
        let replaced = try restarted.restarted()
        let refused = try replaced.aws([
            "acm-pca", "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])
        #expect(refused.status != 0 && refused.stderrText.contains("does not open"), "\(refused.stderrText)")
        // A key file other users can read is refused, fail closed.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        let exposed = try replaced.restarted()
        let open = try exposed.aws(["acm-pca", "get-certificate-authority-csr", "--certificate-authority-arn", root.arn])
        #expect(open.status == 0, "reading a CSR needs no key")
        let signing = try exposed.aws([
            "acm-pca", "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])
        #expect(signing.status != 0 && signing.stderrText.contains("accessible to other users"), "\(signing.stderrText)")
    }

    @Test("GetCertificate right after IssueCertificate: RequestInProgressException for the issuance delay (1 s by default), which the CLI's waiter waits out; --pca-issuance-delay 0 answers at once")
    func issuanceWindow() throws {
        let setup = try Setup(arguments: ["--pca-issuance-delay", "3"])
        let root = try setup.activeRoot()
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let issued = try setup.pca([
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])
        let arn = try #require(issued["CertificateArn"] as? String)
        let early = try setup.refused(["get-certificate", "--certificate-authority-arn", root.arn, "--certificate-arn", arn])
        #expect(early.contains("RequestInProgressException"), "\(early)")
        let started = Date()
        let waited = try setup.local.aws(["acm-pca", "wait", "certificate-issued", "--certificate-authority-arn", root.arn, "--certificate-arn", arn])
        #expect(waited.status == 0, "\(waited.stderrText)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try setup.pca(["get-certificate", "--certificate-authority-arn", root.arn, "--certificate-arn", arn])["Certificate"] as? String != nil)

        let immediate = try Setup(arguments: ["--pca-issuance-delay", "0"])
        let other = try immediate.activeRoot()
        let now = try #require(try immediate.pca([
            "issue-certificate", "--certificate-authority-arn", other.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])["CertificateArn"] as? String)
        #expect(try immediate.pca(["get-certificate", "--certificate-authority-arn", other.arn, "--certificate-arn", now])["Certificate"] as? String != nil)
    }

    @Test("ApiPassthrough: BlankEndEntityCertificate_APIPassthrough/V1 takes the API's subject, key usage, extended key usage, names, policies and custom extensions (never CA:TRUE); EndEntityClientAuthCertificate_APIPassthrough/V1 keeps its own usages; other templates ignore it; a duplicated or malformed extension is refused")
    func apiPassthrough() throws {
        let setup = try Setup(arguments: ["--pca-issuance-delay", "0"])
        let root = try setup.activeRoot()
        let rootPath = try setup.write("root.pem", root.pem)
        let leaf = try setup.csr("leaf", cn: "fromTheCSR")
        // DER UTF8String "hello", and basic constraints CA:TRUE (which the template must not let through).
        let hello = Data([0x0c, 0x05] + Array("hello".utf8)).base64EncodedString()
        let caTrue = Data([0x30, 0x03, 0x01, 0x01, 0xff]).base64EncodedString()
        let passthrough = """
            {"Subject": {"CommonName": "smartcard-user", "Organization": "Example Corp", "Country": "US"},
             "Extensions": {
               "KeyUsage": {"DigitalSignature": true, "NonRepudiation": true, "KeyEncipherment": true},
               "ExtendedKeyUsage": [{"ExtendedKeyUsageType": "CLIENT_AUTH"}, {"ExtendedKeyUsageType": "SMART_CARD_LOGIN"},
                                    {"ExtendedKeyUsageObjectIdentifier": "1.3.6.1.4.1.99999.2"}],
               "SubjectAlternativeNames": [{"DnsName": "host.example.com"}, {"Rfc822Name": "user@example.com"},
                                           {"IpAddress": "10.0.0.1"}, {"UniformResourceIdentifier": "spiffe://example.com/workload"}],
               "CertificatePolicies": [{"CertPolicyId": "2.5.29.32.0", "PolicyQualifiers": [{"PolicyQualifierId": "CPS", "Qualifier": {"CpsUri": "https://example.com/cps"}}]}],
               "CustomExtensions": [{"ObjectIdentifier": "1.3.6.1.4.1.99999.1", "Value": "\(hello)"},
                                    {"ObjectIdentifier": "2.5.29.19", "Value": "\(caTrue)", "Critical": true}]}}
            """
        let passthroughPath = try setup.write("passthrough.json", passthrough)
        func issue(_ template: String, passthrough path: String = passthroughPath) throws -> String {
            try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: template, validity: "Value=1,Type=DAYS", extra: ["--api-passthrough", "file://\(path)"]).certificate
        }
        func text(_ pem: String) throws -> String {
            try setup.openssl(["x509", "-noout", "-text", "-nameopt", "RFC2253", "-in", try setup.write("cert-\(UUID().uuidString).pem", pem)]).stdoutText
        }

        let blank = try issue("BlankEndEntityCertificate_APIPassthrough/V1")
        let blankPath = try setup.write("blank.pem", blank)
        let verified = try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, blankPath])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderrText)")
        let blankText = try text(blank)
        #expect(blankText.contains("Subject: C=US,O=Example Corp,CN=smartcard-user") || blankText.contains("Subject: CN=smartcard-user,O=Example Corp,C=US"), "\(blankText)")
        #expect(!blankText.contains("fromTheCSR"))
        #expect(blankText.contains("X509v3 Key Usage: critical") && blankText.contains("Digital Signature, Non Repudiation, Key Encipherment"), "\(blankText)")
        #expect(blankText.contains("TLS Web Client Authentication, Microsoft Smartcard Login, 1.3.6.1.4.1.99999.2"), "\(blankText)")
        #expect(blankText.contains("DNS:host.example.com, email:user@example.com, IP Address:10.0.0.1, URI:spiffe://example.com/workload"), "\(blankText)")
        #expect(blankText.contains("X509v3 Certificate Policies") && blankText.contains("CPS: https://example.com/cps"), "\(blankText)")
        #expect(blankText.contains("1.3.6.1.4.1.99999.1") && blankText.contains("hello"), "\(blankText)")
        #expect(blankText.contains("CA:FALSE") && !blankText.contains("CA:TRUE") && !blankText.contains("Basic Constraints: critical"), "\(blankText)")
        let critical = try text(try issue("BlankEndEntityCertificate_CriticalBasicConstraints_APIPassthrough/V1"))
        #expect(critical.contains("X509v3 Basic Constraints: critical") && critical.contains("CA:FALSE"), "\(critical)")

        // A template with its own usages keeps them; the API's subject, names and extra extensions come through.
        let client = try text(try issue("EndEntityClientAuthCertificate_APIPassthrough/V1"))
        #expect(client.contains("CN=smartcard-user") && client.contains("DNS:host.example.com"), "\(client)")
        #expect(client.contains("Digital Signature, Key Encipherment") && !client.contains("Non Repudiation"), "\(client)")
        #expect(client.contains("TLS Web Client Authentication") && !client.contains("Smartcard"), "\(client)")
        #expect(client.contains("1.3.6.1.4.1.99999.1") && client.contains("CA:FALSE") && !client.contains("CA:TRUE"), "\(client)")
        // Not a passthrough template: ApiPassthrough is ignored, as AWS documents.
        let plain = try text(try issue("EndEntityClientAuthCertificate/V1"))
        #expect(plain.contains("CN=fromTheCSR") && !plain.contains("smartcard-user") && !plain.contains("99999"), "\(plain)")

        // What cannot go into a certificate is refused.
        func refused(_ json: String) throws -> String {
            try setup.refused([
                "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
                "--template-arn", "arn:aws:acm-pca:::template/BlankEndEntityCertificate_APIPassthrough/V1", "--validity", "Value=1,Type=DAYS",
                "--api-passthrough", "file://\(try setup.write("bad-\(UUID().uuidString).json", json))",
            ])
        }
        let twice = try refused(#"{"Extensions":{"CustomExtensions":[{"ObjectIdentifier":"1.2.3.4","Value":"\#(hello)"},{"ObjectIdentifier":"1.2.3.4","Value":"\#(hello)"}]}}"#)
        #expect(twice.contains("InvalidArgsException") && twice.contains("more than once"), "\(twice)")
        let both = try refused(#"{"Extensions":{"KeyUsage":{"DigitalSignature":true},"CustomExtensions":[{"ObjectIdentifier":"2.5.29.15","Value":"\#(hello)"}]}}"#)
        #expect(both.contains("InvalidArgsException"), "\(both)")
        #expect(try refused(#"{"Extensions":{"CustomExtensions":[{"ObjectIdentifier":"1.2.3.4","Value":"bm90IERFUg=="}]}}"#).contains("InvalidArgsException"))
        // The model's patterns: an OID and a value that are not what they claim are ValidationExceptions.
        let oid = try refused(#"{"Extensions":{"CustomExtensions":[{"ObjectIdentifier":"9.1","Value":"\#(hello)"}]}}"#)
        #expect(oid.contains("ValidationException") && oid.contains("regular expression pattern"), "\(oid)")
        #expect(try refused(#"{"Extensions":{"CustomExtensions":[{"ObjectIdentifier":"1.2.3","Value":"not base64!"}]}}"#).contains("ValidationException"))
        #expect(try refused(#"{"Extensions":{"SubjectAlternativeNames":[{"IpAddress":"300.1.1.1"}]}}"#).contains("InvalidArgsException"))
        #expect(try refused(#"{"Extensions":{"SubjectAlternativeNames":[{"DnsName":"a.example.com","Rfc822Name":"x@example.com"}]}}"#).contains("InvalidArgsException"))
        #expect(try refused(#"{"Extensions":{"KeyUsage":{}}}"#).contains("InvalidArgsException"))
    }

    @Test("a renewer's policy limited with acm-pca:TemplateArn: IssueCertificate with that template allowed, with another or none denied; GetCertificate allowed by its own statement")
    func templateArnCondition() async throws {
        let setup = try Setup(arguments: ["--pca-issuance-delay", "0"])
        let root = try setup.activeRoot()
        let leaf = try setup.csr("leaf", cn: "myContainer")
        try setup.local.awsOK(["iam", "create-role", "--role-name", "renewer", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"\(root.arn)",
               "Condition":{"StringEquals":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1"}}},
              {"Effect":"Allow","Action":"acm-pca:GetCertificate","Resource":"\(root.arn)"}]}
            """
        try setup.local.awsOK(["iam", "put-role-policy", "--role-name", "renewer", "--policy-name", "issue", "--policy-document", policy])
        let renewer = try await setup.local.mintSession(roleName: "renewer")
        func issue(_ template: String?) throws -> ChildProcess.Output {
            try setup.local.aws(
                [
                    "acm-pca", "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
                    "--validity", "Value=1,Type=DAYS",
                ] + (template.map { ["--template-arn", "arn:aws:acm-pca:::template/\($0)"] } ?? []),
                as: renewer
            )
        }
        let allowed = try issue("EndEntityClientAuthCertificate/V1")
        #expect(allowed.status == 0, "\(allowed.stderrText)")
        let arn = try #require(allowed.json?["CertificateArn"] as? String)
        let got = try setup.local.aws(["acm-pca", "get-certificate", "--certificate-authority-arn", root.arn, "--certificate-arn", arn], as: renewer)
        #expect(got.status == 0, "\(got.stderrText)")
        for template in ["EndEntityCertificate/V1", "BlankEndEntityCertificate_APIPassthrough/V1", nil] {
            let denied = try issue(template)
            #expect(denied.status != 0 && denied.stderrText.contains("AccessDeniedException") && denied.stderrText.contains("acm-pca:IssueCertificate"), "\(template ?? "no template"): \(denied.stderrText)")
        }
    }

    @Test("signing algorithms: an RSA CA made with SHA384WITHRSA signs its CSR so, issues with SHA512WITHRSA when asked; an EC CA issues with SHA384WITHECDSA; openssl verifies each; a family the key cannot make is refused")
    func signingAlgorithms() throws {
        let setup = try Setup(arguments: ["--pca-issuance-delay", "0"])
        let rsa = try setup.createCA(type: "ROOT", key: "RSA_2048", signing: "SHA384WITHRSA", cn: "RSA Root")
        let csr = try #require(setup.pca(["get-certificate-authority-csr", "--certificate-authority-arn", rsa])["Csr"] as? String)
        let csrPath = try setup.write("rsa.csr", csr)
        let csrText = try setup.openssl(["req", "-in", csrPath, "-noout", "-text", "-verify"])
        #expect(csrText.status == 0 && csrText.stdoutText.contains("sha384WithRSAEncryption"), "\(csrText.stdoutText)\(csrText.stderrText)")
        let root = try setup.issue(ca: rsa, csr: csrPath, signing: "SHA384WITHRSA", template: "RootCACertificate/V1", validity: "Value=5,Type=YEARS")
        let rootPath = try setup.write("rsa-root.pem", root.certificate)
        try setup.pca(["import-certificate-authority-certificate", "--certificate-authority-arn", rsa, "--certificate", "fileb://\(rootPath)"])
        #expect(try setup.openssl(["x509", "-in", rootPath, "-noout", "-text"]).stdoutText.contains("sha384WithRSAEncryption"))
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let strong = try setup.issue(ca: rsa, csr: leaf.csr, signing: "SHA512WITHRSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let strongPath = try setup.write("strong.pem", strong.certificate)
        #expect(try setup.openssl(["x509", "-in", strongPath, "-noout", "-text"]).stdoutText.contains("sha512WithRSAEncryption"))
        let verified = try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, strongPath])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderrText)")
        #expect(try setup.refused([
            "issue-certificate", "--certificate-authority-arn", rsa, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA384WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ]).contains("InvalidArgsException"))

        let ec = try setup.activeRoot()
        let ecRoot = try setup.write("ec-root.pem", ec.pem)
        let ecLeaf = try setup.issue(ca: ec.arn, csr: leaf.csr, signing: "SHA384WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let ecPath = try setup.write("ec-leaf.pem", ecLeaf.certificate)
        #expect(try setup.openssl(["x509", "-in", ecPath, "-noout", "-text"]).stdoutText.contains("ecdsa-with-SHA384"))
        #expect(try setup.openssl(["verify", "-x509_strict", "-CAfile", ecRoot, ecPath]).status == 0)
    }
}

