#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Where `rolesanywhere-local` keeps its state: one protocol per domain, every method a
/// transaction of its own.
///
/// Two implementations: ``SQLiteStore`` (on disk, or in memory) and ``MemoryStore`` (plain values
/// behind a lock); the conformance suite in the tests runs against both.
public typealias Store = IAMStore & IAMUserStore & SessionStore & S3Store & MultipartUploadStore & RolesAnywhereStore & PrivateCAStore

/// AWS Private CA: certificate authorities (their keys sealed) and the certificates they issued.
public protocol PrivateCAStore: Sendable {
    /// Adds or replaces a CA.
    func saveCertificateAuthority(_ authority: PrivateCARecord) async throws
    func certificateAuthority(arn: String) async throws -> PrivateCARecord?
    /// Every CA, oldest first.
    func certificateAuthorities() async throws -> [PrivateCARecord]
    /// Adds an issued certificate, or replaces the one with its ARN (a revocation).
    func saveIssuedCertificate(_ certificate: PrivateCAIssuedCertificate) async throws
    func issuedCertificate(arn: String) async throws -> PrivateCAIssuedCertificate?
    /// The certificates a CA issued, oldest first.
    func issuedCertificates(authorityArn: String) async throws -> [PrivateCAIssuedCertificate]
}

/// IAM roles, their inline and attached policies, managed policies with their versions, and
/// instance profiles.
public protocol IAMStore: Sendable {
    /// Adds a role; ``StoreError/Kind/alreadyExists`` if a role has the name (case-insensitively).
    func createRole(_ role: RoleRecord) async throws
    func role(named name: String) async throws -> RoleRecord?
    /// Roles whose path starts with `pathPrefix`, by name (case-insensitively).
    func roles(pathPrefix: String) async throws -> [RoleRecord]
    func updateRole(_ role: RoleRecord) async throws
    /// Records that a session of the role with this name and unique ID made a request (a role
    /// deleted and made again under the name is not the one used); nothing if there is none.
    func recordRoleUse(roleName: String, roleId: String, _ used: RoleLastUsed) async throws
    /// Deletes a role; ``StoreError/Kind/conflict`` while it has inline or attached policies, or is
    /// in an instance profile.
    func deleteRole(named name: String) async throws

    func putRolePolicy(roleName: String, policyName: String, document: String) async throws
    func rolePolicy(roleName: String, policyName: String) async throws -> String?
    /// `(name, document)` pairs, by name.
    func rolePolicies(roleName: String) async throws -> [(name: String, document: String)]
    func deleteRolePolicy(roleName: String, policyName: String) async throws

    func createPolicy(_ policy: ManagedPolicyRecord) async throws
    func policy(arn: String) async throws -> ManagedPolicyRecord?
    /// Deletes a policy; ``StoreError/Kind/conflict`` while attached, a role's permissions boundary,
    /// or with versions besides the default.
    func deletePolicy(arn: String) async throws
    func attachRolePolicy(roleName: String, policyArn: String) async throws
    func detachRolePolicy(roleName: String, policyArn: String) async throws
    /// The ARNs attached to a role, in the order they were attached.
    func attachedPolicyArns(roleName: String) async throws -> [String]
    /// Customer managed policies whose path starts with `pathPrefix`, by name (case-insensitively),
    /// with their attachment and boundary counts.
    func policies(pathPrefix: String) async throws -> [ManagedPolicyRecord]
    /// Changes a policy in one transaction: `change` gets it as stored and may throw to change
    /// nothing. Returns the policy as stored afterwards; ``StoreError/Kind/notFound`` if there is none.
    func updatePolicy(arn: String, _ change: @Sendable (inout ManagedPolicyRecord) throws -> Void) async throws -> ManagedPolicyRecord
    /// The names of the roles a managed policy is attached to, by name (case-insensitively).
    func roleNames(attachedTo policyArn: String) async throws -> [String]

    /// Adds an instance profile; ``StoreError/Kind/alreadyExists`` if one has the name
    /// (case-insensitively).
    func createInstanceProfile(_ profile: InstanceProfileRecord) async throws
    func instanceProfile(named name: String) async throws -> InstanceProfileRecord?
    /// Instance profiles whose path starts with `pathPrefix`, by name (case-insensitively).
    func instanceProfiles(pathPrefix: String) async throws -> [InstanceProfileRecord]
    /// The instance profiles a role is in, by name.
    func instanceProfiles(roleName: String) async throws -> [InstanceProfileRecord]
    /// Deletes an instance profile; ``StoreError/Kind/conflict`` while it holds a role.
    func deleteInstanceProfile(named name: String) async throws
    /// Puts a role in an instance profile; ``StoreError/Kind/notFound`` if either does not exist,
    /// ``StoreError/Kind/limitExceeded`` if the profile already holds a role (one is the limit).
    func addRole(_ roleName: String, toInstanceProfile profileName: String) async throws
    /// Takes the role out; ``StoreError/Kind/notFound`` if the profile does not exist or does not hold it.
    func removeRole(_ roleName: String, fromInstanceProfile profileName: String) async throws
}

/// IAM users, groups, their inline and attached policies, and users' access keys. Names compare
/// case-insensitively (ASCII), as IAM's do.
public protocol IAMUserStore: Sendable {
    /// Adds a user; ``StoreError/Kind/alreadyExists`` if one has the name.
    func createUser(_ user: UserRecord) async throws
    func user(named name: String) async throws -> UserRecord?
    /// Users whose path starts with `pathPrefix`, by name.
    func users(pathPrefix: String) async throws -> [UserRecord]
    /// Replaces an existing user's tags and permissions boundary; ``StoreError/Kind/notFound`` if
    /// there is no such user.
    func updateUser(_ user: UserRecord) async throws
    /// Deletes a user; ``StoreError/Kind/conflict`` while it has access keys, inline or attached
    /// policies, or is in a group.
    func deleteUser(named name: String) async throws

    /// Adds a group; ``StoreError/Kind/alreadyExists`` if one has the name.
    func createGroup(_ group: GroupRecord) async throws
    func group(named name: String) async throws -> GroupRecord?
    /// Groups whose path starts with `pathPrefix`, by name.
    func groups(pathPrefix: String) async throws -> [GroupRecord]
    /// Deletes a group; ``StoreError/Kind/conflict`` while it has members, inline or attached policies.
    func deleteGroup(named name: String) async throws
    /// Makes a user a member (again: no change); ``StoreError/Kind/notFound`` if either is missing.
    func addUser(_ userName: String, toGroup groupName: String) async throws
    /// Ends a membership; ``StoreError/Kind/notFound`` if the group is missing or the user not in it.
    func removeUser(_ userName: String, fromGroup groupName: String) async throws
    /// The groups a user is in, by name.
    func groups(ofUser userName: String) async throws -> [GroupRecord]
    /// The members of a group, by name.
    func users(inGroup groupName: String) async throws -> [UserRecord]

    /// Adds or replaces an inline policy; ``StoreError/Kind/notFound`` if the principal is missing.
    func putInlinePolicy(_ principal: IAMPrincipal, policyName: String, document: String) async throws
    func inlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws -> String?
    /// `(name, document)` pairs, by name.
    func inlinePolicies(_ principal: IAMPrincipal) async throws -> [(name: String, document: String)]
    func deleteInlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws
    /// Attaches a managed policy (again: no change); ``StoreError/Kind/notFound`` if the principal
    /// is missing.
    func attachPolicy(_ policyArn: String, to principal: IAMPrincipal) async throws
    func detachPolicy(_ policyArn: String, from principal: IAMPrincipal) async throws
    /// The ARNs attached, in the order they were attached.
    func attachedPolicyArns(_ principal: IAMPrincipal) async throws -> [String]
    /// The users (or groups: `groups`) a managed policy is attached to, by name.
    func principalNames(attachedTo policyArn: String, groups: Bool) async throws -> [String]

    /// Adds an access key; ``StoreError/Kind/notFound`` without its user,
    /// ``StoreError/Kind/limitExceeded`` if the user has two already.
    func createAccessKey(_ key: AccessKeyRecord) async throws
    func accessKey(id: String) async throws -> AccessKeyRecord?
    /// A user's keys, oldest first.
    func accessKeys(userName: String) async throws -> [AccessKeyRecord]
    /// Sets a key's status; ``StoreError/Kind/notFound`` unless the user has that key.
    func updateAccessKey(id: String, userName: String, status: AccessKeyStatus) async throws
    /// Deletes a key; ``StoreError/Kind/notFound`` unless the user has that key.
    func deleteAccessKey(id: String, userName: String) async throws
}

/// Temporary credentials.
public protocol SessionStore: Sendable {
    func insertSession(_ session: SessionRecord) async throws
    func session(accessKeyId: String) async throws -> SessionRecord?
}

/// S3 buckets and objects.
public protocol S3Store: Sendable {
    func createBucket(_ bucket: BucketRecord) async throws
    func bucket(named name: String) async throws -> BucketRecord?
    /// Every bucket, by name.
    func buckets() async throws -> [BucketRecord]
    /// Deletes a bucket; ``StoreError/Kind/conflict`` while it holds objects, versions, delete
    /// markers or multipart uploads in progress.
    func deleteBucket(named name: String) async throws
    /// Changes an existing bucket's configuration in one transaction (nothing is stored if `change`
    /// throws) and returns the new one; `.notFound` if there is no such bucket.
    func updateBucketConfiguration(named name: String, _ change: @Sendable (inout BucketConfiguration) throws -> Void) async throws -> BucketConfiguration
    /// Replaces an existing object's tags; `.notFound` if there is no such object.
    func setObjectTags(_ tags: [Tag], bucket: String, key: String) async throws
    /// Stores an object as its bucket's versioning says, in one transaction: never versioned, it
    /// replaces the key's object (its version ID nil); enabled, it becomes the newest version with
    /// `object.versionId` (which the caller makes), the previous current one kept as a noncurrent
    /// version; suspended, it is the `null` version, replacing any other `null` version of the key.
    /// Returns the object as stored (with its version ID).
    @discardableResult
    func putObject(_ object: ObjectRecord, data: [UInt8]) async throws -> ObjectRecord
    /// The key's current object; nil if there is none, or a delete marker is its newest version.
    func object(bucket: String, key: String) async throws -> ObjectRecord?
    func objectData(bucket: String, key: String) async throws -> [UInt8]?
    /// DeleteObject without a version ID: never versioned, the object goes; enabled, a delete
    /// marker with `markerVersionId` becomes the newest version; suspended, a `null` delete marker
    /// replaces the key's `null` version. A key without an object is no error.
    @discardableResult
    func deleteObject(bucket: String, key: String, markerVersionId: String, at date: Date) async throws -> ObjectDeletion
    /// One version (`null`: the one without an ID), current or not, or a delete marker.
    func objectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion?
    func objectVersionData(bucket: String, key: String, versionId: String) async throws -> [UInt8]?
    /// Deletes one version for good (the newest remaining one, unless a delete marker, becomes the
    /// current object). Returns what was deleted; nil if there was no such version.
    @discardableResult
    func deleteObjectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion?
    /// The versions and delete markers of the first `keyLimit` keys that start with `prefix` and
    /// sort after `afterKey` (by UTF-8 bytes): by key, newest first within a key.
    func objectVersions(bucket: String, prefix: String, afterKey: String?, keyLimit: Int) async throws -> [ObjectVersion]
    /// Objects whose key starts with `prefix` and sorts after `after` (by UTF-8 bytes), in key
    /// order, at most `limit`.
    func objects(bucket: String, prefix: String, after: String?, limit: Int) async throws -> [ObjectRecord]
}

/// S3 multipart uploads in progress and their parts, until they are completed or aborted.
public protocol MultipartUploadStore: Sendable {
    /// Starts an upload; ``StoreError/Kind/notFound`` if its bucket does not exist.
    func createMultipartUpload(_ upload: MultipartUploadRecord) async throws
    func multipartUpload(id: String) async throws -> MultipartUploadRecord?
    /// The uploads in progress in a bucket, by key (UTF-8 bytes), then by when they started.
    func multipartUploads(bucket: String) async throws -> [MultipartUploadRecord]
    /// Stores a part, replacing any with its number; ``StoreError/Kind/notFound`` if the upload
    /// is no longer in progress.
    func putPart(_ part: PartRecord, data: [UInt8]) async throws
    /// The parts of an upload, by number.
    func parts(uploadID: String) async throws -> [PartRecord]
    /// In one transaction: makes `object` of the data of the parts named, in that order, each of
    /// which must be stored with the ETag given (``StoreError/Kind/conflict`` otherwise), and ends
    /// the upload. ``StoreError/Kind/notFound`` if the upload is no longer in progress.
    /// The object is stored as ``S3Store/putObject(_:data:)`` stores one (as its bucket's versioning
    /// says) and returned as stored.
    @discardableResult
    func completeMultipartUpload(id: String, parts: [(number: Int, etag: String)], object: ObjectRecord) async throws -> ObjectRecord
    /// Ends an upload and drops its parts; ``StoreError/Kind/notFound`` if it is not in progress.
    func abortMultipartUpload(id: String) async throws
}

/// IAM Roles Anywhere's trust anchors, profiles, CRLs and subjects, and their tags.
public protocol RolesAnywhereStore: Sendable {
    /// Adds or replaces a trust anchor, profile, CRL or subject (keyed by kind and ID).
    func saveResource<Resource: RolesAnywhereResource>(_ resource: Resource) async throws
    func resource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws -> Resource?
    /// Every resource of a kind, oldest first (then by ID).
    func resources<Resource: RolesAnywhereResource>(_ type: Resource.Type) async throws -> [Resource]
    /// Deletes a resource and its tags; ``StoreError/Kind/notFound`` if there is none.
    func deleteResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws
    /// Replaces the tags of a resource (by ARN) with `tags`.
    func setTags(_ tags: [ResourceTag], resourceArn: String) async throws
    /// The tags of a resource, by key.
    func tags(resourceArn: String) async throws -> [ResourceTag]
    /// Records a CreateSession for a subject in one transaction: reads the subject (nil the first
    /// time), stores what `update` makes of it (nil: unchanged) and the minted session, if any.
    /// Returns the subject as it is afterwards. Concurrent calls for one subject cannot lose each
    /// other's entries.
    func recordCreateSession(
        _ session: SessionRecord?, subjectID: String, update: @Sendable (SubjectRecord?) -> SubjectRecord?
    ) async throws -> SubjectRecord?
}

/// A store failure the services turn into AWS errors.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case notFound, alreadyExists, conflict, limitExceeded
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
