import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// IAM users, groups and access keys through the real AWS CLI: non-admin principals a test can
/// make and sign with, their policies (own, groups', boundary) enforced.
@Suite("IAM: users, groups and access keys, through the AWS CLI")
struct IAMUserTests {
    static let allowGetObject = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::user-bucket/*"}]}"#
    static let allowS3 = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
    static let denyReport = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::user-bucket/report.txt"}]}"#
    static let ownKeys = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys","iam:DeleteAccessKey","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#

    static func credentials(_ output: [String: Any]?) throws -> LocalServerProcess.Credentials {
        let key = try #require(output?["AccessKey"] as? [String: Any])
        return LocalServerProcess.Credentials(accessKeyID: try #require(key["AccessKeyId"] as? String), secretAccessKey: try #require(key["SecretAccessKey"] as? String))
    }

    @Test("a user signs with its own keys: identity, its policies and its groups' allow, a Deny and a boundary limit, an inactive or deleted key is refused")
    func userSignsWithItsKeys() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://user-bucket"])
        let file = local.directory.path("report.txt")
        try Data("quarterly".utf8).write(to: URL(fileURLWithPath: file))
        try local.awsOK(["s3", "cp", file, "s3://user-bucket/report.txt"])
        try local.awsOK(["s3", "cp", file, "s3://user-bucket/notes.txt"])

        let created = try #require(try local.awsOK(["iam", "create-user", "--user-name", "ci-runner", "--path", "/ci/", "--tags", "Key=team,Value=platform"])?["User"] as? [String: Any])
        #expect(created["Arn"] as? String == "arn:aws:iam::123456789012:user/ci/ci-runner", "\(created)")
        #expect((created["UserId"] as? String)?.hasPrefix("AIDA") == true)
        let duplicate = try local.aws(["iam", "create-user", "--user-name", "CI-RUNNER"])
        #expect(duplicate.stderrText.contains("EntityAlreadyExists"), "\(duplicate.stderrText)")
        let keys = try Self.credentials(try local.awsOK(["iam", "create-access-key", "--user-name", "ci-runner"]))
        #expect(keys.accessKeyID.hasPrefix("AKIA") && keys.accessKeyID.count == 20)
        // GetAccessKeyInfo reads the account from the key, as for AWS's keys.
        #expect(try local.awsOK(["sts", "get-access-key-info", "--access-key-id", keys.accessKeyID])?["Account"] as? String == "123456789012")

        // Identity needs no permission; everything else does.
        let identity = try #require(try local.awsOK(["sts", "get-caller-identity"], as: keys))
        #expect(identity["Arn"] as? String == "arn:aws:iam::123456789012:user/ci/ci-runner" && identity["UserId"] as? String == created["UserId"] as? String, "\(identity)")
        let nothing = try local.aws(["s3api", "get-object", "--bucket", "user-bucket", "--key", "notes.txt", local.directory.path("out")], as: keys)
        #expect(nothing.stderrText.contains("AccessDenied"), "\(nothing.stderrText)")

        // Its own inline policy grants GetObject in the bucket.
        try local.awsOK(["iam", "put-user-policy", "--user-name", "ci-runner", "--policy-name", "read", "--policy-document", Self.allowGetObject])
        #expect(try local.aws(["s3api", "get-object", "--bucket", "user-bucket", "--key", "notes.txt", local.directory.path("out")], as: keys).status == 0)
        let listing = try local.aws(["s3api", "list-objects-v2", "--bucket", "user-bucket"], as: keys)
        #expect(listing.stderrText.contains("AccessDenied") && listing.stderrText.contains("user/ci/ci-runner"), "\(listing.stderrText)")

        // A group's attached policy grants the rest of S3; a group's Deny wins over both.
        try local.awsOK(["iam", "create-group", "--group-name", "builders"])
        try local.awsOK(["iam", "create-policy", "--policy-name", "s3-all", "--policy-document", Self.allowS3])
        try local.awsOK(["iam", "attach-group-policy", "--group-name", "builders", "--policy-arn", "arn:aws:iam::123456789012:policy/s3-all"])
        try local.awsOK(["iam", "add-user-to-group", "--group-name", "builders", "--user-name", "ci-runner"])
        #expect(try local.aws(["s3api", "list-objects-v2", "--bucket", "user-bucket"], as: keys).status == 0)
        try local.awsOK(["iam", "put-group-policy", "--group-name", "builders", "--policy-name", "no-report", "--policy-document", Self.denyReport])
        let denied = try local.aws(["s3api", "get-object", "--bucket", "user-bucket", "--key", "report.txt", local.directory.path("out")], as: keys)
        #expect(denied.stderrText.contains("AccessDenied") && denied.stderrText.contains("explicit deny"), "\(denied.stderrText)")
        try local.awsOK(["iam", "delete-group-policy", "--group-name", "builders", "--policy-name", "no-report"])
        #expect(try local.aws(["s3api", "get-object", "--bucket", "user-bucket", "--key", "report.txt", local.directory.path("out")], as: keys).status == 0)

        // A permissions boundary limits what the policies grant: GetObject only.
        try local.awsOK(["iam", "create-policy", "--policy-name", "boundary", "--policy-document", Self.allowGetObject])
        try local.awsOK(["iam", "put-user-permissions-boundary", "--user-name", "ci-runner", "--permissions-boundary", "arn:aws:iam::123456789012:policy/boundary"])
        let bounded = try #require(try local.awsOK(["iam", "get-user", "--user-name", "ci-runner"])?["User"] as? [String: Any])
        #expect((bounded["PermissionsBoundary"] as? [String: Any])?["PermissionsBoundaryArn"] as? String == "arn:aws:iam::123456789012:policy/boundary")
        #expect(try local.aws(["s3api", "list-objects-v2", "--bucket", "user-bucket"], as: keys).stderrText.contains("AccessDenied"))
        #expect(try local.aws(["s3api", "get-object", "--bucket", "user-bucket", "--key", "notes.txt", local.directory.path("out")], as: keys).status == 0)
        try local.awsOK(["iam", "delete-user-permissions-boundary", "--user-name", "ci-runner"])
        #expect(try local.aws(["s3api", "list-objects-v2", "--bucket", "user-bucket"], as: keys).status == 0)

        // The user's key is refused at once when made inactive, and again when deleted.
        try local.awsOK(["iam", "update-access-key", "--user-name", "ci-runner", "--access-key-id", keys.accessKeyID, "--status", "Inactive"])
        let listed = try #require(try local.awsOK(["iam", "list-access-keys", "--user-name", "ci-runner"])?["AccessKeyMetadata"] as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["Status"] as? String == "Inactive" && listed[0]["SecretAccessKey"] == nil, "\(listed)")
        let inactive = try local.aws(["sts", "get-caller-identity"], as: keys)
        #expect(inactive.stderrText.contains("InvalidClientTokenId"), "\(inactive.stderrText)")
        #expect(try local.aws(["s3", "ls"], as: keys).stderrText.contains("InvalidAccessKeyId"))
        try local.awsOK(["iam", "update-access-key", "--user-name", "ci-runner", "--access-key-id", keys.accessKeyID, "--status", "Active"])
        #expect(try local.aws(["sts", "get-caller-identity"], as: keys).status == 0)
        try local.awsOK(["iam", "delete-access-key", "--user-name", "ci-runner", "--access-key-id", keys.accessKeyID])
        #expect(try local.aws(["sts", "get-caller-identity"], as: keys).stderrText.contains("InvalidClientTokenId"))
    }

    @Test("a user manages its own keys with ${aws:username}; the second key is the last; a wrong secret is refused; another user's keys are not its own")
    func selfServiceKeys() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-user", "--user-name", "dev"])
        try local.awsOK(["iam", "create-user", "--user-name", "other"])
        try local.awsOK(["iam", "put-user-policy", "--user-name", "dev", "--policy-name", "own-keys", "--policy-document", Self.ownKeys])
        let first = try Self.credentials(try local.awsOK(["iam", "create-access-key", "--user-name", "dev"]))
        // Without --user-name, the calling user's own key.
        let second = try Self.credentials(try local.awsOK(["iam", "create-access-key"], as: first))
        let me = try #require(try local.awsOK(["iam", "get-user"], as: second)?["User"] as? [String: Any])
        #expect(me["UserName"] as? String == "dev")
        // Key use is not tracked here: IAM's answer for a key never used since tracking began.
        let lastUsed = try #require(try local.awsOK(["iam", "get-access-key-last-used", "--access-key-id", first.accessKeyID]))
        #expect(lastUsed["UserName"] as? String == "dev" && (lastUsed["AccessKeyLastUsed"] as? [String: Any])?["ServiceName"] as? String == "N/A", "\(lastUsed)")
        let third = try local.aws(["iam", "create-access-key"], as: first)
        #expect(third.stderrText.contains("LimitExceeded") && third.stderrText.contains("AccessKeysPerUser: 2"), "\(third.stderrText)")
        let others = try local.aws(["iam", "create-access-key", "--user-name", "other"], as: first)
        #expect(others.stderrText.contains("AccessDenied") && others.stderrText.contains("iam:CreateAccessKey") && others.stderrText.contains("user/other"), "\(others.stderrText)")
        var wrong = first
        wrong.secretAccessKey = String(first.secretAccessKey.reversed())
        #expect(try local.aws(["sts", "get-caller-identity"], as: wrong).stderrText.contains("SignatureDoesNotMatch"))
        // A long-term key comes without a session token: one sent with it is refused.
        var withToken = first
        withToken.sessionToken = "IQoJb3JpZ2luX2VjEleftover"
        #expect(try local.aws(["sts", "get-caller-identity"], as: withToken).stderrText.contains("InvalidClientTokenId"))
        #expect(try local.aws(["s3", "ls"], as: withToken).stderrText.contains("InvalidToken"))
        // The administrator without a user name is refused with IAM's words for non-user callers.
        #expect(try local.aws(["iam", "list-access-keys"]).stderrText.contains("Must specify userName when calling with non-User credentials"))

        // A user with keys, policies or groups cannot be deleted until they are gone.
        let withKeys = try local.aws(["iam", "delete-user", "--user-name", "dev"])
        #expect(withKeys.stderrText.contains("DeleteConflict") && withKeys.stderrText.contains("must delete access keys first"), "\(withKeys.stderrText)")
        try local.awsOK(["iam", "delete-access-key", "--access-key-id", second.accessKeyID], as: first)
        try local.awsOK(["iam", "delete-access-key", "--user-name", "dev", "--access-key-id", first.accessKeyID])
        #expect(try local.aws(["iam", "delete-user", "--user-name", "dev"]).stderrText.contains("must delete policies first"))
        try local.awsOK(["iam", "delete-user-policy", "--user-name", "dev", "--policy-name", "own-keys"])
        try local.awsOK(["iam", "delete-user", "--user-name", "dev"])
        #expect(try local.aws(["iam", "get-user", "--user-name", "dev"]).stderrText.contains("NoSuchEntity"))
    }

    @Test("groups and listings: get-group with members, list-groups-for-user, policies listed, list-entities-for-policy names users and groups, tags")
    func groupsAndListings() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-user", "--user-name", "ann"])
        try local.awsOK(["iam", "create-user", "--user-name", "Ben", "--path", "/ops/"])
        try local.awsOK(["iam", "create-group", "--group-name", "ops", "--path", "/ops/"])
        try local.awsOK(["iam", "create-group", "--group-name", "all"])
        for (user, group) in [("ann", "all"), ("Ben", "all"), ("Ben", "ops")] {
            try local.awsOK(["iam", "add-user-to-group", "--user-name", user, "--group-name", group])
        }
        let all = try #require(try local.awsOK(["iam", "get-group", "--group-name", "all"]))
        #expect((all["Users"] as? [[String: Any]])?.compactMap { $0["UserName"] as? String } == ["ann", "Ben"])
        #expect((all["Group"] as? [String: Any])?["Arn"] as? String == "arn:aws:iam::123456789012:group/all")
        let bens = try #require(try local.awsOK(["iam", "list-groups-for-user", "--user-name", "ben"])?["Groups"] as? [[String: Any]])
        #expect(bens.compactMap { $0["GroupName"] as? String } == ["all", "ops"])
        #expect((try local.awsOK(["iam", "list-users", "--path-prefix", "/ops/"])?["Users"] as? [[String: Any]])?.compactMap { $0["UserName"] as? String } == ["Ben"])
        #expect((try local.awsOK(["iam", "list-groups"])?["Groups"] as? [[String: Any]])?.compactMap { $0["GroupName"] as? String } == ["all", "ops"])
        #expect(try local.aws(["iam", "delete-group", "--group-name", "ops"]).stderrText.contains("must remove users from group first"))
        #expect(try local.aws(["iam", "get-group", "--group-name", "none"]).stderrText.contains("The group with name none cannot be found."))

        try local.awsOK(["iam", "attach-user-policy", "--user-name", "ann", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"])
        try local.awsOK(["iam", "attach-group-policy", "--group-name", "ops", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"])
        try local.awsOK(["iam", "put-user-policy", "--user-name", "ann", "--policy-name", "p", "--policy-document", Self.allowGetObject])
        #expect((try local.awsOK(["iam", "list-user-policies", "--user-name", "ann"])?["PolicyNames"] as? [String]) == ["p"])
        let document = try #require(try local.awsOK(["iam", "get-user-policy", "--user-name", "ann", "--policy-name", "p"])?["PolicyDocument"] as? [String: Any])
        #expect(((document["Statement"] as? [[String: Any]])?.first?["Action"] as? String) == "s3:GetObject")
        #expect((try local.awsOK(["iam", "list-attached-group-policies", "--group-name", "ops"])?["AttachedPolicies"] as? [[String: Any]])?.first?["PolicyName"] as? String == "ReadOnlyAccess")
        let entities = try #require(try local.awsOK(["iam", "list-entities-for-policy", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"]))
        #expect((entities["PolicyUsers"] as? [[String: Any]])?.compactMap { $0["UserName"] as? String } == ["ann"])
        #expect((entities["PolicyGroups"] as? [[String: Any]])?.compactMap { $0["GroupName"] as? String } == ["ops"])
        let onlyUsers = try #require(try local.awsOK(["iam", "list-entities-for-policy", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--entity-filter", "User"]))
        #expect((onlyUsers["PolicyGroups"] as? [Any])?.isEmpty == true)
        #expect(try local.aws(["iam", "get-user-policy", "--user-name", "ann", "--policy-name", "q"]).stderrText.contains("The user policy with name q cannot be found."))

        // A user's inline policies count together against IAM's 2,048 characters.
        let statements = (0..<40).map { #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-\#($0)/*"}"# }.joined(separator: ",")
        let large = #"{"Version":"2012-10-17","Statement":[\#(statements)]}"#
        let tooLarge = try local.aws(["iam", "put-user-policy", "--user-name", "ann", "--policy-name", "large", "--policy-document", large])
        #expect(tooLarge.stderrText.contains("LimitExceeded") && tooLarge.stderrText.contains("2048"), "\(tooLarge.stderrText)")
        try local.awsOK(["iam", "put-group-policy", "--group-name", "ops", "--policy-name", "large", "--policy-document", large])

        try local.awsOK(["iam", "tag-user", "--user-name", "ann", "--tags", "Key=team,Value=a", "Key=cost,Value=1"])
        try local.awsOK(["iam", "untag-user", "--user-name", "ann", "--tag-keys", "COST"])
        #expect((try local.awsOK(["iam", "list-user-tags", "--user-name", "ann"])?["Tags"] as? [[String: Any]])?.compactMap { $0["Key"] as? String } == ["team"])
    }

    static func sessionCredentials(_ output: [String: Any]?) throws -> (LocalServerProcess.Credentials, Date) {
        let credentials = try #require(output?["Credentials"] as? [String: Any])
        let expiration = try #require((credentials["Expiration"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        return (
            LocalServerProcess.Credentials(
                accessKeyID: try #require(credentials["AccessKeyId"] as? String), secretAccessKey: try #require(credentials["SecretAccessKey"] as? String),
                sessionToken: try #require(credentials["SessionToken"] as? String)
            ),
            expiration
        )
    }

    @Test("GetSessionToken: a user's session has the user's permissions, 12 hours by default; no IAM, no STS but AssumeRole and GetCallerIdentity; the root's lasts an hour at most")
    func sessionTokens() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://user-bucket"])
        try local.awsOK(["iam", "create-user", "--user-name", "tester"])
        try local.awsOK(["iam", "put-user-policy", "--user-name", "tester", "--policy-name", "s3", "--policy-document", Self.allowS3])
        let keys = try Self.credentials(try local.awsOK(["iam", "create-access-key", "--user-name", "tester"]))

        let (session, expiration) = try Self.sessionCredentials(try local.awsOK(["sts", "get-session-token"], as: keys))
        #expect(session.accessKeyID.hasPrefix("ASIA"))
        #expect(abs(expiration.timeIntervalSinceNow - 43_200) < 120, "12 hours by default: \(expiration)")
        let identity = try #require(try local.awsOK(["sts", "get-caller-identity"], as: session))
        #expect(identity["Arn"] as? String == "arn:aws:iam::123456789012:user/tester", "\(identity)")
        #expect(try local.aws(["s3", "ls"], as: session).status == 0, "the user's own permissions")
        #expect(try await local.openStore().session(accessKeyId: session.accessKeyID)?.kind == .user, "stored as the user's")

        let iam = try local.aws(["iam", "list-users"], as: session)
        #expect(iam.stderrText.contains("InvalidClientTokenId"), "no IAM without MFA: \(iam.stderrText)")
        let again = try local.aws(["sts", "get-session-token"], as: session)
        #expect(again.stderrText.contains("AccessDenied") && again.stderrText.contains("Cannot call GetSessionToken with session credentials"), "\(again.stderrText)")
        #expect(try local.aws(["sts", "get-access-key-info", "--access-key-id", keys.accessKeyID], as: session).stderrText.contains("AccessDenied"))

        // AssumeRole from it, as the user (a trust policy naming the user), is not role chaining.
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/tester"},"Action":"sts:AssumeRole"}]}"#
        try local.awsOK(["iam", "create-role", "--role-name", "after-token", "--assume-role-policy-document", trust, "--max-session-duration", "7200"])
        let assumed = try #require(try local.awsOK(["sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/after-token", "--role-session-name", "from-token", "--duration-seconds", "7200"], as: session))
        #expect((assumed["AssumedRoleUser"] as? [String: Any])?["Arn"] as? String == "arn:aws:sts::123456789012:assumed-role/after-token/from-token", "\(assumed)")

        // The session follows the user's policies as they change.
        try local.awsOK(["iam", "delete-user-policy", "--user-name", "tester", "--policy-name", "s3"])
        #expect(try local.aws(["s3", "ls"], as: session).stderrText.contains("AccessDenied"))

        let short = try local.aws(["sts", "get-session-token", "--duration-seconds", "129601"], as: keys)
        #expect(short.stderrText.contains("ValidationError") && short.stderrText.contains("durationSeconds"), "\(short.stderrText)")
        let mfa = try local.aws(["sts", "get-session-token", "--serial-number", "arn:aws:iam::123456789012:mfa/tester", "--token-code", "123456"], as: keys)
        #expect(mfa.stderrText.contains("AccessDenied") && mfa.stderrText.contains("MultiFactorAuthentication"), "\(mfa.stderrText)")

        // The administrator keys are the root: its session lasts an hour at most, may do everything but IAM.
        let (root, rootExpiration) = try Self.sessionCredentials(try local.awsOK(["sts", "get-session-token", "--duration-seconds", "7200"]))
        #expect(abs(rootExpiration.timeIntervalSinceNow - 3600) < 120, "\(rootExpiration)")
        #expect(try local.awsOK(["sts", "get-caller-identity"], as: root)?["Arn"] as? String == "arn:aws:iam::123456789012:root")
        #expect(try local.aws(["s3", "ls"], as: root).status == 0)
        #expect(try local.aws(["iam", "list-roles"], as: root).stderrText.contains("InvalidClientTokenId"))
    }

    @Test("AssumeRole's transitive tags: carried through a role chain, not settable again, seen by the next trust policy; a transitive key must be a tag sent")
    func transitiveTags() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-user", "--user-name", "chain"])
        let keys = try Self.credentials(try local.awsOK(["iam", "create-access-key", "--user-name", "chain"]))
        let first = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/chain"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"ForAllValues:StringEquals":{"sts:TransitiveTagKeys":["project"]}}}]}"#
        try local.awsOK(["iam", "create-role", "--role-name", "first", "--assume-role-policy-document", first])
        // The second role trusts only sessions whose (inherited) project tag is alpha.
        let second = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/first"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:PrincipalTag/project":"alpha"}}}]}"#
        try local.awsOK(["iam", "create-role", "--role-name", "second", "--assume-role-policy-document", second])
        let third = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/second"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:PrincipalTag/project":"alpha"}}}]}"#
        try local.awsOK(["iam", "create-role", "--role-name", "third", "--assume-role-policy-document", third])

        func assume(_ role: String, as credentials: LocalServerProcess.Credentials, _ extra: [String] = []) throws -> ChildProcess.Output {
            try local.aws(["sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/\(role)", "--role-session-name", "s-\(role)"] + extra, as: credentials)
        }
        func session(_ output: ChildProcess.Output) throws -> LocalServerProcess.Credentials {
            guard output.status == 0 else { throw TestFailure("assume-role failed: \(output.stderrText)") }
            let json = try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any]
            return try Self.sessionCredentials(json).0
        }
        let notSent = try assume("first", as: keys, ["--tags", "Key=project,Value=alpha", "--transitive-tag-keys", "team"])
        #expect(notSent.stderrText.contains("InvalidParameterValue") && notSent.stderrText.contains("team"), "\(notSent.stderrText)")
        // The first trust policy allows only `project` as a transitive key.
        #expect(try assume("first", as: keys, ["--tags", "Key=project,Value=alpha", "Key=team,Value=x", "--transitive-tag-keys", "project", "team"]).stderrText.contains("AccessDenied"))

        let one = try session(try assume("first", as: keys, ["--tags", "Key=project,Value=alpha", "Key=team,Value=x", "--transitive-tag-keys", "project"]))
        // The transitive tag passes on without being sent again; setting it again fails.
        let again = try assume("second", as: one, ["--tags", "Key=Project,Value=beta"])
        #expect(again.stderrText.contains("InvalidParameterValue") && again.stderrText.contains("transitive"), "\(again.stderrText)")
        let two = try session(try assume("second", as: one))
        // Inherited transitive tags stay transitive: the third hop sees project=alpha too.
        #expect(try assume("third", as: two).status == 0)
        let store = try local.openStore()
        let stored = try #require(try await store.session(accessKeyId: two.accessKeyID))
        #expect(stored.tags == ["project": "alpha"] && stored.transitiveTagKeys == ["project"], "the non-transitive team tag stayed behind: \(stored.tags)")
        // Without the transitive key, the tag stops at the first session: the second session has
        // no project tag, and the third hop is refused.
        let plain = try session(try assume("first", as: keys, ["--tags", "Key=project,Value=alpha"]))
        let untagged = try session(try assume("second", as: plain))
        #expect(try assume("third", as: untagged).stderrText.contains("AccessDenied"))
    }
}

