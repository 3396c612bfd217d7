#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport

/// A tag: `Key` and `Value`.
public struct Tag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// An IAM role.
public struct RoleRecord: Sendable, Hashable {
    public var name: String
    /// `AROA...`.
    public var id: String
    public var arn: String
    public var path: String
    public var description: String?
    /// The trust policy, as given (JSON).
    public var assumeRolePolicyDocument: String
    public var maxSessionDuration: Int
    public var createDate: Date
    public var tags: [Tag]
    /// The ARN of the managed policy that bounds the role's permissions, if any: a session of the
    /// role may do only what this policy also allows.
    public var permissionsBoundary: String?
    /// When a session of the role last made a request, and in which region (GetRole's
    /// `RoleLastUsed`); nil until then.
    public var lastUsed: RoleLastUsed?

    public init(
        name: String, id: String, arn: String, path: String, description: String?, assumeRolePolicyDocument: String,
        maxSessionDuration: Int, createDate: Date, tags: [Tag], permissionsBoundary: String? = nil, lastUsed: RoleLastUsed? = nil
    ) {
        self.lastUsed = lastUsed
        self.name = name
        self.id = id
        self.arn = arn
        self.path = path
        self.description = description
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.maxSessionDuration = maxSessionDuration
        self.createDate = createDate
        self.tags = tags
        self.permissionsBoundary = permissionsBoundary
    }
}

/// GetRole's `RoleLastUsed`.
public struct RoleLastUsed: Sendable, Hashable {
    public var date: Date
    public var region: String

    public init(date: Date, region: String) {
        self.date = date
        self.region = region
    }
}

/// One version of a customer managed policy.
public struct ManagedPolicyVersion: Sendable, Hashable, Codable {
    /// `v1`, `v2`, ...: numbered in creation order, never reused.
    public var id: String
    public var document: String
    public var createDate: Date

    public init(id: String, document: String, createDate: Date) {
        self.id = id
        self.document = document
        self.createDate = createDate
    }
}

/// A customer managed policy: up to five versions, one of them the default, which is the one
/// enforced.
public struct ManagedPolicyRecord: Sendable, Hashable {
    public var arn: String
    public var name: String
    /// `ANPA...`.
    public var id: String
    public var path: String
    public var description: String?
    /// Oldest first; never empty.
    public var versions: [ManagedPolicyVersion]
    public var defaultVersionID: String
    /// The number of the newest version ever made: the next one is this plus one, even after
    /// versions were deleted.
    public var latestVersionNumber: Int
    public var createDate: Date
    /// The creation date of the newest version (the policy's own while it has one), as IAM reports.
    public var updateDate: Date
    public var attachmentCount: Int
    /// How many roles it is the permissions boundary of (computed when read).
    public var permissionsBoundaryUsageCount: Int
    public var tags: [Tag]

    /// IAM allows a managed policy five versions.
    public static let versionLimit = 5

    /// IAM's DeleteConflict for DeletePolicy while versions besides the default remain.
    public static let deleteWithVersionsMessage =
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."

    /// A new policy: its document is version `v1`, the default.
    public init(
        arn: String, name: String, id: String, path: String, description: String?, document: String, createDate: Date, updateDate: Date,
        attachmentCount: Int, permissionsBoundaryUsageCount: Int = 0, tags: [Tag] = []
    ) {
        self.arn = arn
        self.name = name
        self.id = id
        self.path = path
        self.description = description
        self.versions = [ManagedPolicyVersion(id: "v1", document: document, createDate: createDate)]
        self.defaultVersionID = "v1"
        self.latestVersionNumber = 1
        self.createDate = createDate
        self.updateDate = updateDate
        self.attachmentCount = attachmentCount
        self.permissionsBoundaryUsageCount = permissionsBoundaryUsageCount
        self.tags = tags
    }

    /// The default version's document: what the policy allows.
    public var document: String {
        defaultVersion.document
    }

    public var defaultVersion: ManagedPolicyVersion {
        versions.first { $0.id == defaultVersionID } ?? versions[versions.count - 1]
    }

    public func version(_ id: String) -> ManagedPolicyVersion? {
        versions.first { $0.id == id }
    }
}

/// An IAM instance profile: a container for at most one role.
public struct InstanceProfileRecord: Sendable, Hashable, Codable {
    public var name: String
    /// `AIPA...`.
    public var id: String
    public var arn: String
    public var path: String
    public var createDate: Date
    public var tags: [Tag]
    /// The role in it, by name.
    public var roleName: String?

    /// IAM's DeleteConflict for DeleteRole while the role is in an instance profile, and for
    /// DeleteInstanceProfile while it holds a role (IAM says the same for both).
    public static let roleInProfileMessage = "Cannot delete entity, must remove roles from instance profile first."
    /// IAM's LimitExceeded for a second role.
    public static let roleLimitMessage = "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"

    static func notFoundMessage(_ name: String) -> String { "Instance Profile \(name) cannot be found." }
    static func alreadyExistsMessage(_ name: String) -> String { "Instance Profile \(name) already exists." }

    public init(name: String, id: String, arn: String, path: String, createDate: Date, tags: [Tag] = [], roleName: String? = nil) {
        self.name = name
        self.id = id
        self.arn = arn
        self.path = path
        self.createDate = createDate
        self.tags = tags
        self.roleName = roleName
    }
}

/// Whose temporary credentials a session holds.
public enum SessionKind: String, Sendable, Hashable {
    /// A role's (CreateSession, AssumeRole): `roleArn`, `roleName` and `roleId` are the role's.
    case role
    /// An IAM user's (GetSessionToken): `roleArn`, `roleName` and `roleId` are the user's ARN,
    /// name and unique ID; the session name is empty.
    case user
    /// The account root's (GetSessionToken with the administrator keys): `roleArn` is the root's
    /// ARN, `roleId` the account.
    case root
}

/// Temporary credentials of an assumed role (or, from GetSessionToken, of a user or the account
/// root), with what the session carries into authorisation.
public struct SessionRecord: Sendable, Hashable {
    /// Whose credentials these are.
    public var kind: SessionKind
    /// `ASIA...`.
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String
    public var roleArn: String
    public var roleName: String
    public var roleId: String
    public var sessionName: String
    public var sourceIdentity: String?
    /// Session tags, e.g. `x509Subject/CN` → `myContainer` (seen as `aws:PrincipalTag/...`).
    public var tags: [String: String]
    /// The keys of `tags` that pass on to the sessions this one assumes (AssumeRole's
    /// `TransitiveTagKeys`, and those it inherited), as sent.
    public var transitiveTagKeys: [String] = []
    /// The inline session policy, if any (JSON).
    public var sessionPolicy: String?
    /// Managed session policies.
    public var sessionPolicyArns: [String]
    public var issuedAt: Date
    public var expiration: Date

    public init(
        accessKeyId: String, secretAccessKey: String, sessionToken: String, roleArn: String, roleName: String, roleId: String,
        sessionName: String, sourceIdentity: String?, tags: [String: String], sessionPolicy: String?, sessionPolicyArns: [String],
        issuedAt: Date, expiration: Date, kind: SessionKind = .role
    ) {
        self.kind = kind
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.roleArn = roleArn
        self.roleName = roleName
        self.roleId = roleId
        self.sessionName = sessionName
        self.sourceIdentity = sourceIdentity
        self.tags = tags
        self.sessionPolicy = sessionPolicy
        self.sessionPolicyArns = sessionPolicyArns
        self.issuedAt = issuedAt
        self.expiration = expiration
    }

    /// `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`, in the partition and account of the role.
    public var assumedRoleArn: String {
        let role = ARN(roleArn)
        return ARN.assumedRole(role?.partition ?? .aws, account: role?.accountID ?? "", roleName: roleName, sessionName: sessionName).description
    }

    /// `ROLEID:SESSION`.
    public var assumedRoleId: String { "\(roleId):\(sessionName)" }

    /// The ARN the session's caller is known by: the assumed-role ARN, or (from GetSessionToken)
    /// the user's or root's own ARN, as GetCallerIdentity answers.
    public var principalArn: String { kind == .role ? assumedRoleArn : roleArn }

    /// GetCallerIdentity's `UserId`: `ROLEID:SESSION`, the user's unique ID, or the account.
    public var principalId: String { kind == .role ? assumedRoleId : roleId }

    /// Whether the session is valid at `date`.
    public func isValid(at date: Date) -> Bool { date < expiration }

    /// The session with `keys` as its transitive tag keys.
    func withTransitiveTagKeys(_ keys: [String]) -> SessionRecord {
        var session = self
        session.transitiveTagKeys = keys
        return session
    }

    /// Whether any session policy applies.
    public var hasSessionPolicies: Bool { sessionPolicy != nil || !sessionPolicyArns.isEmpty }
}

/// An S3 bucket.
public struct BucketRecord: Sendable, Hashable {
    public var name: String
    public var region: String
    public var creationDate: Date
    /// What its sub-resources hold; a new bucket has S3's defaults.
    public var configuration: BucketConfiguration

    public init(name: String, region: String, creationDate: Date, configuration: BucketConfiguration = .newBucket) {
        self.name = name
        self.region = region
        self.creationDate = creationDate
        self.configuration = configuration
    }
}

/// The bucket sub-resources that are set and removed as a whole: each is nil while it is not
/// configured (S3's "not configured" error answers a read of it).
public struct BucketConfiguration: Sendable, Hashable, Codable {
    /// `?tagging`, up to 50 tags.
    public var tags: [Tag]?
    /// `?publicAccessBlock`.
    public var publicAccessBlock: PublicAccessBlock?
    /// `?ownershipControls`.
    public var objectOwnership: ObjectOwnership?
    /// `?policy`: the bucket policy as it was put, JSON text.
    public var policy: String?
    /// `?versioning`: nil until versioning is first enabled; after that `Enabled` or `Suspended`,
    /// never nil again (as on S3).
    public var versioning: BucketVersioning?

    public init(
        tags: [Tag]? = nil, publicAccessBlock: PublicAccessBlock? = nil, objectOwnership: ObjectOwnership? = nil, policy: String? = nil,
        versioning: BucketVersioning? = nil
    ) {
        self.versioning = versioning
        self.tags = tags
        self.publicAccessBlock = publicAccessBlock
        self.objectOwnership = objectOwnership
        self.policy = policy
    }

    /// What S3 gives every bucket created since April 2023: Block Public Access on in full and
    /// ACLs disabled (`BucketOwnerEnforced`).
    public static let newBucket = BucketConfiguration(publicAccessBlock: .allBlocked, objectOwnership: .bucketOwnerEnforced)
}

/// A bucket's Block Public Access settings.
public struct PublicAccessBlock: Sendable, Hashable, Codable {
    public var blockPublicAcls: Bool
    public var ignorePublicAcls: Bool
    public var blockPublicPolicy: Bool
    public var restrictPublicBuckets: Bool

    public init(blockPublicAcls: Bool, ignorePublicAcls: Bool, blockPublicPolicy: Bool, restrictPublicBuckets: Bool) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    public static let allBlocked = PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)
}

/// A bucket's versioning state, once it has been enabled.
public enum BucketVersioning: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every write makes a new version; a delete without a version ID adds a delete marker.
    case enabled = "Enabled"
    /// Writes replace the `null` version; the versions made while enabled are kept.
    case suspended = "Suspended"
}

/// S3 Object Ownership, the one rule of a bucket's ownership controls.
public enum ObjectOwnership: String, Sendable, Hashable, Codable, CaseIterable {
    case bucketOwnerPreferred = "BucketOwnerPreferred"
    case objectWriter = "ObjectWriter"
    case bucketOwnerEnforced = "BucketOwnerEnforced"
}

/// An S3 object's metadata (the data travels separately).
public struct ObjectRecord: Sendable, Hashable {
    public var bucket: String
    public var key: String
    public var size: Int
    /// The MD5 of the data, hex, without quotes.
    public var etag: String
    public var lastModified: Date
    public var contentType: String
    /// `x-amz-meta-*` values, by lower-cased name without the prefix.
    public var metadata: [String: String]
    /// The object's tags (up to 10), in the order they were set.
    public var tags: [Tag]
    /// The version's ID; nil for an object written while its bucket had never been versioned (S3
    /// calls it the `null` version, as it does one written while versioning is suspended).
    public var versionId: String?

    public init(
        bucket: String, key: String, size: Int, etag: String, lastModified: Date, contentType: String, metadata: [String: String], tags: [Tag] = [],
        versionId: String? = nil
    ) {
        self.versionId = versionId
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
        self.metadata = metadata
        self.tags = tags
    }
}

/// An S3 multipart upload in progress: what the object will be once it is completed.
public struct MultipartUploadRecord: Sendable, Hashable {
    public var uploadID: String
    public var bucket: String
    public var key: String
    public var initiated: Date
    public var contentType: String
    /// `x-amz-meta-*` values, by lower-cased name without the prefix.
    public var metadata: [String: String]
    /// The additional checksum algorithm named at creation (`x-amz-checksum-algorithm`), lower-case.
    public var checksumAlgorithm: String?
    /// The tags the object gets once completed (`x-amz-tagging` at creation).
    public var tags: [Tag]

    public init(
        uploadID: String, bucket: String, key: String, initiated: Date, contentType: String, metadata: [String: String], checksumAlgorithm: String?,
        tags: [Tag] = []
    ) {
        self.uploadID = uploadID
        self.bucket = bucket
        self.key = key
        self.initiated = initiated
        self.contentType = contentType
        self.metadata = metadata
        self.checksumAlgorithm = checksumAlgorithm
        self.tags = tags
    }
}

/// One uploaded part of a multipart upload (the data travels separately).
public struct PartRecord: Sendable, Hashable {
    public var uploadID: String
    /// 1 to 10,000.
    public var partNumber: Int
    public var size: Int
    /// The MD5 of the part, hex, without quotes.
    public var etag: String
    public var lastModified: Date
    /// The additional checksum the part was sent with: its algorithm (lower-case) and base64 value.
    public var checksumAlgorithm: String?
    public var checksumValue: String?

    public init(
        uploadID: String, partNumber: Int, size: Int, etag: String, lastModified: Date, checksumAlgorithm: String? = nil, checksumValue: String? = nil
    ) {
        self.uploadID = uploadID
        self.partNumber = partNumber
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.checksumAlgorithm = checksumAlgorithm
        self.checksumValue = checksumValue
    }
}

/// One version of an object in ListObjectVersions' order, or a delete marker.
public struct ObjectVersion: Sendable, Hashable {
    /// The version's metadata (a delete marker's: key, version ID and date only).
    public var record: ObjectRecord
    public var isDeleteMarker: Bool
    /// Whether it is the key's newest version (its current object, or a delete marker hiding it).
    public var isLatest: Bool

    public init(record: ObjectRecord, isDeleteMarker: Bool, isLatest: Bool) {
        self.record = record
        self.isDeleteMarker = isDeleteMarker
        self.isLatest = isLatest
    }

    /// The ID answered for it: `null` for the version without one.
    public var versionId: String { record.versionId ?? ObjectVersion.nullID }

    /// The ID S3 gives the version written while a bucket was unversioned or suspended.
    public static let nullID = "null"

    /// A delete marker for `key`, made at `date`.
    static func marker(bucket: String, key: String, versionId: String, at date: Date) -> ObjectRecord {
        ObjectRecord(bucket: bucket, key: key, size: 0, etag: "", lastModified: date, contentType: "", metadata: [:], versionId: versionId)
    }
}

/// What a DeleteObject without a version ID did.
public struct ObjectDeletion: Sendable, Hashable {
    /// The delete marker's version ID, when versioning made one (`null` while suspended).
    public var deleteMarkerVersionId: String?

    public init(deleteMarkerVersionId: String?) {
        self.deleteMarkerVersionId = deleteMarkerVersionId
    }
}
