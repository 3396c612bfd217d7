import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// The bucket configurations Terraform's `aws_s3_bucket`, `aws_s3_bucket_public_access_block`,
/// `aws_s3_bucket_ownership_controls` and `aws_s3_bucket_policy` set, and object tags, through
/// the real AWS CLI against the server.
@Suite("S3: bucket tags, Block Public Access, Object Ownership, bucket policies and object tags, through the AWS CLI")
struct S3BucketConfigurationTests {
    static func tagSet(_ count: Int, prefix: String = "k") -> String {
        "TagSet=[" + (0..<count).map { "{Key=\(prefix)\($0),Value=v\($0)}" }.joined(separator: ",") + "]"
    }

    @Test("bucket tags: put, read, replace, delete; S3's refusals for a duplicate key, an aws: key, a bad character and a 51st tag")
    func bucketTags() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://tagged"])
        try local.awsOK(["s3api", "put-bucket-tagging", "--bucket", "tagged", "--tagging", "TagSet=[{Key=team,Value=platform},{Key=cost-centre,Value=42}]"])
        let tags = try #require(try local.awsOK(["s3api", "get-bucket-tagging", "--bucket", "tagged"])?["TagSet"] as? [[String: String]])
        #expect(tags == [["Key": "team", "Value": "platform"], ["Key": "cost-centre", "Value": "42"]])
        try local.awsOK(["s3api", "put-bucket-tagging", "--bucket", "tagged", "--tagging", Self.tagSet(50)])
        #expect((try local.awsOK(["s3api", "get-bucket-tagging", "--bucket", "tagged"])?["TagSet"] as? [Any])?.count == 50)
        for (tagging, code, message) in [
            ("TagSet=[{Key=a,Value=1},{Key=a,Value=2}]", "InvalidTag", "Cannot provide multiple Tags with the same key"),
            ("TagSet=[{Key=aws:owner,Value=1}]", "InvalidTag", "Your TagKey cannot be prefixed with aws:"),
            ("TagSet=[{Key=semi;colon,Value=1}]", "InvalidTag", "The TagKey you have provided is invalid"),
            (Self.tagSet(51), "InvalidTag", "Bucket tag count cannot be greater than 50"),
        ] {
            let refused = try local.aws(["s3api", "put-bucket-tagging", "--bucket", "tagged", "--tagging", tagging])
            #expect(refused.status != 0 && refused.stderrText.contains(code) && refused.stderrText.contains(message), "\(tagging): \(refused.stderrText)")
        }
        // A refused put changes nothing.
        #expect((try local.awsOK(["s3api", "get-bucket-tagging", "--bucket", "tagged"])?["TagSet"] as? [Any])?.count == 50)
        try local.awsOK(["s3api", "delete-bucket-tagging", "--bucket", "tagged"])
        #expect(try local.aws(["s3api", "get-bucket-tagging", "--bucket", "tagged"]).stderrText.contains("NoSuchTagSet"))
        #expect(try local.aws(["s3api", "put-bucket-tagging", "--bucket", "no-such-bucket", "--tagging", "TagSet=[]"]).stderrText.contains("NoSuchBucket"))
    }

    @Test("object tags: x-amz-tagging on put, TagCount on head, put/get/delete ?tagging, copies keep or replace them, multipart uploads carry them; 11 tags refused")
    func objectTags() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://objects"])
        let file = local.directory.path("body.txt")
        try Data("tagged body".utf8).write(to: URL(fileURLWithPath: file))
        try local.awsOK(["s3api", "put-object", "--bucket", "objects", "--key", "a.txt", "--body", file, "--tagging", "stage=dev&owner=two%20words"])
        #expect(try local.awsOK(["s3api", "head-object", "--bucket", "objects", "--key", "a.txt"])?["TagCount"] as? Int == 2)
        let read = try #require(try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "a.txt"])?["TagSet"] as? [[String: String]])
        #expect(read == [["Key": "stage", "Value": "dev"], ["Key": "owner", "Value": "two words"]])

        try local.awsOK(["s3api", "copy-object", "--bucket", "objects", "--key", "kept.txt", "--copy-source", "objects/a.txt"])
        #expect((try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "kept.txt"])?["TagSet"] as? [Any])?.count == 2)
        try local.awsOK([
            "s3api", "copy-object", "--bucket", "objects", "--key", "replaced.txt", "--copy-source", "objects/a.txt", "--tagging-directive", "REPLACE",
            "--tagging", "fresh=yes",
        ])
        #expect(try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "replaced.txt"])?["TagSet"] as? [[String: String]] == [["Key": "fresh", "Value": "yes"]])

        try local.awsOK(["s3api", "put-object-tagging", "--bucket", "objects", "--key", "a.txt", "--tagging", "TagSet=[{Key=only,Value=one}]"])
        #expect(try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "a.txt"])?["TagSet"] as? [[String: String]] == [["Key": "only", "Value": "one"]])
        let tooMany = try local.aws(["s3api", "put-object-tagging", "--bucket", "objects", "--key", "a.txt", "--tagging", Self.tagSet(11)])
        #expect(tooMany.stderrText.contains("BadRequest") && tooMany.stderrText.contains("Object tags cannot be greater than 10"), "\(tooMany.stderrText)")
        let badHeader = try local.aws(["s3api", "put-object", "--bucket", "objects", "--key", "b.txt", "--body", file, "--tagging", "a=1&a=2"])
        #expect(badHeader.stderrText.contains("InvalidArgument"), "\(badHeader.stderrText)")
        #expect(try local.aws(["s3api", "head-object", "--bucket", "objects", "--key", "b.txt"]).status != 0, "a refused put stores nothing")
        try local.awsOK(["s3api", "delete-object-tagging", "--bucket", "objects", "--key", "a.txt"])
        #expect((try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "a.txt"])?["TagSet"] as? [Any])?.isEmpty == true)
        let untagged = try #require(try local.awsOK(["s3api", "head-object", "--bucket", "objects", "--key", "a.txt"]))
        #expect(untagged["ETag"] != nil && untagged["TagCount"] == nil, "\(untagged)")
        #expect(try local.aws(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "missing"]).stderrText.contains("NoSuchKey"))

        let upload = try #require(
            try local.awsOK(["s3api", "create-multipart-upload", "--bucket", "objects", "--key", "parts.bin", "--tagging", "from=multipart"])?["UploadId"] as? String
        )
        let part = try #require(
            try local.awsOK(["s3api", "upload-part", "--bucket", "objects", "--key", "parts.bin", "--upload-id", upload, "--part-number", "1", "--body", file])?["ETag"] as? String
        )
        try local.awsOK([
            "s3api", "complete-multipart-upload", "--bucket", "objects", "--key", "parts.bin", "--upload-id", upload,
            "--multipart-upload", "Parts=[{PartNumber=1,ETag=\(part)}]",
        ])
        #expect(try local.awsOK(["s3api", "get-object-tagging", "--bucket", "objects", "--key", "parts.bin"])?["TagSet"] as? [[String: String]] == [["Key": "from", "Value": "multipart"]])
    }

    @Test("Block Public Access and Object Ownership: S3's defaults on a new bucket, set, read back, deleted (then S3's not-found errors), and kept across a restart")
    func publicAccessBlockAndOwnership() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://settings"])
        try local.awsOK(["s3api", "put-public-access-block", "--bucket", "settings", "--public-access-block-configuration", "BlockPublicAcls=true,IgnorePublicAcls=true"])
        try local.awsOK(["s3api", "put-bucket-ownership-controls", "--bucket", "settings", "--ownership-controls", "Rules=[{ObjectOwnership=ObjectWriter}]"])
        let restarted = try local.restarted()
        let block = try #require(try restarted.awsOK(["s3api", "get-public-access-block", "--bucket", "settings"])?["PublicAccessBlockConfiguration"] as? [String: Bool])
        #expect(block == ["BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": false])
        let rules = (try restarted.awsOK(["s3api", "get-bucket-ownership-controls", "--bucket", "settings"])?["OwnershipControls"] as? [String: Any])?["Rules"]
        #expect((rules as? [[String: String]]) == [["ObjectOwnership": "ObjectWriter"]])

        let empty = try restarted.aws(["s3api", "put-public-access-block", "--bucket", "settings", "--public-access-block-configuration", "{}"])
        #expect(empty.stderrText.contains("InvalidRequest") && empty.stderrText.contains("Must specify at least one configuration."), "\(empty.stderrText)")
        let unknown = try restarted.aws(["s3api", "put-bucket-ownership-controls", "--bucket", "settings", "--ownership-controls", "Rules=[{ObjectOwnership=Anyone}]"])
        #expect(unknown.stderrText.contains("MalformedXML"), "\(unknown.stderrText)")

        try restarted.awsOK(["s3api", "delete-public-access-block", "--bucket", "settings"])
        try restarted.awsOK(["s3api", "delete-bucket-ownership-controls", "--bucket", "settings"])
        #expect(try restarted.aws(["s3api", "get-public-access-block", "--bucket", "settings"]).stderrText.contains("NoSuchPublicAccessBlockConfiguration"))
        #expect(try restarted.aws(["s3api", "get-bucket-ownership-controls", "--bucket", "settings"]).stderrText.contains("OwnershipControlsNotFoundError"))
        #expect(try restarted.aws(["s3api", "head-bucket", "--bucket", "settings"]).status == 0, "deleting a configuration keeps the bucket")
    }

    @Test("bucket policies: checked as S3 checks them, refused while public and blocked, returned as put, public status, deleted")
    func bucketPolicy() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://shared"])
        try local.awsOK(["iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let role = "arn:aws:iam::123456789012:role/reader"
        func policy(principal: String, resource: String = "arn:aws:s3:::shared/*", action: String = "s3:GetObject") -> String {
            #"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":\#(principal),"Action":"\#(action)","Resource":"\#(resource)"}]}"#
        }
        for (document, message) in [
            (policy(principal: #"{"AWS":"\#(role)"}"#, resource: "arn:aws:s3:::other-bucket/*"), "Policy has invalid resource"),
            (policy(principal: #"{"AWS":"arn:aws:iam::123456789012:role/nobody"}"#), "Invalid principal in policy"),
            (policy(principal: #"{"AWS":"\#(role)"}"#, action: "iam:PassRole"), "Policy has invalid action"),
            (policy(principal: #"{"AWS":"arn:aws:iam::123456789012:user/nobody"}"#), "Invalid principal in policy"),
            // An object action on the bucket's ARN, a bucket action on objects only.
            (policy(principal: #"{"AWS":"\#(role)"}"#, resource: "arn:aws:s3:::shared"), "Action does not apply to any resource(s) in statement"),
            (policy(principal: #"{"AWS":"\#(role)"}"#, action: "s3:ListBucket"), "Action does not apply to any resource(s) in statement"),
            ("[1]", "Policies must be valid JSON and the first byte must be '{'"),
            ("{not json", "This policy contains invalid Json"),
            ("{" + String(repeating: " ", count: 21_000) + "}", "Policies must be less than 20 KB"),
        ] {
            let refused = try local.aws(["s3api", "put-bucket-policy", "--bucket", "shared", "--policy", document])
            #expect(refused.stderrText.contains("MalformedPolicy") && refused.stderrText.contains(message), "\(document): \(refused.stderrText)")
        }
        // Public while Block Public Access blocks public policies (every new bucket's default): 403.
        let everyone = policy(principal: #""*""#)
        let blocked = try local.aws(["s3api", "put-bucket-policy", "--bucket", "shared", "--policy", everyone])
        #expect(blocked.stderrText.contains("AccessDenied") && blocked.stderrText.contains("BlockPublicPolicy"), "\(blocked.stderrText)")
        #expect(try local.aws(["s3api", "get-bucket-policy", "--bucket", "shared"]).stderrText.contains("NoSuchBucketPolicy"))

        // Wildcard actions, and a resource pattern matching both the bucket and its objects, are
        // accepted as S3 accepts them; a user that exists may be named.
        try local.awsOK(["iam", "create-user", "--user-name", "auditor"])
        for document in [
            policy(principal: #"{"AWS":"\#(role)"}"#, resource: "arn:aws:s3:::shared", action: "s3:Get*"),
            policy(principal: #"{"AWS":"\#(role)"}"#, resource: "arn:aws:s3:::shared*", action: "s3:GetObject"),
            policy(principal: #"{"AWS":"arn:aws:iam::123456789012:user/auditor"}"#, resource: "arn:aws:s3:::shared", action: "s3:ListBucket"),
        ] {
            try local.awsOK(["s3api", "put-bucket-policy", "--bucket", "shared", "--policy", document])
        }
        let pinned = policy(principal: #"{"AWS":"\#(role)"}"#)
        try local.awsOK(["s3api", "put-bucket-policy", "--bucket", "shared", "--policy", pinned])
        #expect(try local.awsOK(["s3api", "get-bucket-policy", "--bucket", "shared"])?["Policy"] as? String == pinned)
        #expect((try local.awsOK(["s3api", "get-bucket-policy-status", "--bucket", "shared"])?["PolicyStatus"] as? [String: Bool])?["IsPublic"] == false)

        try local.awsOK(["s3api", "delete-public-access-block", "--bucket", "shared"])
        try local.awsOK(["s3api", "put-bucket-policy", "--bucket", "shared", "--policy", everyone])
        #expect((try local.awsOK(["s3api", "get-bucket-policy-status", "--bucket", "shared"])?["PolicyStatus"] as? [String: Bool])?["IsPublic"] == true)
        try local.awsOK(["s3api", "delete-bucket-policy", "--bucket", "shared"])
        #expect(try local.aws(["s3api", "get-bucket-policy-status", "--bucket", "shared"]).stderrText.contains("NoSuchBucketPolicy"))
    }

    @Test("bucket policies are enforced: they grant a role's sessions what their own policies do not, within its boundary; a Deny on aws:SecureTransport binds even the account's root, which can still delete the policy; aws:SourceIp is the caller's")
    func bucketPolicyEnforced() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://guarded"])
        let file = local.directory.path("body.txt")
        try Data("guarded body".utf8).write(to: URL(fileURLWithPath: file))
        try local.awsOK(["s3api", "put-object", "--bucket", "guarded", "--key", "doc.txt", "--body", file])
        try local.awsOK(["iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let session = try await local.mintSession(roleName: "reader")
        let download = local.directory.path("download.txt")
        let get = ["s3api", "get-object", "--bucket", "guarded", "--key", "doc.txt", download]
        #expect(try local.aws(get, as: session).stderrText.contains("AccessDenied"), "no policy grants it yet")

        func statement(_ effect: String, principal: String, action: String, condition: String? = nil) -> String {
            #"{"Effect":"\#(effect)","Principal":\#(principal),"Action":"\#(action)","Resource":"arn:aws:s3:::guarded/*"\#(condition.map { ",\"Condition\":\($0)" } ?? "")}"#
        }
        func put(_ statements: [String]) throws {
            try local.awsOK(["s3api", "put-bucket-policy", "--bucket", "guarded", "--policy", #"{"Version":"2012-10-17","Statement":[\#(statements.joined(separator: ","))]}"#])
        }
        let reader = #"{"AWS":"arn:aws:iam::123456789012:role/reader"}"#
        try put([statement("Allow", principal: reader, action: "s3:GetObject")])
        #expect(try local.aws(get, as: session).status == 0, "the bucket policy grants the role's session GetObject")
        #expect(try String(contentsOfFile: download, encoding: .utf8) == "guarded body")
        #expect(try local.aws(["s3api", "put-object", "--bucket", "guarded", "--key", "new.txt", "--body", file], as: session).stderrText.contains("AccessDenied"))

        // The role's permissions boundary limits what the bucket policy grants.
        let boundary = try #require(
            (try local.awsOK(["iam", "create-policy", "--policy-name", "list-only", "--policy-document", Policies.listAllMyBuckets])?["Policy"] as? [String: Any])?["Arn"] as? String
        )
        try local.awsOK(["iam", "put-role-permissions-boundary", "--role-name", "reader", "--permissions-boundary", boundary])
        #expect(try local.aws(get, as: session).stderrText.contains("AccessDenied"), "outside the boundary")
        try local.awsOK(["iam", "delete-role-permissions-boundary", "--role-name", "reader"])

        // Only from an address the policy names.
        try put([statement("Allow", principal: reader, action: "s3:GetObject", condition: #"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#)])
        #expect(try local.aws(get, as: session).stderrText.contains("AccessDenied"), "127.0.0.1 is not in 10.0.0.0/8")
        try put([statement("Allow", principal: reader, action: "s3:GetObject", condition: #"{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}"#)])
        #expect(try local.aws(get, as: session).status == 0)

        // A Deny of plain-HTTP writes binds everyone, the account's root (the administrator keys) too.
        try put([
            statement("Allow", principal: reader, action: "s3:GetObject"),
            statement("Deny", principal: #""*""#, action: "s3:PutObject", condition: #"{"Bool":{"aws:SecureTransport":"false"}}"#),
        ])
        let refused = try local.aws(["s3api", "put-object", "--bucket", "guarded", "--key", "doc.txt", "--body", file])
        #expect(refused.stderrText.contains("AccessDenied") && refused.stderrText.contains("explicit deny in a resource-based policy"), "\(refused.stderrText)")
        #expect(try local.aws(get, as: session).status == 0, "reads are still granted")
        // The root can always remove the policy, and then write again.
        try local.awsOK(["s3api", "delete-bucket-policy", "--bucket", "guarded"])
        try local.awsOK(["s3api", "put-object", "--bucket", "guarded", "--key", "doc.txt", "--body", file])
        #expect(try local.aws(get, as: session).stderrText.contains("AccessDenied"), "without the policy, nothing grants it")
    }
}
