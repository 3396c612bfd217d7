import Crypto
import Foundation
import RolesAnywhereTesting
import Testing

/// The real AWS CLI v1 against a running `rolesanywhere-local`, unchanged but for `--endpoint-url`.
@Suite("AWS CLI against rolesanywhere-local")
struct AWSCLIEndToEndTests {
    @Test("iam create-role, put-role-policy, get-role, list-roles, delete-role-policy, delete-role")
    func iamRoleLifecycle() throws {
        let local = try LocalServerProcess()
        let trust = try local.directory.write("trust.json", Policies.trustRolesAnywhere)
        let created = try #require(try local.awsOK(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", "file://\(trust)"]))
        let role = try #require(created["Role"] as? [String: Any])
        #expect(role["Arn"] as? String == "arn:aws:iam::123456789012:role/bucket-lister")
        #expect((role["RoleId"] as? String)?.hasPrefix("AROA") == true)
        #expect(role["Path"] as? String == "/")
        #expect(role["MaxSessionDuration"] as? Int == 3600)
        // The CLI URL-decodes and parses the document: it must come back as sent.
        let document = try #require(role["AssumeRolePolicyDocument"] as? [String: Any])
        let statement = try #require((document["Statement"] as? [[String: Any]])?.first)
        #expect((statement["Principal"] as? [String: String])?["Service"] == "rolesanywhere.amazonaws.com")

        try local.awsOK(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let fetched = try #require(try local.awsOK(["iam", "get-role", "--role-name", "bucket-lister"])?["Role"] as? [String: Any])
        #expect(fetched["RoleId"] as? String == role["RoleId"] as? String)
        let listed = try #require(try local.awsOK(["iam", "list-roles"])?["Roles"] as? [[String: Any]])
        #expect(listed.compactMap { $0["RoleName"] as? String } == ["bucket-lister"])
        let policy = try #require(try local.awsOK(["iam", "get-role-policy", "--role-name", "bucket-lister", "--policy-name", "list"]))
        #expect(((policy["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]])?.first?["Action"] as? String == "s3:ListAllMyBuckets")
        #expect(try local.awsOK(["iam", "list-role-policies", "--role-name", "bucket-lister"])?["PolicyNames"] as? [String] == ["list"])

        // UpdateRole and UpdateAssumeRolePolicy.
        try local.awsOK(["iam", "update-role", "--role-name", "bucket-lister", "--description", "lists buckets", "--max-session-duration", "7200"])
        let narrower = Policies.trustRolesAnywhere.replacingOccurrences(of: "myContainer", with: "otherContainer")
        try local.awsOK(["iam", "update-assume-role-policy", "--role-name", "bucket-lister", "--policy-document", narrower])
        let updated = try #require(try local.awsOK(["iam", "get-role", "--role-name", "bucket-lister"])?["Role"] as? [String: Any])
        #expect(updated["Description"] as? String == "lists buckets")
        #expect(updated["MaxSessionDuration"] as? Int == 7200)
        let condition = (((updated["AssumeRolePolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]])?.first?["Condition"] as? [String: [String: String]])
        #expect(condition?["StringEquals"]?["aws:PrincipalTag/x509Subject/CN"] == "otherContainer")
        let tooLong = try local.aws(["iam", "update-role", "--role-name", "bucket-lister", "--max-session-duration", "50000"])
        #expect(tooLong.stderrText.contains("ValidationError"))

        // Role tags, and the instance-profile reads Terraform makes (this role is in none).
        try local.awsOK(["iam", "tag-role", "--role-name", "bucket-lister", "--tags", "Key=team,Value=platform", "Key=env,Value=dev"])
        try local.awsOK(["iam", "tag-role", "--role-name", "bucket-lister", "--tags", "Key=Team,Value=security"])
        let tags = try #require(try local.awsOK(["iam", "list-role-tags", "--role-name", "bucket-lister"])?["Tags"] as? [[String: String]])
        #expect(Set(tags.map { "\($0["Key"] ?? "")=\($0["Value"] ?? "")" }) == ["env=dev", "Team=security"], "\(tags)")
        try local.awsOK(["iam", "untag-role", "--role-name", "bucket-lister", "--tag-keys", "env", "absent"])
        let tagged = try #require(try local.awsOK(["iam", "get-role", "--role-name", "bucket-lister"])?["Role"] as? [String: Any])
        #expect((tagged["Tags"] as? [[String: String]])?.map { $0["Key"] } == ["Team"])
        #expect((try local.awsOK(["iam", "list-instance-profiles-for-role", "--role-name", "bucket-lister"])?["InstanceProfiles"] as? [Any])?.isEmpty == true)
        #expect(try local.aws(["iam", "list-instance-profiles-for-role", "--role-name", "no-such-role"]).stderrText.contains("NoSuchEntity"))
        #expect(try local.aws(["iam", "get-instance-profile", "--instance-profile-name", "web"]).stderrText.contains("NoSuchEntity"))

        let conflict = try local.aws(["iam", "delete-role", "--role-name", "bucket-lister"])
        #expect(conflict.status != 0)
        #expect(conflict.stderrText.contains("DeleteConflict"))

        try local.awsOK(["iam", "delete-role-policy", "--role-name", "bucket-lister", "--policy-name", "list"])
        try local.awsOK(["iam", "delete-role", "--role-name", "bucket-lister"])
        let gone = try local.aws(["iam", "get-role", "--role-name", "bucket-lister"])
        #expect(gone.status != 0)
        #expect(gone.stderrText.contains("NoSuchEntity"))
        #expect(gone.stderrText.contains("bucket-lister"))
    }

    @Test("iam managed policies: create, attach, list attached, detach, delete; bad documents are MalformedPolicyDocument")
    func iamManagedPolicies() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", Policies.trustRolesAnywhere, "--max-session-duration", "7200"])
        let created = try #require(try local.awsOK(["iam", "create-policy", "--policy-name", "list-buckets", "--policy-document", Policies.listAllMyBuckets])?["Policy"] as? [String: Any])
        let arn = try #require(created["Arn"] as? String)
        #expect(arn == "arn:aws:iam::123456789012:policy/list-buckets")
        #expect(created["DefaultVersionId"] as? String == "v1")
        try local.awsOK(["iam", "attach-role-policy", "--role-name", "reader", "--policy-arn", arn])
        try local.awsOK(["iam", "attach-role-policy", "--role-name", "reader", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"])
        let attached = try #require(try local.awsOK(["iam", "list-attached-role-policies", "--role-name", "reader"])?["AttachedPolicies"] as? [[String: Any]])
        #expect(Set(attached.compactMap { $0["PolicyArn"] as? String }) == [arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"])
        let version = try #require(try local.awsOK(["iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1"])?["PolicyVersion"] as? [String: Any])
        #expect(version["IsDefaultVersion"] as? Bool == true)
        #expect((version["Document"] as? [String: Any])?["Version"] as? String == "2012-10-17")

        let inUse = try local.aws(["iam", "delete-policy", "--policy-arn", arn])
        #expect(inUse.stderrText.contains("DeleteConflict"))
        try local.awsOK(["iam", "detach-role-policy", "--role-name", "reader", "--policy-arn", arn])
        try local.awsOK(["iam", "delete-policy", "--policy-arn", arn])
        #expect(try local.aws(["iam", "get-policy", "--policy-arn", arn]).stderrText.contains("NoSuchEntity"))

        let malformed = try local.aws(["iam", "put-role-policy", "--role-name", "reader", "--policy-name", "bad", "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}"#])
        #expect(malformed.status != 0)
        #expect(malformed.stderrText.contains("MalformedPolicyDocument"))
        let notJSON = try local.aws(["iam", "create-role", "--role-name", "broken", "--assume-role-policy-document", "{not json"])
        #expect(notJSON.stderrText.contains("MalformedPolicyDocument"))
        let badName = try local.aws(["iam", "create-role", "--role-name", "no spaces allowed", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        #expect(badName.stderrText.contains("ValidationError") || badName.stderrText.contains("InvalidInput"))
        let duplicate = try local.aws(["iam", "create-role", "--role-name", "READER", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        #expect(duplicate.stderrText.contains("EntityAlreadyExists"))
    }

    @Test("sts get-caller-identity for the administrator and for a session")
    func callerIdentity() async throws {
        let local = try LocalServerProcess()
        let admin = try #require(try local.awsOK(["sts", "get-caller-identity"]))
        #expect(admin["Account"] as? String == "123456789012")
        #expect(admin["Arn"] as? String == "arn:aws:iam::123456789012:root")

        // A role with no permission at all: GetCallerIdentity is never authorised, only authenticated.
        try local.awsOK(["iam", "create-role", "--role-name", "nothing", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let session = try await local.mintSession(roleName: "nothing")
        let identity = try #require(try local.awsOK(["sts", "get-caller-identity"], as: session))
        #expect(identity["Arn"] as? String == "arn:aws:sts::123456789012:assumed-role/nothing/test-session")
        #expect((identity["UserId"] as? String)?.hasSuffix(":test-session") == true)
    }

    /// The account an access key ID encodes, decoded the way published research decodes AWS's own
    /// keys (base32 after the prefix; bits 1-40 of the first 48), independently of our code.
    static let decodeKeyScript = """
        import base64, sys
        head = int.from_bytes(base64.b32decode(sys.argv[1][4:])[0:6], "big")
        print("%012d" % ((head & 0x7fffffffff80) >> 7) if head >> 47 else "old format")
        """

    @Test("sts get-access-key-info: minted keys encode the account (decoded independently), the administrator's key, an old-format key refused, and the call needs sts:GetAccessKeyInfo")
    func accessKeyInfo() async throws {
        let local = try LocalServerProcess(arguments: ["--account-id", "210987654321"])
        let admin = try #require(try local.awsOK(["sts", "get-access-key-info", "--access-key-id", LocalServerProcess.admin.accessKeyID]))
        #expect(admin["Account"] as? String == "210987654321")

        let allow = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetAccessKeyInfo","Resource":"*"}]}"#
        for name in ["key-reader", "nothing"] {
            try local.awsOK(["iam", "create-role", "--role-name", name, "--assume-role-policy-document", Policies.trustRolesAnywhere])
        }
        try local.awsOK(["iam", "put-role-policy", "--role-name", "key-reader", "--policy-name", "keys", "--policy-document", allow])
        let reader = try await local.mintSession(roleName: "key-reader")
        let decoded = try ChildProcess.run("python3", ["-c", Self.decodeKeyScript, reader.accessKeyID])
        #expect(decoded.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "210987654321", "\(reader.accessKeyID): \(decoded.stdoutText)\(decoded.stderrText)")
        let asked = try #require(try local.awsOK(["sts", "get-access-key-info", "--access-key-id", reader.accessKeyID], as: reader))
        #expect(asked["Account"] as? String == "210987654321")

        let nothing = try await local.mintSession(roleName: "nothing")
        let denied = try local.aws(["sts", "get-access-key-info", "--access-key-id", reader.accessKeyID], as: nothing)
        #expect(denied.status != 0 && denied.stderrText.contains("AccessDenied") && denied.stderrText.contains("sts:GetAccessKeyInfo"), "\(denied.stderrText)")

        // A key of AWS's older format does not carry its account: refused, not guessed.
        let old = try local.aws(["sts", "get-access-key-info", "--access-key-id", "AKIAAAAAAAAAAAAAAAAA"])
        #expect(old.status != 0 && old.stderrText.contains("InvalidParameterValue"), "\(old.stderrText)")
        #expect(try ChildProcess.run("python3", ["-c", Self.decodeKeyScript, "AKIAAAAAAAAAAAAAAAAA"]).stdoutText.contains("old format"))
    }

    @Test("s3 mb, ls, cp (both ways), rm, rb; BucketNotEmpty while objects remain")
    func s3Lifecycle() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://walkthrough-bucket"])
        // Re-creating your own bucket in us-east-1 is 200 OK, as on S3 (legacy compatibility).
        try local.awsOK(["s3api", "create-bucket", "--bucket", "walkthrough-bucket"])
        #expect(try local.aws(["s3", "ls"]).stdoutText.contains("walkthrough-bucket"))

        var payload = [UInt8](repeating: 0, count: 1_500_000)
        for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 2654435761 >> 7) }
        let upload = try local.directory.write("payload.bin", payload)
        try local.directory.write("note with spaces.txt", "hello, s3\n")
        try local.awsOK(["s3", "cp", upload, "s3://walkthrough-bucket/data/payload.bin"])
        try local.awsOK(["s3", "cp", local.directory.path("note with spaces.txt"), "s3://walkthrough-bucket/notes/note with spaces.txt"])
        // An additional checksum the CLI computes is checked and echoed.
        let checked = try local.awsOK(["s3api", "put-object", "--bucket", "walkthrough-bucket", "--key", "checked.bin", "--body", upload, "--checksum-algorithm", "SHA256"])
        #expect(checked?["ChecksumSHA256"] as? String != nil, "\(String(describing: checked))")
        try local.awsOK(["s3api", "delete-object", "--bucket", "walkthrough-bucket", "--key", "checked.bin"])
        // Several keys in one DeleteObjects call (what boto3's objects.delete() and force_destroy use).
        for key in ["batch/1 & 2.txt", "batch/<3>.txt"] {
            try local.awsOK(["s3", "cp", local.directory.path("note with spaces.txt"), "s3://walkthrough-bucket/\(key)"])
        }
        let batch = try local.awsOK([
            "s3api", "delete-objects", "--bucket", "walkthrough-bucket", "--delete", #"{"Objects":[{"Key":"batch/1 & 2.txt"},{"Key":"batch/<3>.txt"},{"Key":"batch/none"}]}"#,
        ])
        let deletedKeys = ((batch?["Deleted"] as? [[String: Any]]) ?? []).compactMap { $0["Key"] as? String }.sorted()
        #expect(deletedKeys == ["batch/1 & 2.txt", "batch/<3>.txt", "batch/none"], "\(String(describing: batch))")
        #expect(!(try local.aws(["s3", "ls", "--recursive", "s3://walkthrough-bucket"]).stdoutText.contains("batch/")))

        let root = try local.aws(["s3", "ls", "s3://walkthrough-bucket"])
        #expect(root.stdoutText.contains("PRE data/"))
        #expect(root.stdoutText.contains("PRE notes/"))
        let recursive = try local.aws(["s3", "ls", "--recursive", "s3://walkthrough-bucket"]).stdoutText
        #expect(recursive.contains("1500000 data/payload.bin"))
        #expect(recursive.contains("notes/note with spaces.txt"))

        let download = local.directory.path("download.bin")
        try local.awsOK(["s3", "cp", "s3://walkthrough-bucket/data/payload.bin", download])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: download))) == payload)

        // Copies within S3 (CopyObject): the content and metadata, or new metadata with REPLACE.
        try local.awsOK(["s3", "cp", "s3://walkthrough-bucket/notes/note with spaces.txt", "s3://walkthrough-bucket/copies/note+1.txt"])
        let copied = local.directory.path("copied.txt")
        try local.awsOK(["s3", "cp", "s3://walkthrough-bucket/copies/note+1.txt", copied])
        #expect(try String(contentsOfFile: copied, encoding: .utf8) == "hello, s3\n")
        try local.awsOK([
            "s3api", "copy-object", "--bucket", "walkthrough-bucket", "--key", "copies/note+1.txt", "--copy-source", "walkthrough-bucket/copies/note+1.txt",
            "--metadata-directive", "REPLACE", "--content-type", "text/x-note", "--metadata", "owner=tests",
        ])
        let replaced = try #require(try local.awsOK(["s3api", "head-object", "--bucket", "walkthrough-bucket", "--key", "copies/note+1.txt"]))
        #expect(replaced["ContentType"] as? String == "text/x-note")
        #expect((replaced["Metadata"] as? [String: String]) == ["owner": "tests"])
        let onto = try local.aws(["s3api", "copy-object", "--bucket", "walkthrough-bucket", "--key", "copies/note+1.txt", "--copy-source", "walkthrough-bucket/copies/note+1.txt"])
        #expect(onto.stderrText.contains("InvalidRequest"), "\(onto.stderrText)")
        let conditional = try local.aws([
            "s3api", "copy-object", "--bucket", "walkthrough-bucket", "--key", "copies/other.txt", "--copy-source", "walkthrough-bucket/copies/note+1.txt",
            "--copy-source-if-match", "\"not-the-etag\"",
        ])
        #expect(conditional.stderrText.contains("PreconditionFailed"), "\(conditional.stderrText)")
        let absent = try local.aws(["s3api", "copy-object", "--bucket", "walkthrough-bucket", "--key", "copies/x", "--copy-source", "walkthrough-bucket/none"])
        #expect(absent.stderrText.contains("NoSuchKey"), "\(absent.stderrText)")
        try local.awsOK(["s3", "rm", "s3://walkthrough-bucket/copies/note+1.txt"])

        // The ETag is the MD5 of the content.
        let head = try #require(try local.awsOK(["s3api", "head-object", "--bucket", "walkthrough-bucket", "--key", "notes/note with spaces.txt"]))
        let md5 = Insecure.MD5.hash(data: Array("hello, s3\n".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(head["ETag"] as? String == "\"\(md5)\"")
        #expect(head["ContentLength"] as? Int == 10)

        let notEmpty = try local.aws(["s3", "rb", "s3://walkthrough-bucket"])
        #expect(notEmpty.status != 0)
        #expect(notEmpty.stderrText.contains("BucketNotEmpty"))
        try local.awsOK(["s3", "rm", "--recursive", "s3://walkthrough-bucket"])
        try local.awsOK(["s3", "rb", "s3://walkthrough-bucket"])
        #expect(!(try local.aws(["s3", "ls"]).stdoutText.contains("walkthrough-bucket")))
        let missing = try local.aws(["s3", "ls", "s3://walkthrough-bucket"])
        #expect(missing.stderrText.contains("NoSuchBucket"))
    }

    @Test("s3 cp of a 100 MiB file goes up in multipart and comes back whole, with S3's multipart ETag")
    func s3LargeFile() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://large-files"])
        var payload = [UInt8](repeating: 0, count: 100 << 20)
        var generator = SystemRandomNumberGenerator()
        payload.withUnsafeMutableBytes { bytes in
            for offset in stride(from: 0, to: bytes.count, by: 8) { bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self) }
        }
        let upload = try local.directory.write("large.bin", payload)
        try local.awsOK(["s3", "cp", "--only-show-errors", upload, "s3://large-files/large.bin"])
        // The CLI's parts are 8 MiB: twelve of them and 4 MiB. The ETag is the MD5 of their MD5s, then "-13".
        let chunk = 8 << 20
        let digests = stride(from: 0, to: payload.count, by: chunk).flatMap { start in
            Array(Insecure.MD5.hash(data: payload[start..<min(start + chunk, payload.count)]))
        }
        let expected = Insecure.MD5.hash(data: digests).map { String(format: "%02x", $0) }.joined() + "-13"
        let head = try #require(try local.awsOK(["s3api", "head-object", "--bucket", "large-files", "--key", "large.bin"]))
        #expect(head["ETag"] as? String == "\"\(expected)\"")
        #expect(head["ContentLength"] as? Int == payload.count)
        let download = local.directory.path("large-back.bin")
        try local.awsOK(["s3", "cp", "--only-show-errors", "s3://large-files/large.bin", download])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: download))) == payload)
        // Copied within S3 (UploadPartCopy in 8 MiB ranges): the same parts, so the same ETag.
        try local.awsOK(["s3", "cp", "--only-show-errors", "s3://large-files/large.bin", "s3://large-files/copy of large.bin"])
        let copy = try #require(try local.awsOK(["s3api", "head-object", "--bucket", "large-files", "--key", "copy of large.bin"]))
        #expect(copy["ETag"] as? String == "\"\(expected)\"")
        #expect(copy["ContentLength"] as? Int == payload.count)
        try local.awsOK(["s3", "rm", "s3://large-files/copy of large.bin"])
        let uploads = try local.awsOK(["s3api", "list-multipart-uploads", "--bucket", "large-files"])
        #expect((uploads?["Uploads"] as? [Any])?.isEmpty ?? true, "\(String(describing: uploads))")
        try local.awsOK(["s3", "rm", "s3://large-files/large.bin"])
        try local.awsOK(["s3", "rb", "s3://large-files"])
    }

    @Test("the bucket configurations Terraform's aws_s3_bucket reads: S3's answers for a new bucket, and NoSuchBucket without one")
    func bucketConfigurationReads() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://configured"])
        func refusal(_ command: String) throws -> String {
            let output = try local.aws(["s3api", command, "--bucket", "configured"])
            #expect(output.status != 0, "\(command) answered \(output.stdoutText)")
            return output.stderrText
        }
        for (command, code) in [
            ("get-bucket-policy", "NoSuchBucketPolicy"), ("get-bucket-cors", "NoSuchCORSConfiguration"), ("get-bucket-website", "NoSuchWebsiteConfiguration"),
            ("get-bucket-lifecycle-configuration", "NoSuchLifecycleConfiguration"), ("get-bucket-replication", "ReplicationConfigurationNotFoundError"),
            ("get-object-lock-configuration", "ObjectLockConfigurationNotFoundError"), ("get-bucket-tagging", "NoSuchTagSet"),
        ] {
            #expect(try refusal(command).contains(code), "\(command)")
        }
        let encryption = try #require(try local.awsOK(["s3api", "get-bucket-encryption", "--bucket", "configured"]))
        let rules = (encryption["ServerSideEncryptionConfiguration"] as? [String: Any])?["Rules"] as? [[String: Any]]
        #expect((rules?.first?["ApplyServerSideEncryptionByDefault"] as? [String: Any])?["SSEAlgorithm"] as? String == "AES256", "\(encryption)")
        let block = try #require(try local.awsOK(["s3api", "get-public-access-block", "--bucket", "configured"]))
        #expect((block["PublicAccessBlockConfiguration"] as? [String: Any])?["BlockPublicPolicy"] as? Bool == true, "\(block)")
        let ownership = try #require(try local.awsOK(["s3api", "get-bucket-ownership-controls", "--bucket", "configured"]))
        #expect(((ownership["OwnershipControls"] as? [String: Any])?["Rules"] as? [[String: Any]])?.first?["ObjectOwnership"] as? String == "BucketOwnerEnforced")
        let acl = try #require(try local.awsOK(["s3api", "get-bucket-acl", "--bucket", "configured"]))
        let grants = try #require(acl["Grants"] as? [[String: Any]])
        #expect(grants.count == 1 && grants[0]["Permission"] as? String == "FULL_CONTROL", "\(acl)")
        #expect((grants[0]["Grantee"] as? [String: Any])?["Type"] as? String == "CanonicalUser")
        #expect((grants[0]["Grantee"] as? [String: Any])?["ID"] as? String == (acl["Owner"] as? [String: Any])?["ID"] as? String)
        #expect(try local.awsOK(["s3api", "get-bucket-versioning", "--bucket", "configured"])?["Status"] == nil)
        #expect(try local.awsOK(["s3api", "get-bucket-request-payment", "--bucket", "configured"])?["Payer"] as? String == "BucketOwner")
        // Setting them stays NotImplemented: nothing reads back as configured that was not.
        let put = try local.aws(["s3api", "put-bucket-cors", "--bucket", "configured", "--cors-configuration", #"{"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"]}]}"#])
        #expect(put.stderrText.contains("NotImplemented"), "\(put.stderrText)")
        let missing = try local.aws(["s3api", "get-bucket-policy", "--bucket", "no-such-bucket"])
        #expect(missing.stderrText.contains("NoSuchBucket"))
    }

    @Test("a permissions boundary limits a role's sessions to what it also allows, until it is removed")
    func permissionsBoundary() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://bounded-existing"])
        let everything = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        let missing = try local.aws([
            "iam", "create-role", "--role-name", "bounded", "--assume-role-policy-document", Policies.trustRolesAnywhere,
            "--permissions-boundary", "arn:aws:iam::123456789012:policy/none",
        ])
        #expect(missing.stderrText.contains("NoSuchEntity"), "\(missing.stderrText)")
        let created = try #require(try local.awsOK([
            "iam", "create-role", "--role-name", "bounded", "--assume-role-policy-document", Policies.trustRolesAnywhere,
            "--permissions-boundary", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        ])?["Role"] as? [String: Any])
        #expect((created["PermissionsBoundary"] as? [String: String])?["PermissionsBoundaryArn"] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        try local.awsOK(["iam", "put-role-policy", "--role-name", "bounded", "--policy-name", "all", "--policy-document", everything])
        let session = try await local.mintSession(roleName: "bounded", tags: ["x509Subject/CN": "myContainer"])
        // The role's policy allows s3:*, the boundary only reads.
        #expect(try local.aws(["s3", "ls"], as: session).status == 0)
        let create = try local.aws(["s3", "mb", "s3://bounded-new"], as: session)
        #expect(create.stderrText.contains("AccessDenied"), "\(create.stderrText)")
        #expect(create.stderrText.contains("because no permissions boundary allows the s3:CreateBucket action"), "\(create.stderrText)")

        // A customer policy as the boundary cannot be deleted while it bounds a role.
        let boundaryPolicy = try #require(try local.awsOK([
            "iam", "create-policy", "--policy-name", "boundary", "--policy-document", everything, "--tags", "Key=owner,Value=platform",
        ])?["Policy"] as? [String: Any])
        let boundaryArn = try #require(boundaryPolicy["Arn"] as? String)
        #expect((boundaryPolicy["Tags"] as? [[String: String]]) == [["Key": "owner", "Value": "platform"]], "\(boundaryPolicy)")
        try local.awsOK(["iam", "put-role-permissions-boundary", "--role-name", "bounded", "--permissions-boundary", boundaryArn])
        let used = try #require(try local.awsOK(["iam", "get-policy", "--policy-arn", boundaryArn])?["Policy"] as? [String: Any])
        #expect(used["PermissionsBoundaryUsageCount"] as? Int == 1)
        #expect((used["Tags"] as? [[String: String]])?.first?["Key"] == "owner")
        #expect(try local.aws(["iam", "delete-policy", "--policy-arn", boundaryArn]).stderrText.contains("DeleteConflict"))
        #expect(try local.aws(["s3", "mb", "s3://bounded-new"], as: session).status == 0)
        try local.awsOK(["iam", "delete-role-permissions-boundary", "--role-name", "bounded"])
        let cleared = try #require(try local.awsOK(["iam", "get-role", "--role-name", "bounded"])?["Role"] as? [String: Any])
        #expect(cleared["PermissionsBoundary"] == nil)
        #expect(try local.aws(["iam", "delete-role-permissions-boundary", "--role-name", "bounded"]).stderrText.contains("NoSuchEntity"))
        try local.awsOK(["iam", "delete-policy", "--policy-arn", boundaryArn])
    }

    @Test("a session whose role allows only s3:ListAllMyBuckets lists buckets and cannot create one")
    func restrictedSession() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://existing-bucket"])
        try local.awsOK(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let session = try await local.mintSession(roleName: "bucket-lister", tags: ["x509Subject/CN": "myContainer"])
        #expect(session.accessKeyID.hasPrefix("ASIA"))

        let listing = try local.aws(["s3", "ls"], as: session)
        #expect(listing.status == 0, "\(listing.stderrText)")
        #expect(listing.stdoutText.contains("existing-bucket"))

        let create = try local.aws(["s3", "mb", "s3://not-allowed-bucket"], as: session)
        #expect(create.status != 0)
        #expect(create.stderrText.contains("AccessDenied"))
        let objects = try local.aws(["s3", "ls", "s3://existing-bucket"], as: session)
        #expect(objects.stderrText.contains("AccessDenied"))
        let iam = try local.aws(["iam", "list-roles"], as: session)
        #expect(iam.stderrText.contains("AccessDenied"))
        #expect(iam.stderrText.contains("arn:aws:sts::123456789012:assumed-role/bucket-lister/test-session is not authorized to perform: iam:ListRoles"))
        // Nothing was created.
        #expect(!(try local.aws(["s3", "ls"]).stdoutText.contains("not-allowed-bucket")))
    }

    @Test("an expired session token, a wrong token and an unknown key are refused")
    func expiredAndUnknownCredentials() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "bucket-lister", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let expired = try await local.mintSession(roleName: "bucket-lister", duration: 900, now: Date().addingTimeInterval(-1000))
        let s3 = try local.aws(["s3", "ls"], as: expired)
        #expect(s3.status != 0)
        #expect(s3.stderrText.contains("ExpiredToken"))
        let sts = try local.aws(["sts", "get-caller-identity"], as: expired)
        #expect(sts.stderrText.contains("ExpiredToken"))

        var wrongToken = try await local.mintSession(roleName: "bucket-lister")
        wrongToken.sessionToken = "IQoJb3JpZ2luX2VjEnotthetoken"
        #expect(try local.aws(["sts", "get-caller-identity"], as: wrongToken).stderrText.contains("InvalidClientTokenId"))
        #expect(try local.aws(["s3", "ls"], as: wrongToken).stderrText.contains("InvalidToken"))

        let unknown = LocalServerProcess.Credentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "secret-secret-secret")
        #expect(try local.aws(["sts", "get-caller-identity"], as: unknown).stderrText.contains("InvalidClientTokenId"))
        #expect(try local.aws(["s3", "ls"], as: unknown).stderrText.contains("InvalidAccessKeyId"))

        let wrongSecret = LocalServerProcess.Credentials(accessKeyID: LocalServerProcess.admin.accessKeyID, secretAccessKey: "not-the-admin-secret-key")
        #expect(try local.aws(["iam", "list-roles"], as: wrongSecret).stderrText.contains("SignatureDoesNotMatch"))
    }

    @Test("the CLI signs IAM with the client's region; the server takes the region from the scope")
    func otherSigningRegion() throws {
        let local = try LocalServerProcess()
        let output = try local.aws(["iam", "list-roles"], extra: ["AWS_DEFAULT_REGION": "eu-west-1"])
        #expect(output.status == 0, "\(output.stderrText)")
    }

    @Test("principal tags in policy variables and conditions, session policies intersect, explicit deny wins")
    func policyEvaluationThroughTheServer() async throws {
        let local = try LocalServerProcess()
        for bucket in ["mycontainer-data", "other-data"] { try local.awsOK(["s3", "mb", "s3://\(bucket)"]) }
        let file = try local.directory.write("x.txt", "x")
        try local.awsOK(["s3", "cp", file, "s3://mycontainer-data/secret/x.txt"])
        try local.awsOK(["s3", "cp", file, "s3://mycontainer-data/public/x.txt"])
        let policy = """
            {"Version":"2012-10-17","Statement":[
             {"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::${aws:PrincipalTag/x509Subject/CN}-*"]},
             {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*","Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/OU":"readers"}}},
             {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/secret/*"}]}
            """
        try local.awsOK(["iam", "create-role", "--role-name", "tagged", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "tagged", "--policy-name", "p", "--policy-document", policy])
        let session = try await local.mintSession(roleName: "tagged", tags: ["x509Subject/CN": "mycontainer", "x509Subject/OU": "readers"])
        #expect(try local.aws(["s3", "ls", "s3://mycontainer-data/"], as: session).status == 0)
        #expect(try local.aws(["s3", "ls", "s3://other-data/"], as: session).stderrText.contains("AccessDenied"))
        #expect(try local.aws(["s3", "cp", "s3://mycontainer-data/public/x.txt", local.directory.path("p.txt")], as: session).status == 0)
        let denied = try local.aws(["s3api", "get-object", "--bucket", "mycontainer-data", "--key", "secret/x.txt", local.directory.path("s.txt")], as: session)
        #expect(denied.stderrText.contains("AccessDenied"), "explicit deny must win: \(denied.stderrText)")

        // A session policy narrows the role: listing is allowed by the role but not by the session.
        let narrowed = try await local.mintSession(
            roleName: "tagged", tags: ["x509Subject/CN": "mycontainer"],
            sessionPolicy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
        )
        #expect(try local.aws(["s3", "ls", "s3://mycontainer-data/"], as: narrowed).stderrText.contains("AccessDenied"))
        #expect(try local.aws(["s3", "cp", "s3://mycontainer-data/public/x.txt", local.directory.path("n.txt")], as: narrowed).status == 0)
    }
}
