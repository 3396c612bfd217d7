import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// The contract of ``Store``, run against both implementations: SQLite (in memory and on disk) and
/// ``MemoryStore``.
@Suite("Store conformance")
struct StoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, file, values
        var testDescription: String {
            switch self {
            case .memory: "SQLite in memory"
            case .file: "SQLite on disk"
            case .values: "MemoryStore"
            }
        }
    }

    /// A fresh store of `kind`, with the directory that keeps its file alive.
    static func makeStore(_ kind: Kind) throws -> (any Store, TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "store")
        switch kind {
        case .memory: return (try SQLiteStore(path: ":memory:"), directory)
        case .file: return (try SQLiteStore(path: directory.path("state.sqlite")), directory)
        case .values: return (MemoryStore(), directory)
        }
    }

    static func role(_ name: String, path: String = "/") -> RoleRecord {
        RoleRecord(
            name: name, id: "AROA" + String(repeating: "X", count: 17), arn: "arn:aws:iam::123456789012:role\(path)\(name)", path: path, description: nil,
            assumeRolePolicyDocument: Policies.trustRolesAnywhere, maxSessionDuration: 3600, createDate: Date(timeIntervalSince1970: 1_700_000_000),
            tags: [Tag(key: "team", value: "platform")]
        )
    }

    static func expectStoreError(_ kind: StoreError.Kind, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(kind)")
        } catch let error as StoreError {
            #expect(error.kind == kind, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("roles: names are unique case-insensitively, round-trip every field, filter by path", arguments: Kind.allCases)
    func roles(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let role = Self.role("Bucket-Lister")
        try await store.createRole(role)
        #expect(try await store.role(named: "bucket-lister") == role)
        await Self.expectStoreError(.alreadyExists) { try await store.createRole(Self.role("BUCKET-LISTER")) }
        try await store.createRole(Self.role("deployer", path: "/ci/"))
        #expect(try await store.roles(pathPrefix: "/").map(\.name) == ["Bucket-Lister", "deployer"])
        #expect(try await store.roles(pathPrefix: "/ci/").map(\.name) == ["deployer"])

        var updated = role
        updated.description = "lists buckets"
        updated.maxSessionDuration = 7200
        try await store.updateRole(updated)
        #expect(try await store.role(named: "Bucket-Lister") == updated)

        try await store.putRolePolicy(roleName: "bucket-lister", policyName: "b", document: "{}")
        try await store.putRolePolicy(roleName: "Bucket-Lister", policyName: "a", document: Policies.listAllMyBuckets)
        try await store.putRolePolicy(roleName: "Bucket-Lister", policyName: "b", document: "{\"replaced\":true}")
        #expect(try await store.rolePolicies(roleName: "Bucket-Lister").map(\.name) == ["a", "b"])
        #expect(try await store.rolePolicy(roleName: "Bucket-Lister", policyName: "b") == "{\"replaced\":true}")
        await Self.expectStoreError(.notFound) { try await store.putRolePolicy(roleName: "nobody", policyName: "x", document: "{}") }
        await Self.expectStoreError(.conflict) { try await store.deleteRole(named: "Bucket-Lister") }
        try await store.deleteRolePolicy(roleName: "Bucket-Lister", policyName: "a")
        await Self.expectStoreError(.notFound) { try await store.deleteRolePolicy(roleName: "Bucket-Lister", policyName: "a") }
        try await store.deleteRolePolicy(roleName: "Bucket-Lister", policyName: "b")
        try await store.deleteRole(named: "bucket-lister")
        #expect(try await store.role(named: "Bucket-Lister") == nil)
        await Self.expectStoreError(.notFound) { try await store.deleteRole(named: "Bucket-Lister") }
    }

    @Test("managed policies: attach, detach, conflicts while attached", arguments: Kind.allCases)
    func managedPolicies(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createRole(Self.role("reader"))
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let policy = ManagedPolicyRecord(
            arn: "arn:aws:iam::123456789012:policy/list", name: "list", id: "ANPA" + String(repeating: "Y", count: 17), path: "/", description: nil,
            document: Policies.listAllMyBuckets, createDate: date, updateDate: date, attachmentCount: 0
        )
        try await store.createPolicy(policy)
        await Self.expectStoreError(.alreadyExists) { try await store.createPolicy(policy) }
        try await store.attachRolePolicy(roleName: "reader", policyArn: policy.arn)
        try await store.attachRolePolicy(roleName: "reader", policyArn: policy.arn)
        #expect(try await store.attachedPolicyArns(roleName: "READER") == [policy.arn])
        #expect(try await store.policy(arn: policy.arn)?.attachmentCount == 1)
        await Self.expectStoreError(.conflict) { try await store.deletePolicy(arn: policy.arn) }
        await Self.expectStoreError(.conflict) { try await store.deleteRole(named: "reader") }
        try await store.detachRolePolicy(roleName: "reader", policyArn: policy.arn)
        await Self.expectStoreError(.notFound) { try await store.detachRolePolicy(roleName: "reader", policyArn: policy.arn) }
        try await store.deletePolicy(arn: policy.arn)
        #expect(try await store.policy(arn: policy.arn) == nil)
        try await store.deleteRole(named: "reader")
    }

    @Test("policy versions: a change is one transaction (a throwing change stores nothing), versions round-trip, and a policy with versions cannot be deleted", arguments: Kind.allCases)
    func policyVersions(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let policy = ManagedPolicyRecord(
            arn: "arn:aws:iam::123456789012:policy/team/list", name: "list", id: "ANPA" + String(repeating: "Y", count: 17), path: "/team/",
            description: nil, document: Policies.listAllMyBuckets, createDate: date, updateDate: date, attachmentCount: 0
        )
        try await store.createPolicy(policy)
        try await store.createPolicy(ManagedPolicyRecord(
            arn: "arn:aws:iam::123456789012:policy/Alpha", name: "Alpha", id: "ANPA" + String(repeating: "Z", count: 17), path: "/",
            description: nil, document: Policies.listAllMyBuckets, createDate: date, updateDate: date, attachmentCount: 0
        ))
        #expect(try await store.policies(pathPrefix: "/").map(\.name) == ["Alpha", "list"])
        #expect(try await store.policies(pathPrefix: "/team/").map(\.name) == ["list"])

        let later = date.addingTimeInterval(60)
        let updated = try await store.updatePolicy(arn: policy.arn) { policy in
            policy.latestVersionNumber += 1
            policy.versions.append(ManagedPolicyVersion(id: "v2", document: Policies.allowAll, createDate: later))
            policy.defaultVersionID = "v2"
            policy.updateDate = later
        }
        #expect(updated.document == Policies.allowAll)
        let read = try #require(try await store.policy(arn: policy.arn))
        #expect(read.versions.map(\.id) == ["v1", "v2"])
        #expect(read.versions.map(\.document) == [Policies.listAllMyBuckets, Policies.allowAll])
        #expect(read.versions[1].createDate == later)
        #expect(read.defaultVersionID == "v2" && read.document == Policies.allowAll && read.latestVersionNumber == 2 && read.updateDate == later)

        // A change that throws stores nothing.
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.updatePolicy(arn: policy.arn) { policy in
                policy.defaultVersionID = "v1"
                throw Refused()
            }
        }
        #expect(try await store.policy(arn: policy.arn)?.defaultVersionID == "v2")
        await Self.expectStoreError(.notFound) { _ = try await store.updatePolicy(arn: policy.arn + "-none") { _ in } }

        // Versions besides the default keep the policy; once they are gone it can be deleted.
        await Self.expectStoreError(.conflict) { try await store.deletePolicy(arn: policy.arn) }
        _ = try await store.updatePolicy(arn: policy.arn) { $0.versions.removeAll { $0.id == "v1" } }
        let single = try #require(try await store.policy(arn: policy.arn))
        #expect(single.versions.map(\.id) == ["v2"] && single.latestVersionNumber == 2)
        try await store.deletePolicy(arn: policy.arn)
        #expect(try await store.policy(arn: policy.arn) == nil)
    }

    @Test("roles attached to a policy, by name", arguments: Kind.allCases)
    func rolesAttachedToPolicy(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        for name in ["writer", "Auditor", "reader"] { try await store.createRole(Self.role(name)) }
        let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        try await store.attachRolePolicy(roleName: "reader", policyArn: arn)
        try await store.attachRolePolicy(roleName: "AUDITOR", policyArn: arn)
        #expect(try await store.roleNames(attachedTo: arn) == ["Auditor", "reader"])
        #expect(try await store.roleNames(attachedTo: arn + "x").isEmpty)
    }

    @Test("instance profiles: unique names case-insensitively, one role at most, a role in a profile and a profile with a role cannot be deleted", arguments: Kind.allCases)
    func instanceProfiles(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createRole(Self.role("web"))
        try await store.createRole(Self.role("worker"))
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let profile = InstanceProfileRecord(
            name: "web-profile", id: "AIPA" + String(repeating: "Q", count: 17), arn: "arn:aws:iam::123456789012:instance-profile/apps/web-profile",
            path: "/apps/", createDate: date, tags: [Tag(key: "team", value: "web")]
        )
        try await store.createInstanceProfile(profile)
        try await store.createInstanceProfile(InstanceProfileRecord(
            name: "batch", id: "AIPA" + String(repeating: "R", count: 17), arn: "arn:aws:iam::123456789012:instance-profile/batch", path: "/", createDate: date
        ))
        await Self.expectStoreError(.alreadyExists) {
            try await store.createInstanceProfile(InstanceProfileRecord(name: "WEB-PROFILE", id: "x", arn: "x", path: "/", createDate: date))
        }
        #expect(try await store.instanceProfile(named: "Web-Profile") == profile)
        #expect(try await store.instanceProfiles(pathPrefix: "/").map(\.name) == ["batch", "web-profile"])
        #expect(try await store.instanceProfiles(pathPrefix: "/apps/").map(\.name) == ["web-profile"])

        await Self.expectStoreError(.notFound) { try await store.addRole("nobody", toInstanceProfile: "web-profile") }
        await Self.expectStoreError(.notFound) { try await store.addRole("web", toInstanceProfile: "none") }
        try await store.addRole("WEB", toInstanceProfile: "web-profile")
        #expect(try await store.instanceProfile(named: "web-profile")?.roleName == "web")
        await Self.expectStoreError(.limitExceeded) { try await store.addRole("worker", toInstanceProfile: "web-profile") }
        await Self.expectStoreError(.limitExceeded) { try await store.addRole("web", toInstanceProfile: "web-profile") }
        #expect(try await store.instanceProfiles(roleName: "Web").map(\.name) == ["web-profile"])
        #expect(try await store.instanceProfiles(roleName: "worker").isEmpty)

        await Self.expectStoreError(.conflict) { try await store.deleteRole(named: "web") }
        await Self.expectStoreError(.conflict) { try await store.deleteInstanceProfile(named: "web-profile") }
        await Self.expectStoreError(.notFound) { try await store.removeRole("worker", fromInstanceProfile: "web-profile") }
        await Self.expectStoreError(.notFound) { try await store.removeRole("web", fromInstanceProfile: "none") }
        try await store.removeRole("web", fromInstanceProfile: "WEB-profile")
        #expect(try await store.instanceProfile(named: "web-profile")?.roleName == nil)
        try await store.deleteRole(named: "web")
        try await store.deleteInstanceProfile(named: "web-profile")
        #expect(try await store.instanceProfile(named: "web-profile") == nil)
        await Self.expectStoreError(.notFound) { try await store.deleteInstanceProfile(named: "web-profile") }
    }

    @Test("sessions round-trip with their tags and policies", arguments: Kind.allCases)
    func sessions(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let role = Self.role("bucket-lister")
        try await store.createRole(role)
        let minted = try await SessionMinter(store: store).mint(
            .init(role: role, sessionName: "0123456789abcdef", duration: 900, sourceIdentity: "CN=myContainer", tags: ["x509Subject/CN": "myContainer"], sessionPolicy: Policies.listAllMyBuckets, sessionPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
        )
        #expect(minted.accessKeyId.hasPrefix("ASIA"))
        #expect(minted.accessKeyId.count == 20)
        #expect(minted.expiration.timeIntervalSince(minted.issuedAt) == 900)
        #expect(try await store.session(accessKeyId: minted.accessKeyId) == minted)
        #expect(try await store.session(accessKeyId: "ASIANOSUCHKEY0000000") == nil)
        let other = try await SessionMinter(store: store).mint(.init(role: role, sessionName: "x", duration: 900))
        #expect(other.accessKeyId != minted.accessKeyId)
        #expect(other.secretAccessKey != minted.secretAccessKey)
    }

    @Test("AWS Private CA: CAs replace by ARN and list oldest first; issued certificates by ARN and by CA, oldest first", arguments: Kind.allCases)
    func privateCA(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        func authority(_ id: String, at seconds: TimeInterval) -> PrivateCARecord {
            PrivateCARecord(
                arn: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/\(id)", kind: .root, status: .pendingCertificate,
                usageMode: .generalPurpose, keyAlgorithm: .ecPrime256v1, signingAlgorithm: .sha256WithECDSA, subject: ["CommonName": "CA \(id)"],
                keyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER", revocationConfiguration: nil,
                createdAt: Date(timeIntervalSince1970: seconds), lastStateChangeAt: Date(timeIntervalSince1970: seconds), sealedKey: [1, 2, 3],
                csrPEM: "csr", certificatePEM: nil, certificateChainPEM: nil, serial: nil, notBefore: nil, notAfter: nil, idempotencyToken: nil
            )
        }
        let later = authority("b", at: 1_800_000_100)
        var earlier = authority("a", at: 1_800_000_000)
        try await store.saveCertificateAuthority(later)
        try await store.saveCertificateAuthority(earlier)
        #expect(try await store.certificateAuthorities().map(\.arn) == [earlier.arn, later.arn])
        earlier.status = .active
        earlier.certificatePEM = "pem"
        try await store.saveCertificateAuthority(earlier)
        #expect(try await store.certificateAuthority(arn: earlier.arn) == earlier)
        #expect(try await store.certificateAuthorities().count == 2)
        #expect(try await store.certificateAuthority(arn: earlier.arn + "x") == nil)
        // A deleted CA keeps what restoring it needs, and is gone once its restoration period ends.
        var deleted = later
        deleted.status = .deleted
        deleted.statusBeforeDeletion = .pendingCertificate
        deleted.restorableUntil = Date(timeIntervalSince1970: 1_800_000_500)
        try await store.saveCertificateAuthority(deleted)
        #expect(try await store.certificateAuthority(arn: later.arn) == deleted)
        #expect(!deleted.isGone(at: Date(timeIntervalSince1970: 1_800_000_499)) && deleted.isGone(at: Date(timeIntervalSince1970: 1_800_000_500)))
        #expect(!later.isGone(at: .distantFuture))

        func issued(_ serial: String, by ca: PrivateCARecord, at seconds: TimeInterval) -> PrivateCAIssuedCertificate {
            PrivateCAIssuedCertificate(
                arn: "\(ca.arn)/certificate/\(serial)", authorityArn: ca.arn, serialHex: serial, certificatePEM: "pem \(serial)",
                issuedAt: Date(timeIntervalSince1970: seconds), notAfter: Date(timeIntervalSince1970: seconds + 600), idempotencyToken: "t"
            )
        }
        let second = issued("02", by: earlier, at: 1_800_000_200)
        let first = issued("01", by: earlier, at: 1_800_000_100)
        let other = issued("03", by: later, at: 1_800_000_000)
        for certificate in [second, first, other] { try await store.saveIssuedCertificate(certificate) }
        #expect(try await store.issuedCertificate(arn: first.arn) == first)
        #expect(try await store.issuedCertificates(authorityArn: earlier.arn) == [first, second])
        #expect(try await store.issuedCertificates(authorityArn: later.arn) == [other])
        // Revoking replaces the record by ARN; the order (by issue time) stays.
        var revoked = first
        revoked.revokedAt = Date(timeIntervalSince1970: 1_800_000_300)
        revoked.revocationReason = .keyCompromise
        try await store.saveIssuedCertificate(revoked)
        #expect(try await store.issuedCertificate(arn: first.arn) == revoked)
        #expect(try await store.issuedCertificates(authorityArn: earlier.arn) == [revoked, second])
    }

    /// Regression: expired sessions were pruned on the wall clock, process-wide, so a session minted
    /// on a pinned clock days in the past (the CreateSession vectors) was deleted by its own insert
    /// whenever that insert was the first of the minute - a test that failed now and then.
    @Test("sessions minted on a clock days behind the wall clock are kept; pruning runs on the minting clock", arguments: Kind.allCases)
    func sessionsOnAPinnedClock(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let role = Self.role("bucket-lister")
        try await store.createRole(role)
        let minter = SessionMinter(store: store)
        let pinned = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14, long before the wall clock
        let old = try await minter.mint(.init(role: role, sessionName: "old", duration: 900), now: pinned)
        #expect(try await store.session(accessKeyId: old.accessKeyId) == old)
        // Two days later on the same clock: the first session has been expired for over a day.
        let later = try await minter.mint(.init(role: role, sessionName: "later", duration: 900), now: pinned.addingTimeInterval(2 * 86_400))
        #expect(try await store.session(accessKeyId: later.accessKeyId) == later)
        if kind != .values {
            #expect(try await store.session(accessKeyId: old.accessKeyId) == nil)
        }
    }

    @Test("buckets and objects: ordering, prefixes, paging, overwrite, BucketNotEmpty", arguments: Kind.allCases)
    func objects(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBucket(BucketRecord(name: "b", region: "us-east-1", creationDate: date))
        await Self.expectStoreError(.alreadyExists) { try await store.createBucket(BucketRecord(name: "b", region: "us-east-1", creationDate: date)) }
        for key in ["z", "a/2", "a/1", "b", "a/10"] {
            try await store.putObject(ObjectRecord(bucket: "b", key: key, size: key.utf8.count, etag: "e", lastModified: date, contentType: "text/plain", metadata: ["k": key]), data: Array(key.utf8))
        }
        #expect(try await store.objects(bucket: "b", prefix: "", after: nil, limit: 100).map(\.key) == ["a/1", "a/10", "a/2", "b", "z"])
        #expect(try await store.objects(bucket: "b", prefix: "a/", after: "a/1", limit: 1).map(\.key) == ["a/10"])
        // Overwriting replaces the data and the record.
        try await store.putObject(ObjectRecord(bucket: "b", key: "z", size: 3, etag: "f", lastModified: date, contentType: "application/octet-stream", metadata: [:]), data: [0, 1, 2])
        #expect(try await store.objectData(bucket: "b", key: "z") == [0, 1, 2])
        #expect(try await store.object(bucket: "b", key: "z")?.etag == "f")
        #expect(try await store.object(bucket: "b", key: "a/1")?.metadata == ["k": "a/1"])
        await Self.expectStoreError(.conflict) { try await store.deleteBucket(named: "b") }
        for object in try await store.objects(bucket: "b", prefix: "", after: nil, limit: 100) {
            try await store.deleteObject(bucket: "b", key: object.key, markerVersionId: "unused", at: date)
        }
        try await store.deleteBucket(named: "b")
        #expect(try await store.buckets().isEmpty)
        await Self.expectStoreError(.notFound) { try await store.deleteBucket(named: "b") }
    }

    @Test("bucket configurations and object tags: new buckets have S3's defaults, a change is one transaction, tags travel with objects and uploads", arguments: Kind.allCases)
    func bucketConfigurationsAndTags(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBucket(BucketRecord(name: "b", region: "us-east-1", creationDate: date))
        #expect(try await store.bucket(named: "b")?.configuration == .newBucket)
        let tags = [Tag(key: "team", value: "platform"), Tag(key: "cost", value: "42")]
        let changed = try await store.updateBucketConfiguration(named: "b") { configuration in
            configuration.tags = tags
            configuration.publicAccessBlock = nil
            configuration.objectOwnership = .objectWriter
            configuration.policy = "{\"Version\":\"2012-10-17\"}"
        }
        #expect(try await store.bucket(named: "b")?.configuration == changed)
        #expect(try await store.buckets().first?.configuration.tags == tags)
        // A change that throws stores nothing.
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.updateBucketConfiguration(named: "b") { configuration in
                configuration.policy = nil
                throw Refused()
            }
        }
        #expect(try await store.bucket(named: "b")?.configuration.policy != nil)
        await Self.expectStoreError(.notFound) { _ = try await store.updateBucketConfiguration(named: "none") { $0.tags = nil } }

        try await store.putObject(
            ObjectRecord(bucket: "b", key: "k", size: 1, etag: "e", lastModified: date, contentType: "text/plain", metadata: [:], tags: tags), data: [1]
        )
        #expect(try await store.object(bucket: "b", key: "k")?.tags == tags)
        try await store.setObjectTags([Tag(key: "only", value: "")], bucket: "b", key: "k")
        #expect(try await store.objects(bucket: "b", prefix: "", after: nil, limit: 10).first?.tags == [Tag(key: "only", value: "")])
        await Self.expectStoreError(.notFound) { try await store.setObjectTags([], bucket: "b", key: "none") }

        let upload = MultipartUploadRecord(
            uploadID: "u", bucket: "b", key: "m", initiated: date, contentType: "text/plain", metadata: [:], checksumAlgorithm: nil, tags: tags
        )
        try await store.createMultipartUpload(upload)
        #expect(try await store.multipartUpload(id: "u")?.tags == tags)
        try await store.putPart(PartRecord(uploadID: "u", partNumber: 1, size: 1, etag: "p", lastModified: date), data: [7])
        try await store.completeMultipartUpload(
            id: "u", parts: [(1, "p")],
            object: ObjectRecord(bucket: "b", key: "m", size: 1, etag: "x-1", lastModified: date, contentType: "text/plain", metadata: [:], tags: upload.tags)
        )
        #expect(try await store.object(bucket: "b", key: "m")?.tags == tags)
    }

    @Test("multipart uploads: parts replace by number, completion assembles the parts named and ends the upload, uploads keep a bucket", arguments: Kind.allCases)
    func multipartUploads(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        func upload(_ id: String, key: String, at offset: TimeInterval = 0) -> MultipartUploadRecord {
            MultipartUploadRecord(
                uploadID: id, bucket: "b", key: key, initiated: date.addingTimeInterval(offset), contentType: "text/plain", metadata: ["m": id],
                checksumAlgorithm: id == "u1" ? "crc32" : nil
            )
        }
        await Self.expectStoreError(.notFound) { try await store.createMultipartUpload(upload("u0", key: "k")) }
        try await store.createBucket(BucketRecord(name: "b", region: "us-east-1", creationDate: date))
        try await store.createMultipartUpload(upload("u2", key: "z"))
        try await store.createMultipartUpload(upload("u1", key: "a", at: 5))
        try await store.createMultipartUpload(upload("u3", key: "a", at: 1))
        #expect(try await store.multipartUploads(bucket: "b").map(\.uploadID) == ["u3", "u1", "u2"])
        #expect(try await store.multipartUpload(id: "u1") == upload("u1", key: "a", at: 5))
        #expect(try await store.multipartUpload(id: "none") == nil)

        try await store.putPart(PartRecord(uploadID: "u1", partNumber: 2, size: 2, etag: "e2", lastModified: date), data: [3, 4])
        try await store.putPart(PartRecord(uploadID: "u1", partNumber: 1, size: 1, etag: "old", lastModified: date), data: [9])
        let first = PartRecord(uploadID: "u1", partNumber: 1, size: 2, etag: "e1", lastModified: date, checksumAlgorithm: "crc32", checksumValue: "AAAAAA==")
        try await store.putPart(first, data: [1, 2])
        #expect(try await store.parts(uploadID: "u1") == [first, PartRecord(uploadID: "u1", partNumber: 2, size: 2, etag: "e2", lastModified: date)])
        await Self.expectStoreError(.notFound) { try await store.putPart(PartRecord(uploadID: "none", partNumber: 1, size: 0, etag: "e", lastModified: date), data: []) }

        // Uploads in progress keep the bucket, as objects do.
        await Self.expectStoreError(.conflict) { try await store.deleteBucket(named: "b") }
        let object = ObjectRecord(bucket: "b", key: "a", size: 4, etag: "x-2", lastModified: date, contentType: "text/plain", metadata: ["m": "u1"])
        // A part named with another ETag, or not stored, completes nothing.
        await Self.expectStoreError(.conflict) { try await store.completeMultipartUpload(id: "u1", parts: [(1, "old"), (2, "e2")], object: object) }
        await Self.expectStoreError(.conflict) { try await store.completeMultipartUpload(id: "u1", parts: [(1, "e1"), (3, "e2")], object: object) }
        #expect(try await store.object(bucket: "b", key: "a") == nil)
        try await store.completeMultipartUpload(id: "u1", parts: [(1, "e1"), (2, "e2")], object: object)
        #expect(try await store.objectData(bucket: "b", key: "a") == [1, 2, 3, 4])
        #expect(try await store.object(bucket: "b", key: "a") == object)
        #expect(try await store.multipartUpload(id: "u1") == nil)
        #expect(try await store.parts(uploadID: "u1").isEmpty)
        await Self.expectStoreError(.notFound) { try await store.completeMultipartUpload(id: "u1", parts: [(1, "e1")], object: object) }

        try await store.putPart(PartRecord(uploadID: "u2", partNumber: 1, size: 1, etag: "e", lastModified: date), data: [7])
        try await store.abortMultipartUpload(id: "u2")
        await Self.expectStoreError(.notFound) { try await store.abortMultipartUpload(id: "u2") }
        #expect(try await store.parts(uploadID: "u2").isEmpty)
        try await store.abortMultipartUpload(id: "u3")
        try await store.deleteObject(bucket: "b", key: "a", markerVersionId: "unused", at: Date())
        try await store.deleteBucket(named: "b")
    }

    static func crl(_ id: String, createdAt: TimeInterval) -> CRLRecord {
        CRLRecord(
            crlId: id, crlArn: "arn:aws:rolesanywhere:us-east-1:123456789012:crl/\(id)", name: "crl-\(id)", enabled: true, crlData: Data("pem".utf8),
            trustAnchorArn: "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t", createdAt: Date(timeIntervalSince1970: createdAt),
            updatedAt: Date(timeIntervalSince1970: createdAt)
        )
    }

    @Test("Roles Anywhere resources: round-trip, oldest first, delete takes the tags along", arguments: Kind.allCases)
    func rolesAnywhereResources(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.saveResource(Self.crl("b", createdAt: 2))
        try await store.saveResource(Self.crl("c", createdAt: 1))
        try await store.saveResource(Self.crl("a", createdAt: 2))
        #expect(try await store.resources(CRLRecord.self).map(\.crlId) == ["c", "a", "b"])
        var changed = Self.crl("a", createdAt: 2)
        changed.enabled = false
        try await store.saveResource(changed)
        #expect(try await store.resource(CRLRecord.self, id: "a") == changed)
        #expect(try await store.resource(TrustAnchorRecord.self, id: "a") == nil, "kinds are apart")
        let arn = changed.crlArn
        try await store.setTags([ResourceTag(key: "team", value: "x"), ResourceTag(key: "env", value: "dev")], resourceArn: arn)
        #expect(try await store.tags(resourceArn: arn) == [ResourceTag(key: "env", value: "dev"), ResourceTag(key: "team", value: "x")])
        try await store.setTags([ResourceTag(key: "owner", value: "y")], resourceArn: arn)
        #expect(try await store.tags(resourceArn: arn) == [ResourceTag(key: "owner", value: "y")])
        try await store.deleteResource(CRLRecord.self, id: "a")
        #expect(try await store.tags(resourceArn: arn).isEmpty)
        #expect(try await store.resource(CRLRecord.self, id: "a") == nil)
        await Self.expectStoreError(.notFound) { try await store.deleteResource(CRLRecord.self, id: "a") }
    }

    @Test("a read made before a write never hides it: roles, policies, attachments and Roles Anywhere resources", arguments: Kind.allCases)
    func readsAfterWrites(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        // Each read first (so a cache holds it), then a write to the same domain, then the read again.
        #expect(try await store.role(named: "reader") == nil)
        try await store.createRole(Self.role("reader"))
        var role = try #require(try await store.role(named: "reader"))
        role.maxSessionDuration = 7200
        try await store.updateRole(role)
        #expect(try await store.role(named: "reader")?.maxSessionDuration == 7200)

        #expect(try await store.rolePolicies(roleName: "reader").isEmpty)
        try await store.putRolePolicy(roleName: "reader", policyName: "p", document: "{}")
        #expect(try await store.rolePolicies(roleName: "reader").map(\.document) == ["{}"])
        try await store.putRolePolicy(roleName: "reader", policyName: "p", document: Policies.listAllMyBuckets)
        #expect(try await store.rolePolicies(roleName: "reader").map(\.document) == [Policies.listAllMyBuckets])

        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let policy = ManagedPolicyRecord(
            arn: "arn:aws:iam::123456789012:policy/list", name: "list", id: "ANPA" + String(repeating: "Y", count: 17), path: "/", description: nil,
            document: Policies.listAllMyBuckets, createDate: date, updateDate: date, attachmentCount: 0
        )
        #expect(try await store.policy(arn: policy.arn) == nil)
        try await store.createPolicy(policy)
        #expect(try await store.policy(arn: policy.arn)?.attachmentCount == 0)
        #expect(try await store.attachedPolicyArns(roleName: "reader").isEmpty)
        try await store.attachRolePolicy(roleName: "reader", policyArn: policy.arn)
        // An attachment changes what both the role's and the policy's reads say.
        #expect(try await store.attachedPolicyArns(roleName: "reader") == [policy.arn])
        #expect(try await store.policy(arn: policy.arn)?.attachmentCount == 1)
        try await store.detachRolePolicy(roleName: "reader", policyArn: policy.arn)
        #expect(try await store.attachedPolicyArns(roleName: "reader").isEmpty)
        try await store.deleteRolePolicy(roleName: "reader", policyName: "p")
        try await store.deleteRole(named: "reader")
        #expect(try await store.role(named: "reader") == nil)

        #expect(try await store.resources(CRLRecord.self).isEmpty)
        #expect(try await store.resource(CRLRecord.self, id: "a") == nil)
        try await store.saveResource(Self.crl("a", createdAt: 1))
        #expect(try await store.resources(CRLRecord.self).map(\.crlId) == ["a"])
        var disabled = Self.crl("a", createdAt: 1)
        disabled.enabled = false
        try await store.saveResource(disabled)
        #expect(try await store.resource(CRLRecord.self, id: "a")?.enabled == false)
        #expect(try await store.resources(CRLRecord.self).map(\.enabled) == [false])
        try await store.deleteResource(CRLRecord.self, id: "a")
        #expect(try await store.resource(CRLRecord.self, id: "a") == nil)
        #expect(try await store.resources(CRLRecord.self).isEmpty)
    }

    @Test("reads racing writes end on the last write", arguments: Kind.allCases)
    func readsRacingWrites(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createRole(Self.role("racer"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for duration in 3601...3700 {
                    var role = Self.role("racer")
                    role.maxSessionDuration = duration
                    try await store.updateRole(role)
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 { _ = try await store.role(named: "racer") }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.role(named: "racer")?.maxSessionDuration == 3700)
    }

    /// A store of `kind` with a role to mint sessions for, its minter, and now to the second (not a
    /// fixed date: SQLite prunes sessions that expired more than a day ago on insert).
    static func subjectFixture(_ kind: Kind) async throws -> (any Store, TemporaryDirectory, RoleRecord, SessionMinter, Date) {
        let (store, directory) = try makeStore(kind)
        let role = Self.role("subject-role")
        try await store.createRole(role)
        return (store, directory, role, SessionMinter(store: store), Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
    }

    /// A subject update that adds a credential with `serial` (creating the subject the first time).
    static func addingCredential(_ serial: String, at date: Date) -> @Sendable (SubjectRecord?) -> SubjectRecord? {
        { stored in
            var subject = stored ?? SubjectRecord(
                subjectArn: "arn:aws:rolesanywhere:us-east-1:123456789012:subject/subject", subjectId: "subject", enabled: true,
                x509Subject: "CN=x", lastSeenAt: date, createdAt: date, updatedAt: date, credentials: [], instanceProperties: []
            )
            subject.credentials.append(CredentialSummary(seenAt: date, serialNumber: serial, issuer: "CN=CA", enabled: true, x509CertificateData: "", failed: false))
            return subject
        }
    }

    @Test("CreateSession records: a call whose write fails leaves nothing behind, and the calls written with it stand", arguments: Kind.allCases)
    func failedRecordsAmongOthers(_ kind: Kind) async throws {
        let (store, directory, role, minter, date) = try await Self.subjectFixture(kind)
        defer { withExtendedLifetime(directory) {} }
        // A session already stored: recording it again violates its key, so that call fails.
        let taken = minter.make(.init(role: role, sessionName: "taken", duration: 3600), now: date)
        try await store.insertSession(taken)
        let failed = try await withThrowingTaskGroup(of: Int?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let session = index % 5 == 0 ? taken : minter.make(.init(role: role, sessionName: "s\(index)", duration: 3600), now: date)
                    do {
                        _ = try await store.recordCreateSession(session, subjectID: "subject", update: Self.addingCredential("\(index)", at: date))
                        #expect(try await store.session(accessKeyId: session.accessKeyId) == session)
                        return nil
                    } catch {
                        return index
                    }
                }
            }
            var failed = Set<Int>()
            for try await index in group { if let index { failed.insert(index) } }
            return failed
        }
        #expect(failed == Set(stride(from: 0, to: 40, by: 5)))
        let subject = try #require(try await store.resource(SubjectRecord.self, id: "subject"))
        #expect(Set(subject.credentials.map(\.serialNumber)) == Set((0..<40).filter { $0 % 5 != 0 }.map { "\($0)" }))
    }

    @Test("CreateSession records: concurrent first calls for one subject lose no entry, and sessions land with them", arguments: Kind.allCases)
    func concurrentSubjects(_ kind: Kind) async throws {
        let (store, directory, role, minter, date) = try await Self.subjectFixture(kind)
        defer { withExtendedLifetime(directory) {} }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let session = minter.make(.init(role: role, sessionName: "s\(index)", duration: 3600), now: date)
                    _ = try await store.recordCreateSession(session, subjectID: "subject", update: Self.addingCredential("\(index)", at: date))
                    #expect(try await store.session(accessKeyId: session.accessKeyId) == session)
                }
            }
            try await group.waitForAll()
        }
        let subject = try #require(try await store.resource(SubjectRecord.self, id: "subject"))
        #expect(Set(subject.credentials.map(\.serialNumber)) == Set((0..<40).map { "\($0)" }))
        // nil from the update: the subject stays as it was.
        let unchanged = try await store.recordCreateSession(nil, subjectID: "subject") { _ in nil }
        #expect(unchanged == subject)
    }
}
