#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// GetSubject, ListSubjects, TagResource, UntagResource and ListTagsForResource.
extension RolesAnywhereCall {
    struct SubjectAnswer: Encodable {
        var subject: SubjectRecord
    }

    struct SubjectList: Encodable {
        var subjects: [SubjectSummary]
        var nextToken: String?
    }

    struct TagList: Encodable {
        var tags: [ResourceTag]
    }

    struct Empty: Encodable {}

    static let maximumTags = 200

    func getSubject(_ id: String) async throws -> LocalResponse {
        let subject = try await existing(SubjectRecord.self, id, member: "subjectId", name: "subject")
        return try RolesAnywhereJSON.response(SubjectAnswer(subject: subject))
    }

    func listSubjects() async throws -> LocalResponse {
        let page = try page(try await store.resources(SubjectRecord.self).map(\.summary))
        return try RolesAnywhereJSON.response(SubjectList(subjects: page.items, nextToken: page.nextToken))
    }

    /// Checks that `arn` names a trust anchor, profile, CRL or subject of this account and region.
    func taggableResource(_ arn: String) async throws {
        for kind in [TrustAnchorRecord.kind, ProfileRecord.kind, CRLRecord.kind, SubjectRecord.kind] {
            guard let id = configuration.rolesAnywhereID(arn, type: kind) else { continue }
            let exists: Bool =
                switch kind {
                case TrustAnchorRecord.kind: try await store.resource(TrustAnchorRecord.self, id: id) != nil
                case ProfileRecord.kind: try await store.resource(ProfileRecord.self, id: id) != nil
                case CRLRecord.kind: try await store.resource(CRLRecord.self, id: id) != nil
                default: try await store.resource(SubjectRecord.self, id: id) != nil
                }
            if exists { return }
        }
        throw AWSError.resourceNotFound("The resource \(arn) does not exist in account \(configuration.accountID), region \(configuration.region).")
    }

    func tagResource() async throws -> LocalResponse {
        var body = try body()
        let arn = body.string("resourceArn", required: true, length: 1...1011)
        let tags = body.tags()
        if !body.has("tags") { body.errors.add(nil, "tags", "Member must not be null") }
        try body.validate()
        guard let arn, let tags else { throw AWSError.rolesAnywhereValidation("resourceArn and tags are required") }
        try await taggableResource(arn)
        var merged = try await store.tags(resourceArn: arn)
        for tag in tags {
            merged.removeAll { $0.key == tag.key }
            merged.append(tag)
        }
        guard merged.count <= Self.maximumTags else {
            throw AWSError("TooManyTagsException", status: 400, "A resource can have at most \(Self.maximumTags) tags; this request would give it \(merged.count).")
        }
        try await store.setTags(merged, resourceArn: arn)
        return try RolesAnywhereJSON.response(Empty(), status: 201)
    }

    func untagResource() async throws -> LocalResponse {
        var body = try body()
        let arn = body.string("resourceArn", required: true, length: 1...1011)
        let keys = body.strings("tagKeys", required: true, count: 0...200, length: 1...128, pattern: RolesAnywherePatterns.tag)
        try body.validate()
        guard let arn, let keys else { throw AWSError.rolesAnywhereValidation("resourceArn and tagKeys are required") }
        try await taggableResource(arn)
        let remaining = try await store.tags(resourceArn: arn).filter { !keys.contains($0.key) }
        try await store.setTags(remaining, resourceArn: arn)
        return try RolesAnywhereJSON.response(Empty())
    }

    func listTagsForResource() async throws -> LocalResponse {
        var errors = ValidationErrors()
        let arn = query["resourceArn"]?.last
        if arn == nil { errors.add(nil, "resourceArn", "Member must not be null") }
        try errors.validate()
        guard let arn else { throw AWSError.rolesAnywhereValidation("resourceArn is required") }
        try await taggableResource(arn)
        return try RolesAnywhereJSON.response(TagList(tags: try await store.tags(resourceArn: arn)))
    }
}
