import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// S3 versioning as Terraform's `aws_s3_bucket_versioning` and a restore script use it, through
/// the real AWS CLI against the server.
@Suite("S3: versioning, version IDs, delete markers and ListObjectVersions, through the AWS CLI")
struct S3VersioningTests {
    static func write(_ text: String, in local: LocalServerProcess) throws -> String {
        let path = local.directory.path("body-\(text.utf8.count)-\(abs(text.hashValue)).txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func read(_ local: LocalServerProcess, _ key: String, version: String? = nil) throws -> (output: [String: Any]?, body: String) {
        let out = local.directory.path("out-\(UUID().uuidString)")
        let output = try local.awsOK(["s3api", "get-object", "--bucket", "history", "--key", key, out] + (version.map { ["--version-id", $0] } ?? []))
        return (output, try String(contentsOfFile: out, encoding: .utf8))
    }

    @Test("enabled: each put a version, GET by version ID, a delete marker hides the key, deleting the marker restores it, list-object-versions and its paging, suspended writes the null version, never back to unversioned")
    func versionedBucket() throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://history"])
        #expect(try local.awsOK(["s3api", "get-bucket-versioning", "--bucket", "history"])?["Status"] == nil, "never enabled: no Status")
        // Written before versioning: the null version, with no x-amz-version-id.
        #expect(try local.awsOK(["s3api", "put-object", "--bucket", "history", "--key", "doc.txt", "--body", Self.write("zero", in: local)])?["VersionId"] == nil)

        try local.awsOK(["s3api", "put-bucket-versioning", "--bucket", "history", "--versioning-configuration", "Status=Enabled"])
        #expect(try local.awsOK(["s3api", "get-bucket-versioning", "--bucket", "history"])?["Status"] as? String == "Enabled")
        let v1 = try #require(try local.awsOK(["s3api", "put-object", "--bucket", "history", "--key", "doc.txt", "--body", Self.write("first", in: local)])?["VersionId"] as? String)
        let v2 = try #require(try local.awsOK(["s3api", "put-object", "--bucket", "history", "--key", "doc.txt", "--body", Self.write("second", in: local)])?["VersionId"] as? String)
        #expect(v1 != v2 && v1 != "null")
        let current = try Self.read(local, "doc.txt")
        #expect(current.body == "second" && current.output?["VersionId"] as? String == v2)
        #expect(try Self.read(local, "doc.txt", version: v1).body == "first")
        #expect(try Self.read(local, "doc.txt", version: "null").body == "zero")
        let missing = try local.aws(["s3api", "get-object", "--bucket", "history", "--key", "doc.txt", "--version-id", "NOSUCHVERSION", local.directory.path("x")])
        #expect(missing.stderrText.contains("NoSuchVersion"), "\(missing.stderrText)")
        #expect(try local.awsOK(["s3api", "head-object", "--bucket", "history", "--key", "doc.txt", "--version-id", v1])?["ContentLength"] as? Int == 5)

        // A delete adds a marker: the key is gone for GET (404, with the marker's headers), its versions stay.
        let deleted = try #require(try local.awsOK(["s3api", "delete-object", "--bucket", "history", "--key", "doc.txt"]))
        #expect(deleted["DeleteMarker"] as? Bool == true, "\(deleted)")
        let marker = try #require(deleted["VersionId"] as? String)
        let hidden = try local.aws(["s3api", "get-object", "--bucket", "history", "--key", "doc.txt", local.directory.path("x")])
        #expect(hidden.stderrText.contains("NoSuchKey"), "\(hidden.stderrText)")
        let markerGet = try local.aws(["s3api", "head-object", "--bucket", "history", "--key", "doc.txt", "--version-id", marker])
        #expect(markerGet.stderrText.contains("405"), "\(markerGet.stderrText)")
        #expect(try local.aws(["s3", "ls", "s3://history/"]).stdoutText.isEmpty, "ListObjects no longer shows the key")

        let listed = try #require(try local.awsOK(["s3api", "list-object-versions", "--bucket", "history"]))
        let versions = try #require(listed["Versions"] as? [[String: Any]])
        #expect(versions.compactMap { $0["VersionId"] as? String } == [v2, v1, "null"], "newest first: \(versions)")
        #expect(versions.allSatisfy { $0["IsLatest"] as? Bool == false })
        let markers = try #require(listed["DeleteMarkers"] as? [[String: Any]])
        #expect(markers.count == 1 && markers[0]["VersionId"] as? String == marker && markers[0]["IsLatest"] as? Bool == true, "\(markers)")
        // Paged two at a time by the CLI (key-marker and version-id-marker), nothing lost or repeated.
        let paged = try #require(try local.awsOK(["s3api", "list-object-versions", "--bucket", "history", "--page-size", "2"]))
        #expect(((paged["Versions"] as? [Any])?.count ?? 0) + ((paged["DeleteMarkers"] as? [Any])?.count ?? 0) == 4, "\(paged)")

        // Tags are kept for current objects only: naming a noncurrent version is NotImplemented,
        // never the current object's tags.
        let oldTags = try local.aws(["s3api", "get-object-tagging", "--bucket", "history", "--key", "doc.txt", "--version-id", v1])
        #expect(oldTags.stderrText.contains("NotImplemented"), "\(oldTags.stderrText)")

        // Deleting the marker by its version ID restores the newest version.
        let restored = try #require(try local.awsOK(["s3api", "delete-object", "--bucket", "history", "--key", "doc.txt", "--version-id", marker]))
        #expect(restored["DeleteMarker"] as? Bool == true && restored["VersionId"] as? String == marker)
        #expect(try Self.read(local, "doc.txt").body == "second")
        // Copying an old version over the key restores that one as a new version.
        let copied = try #require(try local.awsOK(["s3api", "copy-object", "--bucket", "history", "--key", "doc.txt", "--copy-source", "history/doc.txt?versionId=\(v1)"]))
        #expect(copied["CopySourceVersionId"] as? String == v1 && (copied["VersionId"] as? String).map { $0 != v1 } == true, "\(copied)")
        #expect(try Self.read(local, "doc.txt").body == "first")

        // Suspended: a put writes the null version (replacing the old one); the versions made while enabled stay.
        try local.awsOK(["s3api", "put-bucket-versioning", "--bucket", "history", "--versioning-configuration", "Status=Suspended"])
        #expect(try local.awsOK(["s3api", "put-object", "--bucket", "history", "--key", "doc.txt", "--body", Self.write("suspended", in: local)])?["VersionId"] as? String == "null")
        #expect(try Self.read(local, "doc.txt", version: "null").body == "suspended")
        let afterSuspend = try #require(try local.awsOK(["s3api", "list-object-versions", "--bucket", "history"])?["Versions"] as? [[String: Any]])
        #expect(afterSuspend.compactMap { $0["VersionId"] as? String }.filter { $0 == "null" }.count == 1)
        #expect(afterSuspend.compactMap { $0["VersionId"] as? String }.contains(v2))
        let bad = try local.aws(["s3api", "put-bucket-versioning", "--bucket", "history", "--versioning-configuration", "Status=Off"])
        #expect(bad.stderrText.contains("MalformedXML"), "\(bad.stderrText)")

        // A bucket with versions is not empty; the CLI's delete of every version empties it.
        #expect(try local.aws(["s3api", "delete-bucket", "--bucket", "history"]).stderrText.contains("BucketNotEmpty"))
        let all = try #require(try local.awsOK(["s3api", "list-object-versions", "--bucket", "history"]))
        let everything = ((all["Versions"] as? [[String: Any]]) ?? []) + ((all["DeleteMarkers"] as? [[String: Any]]) ?? [])
        let objects = everything.map { "{Key=\($0["Key"] as? String ?? ""),VersionId=\($0["VersionId"] as? String ?? "")}" }.joined(separator: ",")
        let batch = try #require(try local.awsOK(["s3api", "delete-objects", "--bucket", "history", "--delete", "Objects=[\(objects)]"]))
        #expect((batch["Deleted"] as? [Any])?.count == everything.count && batch["Errors"] == nil, "\(batch)")
        try local.awsOK(["s3api", "delete-bucket", "--bucket", "history"])
    }

    @Test("unversioned buckets list null versions and refuse other version IDs; a version is read and deleted with s3:GetObjectVersion and s3:DeleteObjectVersion")
    func unversionedAndAuthorisation() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://plain"])
        try local.awsOK(["s3api", "put-object", "--bucket", "plain", "--key", "a", "--body", Self.write("plain", in: local)])
        let listed = try #require(try local.awsOK(["s3api", "list-object-versions", "--bucket", "plain"])?["Versions"] as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["VersionId"] as? String == "null" && listed[0]["IsLatest"] as? Bool == true, "\(listed)")
        let invalid = try local.aws(["s3api", "get-object", "--bucket", "plain", "--key", "a", "--version-id", "abc", local.directory.path("x")])
        #expect(invalid.stderrText.contains("InvalidArgument"), "\(invalid.stderrText)")
        #expect(try local.aws(["s3api", "get-object", "--bucket", "plain", "--key", "a", "--version-id", "null", local.directory.path("x")]).status == 0)

        try local.awsOK(["s3", "mb", "s3://guarded"])
        try local.awsOK(["s3api", "put-bucket-versioning", "--bucket", "guarded", "--versioning-configuration", "Status=Enabled"])
        let v1 = try #require(try local.awsOK(["s3api", "put-object", "--bucket", "guarded", "--key", "k", "--body", Self.write("one", in: local)])?["VersionId"] as? String)
        try local.awsOK(["s3api", "put-object", "--bucket", "guarded", "--key", "k", "--body", Self.write("two", in: local)])
        try local.awsOK(["iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject","s3:ListBucket"],"Resource":["arn:aws:s3:::guarded","arn:aws:s3:::guarded/*"]}]}"#
        try local.awsOK(["iam", "put-role-policy", "--role-name", "reader", "--policy-name", "p", "--policy-document", policy])
        let session = try await local.mintSession(roleName: "reader", tags: ["x509Subject/CN": "myContainer"])
        #expect(try local.aws(["s3api", "get-object", "--bucket", "guarded", "--key", "k", local.directory.path("x")], as: session).status == 0)
        let old = try local.aws(["s3api", "get-object", "--bucket", "guarded", "--key", "k", "--version-id", v1, local.directory.path("x")], as: session)
        #expect(old.stderrText.contains("AccessDenied") && old.stderrText.contains("s3:GetObjectVersion"), "\(old.stderrText)")
        let purge = try local.aws(["s3api", "delete-object", "--bucket", "guarded", "--key", "k", "--version-id", v1], as: session)
        #expect(purge.stderrText.contains("AccessDenied") && purge.stderrText.contains("s3:DeleteObjectVersion"), "\(purge.stderrText)")
        let versions = try local.aws(["s3api", "list-object-versions", "--bucket", "guarded"], as: session)
        #expect(versions.stderrText.contains("s3:ListBucketVersions"), "\(versions.stderrText)")
        // s3:DeleteObject (no version) is allowed: it adds a delete marker, nothing is lost.
        #expect(try local.awsOK(["s3api", "delete-object", "--bucket", "guarded", "--key", "k"], as: session)?["DeleteMarker"] as? Bool == true)
        #expect(try Self.read(local, "k", version: v1, bucket: "guarded").body == "one")
    }
}

extension S3VersioningTests {
    static func read(_ local: LocalServerProcess, _ key: String, version: String? = nil, bucket: String) throws -> (output: [String: Any]?, body: String) {
        let out = local.directory.path("out-\(UUID().uuidString)")
        let output = try local.awsOK(["s3api", "get-object", "--bucket", bucket, "--key", key, out] + (version.map { ["--version-id", $0] } ?? []))
        return (output, try String(contentsOfFile: out, encoding: .utf8))
    }
}
