#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSupport

/// CreateProfile, GetProfile, UpdateProfile, DeleteProfile, Enable/DisableProfile, ListProfiles,
/// PutAttributeMapping and DeleteAttributeMapping.
extension RolesAnywhereCall {
    struct ProfileAnswer: Encodable {
        var profile: ProfileRecord
    }

    struct ProfileList: Encodable {
        var profiles: [ProfileRecord]
        var nextToken: String?
    }

    static let durationRange = 900...43200

    /// The members CreateProfile and UpdateProfile share.
    struct ProfileMembers {
        var name: String?
        var roleArns: [String]?
        var managedPolicyArns: [String]?
        var sessionPolicy: String?
        var durationSeconds: Int?
        var acceptRoleSessionName: Bool?
    }

    func readProfileMembers(_ body: inout JSONBody, creating: Bool) -> ProfileMembers {
        var members = ProfileMembers()
        members.name = body.string("name", required: creating, length: 1...255, pattern: RolesAnywherePatterns.resourceName)
        members.roleArns = body.strings("roleArns", required: creating, count: 0...250, length: 1...1011, pattern: RolesAnywherePatterns.roleArn)
        members.managedPolicyArns = body.strings("managedPolicyArns", count: 0...50, length: 1...200)
        members.sessionPolicy = body.string("sessionPolicy", length: 1...100_000)
        members.durationSeconds = body.integer("durationSeconds", range: Self.durationRange)
        members.acceptRoleSessionName = body.bool("acceptRoleSessionName")
        if let policy = members.sessionPolicy {
            do {
                _ = try PolicyDocument(json: policy, kind: .identity)
            } catch {
                body.errors.messages.append("sessionPolicy is not a valid policy document: \(error)")
            }
        }
        for arn in members.managedPolicyArns ?? [] where !(ARN(arn)?.isResource(of: "iam", type: "policy") ?? false) {
            body.errors.add(arn, "managedPolicyArns", "Member must be an IAM managed policy ARN")
        }
        return members
    }

    func createProfile() async throws -> LocalResponse {
        var body = try body()
        let members = readProfileMembers(&body, creating: true)
        let enabled = body.bool("enabled")
        let requireInstanceProperties = body.bool("requireInstanceProperties")
        let tags = body.tags()
        try body.validate()
        guard let name = members.name, let roleArns = members.roleArns else {
            throw AWSError.rolesAnywhereValidation("name and roleArns are required")
        }
        let id = Self.newID()
        let profile = ProfileRecord(
            profileId: id, profileArn: arn("profile", id), name: name, requireInstanceProperties: requireInstanceProperties ?? false,
            enabled: enabled ?? false, createdBy: caller.arn(in: configuration), sessionPolicy: members.sessionPolicy,
            roleArns: roleArns, managedPolicyArns: members.managedPolicyArns ?? [], createdAt: now, updatedAt: now,
            durationSeconds: members.durationSeconds ?? 3600, acceptRoleSessionName: members.acceptRoleSessionName ?? false,
            attributeMappings: AttributeMapping.defaults
        )
        try await store.saveResource(profile)
        if let tags, !tags.isEmpty { try await store.setTags(tags, resourceArn: profile.profileArn) }
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile), status: 201)
    }

    func getProfile(_ id: String) async throws -> LocalResponse {
        let profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }

    func listProfiles() async throws -> LocalResponse {
        let page = try page(try await store.resources(ProfileRecord.self))
        return try RolesAnywhereJSON.response(ProfileList(profiles: page.items, nextToken: page.nextToken))
    }

    func updateProfile(_ id: String) async throws -> LocalResponse {
        var profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        var body = try body()
        let members = readProfileMembers(&body, creating: false)
        try body.validate()
        if let name = members.name { profile.name = name }
        if let roles = members.roleArns { profile.roleArns = roles }
        if let policies = members.managedPolicyArns { profile.managedPolicyArns = policies }
        if let policy = members.sessionPolicy { profile.sessionPolicy = policy }
        if let duration = members.durationSeconds { profile.durationSeconds = duration }
        if let accept = members.acceptRoleSessionName { profile.acceptRoleSessionName = accept }
        profile.updatedAt = now
        try await store.saveResource(profile)
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }

    func deleteProfile(_ id: String) async throws -> LocalResponse {
        let profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        try await store.deleteResource(ProfileRecord.self, id: id)
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }

    func setProfile(_ id: String, enabled: Bool) async throws -> LocalResponse {
        var profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        profile.enabled = enabled
        profile.updatedAt = now
        try await store.saveResource(profile)
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }

    // MARK: Attribute mappings

    static let certificateFields = ["x509Subject", "x509Issuer", "x509SAN"]

    func readCertificateField(_ value: String?, into errors: inout ValidationErrors) {
        if let value, !Self.certificateFields.contains(value) {
            errors.add(value, "certificateField", "Member must satisfy enum value set: [x509Subject, x509Issuer, x509SAN]")
        }
    }

    /// `Name` and `Name/` mean `Name/*`, and are shown so.
    static func normalizedSpecifier(_ specifier: String) -> String {
        specifier == "Name" || specifier == "Name/" ? "Name/*" : specifier
    }

    func putAttributeMapping(_ id: String) async throws -> LocalResponse {
        var profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        var body = try body()
        let field = body.string("certificateField", required: true)
        readCertificateField(field, into: &body.errors)
        let rules = body.objects("mappingRules", required: true) { rule in
            rule.string("specifier", required: true, length: 0...60)
        }
        try body.validate()
        guard let field, let rules else { throw AWSError.rolesAnywhereValidation("certificateField and mappingRules are required") }
        // New rules are added to the field's existing ones.
        var mapping = profile.attributeMappings.first { $0.certificateField == field } ?? AttributeMapping(certificateField: field, mappingRules: [])
        for specifier in rules.map(Self.normalizedSpecifier) where !mapping.mappingRules.contains(MappingRule(specifier: specifier)) {
            mapping.mappingRules.append(MappingRule(specifier: specifier))
        }
        profile.attributeMappings.removeAll { $0.certificateField == field }
        profile.attributeMappings.append(mapping)
        profile.attributeMappings.sort { $0.certificateField < $1.certificateField }
        profile.updatedAt = now
        try await store.saveResource(profile)
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }

    func deleteAttributeMapping(_ id: String) async throws -> LocalResponse {
        var profile = try await existing(ProfileRecord.self, id, member: "profileId", name: "profile")
        let parameters = query
        var errors = ValidationErrors()
        let field = parameters["certificateField"]?.last
        if field == nil { errors.add(nil, "certificateField", "Member must not be null") }
        readCertificateField(field, into: &errors)
        try errors.validate()
        let specifiers = (parameters["specifiers"] ?? []).map(Self.normalizedSpecifier)
        if specifiers.isEmpty {
            profile.attributeMappings.removeAll { $0.certificateField == field }
        } else if let index = profile.attributeMappings.firstIndex(where: { $0.certificateField == field }) {
            profile.attributeMappings[index].mappingRules.removeAll { specifiers.contains($0.specifier) }
        }
        profile.updatedAt = now
        try await store.saveResource(profile)
        return try RolesAnywhereJSON.response(ProfileAnswer(profile: profile))
    }
}
