#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// A ``Store`` of plain values behind one lock: nothing survives the process. It keeps the same
/// contract as ``SQLiteStore`` (the conformance suite runs against both): role and policy names are
/// unique and looked up case-insensitively in ASCII, as SQLite's `NOCASE` does, and keys sort by
/// their UTF-8 bytes.
public final class MemoryStore: Store {
    struct State {
        /// Roles by ASCII-lower-cased name.
        var roles: [String: RoleRecord] = [:]
        /// Inline policies by ASCII-lower-cased role name, then ASCII-lower-cased policy name.
        var rolePolicies: [String: [String: (name: String, document: String)]] = [:]
        var managedPolicies: [String: ManagedPolicyRecord] = [:]
        /// Attached policy ARNs by ASCII-lower-cased role name, in attachment order.
        var attachments: [String: [String]] = [:]
        /// Instance profiles by ASCII-lower-cased name.
        var instanceProfiles: [String: InstanceProfileRecord] = [:]
        var sessions: [String: SessionRecord] = [:]
        var buckets: [String: BucketRecord] = [:]
        var objects: [String: [String: (record: ObjectRecord, data: [UInt8])]] = [:]
        var uploads: [String: MultipartUploadRecord] = [:]
        /// Parts by upload ID, then part number.
        var parts: [String: [Int: (record: PartRecord, data: [UInt8])]] = [:]
        /// Roles Anywhere resources by kind, then ID.
        var resources: [String: [String: any RolesAnywhereResource]] = [:]
        var tags: [String: [ResourceTag]] = [:]
        /// AWS Private CA: CAs and issued certificates by ARN.
        var authorities: [String: PrivateCARecord] = [:]
        var issued: [String: PrivateCAIssuedCertificate] = [:]
        /// IAM users and groups by ASCII-lower-cased name.
        var users: [String: UserRecord] = [:]
        var groups: [String: GroupRecord] = [:]
        /// Lower-cased group names by lower-cased user name.
        var memberships: [String: Set<String>] = [:]
        /// Users' and groups' inline policies and attached ARNs, by principal (lower-cased name).
        var inlinePolicies: [IAMPrincipal: [String: (name: String, document: String)]] = [:]
        var principalAttachments: [IAMPrincipal: [String]] = [:]
        var accessKeys: [String: AccessKeyRecord] = [:]
        /// S3's noncurrent versions and delete markers by bucket, then key, newest first.
        var versions: [String: [String: [ArchivedVersion]]] = [:]
    }

    /// A noncurrent version (with its data) or a delete marker.
    struct ArchivedVersion {
        var record: ObjectRecord
        var data: [UInt8]
        var isDeleteMarker: Bool
    }

    let state = Mutex(State())

    public init() {}

    /// SQLite's `NOCASE`: ASCII letters folded, everything else as is.
    static func fold(_ name: String) -> String {
        String(decoding: name.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    // MARK: - IAM

    public func createRole(_ role: RoleRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(role.name)
            guard state.roles[key] == nil else { throw StoreError(.alreadyExists, "Role with name \(role.name) already exists.") }
            state.roles[key] = role
        }
    }

    public func role(named name: String) async throws -> RoleRecord? {
        state.withLock { $0.roles[Self.fold(name)] }
    }

    public func roles(pathPrefix: String) async throws -> [RoleRecord] {
        state.withLock { state in Self.byName(state.roles.values.filter { $0.path.utf8.starts(with: pathPrefix.utf8) }, \.name) }
    }

    public func updateRole(_ role: RoleRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(role.name)
            guard var stored = state.roles[key] else { throw StoreError(.notFound, "The role with name \(role.name) cannot be found.") }
            stored.description = role.description
            stored.assumeRolePolicyDocument = role.assumeRolePolicyDocument
            stored.maxSessionDuration = role.maxSessionDuration
            stored.tags = role.tags
            stored.permissionsBoundary = role.permissionsBoundary
            state.roles[key] = stored
        }
    }

    public func recordRoleUse(roleName: String, roleId: String, _ used: RoleLastUsed) async throws {
        state.withLock { state in
            let key = Self.fold(roleName)
            if state.roles[key]?.id == roleId { state.roles[key]?.lastUsed = used }
        }
    }

    public func deleteRole(named name: String) async throws {
        try state.withLock { state in
            let key = Self.fold(name)
            if !(state.rolePolicies[key] ?? [:]).isEmpty { throw StoreError(.conflict, "Cannot delete entity, must delete policies first.") }
            if !(state.attachments[key] ?? []).isEmpty { throw StoreError(.conflict, "Cannot delete entity, must detach all policies first.") }
            if state.instanceProfiles.values.contains(where: { $0.roleName.map(Self.fold) == key }) {
                throw StoreError(.conflict, InstanceProfileRecord.roleInProfileMessage)
            }
            guard state.roles.removeValue(forKey: key) != nil else { throw StoreError(.notFound, "The role with name \(name) cannot be found.") }
        }
    }

    public func putRolePolicy(roleName: String, policyName: String, document: String) async throws {
        try state.withLock { state in
            let key = Self.fold(roleName)
            guard state.roles[key] != nil else { throw StoreError(.notFound, "The role with name \(roleName) cannot be found.") }
            let policyKey = Self.fold(policyName)
            let name = state.rolePolicies[key]?[policyKey]?.name ?? policyName
            state.rolePolicies[key, default: [:]][policyKey] = (name, document)
        }
    }

    public func rolePolicy(roleName: String, policyName: String) async throws -> String? {
        state.withLock { $0.rolePolicies[Self.fold(roleName)]?[Self.fold(policyName)]?.document }
    }

    public func rolePolicies(roleName: String) async throws -> [(name: String, document: String)] {
        state.withLock { state in
            (state.rolePolicies[Self.fold(roleName)] ?? [:]).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { $0.value }
        }
    }

    public func deleteRolePolicy(roleName: String, policyName: String) async throws {
        try state.withLock { state in
            let key = Self.fold(roleName)
            guard state.rolePolicies[key]?.removeValue(forKey: Self.fold(policyName)) != nil else {
                throw StoreError(.notFound, "The role policy with name \(policyName) cannot be found.")
            }
        }
    }

    public func createPolicy(_ policy: ManagedPolicyRecord) async throws {
        try state.withLock { state in
            guard state.managedPolicies[policy.arn] == nil else {
                throw StoreError(.alreadyExists, "A policy called \(policy.name) already exists. Duplicate names are not allowed.")
            }
            state.managedPolicies[policy.arn] = policy
        }
    }

    public func policy(arn: String) async throws -> ManagedPolicyRecord? {
        state.withLock { state in state.managedPolicies[arn].map { Self.counted($0, in: state) } }
    }

    /// A policy with its attachment and boundary counts.
    static func counted(_ policy: ManagedPolicyRecord, in state: State) -> ManagedPolicyRecord {
        var policy = policy
        policy.attachmentCount = state.attachments.values.reduce(0) { $0 + ($1.contains(policy.arn) ? 1 : 0) }
            + state.principalAttachments.values.reduce(0) { $0 + ($1.contains(policy.arn) ? 1 : 0) }
        policy.permissionsBoundaryUsageCount = state.roles.values.reduce(0) { $0 + ($1.permissionsBoundary == policy.arn ? 1 : 0) }
            + state.users.values.reduce(0) { $0 + ($1.permissionsBoundary == policy.arn ? 1 : 0) }
        return policy
    }

    /// By name as SQLite's `ORDER BY name COLLATE NOCASE` sorts: folded, then by UTF-8 bytes.
    static func byName<T>(_ items: [T], _ name: (T) -> String) -> [T] {
        items.sorted { fold(name($0)).utf8.lexicographicallyPrecedes(fold(name($1)).utf8) }
    }

    public func policies(pathPrefix: String) async throws -> [ManagedPolicyRecord] {
        state.withLock { state in
            Self.byName(state.managedPolicies.values.filter { $0.path.utf8.starts(with: pathPrefix.utf8) }.map { Self.counted($0, in: state) }, \.name)
        }
    }

    public func updatePolicy(arn: String, _ change: @Sendable (inout ManagedPolicyRecord) throws -> Void) async throws -> ManagedPolicyRecord {
        try state.withLock { state in
            guard let stored = state.managedPolicies[arn] else { throw StoreError(.notFound, "Policy \(arn) does not exist or is not attachable.") }
            var policy = Self.counted(stored, in: state)
            try change(&policy)
            state.managedPolicies[arn] = policy
            return policy
        }
    }

    public func roleNames(attachedTo policyArn: String) async throws -> [String] {
        state.withLock { state in
            Self.byName(state.attachments.filter { $0.value.contains(policyArn) }.compactMap { state.roles[$0.key]?.name }, { $0 })
        }
    }

    // MARK: - Instance profiles

    public func createInstanceProfile(_ profile: InstanceProfileRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(profile.name)
            guard state.instanceProfiles[key] == nil else { throw StoreError(.alreadyExists, InstanceProfileRecord.alreadyExistsMessage(profile.name)) }
            state.instanceProfiles[key] = profile
        }
    }

    public func instanceProfile(named name: String) async throws -> InstanceProfileRecord? {
        state.withLock { $0.instanceProfiles[Self.fold(name)] }
    }

    public func instanceProfiles(pathPrefix: String) async throws -> [InstanceProfileRecord] {
        state.withLock { state in Self.byName(state.instanceProfiles.values.filter { $0.path.utf8.starts(with: pathPrefix.utf8) }, \.name) }
    }

    public func instanceProfiles(roleName: String) async throws -> [InstanceProfileRecord] {
        state.withLock { state in
            Self.byName(state.instanceProfiles.values.filter { $0.roleName.map(Self.fold) == Self.fold(roleName) }, \.name)
        }
    }

    public func deleteInstanceProfile(named name: String) async throws {
        try state.withLock { state in
            let key = Self.fold(name)
            guard let profile = state.instanceProfiles[key] else { throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(name)) }
            if profile.roleName != nil { throw StoreError(.conflict, InstanceProfileRecord.roleInProfileMessage) }
            state.instanceProfiles[key] = nil
        }
    }

    public func addRole(_ roleName: String, toInstanceProfile profileName: String) async throws {
        try state.withLock { state in
            let key = Self.fold(profileName)
            guard let profile = state.instanceProfiles[key] else { throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(profileName)) }
            guard let role = state.roles[Self.fold(roleName)] else { throw StoreError(.notFound, "The role with name \(roleName) cannot be found.") }
            if profile.roleName != nil { throw StoreError(.limitExceeded, InstanceProfileRecord.roleLimitMessage) }
            state.instanceProfiles[key]?.roleName = role.name
        }
    }

    public func removeRole(_ roleName: String, fromInstanceProfile profileName: String) async throws {
        try state.withLock { state in
            let key = Self.fold(profileName)
            guard let profile = state.instanceProfiles[key] else { throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(profileName)) }
            guard let held = profile.roleName, Self.fold(held) == Self.fold(roleName) else {
                throw StoreError(.notFound, "The role with name \(roleName) cannot be found.")
            }
            state.instanceProfiles[key]?.roleName = nil
        }
    }

    public func deletePolicy(arn: String) async throws {
        try state.withLock { state in
            if state.attachments.values.contains(where: { $0.contains(arn) }) || state.roles.values.contains(where: { $0.permissionsBoundary == arn })
                || state.principalAttachments.values.contains(where: { $0.contains(arn) }) || state.users.values.contains(where: { $0.permissionsBoundary == arn })
            {
                throw StoreError(.conflict, "Cannot delete a policy attached to entities.")
            }
            if (state.managedPolicies[arn]?.versions.count ?? 0) > 1 {
                throw StoreError(.conflict, ManagedPolicyRecord.deleteWithVersionsMessage)
            }
            guard state.managedPolicies.removeValue(forKey: arn) != nil else {
                throw StoreError(.notFound, "Policy \(arn) does not exist or is not attachable.")
            }
        }
    }

    public func attachRolePolicy(roleName: String, policyArn: String) async throws {
        try state.withLock { state in
            let key = Self.fold(roleName)
            guard state.roles[key] != nil else { throw StoreError(.notFound, "The role with name \(roleName) cannot be found.") }
            if !(state.attachments[key] ?? []).contains(policyArn) { state.attachments[key, default: []].append(policyArn) }
        }
    }

    public func detachRolePolicy(roleName: String, policyArn: String) async throws {
        try state.withLock { state in
            let key = Self.fold(roleName)
            guard let index = state.attachments[key]?.firstIndex(of: policyArn) else {
                throw StoreError(.notFound, "Policy \(policyArn) was not found.")
            }
            state.attachments[key]?.remove(at: index)
        }
    }

    public func attachedPolicyArns(roleName: String) async throws -> [String] {
        state.withLock { $0.attachments[Self.fold(roleName)] ?? [] }
    }

    // MARK: - Sessions

    public func insertSession(_ session: SessionRecord) async throws {
        try state.withLock { state in try Self.insert(session, into: &state) }
    }

    private static func insert(_ session: SessionRecord, into state: inout State) throws {
        guard state.sessions[session.accessKeyId] == nil else {
            throw StoreError(.alreadyExists, "A session with access key ID \(session.accessKeyId) exists.")
        }
        state.sessions[session.accessKeyId] = session
    }

    public func session(accessKeyId: String) async throws -> SessionRecord? {
        state.withLock { $0.sessions[accessKeyId] }
    }

    // MARK: - S3

    public func createBucket(_ bucket: BucketRecord) async throws {
        try state.withLock { state in
            guard state.buckets[bucket.name] == nil else {
                throw StoreError(.alreadyExists, "Your previous request to create the named bucket succeeded and you already own it.")
            }
            state.buckets[bucket.name] = bucket
        }
    }

    public func bucket(named name: String) async throws -> BucketRecord? {
        state.withLock { $0.buckets[name] }
    }

    public func buckets() async throws -> [BucketRecord] {
        state.withLock { $0.buckets.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } }
    }

    public func deleteBucket(named name: String) async throws {
        try state.withLock { state in
            if !(state.objects[name] ?? [:]).isEmpty || !(state.versions[name] ?? [:]).isEmpty || state.uploads.values.contains(where: { $0.bucket == name }) {
                throw StoreError(.conflict, "The bucket you tried to delete is not empty")
            }
            guard state.buckets.removeValue(forKey: name) != nil else { throw StoreError(.notFound, "The specified bucket does not exist") }
            state.objects[name] = nil
        }
    }

    public func updateBucketConfiguration(
        named name: String, _ change: @Sendable (inout BucketConfiguration) throws -> Void
    ) async throws -> BucketConfiguration {
        try state.withLock { state in
            guard var bucket = state.buckets[name] else { throw StoreError(.notFound, "The specified bucket does not exist") }
            try change(&bucket.configuration)
            state.buckets[name] = bucket
            return bucket.configuration
        }
    }

    public func setObjectTags(_ tags: [Tag], bucket: String, key: String) async throws {
        try state.withLock { state throws(StoreError) in
            guard state.objects[bucket]?[key] != nil else { throw StoreError(.notFound, "The specified key does not exist.") }
            state.objects[bucket]?[key]?.record.tags = tags
        }
    }

    public func putObject(_ object: ObjectRecord, data: [UInt8]) async throws -> ObjectRecord {
        try state.withLock { state in try Self.storeCurrent(object, data: data, in: &state) }
    }

    public func object(bucket: String, key: String) async throws -> ObjectRecord? {
        state.withLock { $0.objects[bucket]?[key]?.record }
    }

    public func objectData(bucket: String, key: String) async throws -> [UInt8]? {
        state.withLock { $0.objects[bucket]?[key]?.data }
    }


    public func objects(bucket: String, prefix: String, after: String?, limit: Int) async throws -> [ObjectRecord] {
        state.withLock { state in
            let after = Array((after ?? "").utf8)
            return (state.objects[bucket] ?? [:]).values.map(\.record)
                .filter { $0.key.utf8.starts(with: prefix.utf8) && after.lexicographicallyPrecedes($0.key.utf8) }
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .prefix(max(0, limit))
                .map { $0 }
        }
    }

    // MARK: - Roles Anywhere

    public func saveResource<Resource: RolesAnywhereResource>(_ resource: Resource) async throws {
        state.withLock { $0.resources[Resource.kind, default: [:]][resource.resourceID] = resource }
    }

    public func resource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws -> Resource? {
        state.withLock { $0.resources[Resource.kind]?[id] as? Resource }
    }

    public func resources<Resource: RolesAnywhereResource>(_ type: Resource.Type) async throws -> [Resource] {
        state.withLock { state in
            (state.resources[Resource.kind] ?? [:]).values.compactMap { $0 as? Resource }.sorted {
                $0.createdAt != $1.createdAt ? $0.createdAt < $1.createdAt : $0.resourceID.utf8.lexicographicallyPrecedes($1.resourceID.utf8)
            }
        }
    }

    public func deleteResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws {
        try state.withLock { state in
            guard let removed = state.resources[Resource.kind]?.removeValue(forKey: id) else { throw StoreError(.notFound, "Resource not found") }
            state.tags[removed.resourceArn] = nil
        }
    }

    public func saveCertificateAuthority(_ authority: PrivateCARecord) async throws {
        state.withLock { $0.authorities[authority.arn] = authority }
    }

    public func certificateAuthority(arn: String) async throws -> PrivateCARecord? {
        state.withLock { $0.authorities[arn] }
    }

    public func certificateAuthorities() async throws -> [PrivateCARecord] {
        state.withLock {
            $0.authorities.values.sorted { $0.createdAt != $1.createdAt ? $0.createdAt < $1.createdAt : $0.arn.utf8.lexicographicallyPrecedes($1.arn.utf8) }
        }
    }

    public func saveIssuedCertificate(_ certificate: PrivateCAIssuedCertificate) async throws {
        state.withLock { $0.issued[certificate.arn] = certificate }
    }

    public func issuedCertificate(arn: String) async throws -> PrivateCAIssuedCertificate? {
        state.withLock { $0.issued[arn] }
    }

    public func issuedCertificates(authorityArn: String) async throws -> [PrivateCAIssuedCertificate] {
        state.withLock {
            $0.issued.values.filter { $0.authorityArn == authorityArn }
                .sorted { $0.issuedAt != $1.issuedAt ? $0.issuedAt < $1.issuedAt : $0.arn.utf8.lexicographicallyPrecedes($1.arn.utf8) }
        }
    }

    public func setTags(_ tags: [ResourceTag], resourceArn: String) async throws {
        state.withLock { state in
            var byKey = [String: ResourceTag]()
            for tag in tags { byKey[tag.key] = tag }
            state.tags[resourceArn] = byKey.isEmpty ? nil : Array(byKey.values)
        }
    }

    public func tags(resourceArn: String) async throws -> [ResourceTag] {
        state.withLock { ($0.tags[resourceArn] ?? []).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
    }

    public func recordCreateSession(
        _ session: SessionRecord?, subjectID: String, update: @Sendable (SubjectRecord?) -> SubjectRecord?
    ) async throws -> SubjectRecord? {
        try state.withLock { state in
            let existing = state.resources[SubjectRecord.kind]?[subjectID] as? SubjectRecord
            if let session { try Self.insert(session, into: &state) }
            guard let updated = update(existing) else { return existing }
            state.resources[SubjectRecord.kind, default: [:]][subjectID] = updated
            return updated
        }
    }
}

// MARK: - Multipart uploads

extension MemoryStore {
    public func createMultipartUpload(_ upload: MultipartUploadRecord) async throws {
        try state.withLock { state throws(StoreError) in
            guard state.buckets[upload.bucket] != nil else { throw StoreError(.notFound, "The specified bucket does not exist") }
            state.uploads[upload.uploadID] = upload
        }
    }

    public func multipartUpload(id: String) async throws -> MultipartUploadRecord? {
        state.withLock { $0.uploads[id] }
    }

    public func multipartUploads(bucket: String) async throws -> [MultipartUploadRecord] {
        state.withLock { state in
            state.uploads.values.filter { $0.bucket == bucket }.sorted { left, right in
                if left.key != right.key { return left.key.utf8.lexicographicallyPrecedes(right.key.utf8) }
                if left.initiated != right.initiated { return left.initiated < right.initiated }
                return left.uploadID.utf8.lexicographicallyPrecedes(right.uploadID.utf8)
            }
        }
    }

    public func putPart(_ part: PartRecord, data: [UInt8]) async throws {
        try state.withLock { state throws(StoreError) in
            guard state.uploads[part.uploadID] != nil else { throw StoreError(.notFound, "The specified upload does not exist.") }
            state.parts[part.uploadID, default: [:]][part.partNumber] = (part, data)
        }
    }

    public func parts(uploadID: String) async throws -> [PartRecord] {
        state.withLock { state in (state.parts[uploadID] ?? [:]).values.map(\.record).sorted { $0.partNumber < $1.partNumber } }
    }

    public func completeMultipartUpload(id: String, parts: [(number: Int, etag: String)], object: ObjectRecord) async throws -> ObjectRecord {
        try state.withLock { state throws(StoreError) in
            guard state.uploads[id] != nil else { throw StoreError(.notFound, "The specified upload does not exist.") }
            guard state.buckets[object.bucket] != nil else { throw StoreError(.notFound, "The specified bucket does not exist") }
            let stored = state.parts[id] ?? [:]
            var data = [UInt8]()
            for part in parts {
                guard let found = stored[part.number], found.record.etag == part.etag else {
                    throw StoreError(.conflict, "part \(part.number) is not stored with the ETag given")
                }
                data += found.data
            }
            var record = object
            record.size = data.count
            let assembled = try Self.storeCurrent(record, data: data, in: &state)
            state.uploads[id] = nil
            state.parts[id] = nil
            return assembled
        }
    }

    public func abortMultipartUpload(id: String) async throws {
        try state.withLock { state throws(StoreError) in
            guard state.uploads.removeValue(forKey: id) != nil else { throw StoreError(.notFound, "The specified upload does not exist.") }
            state.parts[id] = nil
        }
    }
}
