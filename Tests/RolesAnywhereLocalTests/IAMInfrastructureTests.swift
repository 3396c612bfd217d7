import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// What Terraform's `aws_iam_policy`, `aws_iam_instance_profile` and `aws_iam_role` call, through
/// the real AWS CLI against the server.
@Suite("IAM: policy versions, policy listings and instance profiles, through the AWS CLI")
struct IAMInfrastructureTests {
    @Test("policy versions: five at most, newest first, the default is the one enforced, the default cannot be deleted, nor a policy with other versions")
    func policyVersions() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://versions-bucket"])
        try local.awsOK(["iam", "create-role", "--role-name", "versioned", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let created = try #require(try local.awsOK(["iam", "create-policy", "--policy-name", "lister", "--policy-document", Policies.listAllMyBuckets])?["Policy"] as? [String: Any])
        let arn = try #require(created["Arn"] as? String)
        try local.awsOK(["iam", "attach-role-policy", "--role-name", "versioned", "--policy-arn", arn])
        let session = try await local.mintSession(roleName: "versioned", tags: ["x509Subject/CN": "myContainer"])
        #expect(try local.aws(["s3", "ls"], as: session).status == 0)

        // v2 allows only GetCallerIdentity; made the default, it is the one enforced.
        let onlyIdentity = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#
        let v2 = try #require(try local.awsOK(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", onlyIdentity, "--set-as-default"])?["PolicyVersion"] as? [String: Any])
        #expect(v2["VersionId"] as? String == "v2" && v2["IsDefaultVersion"] as? Bool == true && v2["Document"] == nil, "\(v2)")
        let denied = try local.aws(["s3", "ls"], as: session)
        #expect(denied.stderrText.contains("AccessDenied"), "\(denied.stderrText)")
        #expect(try local.awsOK(["iam", "get-policy", "--policy-arn", arn])?["Policy"].flatMap { ($0 as? [String: Any])?["DefaultVersionId"] as? String } == "v2")
        try local.awsOK(["iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v1"])
        #expect(try local.aws(["s3", "ls"], as: session).status == 0)

        for _ in 3...5 { try local.awsOK(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", onlyIdentity]) }
        let sixth = try local.aws(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", onlyIdentity])
        #expect(sixth.stderrText.contains("LimitExceeded") && sixth.stderrText.contains("up to 5 versions"), "\(sixth.stderrText)")
        let listed = try #require(try local.awsOK(["iam", "list-policy-versions", "--policy-arn", arn])?["Versions"] as? [[String: Any]])
        #expect(listed.compactMap { $0["VersionId"] as? String } == ["v5", "v4", "v3", "v2", "v1"])
        #expect(listed.filter { $0["IsDefaultVersion"] as? Bool == true }.compactMap { $0["VersionId"] as? String } == ["v1"])
        #expect(listed.allSatisfy { $0["Document"] == nil })
        // Paged by the CLI with --page-size, nothing lost or repeated.
        let paged = try #require(try local.awsOK(["iam", "list-policy-versions", "--policy-arn", arn, "--page-size", "2"])?["Versions"] as? [[String: Any]])
        #expect(paged.compactMap { $0["VersionId"] as? String } == ["v5", "v4", "v3", "v2", "v1"])
        let v3 = try #require(try local.awsOK(["iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v3"])?["PolicyVersion"] as? [String: Any])
        #expect(((v3["Document"] as? [String: Any])?["Statement"] as? [[String: Any]])?.first?["Action"] as? String == "sts:GetCallerIdentity")

        #expect(try local.aws(["iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1"]).stderrText.contains("Cannot delete the default version of a policy."))
        #expect(try local.aws(["iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v9"]).stderrText.contains("NoSuchEntity"))
        #expect(try local.aws(["iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "x1"]).stderrText.contains("ValidationError"))
        #expect(try local.aws(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", "{not json"]).stderrText.contains("MalformedPolicyDocument"))
        #expect(try local.aws(["iam", "create-policy-version", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--policy-document", onlyIdentity]).stderrText.contains("InvalidInput"))

        // Numbers are never reused: v6 after deleting v5.
        try local.awsOK(["iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v5"])
        let v6 = try #require(try local.awsOK(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", onlyIdentity])?["PolicyVersion"] as? [String: Any])
        #expect(v6["VersionId"] as? String == "v6")

        try local.awsOK(["iam", "detach-role-policy", "--role-name", "versioned", "--policy-arn", arn])
        let withVersions = try local.aws(["iam", "delete-policy", "--policy-arn", arn])
        #expect(withVersions.stderrText.contains("DeleteConflict") && withVersions.stderrText.contains("more than one version"), "\(withVersions.stderrText)")
        for version in ["v2", "v3", "v4", "v6"] { try local.awsOK(["iam", "delete-policy-version", "--policy-arn", arn, "--version-id", version]) }
        try local.awsOK(["iam", "delete-policy", "--policy-arn", arn])
    }

    @Test("list-policies by scope, attachment and usage; list-entities-for-policy names the roles that use it")
    func policyListings() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "app", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let arn = try #require((try local.awsOK(["iam", "create-policy", "--policy-name", "app-read", "--path", "/team/", "--policy-document", Policies.listAllMyBuckets, "--description", "d"])?["Policy"] as? [String: Any])?["Arn"] as? String)
        try local.awsOK(["iam", "create-policy", "--policy-name", "unused", "--policy-document", Policies.listAllMyBuckets])
        try local.awsOK(["iam", "attach-role-policy", "--role-name", "app", "--policy-arn", arn])
        try local.awsOK(["iam", "attach-role-policy", "--role-name", "app", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"])

        func names(_ arguments: [String]) throws -> [String] {
            (try local.awsOK(["iam", "list-policies"] + arguments)?["Policies"] as? [[String: Any]] ?? []).compactMap { $0["PolicyName"] as? String }
        }
        #expect(try names(["--scope", "Local"]) == ["app-read", "unused"])
        #expect(try names(["--scope", "Local", "--only-attached"]) == ["app-read"])
        #expect(try names(["--scope", "Local", "--path-prefix", "/team/"]) == ["app-read"])
        #expect(try names(["--scope", "AWS", "--only-attached"]) == ["ReadOnlyAccess"])
        #expect(try Set(names([])).isSuperset(of: ["app-read", "unused", "AdministratorAccess", "ReadOnlyAccess"]))
        let listed = try #require((try local.awsOK(["iam", "list-policies", "--scope", "Local", "--only-attached"])?["Policies"] as? [[String: Any]])?.first)
        #expect(listed["AttachmentCount"] as? Int == 1 && listed["Description"] == nil && listed["DefaultVersionId"] as? String == "v1", "\(listed)")
        #expect(try local.aws(["iam", "list-policies", "--scope", "Everything"]).stderrText.contains("ValidationError"))
        let readOnly = try #require(try local.awsOK(["iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"])?["Policy"] as? [String: Any])
        #expect(readOnly["AttachmentCount"] as? Int == 1)

        let entities = try #require(try local.awsOK(["iam", "list-entities-for-policy", "--policy-arn", arn]))
        #expect((entities["PolicyRoles"] as? [[String: Any]])?.compactMap { $0["RoleName"] as? String } == ["app"])
        #expect((entities["PolicyRoles"] as? [[String: Any]])?.first?["RoleId"] as? String != nil)
        #expect((entities["PolicyUsers"] as? [Any])?.isEmpty == true && (entities["PolicyGroups"] as? [Any])?.isEmpty == true)
        #expect((try local.awsOK(["iam", "list-entities-for-policy", "--policy-arn", arn, "--entity-filter", "User"])?["PolicyRoles"] as? [Any])?.isEmpty == true)
        try local.awsOK(["iam", "put-role-permissions-boundary", "--role-name", "app", "--permissions-boundary", "arn:aws:iam::aws:policy/AdministratorAccess"])
        let bounded = try local.awsOK(["iam", "list-entities-for-policy", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess", "--policy-usage-filter", "PermissionsBoundary"])
        #expect((bounded?["PolicyRoles"] as? [[String: Any]])?.compactMap { $0["RoleName"] as? String } == ["app"])
        #expect(try names(["--scope", "AWS", "--policy-usage-filter", "PermissionsBoundary"]) == ["AdministratorAccess"])
        #expect(try local.aws(["iam", "list-entities-for-policy", "--policy-arn", "arn:aws:iam::123456789012:policy/none"]).stderrText.contains("NoSuchEntity"))
    }

    @Test("instance profiles: create with tags, one role, get and list show the role, a role in a profile and a profile with a role cannot be deleted")
    func instanceProfiles() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "web", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "create-role", "--role-name", "other", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let created = try #require(try local.awsOK([
            "iam", "create-instance-profile", "--instance-profile-name", "web-profile", "--path", "/apps/", "--tags", "Key=team,Value=web",
        ])?["InstanceProfile"] as? [String: Any])
        #expect(created["Arn"] as? String == "arn:aws:iam::123456789012:instance-profile/apps/web-profile")
        #expect((created["InstanceProfileId"] as? String)?.hasPrefix("AIPA") == true)
        #expect((created["Roles"] as? [Any])?.isEmpty == true)
        #expect(try local.aws(["iam", "create-instance-profile", "--instance-profile-name", "WEB-PROFILE"]).stderrText.contains("EntityAlreadyExists"))

        try local.awsOK(["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"])
        let second = try local.aws(["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "other"])
        #expect(second.stderrText.contains("LimitExceeded"), "\(second.stderrText)")
        let got = try #require(try local.awsOK(["iam", "get-instance-profile", "--instance-profile-name", "web-profile"])?["InstanceProfile"] as? [String: Any])
        let roles = try #require(got["Roles"] as? [[String: Any]])
        #expect(roles.compactMap { $0["RoleName"] as? String } == ["web"])
        #expect((roles.first?["AssumeRolePolicyDocument"] as? [String: Any])?["Version"] as? String == "2012-10-17")
        #expect((got["Tags"] as? [[String: String]]) == [["Key": "team", "Value": "web"]])
        let forRole = try #require(try local.awsOK(["iam", "list-instance-profiles-for-role", "--role-name", "web"])?["InstanceProfiles"] as? [[String: Any]])
        #expect(forRole.compactMap { $0["InstanceProfileName"] as? String } == ["web-profile"])
        #expect((try local.awsOK(["iam", "list-instance-profiles-for-role", "--role-name", "other"])?["InstanceProfiles"] as? [Any])?.isEmpty == true)
        #expect((try local.awsOK(["iam", "list-instance-profiles", "--path-prefix", "/apps/"])?["InstanceProfiles"] as? [[String: Any]])?.count == 1)

        #expect(try local.aws(["iam", "delete-role", "--role-name", "web"]).stderrText.contains("must remove roles from instance profile first"))
        #expect(try local.aws(["iam", "delete-instance-profile", "--instance-profile-name", "web-profile"]).stderrText.contains("DeleteConflict"))
        #expect(try local.aws(["iam", "remove-role-from-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "other"]).stderrText.contains("NoSuchEntity"))
        try local.awsOK(["iam", "remove-role-from-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"])
        try local.awsOK(["iam", "delete-instance-profile", "--instance-profile-name", "web-profile"])
        try local.awsOK(["iam", "delete-role", "--role-name", "web"])
        let gone = try local.aws(["iam", "get-instance-profile", "--instance-profile-name", "web-profile"])
        #expect(gone.stderrText.contains("NoSuchEntity") && gone.stderrText.contains("Instance Profile web-profile cannot be found."), "\(gone.stderrText)")
    }

    @Test("RoleLastUsed: empty until a session of the role makes a request, then its time and region, written at most once a minute")
    func roleLastUsed() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "worker", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "worker", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let before = try #require(try local.awsOK(["iam", "get-role", "--role-name", "worker"])?["Role"] as? [String: Any])
        #expect((before["RoleLastUsed"] as? [String: Any])?.isEmpty == true, "\(before)")
        let session = try await local.mintSession(roleName: "worker", tags: ["x509Subject/CN": "myContainer"])
        let start = Date()
        #expect(try local.aws(["s3", "ls"], as: session).status == 0)
        let after = try #require(try local.awsOK(["iam", "get-role", "--role-name", "worker"])?["Role"] as? [String: Any])
        let used = try #require(after["RoleLastUsed"] as? [String: Any])
        #expect(used["Region"] as? String == "us-east-1", "\(used)")
        let date = try #require((used["LastUsedDate"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(date.timeIntervalSince(start) > -2 && date.timeIntervalSinceNow < 2, "\(date)")
        // A second request within the minute writes nothing new; listings leave it out.
        #expect(try local.aws(["s3", "ls"], as: session).status == 0)
        let again = try #require(try local.awsOK(["iam", "get-role", "--role-name", "worker"])?["Role"] as? [String: Any])
        #expect((again["RoleLastUsed"] as? [String: Any])?["LastUsedDate"] as? String == used["LastUsedDate"] as? String)
        let listed = try #require((try local.awsOK(["iam", "list-roles"])?["Roles"] as? [[String: Any]])?.first)
        #expect(listed["RoleLastUsed"] == nil)
    }
}
