#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSupport

/// `ListPolicies`' `Scope`.
enum IAMPolicyScope: String, CaseIterable, Sendable {
    case all = "All"
    case aws = "AWS"
    case local = "Local"
}

/// `PolicyUsageFilter`: how a policy is used.
enum IAMPolicyUsage: String, CaseIterable, Sendable {
    /// Attached to an identity, granting permissions.
    case permissionsPolicy = "PermissionsPolicy"
    /// An identity's permissions boundary.
    case permissionsBoundary = "PermissionsBoundary"
}

/// `ListEntitiesForPolicy`'s `EntityFilter`.
enum IAMEntityType: String, CaseIterable, Sendable {
    case user = "User"
    case role = "Role"
    case group = "Group"
    case localManagedPolicy = "LocalManagedPolicy"
    case awsManagedPolicy = "AWSManagedPolicy"
}

/// ListPolicies and ListEntitiesForPolicy: the managed policies of this account and the AWS managed
/// policies of the catalog, and who uses a policy.
extension IAMCall {
    /// An optional parameter of a closed set, refused in IAM's words when it is none of them.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, member: String, _ type: Choice.Type) throws(AWSError) -> Choice?
    where Choice.RawValue == String {
        guard let text = query[name] else { return nil }
        guard let value = Choice(rawValue: text) else {
            let values = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw AWSError.constraint(text, member: member, "Member must satisfy enum value set: [\(values)]")
        }
        return value
    }

    func listPolicies() async throws -> LocalResponse {
        let scope = try choice("Scope", member: "scope", IAMPolicyScope.self) ?? .all
        let usage = try choice("PolicyUsageFilter", member: "policyUsageFilter", IAMPolicyUsage.self)
        let onlyAttached = try query.boolean("OnlyAttached") ?? false
        let prefix = query["PathPrefix"] ?? "/"
        var policies: [ManagedPolicyRecord] = []
        if scope != .aws { policies += try await store.policies(pathPrefix: prefix) }
        if scope != .local, "/".hasPrefix(prefix) {
            for name in ManagedPolicyCatalog.policies.keys {
                let arn = ARN.iamPolicy(partition, account: "aws", path: "/", name: name).description
                if let policy = try await awsManagedPolicy(arn) { policies.append(policy) }
            }
        }
        policies.removeAll { policy in
            (onlyAttached && policy.attachmentCount == 0)
                || (usage == .permissionsPolicy && policy.attachmentCount == 0)
                || (usage == .permissionsBoundary && policy.permissionsBoundaryUsageCount == 0)
        }
        // By name; a customer policy may share its name with an AWS managed one, so the ARN breaks ties.
        func key(_ policy: ManagedPolicyRecord) -> String { policy.name + "\u{1}" + policy.arn }
        policies.sort { key($0).lowercased().utf8.lexicographicallyPrecedes(key($1).lowercased().utf8) }
        let (listed, marker) = try page(policies, key: key)
        return respond { xml in
            xml.element("Policies") { list in
                for policy in listed { IAMXML.policy(policy, into: &list, element: "member", listed: true) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    /// The groups, users and roles that use the policy (attached, or as their boundary with
    /// `PolicyUsageFilter=PermissionsBoundary`: users and roles only), in that order, paged.
    func listEntitiesForPolicy() async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let filter = try choice("EntityFilter", member: "entityFilter", IAMEntityType.self)
        let usage = try choice("PolicyUsageFilter", member: "policyUsageFilter", IAMPolicyUsage.self) ?? .permissionsPolicy
        let prefix = query["PathPrefix"] ?? "/"
        _ = try await existingPolicy(arn)
        func wanted(_ type: IAMEntityType) -> Bool { filter == nil || filter == type }
        var entities: [PolicyEntity] = []
        switch usage {
        case .permissionsPolicy:
            if wanted(.group) {
                for name in try await store.principalNames(attachedTo: arn, groups: true) {
                    if let group = try await store.group(named: name) { entities.append(.group(group)) }
                }
            }
            if wanted(.user) {
                for name in try await store.principalNames(attachedTo: arn, groups: false) {
                    if let user = try await store.user(named: name) { entities.append(.user(user)) }
                }
            }
            if wanted(.role) {
                for name in try await store.roleNames(attachedTo: arn) {
                    if let role = try await store.role(named: name) { entities.append(.role(role)) }
                }
            }
        case .permissionsBoundary:
            if wanted(.user) { entities += try await store.users(pathPrefix: "/").filter { $0.permissionsBoundary == arn }.map(PolicyEntity.user) }
            if wanted(.role) { entities += try await store.roles(pathPrefix: "/").filter { $0.permissionsBoundary == arn }.map(PolicyEntity.role) }
        }
        entities.removeAll { !$0.path.utf8.starts(with: prefix.utf8) }
        let (listed, marker) = try page(entities, key: \.pagingKey, ordered: false)
        return respond { xml in
            xml.element("PolicyGroups") { list in
                for case .group(let group) in listed {
                    list.element("member") { member in
                        member.element("GroupName", group.name)
                        member.element("GroupId", group.id)
                    }
                }
            }
            xml.element("PolicyUsers") { list in
                for case .user(let user) in listed {
                    list.element("member") { member in
                        member.element("UserName", user.name)
                        member.element("UserId", user.id)
                    }
                }
            }
            xml.element("PolicyRoles") { list in
                for case .role(let role) in listed {
                    list.element("member") { member in
                        member.element("RoleName", role.name)
                        member.element("RoleId", role.id)
                    }
                }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }
}

/// An identity that uses a managed policy.
enum PolicyEntity {
    case group(GroupRecord)
    case user(UserRecord)
    case role(RoleRecord)

    var path: String {
        switch self {
        case .group(let group): group.path
        case .user(let user): user.path
        case .role(let role): role.path
        }
    }

    /// Unique across the three kinds (the marker names the last one answered).
    var pagingKey: String {
        switch self {
        case .group(let group): "group/" + group.id
        case .user(let user): "user/" + user.id
        case .role(let role): "role/" + role.id
        }
    }
}
