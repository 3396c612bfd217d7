import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// AWS Private CA's revocation, lifecycle, tags and policies in `rolesanywhere-local`, and Roles
/// Anywhere trust anchors of type `AWS_ACM_PCA`, all driven by the real AWS CLI: CRLs published to
/// the configured bucket of the same server and checked by `openssl crl -verify`; the helper's
/// `credential-process` accepted for a certificate of the anchor's CA and refused for another CA's,
/// and for a revoked one once the CA's CRL is imported, as AWS's user guide says Roles Anywhere
/// checks revocation (imported CRLs only).
@Suite("AWS Private CA: revocation, lifecycle and AWS_ACM_PCA trust anchors", .serialized)
struct PrivateCARevocationTests {
    typealias Setup = PrivateCATests.Setup

    /// A bucket for the CRLs, and a root CA publishing to it.
    static func rootWithCRLs(_ setup: Setup, bucket: String = "crls", usage: String = "GENERAL_PURPOSE") throws -> (arn: String, pem: String, id: String) {
        try setup.local.awsOK(["s3api", "create-bucket", "--bucket", bucket])
        let arn = try setup.pca([
            "create-certificate-authority", "--certificate-authority-type", "ROOT", "--usage-mode", usage,
            "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=Revoking Root CA}",
            "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=\(bucket),ExpirationInDays=7}",
            "--tags", "Key=team,Value=platform",
        ])["CertificateAuthorityArn"] as? String ?? ""
        let csr = try setup.pca(["get-certificate-authority-csr", "--certificate-authority-arn", arn])["Csr"] as? String ?? ""
        let root = try setup.issue(ca: arn, csr: try setup.write("root.csr", csr), signing: "SHA256WITHECDSA", template: "RootCACertificate/V1", validity: "Value=5,Type=YEARS")
        try setup.pca(["import-certificate-authority-certificate", "--certificate-authority-arn", arn, "--certificate", "fileb://\(try setup.write("root.pem", root.certificate))"])
        return (arn, root.certificate, String(arn.split(separator: "/").last ?? ""))
    }

    /// The CA's CRL as stored in the bucket (DER), and `openssl crl`'s text for it, verified against the CA.
    static func fetchCRL(_ setup: Setup, bucket: String = "crls", id: String, caPEM: String) throws -> (der: String, text: String) {
        let path = setup.directory.path("crl-\(UUID().uuidString).der")
        let copied = try setup.local.aws(["s3", "cp", "s3://\(bucket)/crl/\(id).crl", path])
        guard copied.status == 0 else { throw TestFailure("s3 cp of the CRL: \(copied.stderrText)") }
        let caPath = try setup.write("crl-ca-\(UUID().uuidString).pem", caPEM)
        let checked = try setup.openssl(["crl", "-inform", "DER", "-in", path, "-CAfile", caPath, "-verify", "-noout", "-text"])
        guard checked.status == 0, checked.stderrText.contains("verify OK") else {
            throw TestFailure("openssl crl -verify: \(checked.stdoutText)\(checked.stderrText)")
        }
        return (path, checked.stdoutText)
    }

    static func serial(_ setup: Setup, _ pem: String) throws -> String {
        let out = try setup.openssl(["x509", "-noout", "-serial", "-in", try setup.write("serial-\(UUID().uuidString).pem", pem)]).stdoutText
        return String(out.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count))
    }

    @Test("RevokeCertificate: the CA's CRL is published DER to its bucket at crl/<CA-ID>.crl, signed by the CA (openssl crl -verify), listing the serial with its reason; issued certificates carry the CRL distribution point; a second revocation and an unknown serial get AWS's errors")
    func revocationPublishesCRL() throws {
        let setup = try Setup()
        let root = try Self.rootWithCRLs(setup)
        let rootPath = try setup.write("root-ca.pem", root.pem)

        // The first CRL is published when the CA gets its certificate: empty, and verified.
        let first = try Self.fetchCRL(setup, id: root.id, caPEM: root.pem)
        #expect(first.text.contains("No Revoked Certificates"), "\(first.text)")
        #expect(first.text.contains("X509v3 CRL Number"), "\(first.text)")
        let head = try #require(try setup.local.awsOK(["s3api", "head-object", "--bucket", "crls", "--key", "crl/\(root.id).crl"]))
        #expect(head["ContentType"] as? String == "application/pkix-crl")

        // Issued certificates name where the CRL is.
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let issued = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let leafPath = try setup.write("leaf.pem", issued.certificate)
        let text = try setup.openssl(["x509", "-in", leafPath, "-noout", "-text"]).stdoutText
        #expect(text.contains("X509v3 CRL Distribution Points"), "\(text)")
        #expect(text.contains("URI:http://crls.s3.us-east-1.amazonaws.com/crl/\(root.id).crl"), "\(text)")
        #expect(try setup.openssl(["verify", "-x509_strict", "-CAfile", rootPath, leafPath]).status == 0)

        // Revoked: in the next CRL with its reason.
        let serial = try Self.serial(setup, issued.certificate)
        try setup.pca(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", serial, "--revocation-reason", "KEY_COMPROMISE"])
        let second = try Self.fetchCRL(setup, id: root.id, caPEM: root.pem)
        #expect(second.text.contains("Serial Number: \(serial)"), "\(second.text)")
        #expect(second.text.contains("Key Compromise"), "\(second.text)")
        // Each CRL has a larger number, and is valid for ExpirationInDays (7) after its thisUpdate.
        func dates(_ der: String) throws -> (number: String, last: Date, next: Date) {
            let out = try setup.openssl(["crl", "-inform", "DER", "-in", der, "-noout", "-crlnumber", "-lastupdate", "-nextupdate", "-dateopt", "iso_8601"]).stdoutText
            func field(_ name: String) -> String {
                out.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
            }
            let parse = { (text: String) in AmzDate(iso8601: text.replacingOccurrences(of: " ", with: "T"))?.date ?? .distantPast }
            return (field("crlNumber"), parse(field("lastUpdate")), parse(field("nextUpdate")))
        }
        let (firstNumber, _, _) = try dates(first.der)
        let (secondNumber, last, next) = try dates(second.der)
        #expect(UInt64(secondNumber.dropFirst(2), radix: 16) ?? 0 > UInt64(firstNumber.dropFirst(2), radix: 16) ?? .max, "\(firstNumber) then \(secondNumber)")
        #expect(abs(next.timeIntervalSince(last) - 7 * 86400) < 2, "\(last) to \(next)")
        // A CRL with the leaf's chain makes openssl refuse the leaf.
        let pemCRL = setup.directory.path("crl.pem")
        #expect(try setup.openssl(["crl", "-inform", "DER", "-in", second.der, "-out", pemCRL]).status == 0)
        let refused = try setup.openssl(["verify", "-crl_check", "-CAfile", rootPath, "-CRLfile", pemCRL, leafPath])
        #expect(refused.status != 0 && (refused.stdoutText + refused.stderrText).contains("certificate revoked"), "\(refused.stdoutText)\(refused.stderrText)")

        // Again: already done. An unknown serial, a serial that is not hex, an unknown reason.
        let again = try setup.refused(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", serial, "--revocation-reason", "SUPERSEDED"])
        #expect(again.contains("RequestAlreadyProcessedException"), "\(again)")
        #expect(try setup.refused(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", "0a:0b", "--revocation-reason", "SUPERSEDED"])
            .contains("ResourceNotFoundException"))
        #expect(try setup.refused(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", "not-hex", "--revocation-reason", "SUPERSEDED"])
            .contains("InvalidRequestException"))
        #expect(try setup.refused(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", serial, "--revocation-reason", "BORED"])
            .contains("ValidationException"))
        // The root's own certificate cannot be revoked.
        #expect(try setup.refused([
            "revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", try Self.serial(setup, root.pem), "--revocation-reason", "KEY_COMPROMISE",
        ]).contains("InvalidRequestException"))

        // Described with its revocation configuration.
        let described = try #require(setup.pca(["describe-certificate-authority", "--certificate-authority-arn", root.arn])["CertificateAuthority"] as? [String: Any])
        let crl = (described["RevocationConfiguration"] as? [String: Any])?["CrlConfiguration"] as? [String: Any]
        #expect(crl?["Enabled"] as? Bool == true && crl?["S3BucketName"] as? String == "crls", "\(described)")
    }

    @Test("revocation configuration refused as AWS does: a bucket that does not exist, OCSP, a custom CNAME with a scheme; a CNAME names the distribution point; turning CRLs off stops the extension")
    func revocationConfiguration() throws {
        let setup = try Setup()
        let missing = try setup.refused([
            "create-certificate-authority", "--certificate-authority-type", "ROOT",
            "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=x}",
            "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=no-such-bucket}",
        ])
        #expect(missing.contains("InvalidArgsException") && missing.contains("no-such-bucket"), "\(missing)")
        let ocsp = try setup.refused([
            "create-certificate-authority", "--certificate-authority-type", "ROOT",
            "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=x}",
            "--revocation-configuration", "OcspConfiguration={Enabled=true}",
        ])
        #expect(ocsp.contains("InvalidArgsException"), "\(ocsp)")
        try setup.local.awsOK(["s3api", "create-bucket", "--bucket", "crls"])
        let scheme = try setup.refused([
            "create-certificate-authority", "--certificate-authority-type", "ROOT",
            "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=x}",
            "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=crls,CustomCname=http://crl.example.com}",
        ])
        #expect(scheme.contains("InvalidArgsException"), "\(scheme)")
        // Only what the model's patterns allow reaches the distribution point URI.
        for bad in ["CustomCname=crl example.com", "CustomPath=/leading", "CustomPath=a//b"] {
            let refused = try setup.refused([
                "create-certificate-authority", "--certificate-authority-type", "ROOT",
                "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=x}",
                "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=crls,\(bad)}",
            ])
            #expect(refused.contains("ValidationException") && refused.contains("regular expression pattern"), "\(bad): \(refused)")
        }

        let root = try Self.rootWithCRLs(setup)
        try setup.pca([
            "update-certificate-authority", "--certificate-authority-arn", root.arn,
            "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=crls,CustomCname=crl.example.com}",
        ])
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let named = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let namedText = try setup.openssl(["x509", "-noout", "-text", "-in", try setup.write("named.pem", named.certificate)]).stdoutText
        #expect(namedText.contains("URI:http://crl.example.com/crl/\(root.id).crl"), "\(namedText)")

        try setup.pca(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--revocation-configuration", "CrlConfiguration={Enabled=false}"])
        let plain = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let plainText = try setup.openssl(["x509", "-noout", "-text", "-in", try setup.write("plain.pem", plain.certificate)]).stdoutText
        #expect(!plainText.contains("CRL Distribution Points"), "\(plainText)")
        // A disabled configuration carries nothing else.
        #expect(try setup.refused([
            "update-certificate-authority", "--certificate-authority-arn", root.arn, "--revocation-configuration", "CrlConfiguration={Enabled=false,S3BucketName=crls}",
        ]).contains("InvalidArgsException"))
    }

    @Test("lifecycle: DISABLED refuses to issue and comes back ACTIVE; an ACTIVE CA cannot be deleted; a deleted one is DELETED with RestorableUntil, issues nothing, and is restored to its previous status")
    func lifecycle() throws {
        let setup = try Setup()
        let root = try setup.activeRoot()
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let issue = [
            "issue-certificate", "--certificate-authority-arn", root.arn, "--csr", "fileb://\(leaf.csr)", "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ]
        func status() throws -> [String: Any] {
            try #require(setup.pca(["describe-certificate-authority", "--certificate-authority-arn", root.arn])["CertificateAuthority"] as? [String: Any])
        }

        #expect(try setup.refused(["delete-certificate-authority", "--certificate-authority-arn", root.arn]).contains("InvalidStateException"))
        try setup.pca(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "DISABLED"])
        #expect(try status()["Status"] as? String == "DISABLED")
        #expect(try setup.refused(issue).contains("InvalidStateException"))
        #expect(try setup.refused(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "DELETED"]).contains("InvalidArgsException"))
        try setup.pca(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "ACTIVE"])
        #expect(try setup.pca(issue)["CertificateArn"] as? String != nil)

        try setup.pca(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "DISABLED"])
        try setup.pca(["delete-certificate-authority", "--certificate-authority-arn", root.arn, "--permanent-deletion-time-in-days", "7"])
        let deleted = try status()
        #expect(deleted["Status"] as? String == "DELETED" && deleted["RestorableUntil"] != nil, "\(deleted)")
        #expect(try setup.refused(issue).contains("InvalidStateException"))
        #expect(try setup.refused(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "ACTIVE"]).contains("InvalidStateException"))
        let listed = try #require(setup.pca(["list-certificate-authorities"])["CertificateAuthorities"] as? [[String: Any]])
        #expect(listed.contains { $0["Arn"] as? String == root.arn && $0["Status"] as? String == "DELETED" })

        try setup.pca(["restore-certificate-authority", "--certificate-authority-arn", root.arn])
        let restored = try status()
        #expect(restored["Status"] as? String == "DISABLED" && restored["RestorableUntil"] == nil, "\(restored)")
        #expect(try setup.refused(["restore-certificate-authority", "--certificate-authority-arn", root.arn]).contains("InvalidStateException"))
        try setup.pca(["update-certificate-authority", "--certificate-authority-arn", root.arn, "--status", "ACTIVE"])
        #expect(try setup.pca(issue)["CertificateArn"] as? String != nil)

        // A pending CA can be deleted at once (no disabling needed).
        let pending = try setup.createCA(type: "ROOT", key: "EC_prime256v1", signing: "SHA256WITHECDSA", cn: "Never Used")
        try setup.pca(["delete-certificate-authority", "--certificate-authority-arn", pending])
        try setup.pca(["restore-certificate-authority", "--certificate-authority-arn", pending])
        let back = try #require(setup.pca(["describe-certificate-authority", "--certificate-authority-arn", pending])["CertificateAuthority"] as? [String: Any])
        #expect(back["Status"] as? String == "PENDING_CERTIFICATE")
    }

    @Test("tags and resource policies: tag, list, untag with AWS's refusals (aws: keys, more than 50); put, get and delete a resource policy, refused when it is not one")
    func tagsAndPolicies() throws {
        let setup = try Setup()
        let root = try setup.activeRoot()
        try setup.pca(["tag-certificate-authority", "--certificate-authority-arn", root.arn, "--tags", "Key=team,Value=platform", "Key=env,Value=test"])
        try setup.pca(["tag-certificate-authority", "--certificate-authority-arn", root.arn, "--tags", "Key=env,Value=ci"])
        let tags = try #require(setup.pca(["list-tags", "--certificate-authority-arn", root.arn])["Tags"] as? [[String: Any]])
        #expect(tags.map { "\($0["Key"] ?? "")=\($0["Value"] ?? "")" } == ["team=platform", "env=ci"])
        let reserved = try setup.refused(["tag-certificate-authority", "--certificate-authority-arn", root.arn, "--tags", "Key=aws:owner,Value=me"])
        #expect(reserved.contains("InvalidTagException"), "\(reserved)")
        let many = (0..<49).map { "Key=k\($0),Value=v" }
        #expect(try setup.refused(["tag-certificate-authority", "--certificate-authority-arn", root.arn, "--tags"] + many).contains("TooManyTagsException"))
        try setup.pca(["untag-certificate-authority", "--certificate-authority-arn", root.arn, "--tags", "Key=team"])
        let left = try #require(setup.pca(["list-tags", "--certificate-authority-arn", root.arn])["Tags"] as? [[String: Any]])
        #expect(left.map { $0["Key"] as? String } == ["env"])

        #expect(try setup.refused(["get-policy", "--resource-arn", root.arn]).contains("ResourceNotFoundException"))
        let policy = """
        {"Version":"2012-10-17","Statement":[{"Sid":"share","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},\
        "Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"\(root.arn)"}]}
        """
        let policyPath = try setup.write("policy.json", policy)
        try setup.pca(["put-policy", "--resource-arn", root.arn, "--policy", "file://\(policyPath)"])
        let got = try #require(setup.pca(["get-policy", "--resource-arn", root.arn])["Policy"] as? String)
        #expect(got == policy)
        let notPolicy = try setup.refused(["put-policy", "--resource-arn", root.arn, "--policy", "{not json"])
        #expect(notPolicy.contains("InvalidPolicyException"), "\(notPolicy)")
        let noPrincipal = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:GetCertificate","Resource":"*"}]}"#
        #expect(try setup.refused(["put-policy", "--resource-arn", root.arn, "--policy", noPrincipal]).contains("InvalidPolicyException"))
        try setup.pca(["delete-policy", "--resource-arn", root.arn])
        #expect(try setup.refused(["get-policy", "--resource-arn", root.arn]).contains("ResourceNotFoundException"))
    }

    /// A role, a profile and an `AWS_ACM_PCA` trust anchor for `ca`; returns the helper's ARN flags.
    static func rolesAnywhere(_ setup: Setup, ca: String, name: String = "pca-anchor") throws -> (anchor: String, arguments: [String]) {
        let local = setup.local
        let role = try #require(try local.awsOK([
            "iam", "create-role", "--role-name", "pca-workload-\(name)", "--assume-role-policy-document", Policies.trustRolesAnywhere,
        ])?["Role"] as? [String: Any])["Arn"] as? String ?? ""
        let anchor = try #require(try local.awsOK([
            "rolesanywhere", "create-trust-anchor", "--name", name, "--source", "sourceData={acmPcaArn=\(ca)},sourceType=AWS_ACM_PCA", "--enabled",
        ])?["trustAnchor"] as? [String: Any])
        #expect((anchor["source"] as? [String: Any])?["sourceType"] as? String == "AWS_ACM_PCA")
        #expect(((anchor["source"] as? [String: Any])?["sourceData"] as? [String: Any])?["acmPcaArn"] as? String == ca)
        // The CA certificate the anchor keeps is the store's, never in an answer (TrustAnchorDetail has no such member).
        let fetched = try local.aws(["rolesanywhere", "get-trust-anchor", "--trust-anchor-id", anchor["trustAnchorId"] as? String ?? ""])
        #expect(anchor["acmPcaCertificate"] == nil && fetched.status == 0 && !fetched.stdoutText.contains("BEGIN CERTIFICATE"), "\(fetched.stdoutText)")
        let profile = try #require(try local.awsOK(["rolesanywhere", "create-profile", "--name", "p-\(name)", "--role-arns", role, "--enabled"])?["profile"] as? [String: Any])
        let anchorArn = try #require(anchor["trustAnchorArn"] as? String)
        return (anchorArn, [
            "--trust-anchor-arn", anchorArn, "--profile-arn", try #require(profile["profileArn"] as? String), "--role-arn", role,
            "--endpoint", local.endpoint, "--no-verify-ssl",
        ])
    }

    func credentialProcess(certificate: String, key: String, _ arguments: [String]) throws -> ChildProcess.Output {
        try Binaries.rolesanywhere(["credential-process", "--certificate", certificate, "--private-key", key] + arguments)
    }

    @Test("an AWS_ACM_PCA trust anchor: the helper gets credentials with a certificate of that CA (root and subordinate), not with another CA's, nor a pending CA's anchor; a revoked certificate is refused once the CA's CRL is imported")
    func acmPcaTrustAnchor() throws {
        let setup = try Setup()
        let root = try Self.rootWithCRLs(setup)
        let leaf = try setup.csr("leaf", cn: "myContainer")
        let issued = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let certificate = try setup.write("leaf.pem", issued.certificate)
        let helper = try Self.rolesAnywhere(setup, ca: root.arn)

        let accepted = try credentialProcess(certificate: certificate, key: leaf.key, helper.arguments)
        #expect(accepted.status == 0, "\(accepted.stderrText)")
        #expect(accepted.stdoutText.contains("\"AccessKeyId\""))

        // Another CA's certificate, same subject: refused.
        let other = setup.directory.path("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        #expect(try Binaries.rolesanywhere(["pki", "ca", "--cn", "Revoking Root CA", "--out-cert", "\(other)/ca.pem", "--out-key", "\(other)/ca.key"]).status == 0)
        #expect(try Binaries.rolesanywhere([
            "pki", "issue", "--ca-cert", "\(other)/ca.pem", "--ca-key", "\(other)/ca.key", "--cn", "myContainer", "--days", "1",
            "--out-cert", "\(other)/cert.pem", "--out-key", "\(other)/key.pem",
        ]).status == 0)
        let foreign = try credentialProcess(certificate: "\(other)/cert.pem", key: "\(other)/key.pem", helper.arguments)
        #expect(foreign.status != 0 && foreign.stderrText.contains("AccessDenied"), "\(foreign.stdoutText)\(foreign.stderrText)")

        // A subordinate of the root, its own anchor: its certificates are accepted there.
        let sub = try setup.createCA(type: "SUBORDINATE", key: "RSA_2048", signing: "SHA256WITHRSA", cn: "Issuing CA")
        let pendingAnchor = try setup.local.aws([
            "rolesanywhere", "create-trust-anchor", "--name", "pending", "--source", "sourceData={acmPcaArn=\(sub)},sourceType=AWS_ACM_PCA",
        ])
        #expect(pendingAnchor.status != 0 && pendingAnchor.stderrText.contains("ValidationException"), "\(pendingAnchor.stderrText)")
        let subCSR = try setup.write("sub.csr", try setup.pca(["get-certificate-authority-csr", "--certificate-authority-arn", sub])["Csr"] as? String ?? "")
        let subCertificate = try setup.issue(ca: root.arn, csr: subCSR, signing: "SHA256WITHECDSA", template: "SubordinateCACertificate_PathLen0/V1", validity: "Value=2,Type=YEARS")
        try setup.pca([
            "import-certificate-authority-certificate", "--certificate-authority-arn", sub,
            "--certificate", "fileb://\(try setup.write("sub.pem", subCertificate.certificate))", "--certificate-chain", "fileb://\(try setup.write("chain.pem", root.pem))",
        ])
        let subHelper = try Self.rolesAnywhere(setup, ca: sub, name: "sub-anchor")
        let subLeaf = try setup.csr("subleaf", cn: "myContainer", key: "rsa")
        let subIssued = try setup.issue(ca: sub, csr: subLeaf.csr, signing: "SHA256WITHRSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let subOK = try credentialProcess(certificate: try setup.write("subleaf.pem", subIssued.certificate), key: subLeaf.key, subHelper.arguments)
        #expect(subOK.status == 0, "\(subOK.stderrText)")
        // The root's leaf is not trusted by the subordinate's anchor.
        let rootLeafAtSub = try credentialProcess(certificate: certificate, key: leaf.key, subHelper.arguments)
        #expect(rootLeafAtSub.status != 0, "\(rootLeafAtSub.stdoutText)")

        // Revoked, and the CA's CRL imported (PEM) and enabled on the anchor: refused.
        try setup.pca(["revoke-certificate", "--certificate-authority-arn", root.arn, "--certificate-serial", try Self.serial(setup, issued.certificate), "--revocation-reason", "KEY_COMPROMISE"])
        let crl = try Self.fetchCRL(setup, id: root.id, caPEM: root.pem)
        let pemCRL = setup.directory.path("revocations.pem")
        #expect(try setup.openssl(["crl", "-inform", "DER", "-in", crl.der, "-out", pemCRL]).status == 0)
        try setup.local.awsOK(["rolesanywhere", "import-crl", "--name", "pca-crl", "--crl-data", "fileb://\(pemCRL)", "--trust-anchor-arn", helper.anchor, "--enabled"])
        let revoked = try credentialProcess(certificate: certificate, key: leaf.key, helper.arguments)
        #expect(revoked.status != 0 && revoked.stderrText.contains("AccessDenied"), "\(revoked.stdoutText)\(revoked.stderrText)")
        // A new certificate for the same key is accepted again.
        let renewed = try setup.issue(ca: root.arn, csr: leaf.csr, signing: "SHA256WITHECDSA", template: "EndEntityClientAuthCertificate/V1", validity: "Value=1,Type=DAYS")
        let renewedOK = try credentialProcess(certificate: try setup.write("renewed.pem", renewed.certificate), key: leaf.key, helper.arguments)
        #expect(renewedOK.status == 0, "\(renewedOK.stderrText)")
    }
}
