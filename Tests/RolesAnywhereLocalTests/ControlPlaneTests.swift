import Foundation
import RolesAnywhereTesting
import Testing

/// The Roles Anywhere control plane through the real AWS CLI (`aws rolesanywhere ...`): every
/// operation, the model's defaults and status codes, pagination, and AWS-shaped errors.
@Suite("Roles Anywhere control plane via the AWS CLI")
struct ControlPlaneTests {
    static func anchorSource(_ pem: String) -> String {
        "sourceData={x509CertificateData=\(pem)},sourceType=CERTIFICATE_BUNDLE"
    }

    @Test("trust anchors: create, get, update, list with pagination, disable, enable, notifications, delete")
    func trustAnchors() throws {
        let local = try LocalServerProcess()
        let root = try TestPKI.makeRoot(commonName: "Anchor CA", key: .rsa2048)
        let created = try #require(try local.awsOK(["rolesanywhere", "create-trust-anchor", "--name", "first", "--source", Self.anchorSource(root.certificatePEM), "--enabled"])?["trustAnchor"] as? [String: Any])
        let id = try #require(created["trustAnchorId"] as? String)
        #expect(created["trustAnchorArn"] as? String == "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/\(id)")
        #expect(created["enabled"] as? Bool == true)
        #expect(((created["source"] as? [String: Any])?["sourceType"]) as? String == "CERTIFICATE_BUNDLE")
        let settings = try #require(created["notificationSettings"] as? [[String: Any]])
        #expect(Set(settings.compactMap { $0["event"] as? String }) == ["CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY"])
        #expect(settings.allSatisfy { $0["threshold"] as? Int == 45 && $0["configuredBy"] as? String == "rolesanywhere.amazonaws.com" })
        #expect((created["createdAt"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)

        // Without --enabled, an anchor is created disabled.
        let second = try #require(try local.awsOK(["rolesanywhere", "create-trust-anchor", "--name", "second", "--source", Self.anchorSource(root.certificatePEM)])?["trustAnchor"] as? [String: Any])
        #expect(second["enabled"] as? Bool == false)
        try local.awsOK(["rolesanywhere", "create-trust-anchor", "--name", "third", "--source", Self.anchorSource(root.certificatePEM)])
        // --page-size 1 makes the CLI follow nextToken across three pages.
        let listed = try #require(try local.awsOK(["rolesanywhere", "list-trust-anchors", "--page-size", "1"])?["trustAnchors"] as? [[String: Any]])
        #expect(listed.compactMap { $0["name"] as? String } == ["first", "second", "third"])

        let updated = try #require(try local.awsOK(["rolesanywhere", "update-trust-anchor", "--trust-anchor-id", id, "--name", "renamed"])?["trustAnchor"] as? [String: Any])
        #expect(updated["name"] as? String == "renamed")
        #expect(try local.awsOK(["rolesanywhere", "disable-trust-anchor", "--trust-anchor-id", id])?["trustAnchor"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == false)
        #expect(try local.awsOK(["rolesanywhere", "enable-trust-anchor", "--trust-anchor-id", id])?["trustAnchor"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == true)

        let put = try #require(try local.awsOK([
            "rolesanywhere", "put-notification-settings", "--trust-anchor-id", id, "--notification-settings", "enabled=false,event=CA_CERTIFICATE_EXPIRY,threshold=10",
        ])?["trustAnchor"] as? [String: Any])
        let caSetting = (put["notificationSettings"] as? [[String: Any]])?.first { $0["event"] as? String == "CA_CERTIFICATE_EXPIRY" }
        #expect(caSetting?["enabled"] as? Bool == false)
        #expect(caSetting?["threshold"] as? Int == 10)
        #expect(caSetting?["configuredBy"] as? String == "123456789012")
        let reset = try #require(try local.awsOK([
            "rolesanywhere", "reset-notification-settings", "--trust-anchor-id", id, "--notification-setting-keys", "event=CA_CERTIFICATE_EXPIRY",
        ])?["trustAnchor"] as? [String: Any])
        #expect((reset["notificationSettings"] as? [[String: Any]])?.first { $0["event"] as? String == "CA_CERTIFICATE_EXPIRY" }?["threshold"] as? Int == 45)

        let deleted = try #require(try local.awsOK(["rolesanywhere", "delete-trust-anchor", "--trust-anchor-id", id])?["trustAnchor"] as? [String: Any])
        #expect(deleted["name"] as? String == "renamed")
        let gone = try local.aws(["rolesanywhere", "get-trust-anchor", "--trust-anchor-id", id])
        #expect(gone.stderrText.contains("ResourceNotFoundException"))
        let malformed = try local.aws(["rolesanywhere", "get-trust-anchor", "--trust-anchor-id", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"])
        #expect(malformed.stderrText.contains("ValidationException"))
    }

    @Test("trust anchors refuse what AWS refuses: a leaf, three CAs, a bad name, no PEM")
    func trustAnchorValidation() throws {
        let local = try LocalServerProcess()
        let root = try TestPKI.makeRoot(commonName: "Anchor CA")
        let leaf = try TestPKI.makeLeaf(issuer: root)
        let notCA = try local.aws(["rolesanywhere", "create-trust-anchor", "--name", "leaf", "--source", Self.anchorSource(leaf.certificatePEM)])
        #expect(notCA.stderrText.contains("ValidationException"))
        #expect(notCA.stderrText.contains("CA:TRUE"))
        let three = root.certificatePEM + (try TestPKI.makeRoot(commonName: "B").certificatePEM) + (try TestPKI.makeRoot(commonName: "C").certificatePEM)
        let tooMany = try local.aws(["rolesanywhere", "create-trust-anchor", "--name", "three", "--source", Self.anchorSource(three)])
        #expect(tooMany.stderrText.contains("at most 2"))
        let badName = try local.aws(["rolesanywhere", "create-trust-anchor", "--name", "no/slashes", "--source", Self.anchorSource(root.certificatePEM)])
        #expect(badName.stderrText.contains("1 validation error detected: Value 'no/slashes' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"))
        let garbage = try local.aws(["rolesanywhere", "create-trust-anchor", "--name", "garbage", "--source", Self.anchorSource("not a certificate")])
        #expect(garbage.stderrText.contains("ValidationException"))
        let pca = try local.aws(["rolesanywhere", "create-trust-anchor", "--name", "pca", "--source", "sourceData={acmPcaArn=arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x},sourceType=AWS_ACM_PCA"])
        #expect(pca.stderrText.contains("ValidationException") && pca.stderrText.contains("does not exist"), "\(pca.stderrText)")
    }

    @Test("profiles: defaults, update, attribute mappings, disable, enable, list, delete; bad input")
    func profiles() throws {
        let local = try LocalServerProcess()
        let role = "arn:aws:iam::123456789012:role/bucket-lister"
        let created = try #require(try local.awsOK(["rolesanywhere", "create-profile", "--name", "bucket-lister", "--role-arns", role, "--enabled"])?["profile"] as? [String: Any])
        let id = try #require(created["profileId"] as? String)
        #expect(created["durationSeconds"] as? Int == 3600)
        #expect(created["acceptRoleSessionName"] as? Bool == false)
        #expect(created["createdBy"] as? String == "arn:aws:iam::123456789012:root")
        let mappings = try #require(created["attributeMappings"] as? [[String: Any]])
        let san = mappings.first { $0["certificateField"] as? String == "x509SAN" }
        #expect((san?["mappingRules"] as? [[String: String]])?.compactMap { $0["specifier"] } == ["DNS", "URI", "Name/*"])

        let updated = try #require(try local.awsOK([
            "rolesanywhere", "update-profile", "--profile-id", id, "--duration-seconds", "7200", "--accept-role-session-name",
            "--session-policy", Policies.listAllMyBuckets, "--managed-policy-arns", "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ])?["profile"] as? [String: Any])
        #expect(updated["durationSeconds"] as? Int == 7200)
        #expect(updated["acceptRoleSessionName"] as? Bool == true)
        #expect(updated["managedPolicyArns"] as? [String] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"])

        let mapped = try #require(try local.awsOK([
            "rolesanywhere", "put-attribute-mapping", "--profile-id", id, "--certificate-field", "x509Subject", "--mapping-rules", "specifier=CN", "specifier=OU",
        ])?["profile"] as? [String: Any])
        let subject = (mapped["attributeMappings"] as? [[String: Any]])?.first { $0["certificateField"] as? String == "x509Subject" }
        #expect((subject?["mappingRules"] as? [[String: String]])?.compactMap { $0["specifier"] } == ["*", "CN", "OU"])
        let unmapped = try #require(try local.awsOK([
            "rolesanywhere", "delete-attribute-mapping", "--profile-id", id, "--certificate-field", "x509Subject", "--specifiers", "*", "OU",
        ])?["profile"] as? [String: Any])
        let remaining = (unmapped["attributeMappings"] as? [[String: Any]])?.first { $0["certificateField"] as? String == "x509Subject" }
        #expect((remaining?["mappingRules"] as? [[String: String]])?.compactMap { $0["specifier"] } == ["CN"])

        #expect(try local.awsOK(["rolesanywhere", "disable-profile", "--profile-id", id])?["profile"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == false)
        #expect(try local.awsOK(["rolesanywhere", "enable-profile", "--profile-id", id])?["profile"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == true)
        #expect((try local.awsOK(["rolesanywhere", "list-profiles"])?["profiles"] as? [[String: Any]])?.count == 1)
        try local.awsOK(["rolesanywhere", "delete-profile", "--profile-id", id])
        #expect(try local.aws(["rolesanywhere", "get-profile", "--profile-id", id]).stderrText.contains("ResourceNotFoundException"))

        let long = try local.aws(["rolesanywhere", "create-profile", "--name", "p", "--role-arns", role, "--duration-seconds", "50000"])
        #expect(long.stderrText.contains("Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"))
        let notRole = try local.aws(["rolesanywhere", "create-profile", "--name", "p", "--role-arns", "arn:aws:s3:::bucket"])
        #expect(notRole.stderrText.contains("ValidationException"))
        let badPolicy = try local.aws(["rolesanywhere", "create-profile", "--name", "p", "--role-arns", role, "--session-policy", "{not json"])
        #expect(badPolicy.stderrText.contains("ValidationException"))
    }

    @Test("CRLs: import from fileb://, get, list, update, enable, disable, delete")
    func crls() throws {
        let local = try LocalServerProcess()
        let directory = local.directory
        let ca = try Binaries.rolesanywhere(["pki", "ca", "--cn", "CRL CA", "--out-cert", directory.path("ca.pem"), "--out-key", directory.path("ca.key")])
        #expect(ca.status == 0)
        let crl = try Binaries.rolesanywhere(["pki", "crl", "--ca-cert", directory.path("ca.pem"), "--ca-key", directory.path("ca.key"), "--revoke", "0123", "--out", directory.path("crl.pem")])
        #expect(crl.status == 0, "\(crl.stderrText)")
        let pem = try String(contentsOfFile: directory.path("ca.pem"), encoding: .utf8)
        let anchor = try #require((try local.awsOK(["rolesanywhere", "create-trust-anchor", "--name", "a", "--source", Self.anchorSource(pem), "--enabled"])?["trustAnchor"] as? [String: Any])?["trustAnchorArn"] as? String)
        let imported = try #require(try local.awsOK([
            "rolesanywhere", "import-crl", "--name", "revocations", "--crl-data", "fileb://\(directory.path("crl.pem"))", "--trust-anchor-arn", anchor, "--enabled",
        ])?["crl"] as? [String: Any])
        let id = try #require(imported["crlId"] as? String)
        #expect(imported["enabled"] as? Bool == true)
        #expect(imported["trustAnchorArn"] as? String == anchor)
        // crlData comes back as the PEM bytes (base64 on the wire).
        let fetched = try #require(try local.awsOK(["rolesanywhere", "get-crl", "--crl-id", id])?["crl"] as? [String: Any])
        let data = try #require((fetched["crlData"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: data, as: UTF8.self) == (try String(contentsOfFile: directory.path("crl.pem"), encoding: .utf8)))
        #expect((try local.awsOK(["rolesanywhere", "list-crls"])?["crls"] as? [[String: Any]])?.count == 1)
        #expect((try local.awsOK(["rolesanywhere", "update-crl", "--crl-id", id, "--name", "renamed"])?["crl"] as? [String: Any])?["name"] as? String == "renamed")
        #expect(try local.awsOK(["rolesanywhere", "disable-crl", "--crl-id", id])?["crl"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == false)
        #expect(try local.awsOK(["rolesanywhere", "enable-crl", "--crl-id", id])?["crl"].flatMap { ($0 as? [String: Any])?["enabled"] as? Bool } == true)
        try local.awsOK(["rolesanywhere", "delete-crl", "--crl-id", id])
        #expect(try local.aws(["rolesanywhere", "get-crl", "--crl-id", id]).stderrText.contains("ResourceNotFoundException"))

        let notCRL = try local.aws(["rolesanywhere", "import-crl", "--name", "x", "--crl-data", "fileb://\(directory.path("ca.pem"))", "--trust-anchor-arn", anchor])
        #expect(notCRL.stderrText.contains("ValidationException"))
        let noAnchor = try local.aws([
            "rolesanywhere", "import-crl", "--name", "x", "--crl-data", "fileb://\(directory.path("crl.pem"))",
            "--trust-anchor-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-000000000000",
        ])
        #expect(noAnchor.stderrText.contains("ResourceNotFoundException"))
    }

    @Test("tags: tag-resource, list-tags-for-resource, untag-resource, limits, unknown resources")
    func tags() throws {
        let local = try LocalServerProcess()
        let profile = try #require((try local.awsOK([
            "rolesanywhere", "create-profile", "--name", "p", "--role-arns", "arn:aws:iam::123456789012:role/r", "--tags", "key=team,value=platform",
        ])?["profile"] as? [String: Any])?["profileArn"] as? String)
        try local.awsOK(["rolesanywhere", "tag-resource", "--resource-arn", profile, "--tags", "key=env,value=ci", "key=team,value=security"])
        let tags = try #require(try local.awsOK(["rolesanywhere", "list-tags-for-resource", "--resource-arn", profile])?["tags"] as? [[String: String]])
        #expect(Dictionary(uniqueKeysWithValues: tags.compactMap { tag in tag["key"].map { ($0, tag["value"] ?? "") } }) == ["env": "ci", "team": "security"])
        try local.awsOK(["rolesanywhere", "untag-resource", "--resource-arn", profile, "--tag-keys", "env"])
        #expect((try local.awsOK(["rolesanywhere", "list-tags-for-resource", "--resource-arn", profile])?["tags"] as? [[String: String]])?.count == 1)
        let missing = try local.aws(["rolesanywhere", "list-tags-for-resource", "--resource-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/00000000-0000-4000-8000-000000000000"])
        #expect(missing.stderrText.contains("ResourceNotFoundException"))
        let many = (0..<201).map { "key=k\($0),value=v" }
        let tooMany = try local.aws(["rolesanywhere", "tag-resource", "--resource-arn", profile, "--tags"] + many)
        #expect(tooMany.stderrText.contains("ValidationException") || tooMany.stderrText.contains("TooManyTagsException"))
        let badKey = try local.aws(["rolesanywhere", "tag-resource", "--resource-arn", profile, "--tags", "key=no*stars,value=v"])
        #expect(badKey.stderrText.contains("ValidationException"))
    }

    @Test("a session without rolesanywhere permissions is refused: AccessDeniedException")
    func authorisation() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "lister", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "lister", "--policy-name", "p", "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolesanywhere:List*","Resource":"*"}]}"#])
        let session = try await local.mintSession(roleName: "lister")
        #expect(try local.aws(["rolesanywhere", "list-profiles"], as: session).status == 0)
        let denied = try local.aws(["rolesanywhere", "create-profile", "--name", "p", "--role-arns", "arn:aws:iam::123456789012:role/lister"], as: session)
        #expect(denied.stderrText.contains("AccessDeniedException"))
        #expect(denied.stderrText.contains("rolesanywhere:CreateProfile"))
    }
}
