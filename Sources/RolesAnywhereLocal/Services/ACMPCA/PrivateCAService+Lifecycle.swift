#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSupport

/// DeleteCertificateAuthority and RestoreCertificateAuthority (a deleted CA stays restorable for 7 to
/// 30 days, then is gone), the CA's tags, and its resource-based policy.
extension PrivateCAService {
    // MARK: - Delete and restore

    func delete(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let days = body.integer("PermanentDeletionTimeInDays", range: 7...30)
        try body.validate()
        switch authority.status {
        case .active:
            throw PrivateCAErrors.invalidState(authority, "be deleted: disable it first (update-certificate-authority --status DISABLED)")
        case .deleted:
            throw PrivateCAErrors.invalidState(authority, "be deleted again")
        case .pendingCertificate, .disabled, .expired:
            authority.statusBeforeDeletion = authority.status
            authority.status = .deleted
            authority.lastStateChangeAt = now
            authority.restorableUntil = now.addingTimeInterval(TimeInterval(days ?? 30) * 86400)
        }
        let deleted = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(deleted) }
        return try PrivateCAJSON.response([String: String]())
    }

    func restore(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, now: now)
        guard authority.status == .deleted, let previous = authority.statusBeforeDeletion else {
            throw PrivateCAErrors.invalidState(authority, "be restored: only a DELETED CA can")
        }
        authority.status = previous
        authority.statusBeforeDeletion = nil
        authority.restorableUntil = nil
        authority.lastStateChangeAt = now
        let restored = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(restored) }
        return try PrivateCAJSON.response([String: String]())
    }

    // MARK: - Tags

    /// The most tags a CA may have.
    static let maximumTags = 50

    struct TagList: Encodable {
        struct Tag: Encodable {
            let Key: String
            let Value: String?
        }
        let Tags: [Tag]
        let NextToken: String?
    }

    func tag(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let tags = try Self.readTags(&body, required: true)
        try body.validate()
        authority.tags = try Self.merged(tags, into: authority.tags ?? [])
        let tagged = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(tagged) }
        return try PrivateCAJSON.response([String: String]())
    }

    func untag(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let tags = try Self.readTags(&body, required: true)
        try body.validate()
        // A tag named without a value goes whatever its value; with one, only if the value matches.
        authority.tags = (authority.tags ?? []).filter { existing in
            !tags.contains { $0.key == existing.key && ($0.value == nil || $0.value == existing.value) }
        }
        let untagged = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(untagged) }
        return try PrivateCAJSON.response([String: String]())
    }

    func listTags(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, validateNow: false, now: now)
        let maximum = body.integer("MaxResults", range: 1...1000) ?? 50
        let token = body.string("NextToken", length: 1...43739)
        try body.validate()
        let all = authority.tags ?? []
        var start = 0
        if let token {
            guard let offset = PrivateCAJSON.offset(fromToken: token), offset <= all.count else {
                throw PrivateCAErrors.error("InvalidNextTokenException", "The token specified in the NextToken argument is not valid.")
            }
            start = offset
        }
        let page = all[start..<min(all.count, start + maximum)]
        let next = start + page.count < all.count ? PrivateCAJSON.token(forOffset: start + page.count) : nil
        return try PrivateCAJSON.response(TagList(Tags: page.map { TagList.Tag(Key: $0.key, Value: $0.value) }, NextToken: next))
    }

    /// `Tags` (`TagList`: 1 to 50 of `Key` 1-128 characters and `Value` 0-256), checked as AWS does;
    /// keys starting with `aws:` are AWS's own.
    static func readTags(_ body: inout PrivateCARequest, required: Bool) throws(AWSError) -> [PrivateCATag] {
        guard let items = body.objects("Tags", required: required) else { return [] }
        guard (1...maximumTags).contains(items.count) else {
            throw PrivateCAErrors.validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and \(maximumTags)")
        }
        var tags = [PrivateCATag]()
        for (index, var item) in items.enumerated() {
            let key = item.string("Key", required: true, length: 1...128)
            let value = item.string("Value", length: 0...256)
            try item.validate(prefix: "tags.\(index + 1).member.")
            guard let key else { throw PrivateCAErrors.internalValidation }
            guard !key.lowercased().hasPrefix("aws:") else {
                throw PrivateCAErrors.error("InvalidTagException", "Tag keys starting with aws: are reserved for AWS: \(key).")
            }
            tags.append(PrivateCATag(key: key, value: value))
        }
        return tags
    }

    /// `tags` over `existing`: a key already present gets the new value; at most 50 in all.
    static func merged(_ tags: [PrivateCATag], into existing: [PrivateCATag]) throws(AWSError) -> [PrivateCATag] {
        var result = existing
        for tag in tags {
            if let index = result.firstIndex(where: { $0.key == tag.key }) {
                result[index] = tag
            } else {
                result.append(tag)
            }
        }
        guard result.count <= maximumTags else {
            throw PrivateCAErrors.error("TooManyTagsException", "A certificate authority can have at most \(maximumTags) tags; this would make \(result.count).")
        }
        return result
    }

    // MARK: - Resource policy

    func putPolicy(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, member: "ResourceArn", validateNow: false, now: now)
        let policy = body.string("Policy", required: true, length: 1...81920)
        try body.validate()
        guard let policy else { throw PrivateCAErrors.internalValidation }
        guard authority.status != .deleted else { throw PrivateCAErrors.invalidState(authority, "take a policy") }
        do {
            _ = try PolicyDocument(json: policy, kind: .resource)
        } catch {
            throw PrivateCAErrors.error("InvalidPolicyException", "The resource policy is invalid: \(error.message)")
        }
        authority.policy = policy
        let updated = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(updated) }
        return try PrivateCAJSON.response([String: String]())
    }

    func getPolicy(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, member: "ResourceArn", now: now)
        guard let policy = authority.policy else {
            throw PrivateCAErrors.error("ResourceNotFoundException", "The certificate authority \(authority.arn) has no resource policy.")
        }
        return try PrivateCAJSON.response(["Policy": policy])
    }

    func deletePolicy(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, member: "ResourceArn", now: now)
        guard authority.policy != nil else { return try PrivateCAJSON.response([String: String]()) }
        authority.policy = nil
        let updated = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(updated) }
        return try PrivateCAJSON.response([String: String]())
    }
}
