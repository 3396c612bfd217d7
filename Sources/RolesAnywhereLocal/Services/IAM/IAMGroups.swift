#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSupport

/// IAM groups (Create/Get/List/DeleteGroup, Add/RemoveUserToGroup, ListGroupsForUser) and the
/// inline and attached policies of users and groups.
extension IAMCall {
    func groupName(_ member: String = "GroupName") throws(AWSError) -> String {
        try IAMValidation.name(try query.required(member), member: "groupName", limit: 128)
    }

    func existingGroup(_ name: String) async throws -> GroupRecord {
        guard let group = try await store.group(named: name) else {
            throw AWSError("NoSuchEntity", status: 404, GroupRecord.notFoundMessage(name))
        }
        return group
    }

    func createGroup() async throws -> LocalResponse {
        let name = try groupName()
        let path = try IAMValidation.path(query["Path"])
        let group = GroupRecord(
            name: name, id: RandomText.iamID(prefix: "AGPA"), arn: ARN.iam(partition, account: account, type: "group", path: path, name: name).description,
            path: path, createDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        )
        try await store.createGroup(group)
        return respond { IAMXML.group(group, into: &$0) }
    }

    /// GetGroup: the group and its members, paged.
    func getGroup() async throws -> LocalResponse {
        let group = try await existingGroup(try groupName())
        let (users, marker) = try page(try await store.users(inGroup: group.name), key: \.name)
        return respond { xml in
            IAMXML.group(group, into: &xml)
            xml.element("Users") { list in
                for user in users { IAMXML.user(user, into: &list, element: "member", listed: true) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func listGroups() async throws -> LocalResponse {
        try respondListing(try await store.groups(pathPrefix: query["PathPrefix"] ?? "/"))
    }

    func listGroupsForUser() async throws -> LocalResponse {
        let user = try await existingUser(try userName())
        return try respondListing(try await store.groups(ofUser: user.name))
    }

    /// ListGroups' and ListGroupsForUser's answer: a page of groups.
    func respondListing(_ groups: [GroupRecord]) throws -> LocalResponse {
        let (listed, marker) = try page(groups, key: \.name)
        return respond { xml in
            xml.element("Groups") { list in
                for group in listed { IAMXML.group(group, into: &list, element: "member") }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func deleteGroup() async throws -> LocalResponse {
        try await store.deleteGroup(named: try groupName())
        return respond()
    }

    func addUserToGroup() async throws -> LocalResponse {
        let group = try groupName()
        let user = try userName()
        try await store.addUser(user, toGroup: group)
        return respond()
    }

    func removeUserFromGroup() async throws -> LocalResponse {
        let group = try groupName()
        let user = try userName()
        try await store.removeUser(user, fromGroup: group)
        return respond()
    }

    // MARK: - Inline and attached policies of users and groups

    /// The user or group a policy call names (`UserName` or `GroupName`), which must exist. The
    /// model gives the attached-policy calls' `UserName` the shorter `userNameType` (`existing:
    /// false`), the inline-policy calls' `existingUserNameType`.
    func principal(_ kind: IAMPrincipal.Kind, existing: Bool = true) async throws -> IAMPrincipal {
        switch kind {
        case .group: .group(try await existingGroup(try groupName()).name)
        case .user: .user(try await existingUser(try userName(existing: existing)).name)
        }
    }

    /// PutUserPolicy and PutGroupPolicy: the policies of one user or group count together against
    /// IAM's quota (2,048 characters for a user's, 5,120 for a group's).
    func putInlinePolicy(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let principal = try await principal(kind)
        let policyName = try IAMValidation.policyName(try query.required("PolicyName"))
        let document = try IAMValidation.policyDocument(try query.required("PolicyDocument"), kind: .identity)
        let others = try await store.inlinePolicies(principal).filter { $0.name.lowercased() != policyName.lowercased() }.map(\.document)
        let quota = kind == .group ? IAMValidation.Quota.inlinePoliciesPerGroup : IAMValidation.Quota.inlinePoliciesPerUser
        let total = others.reduce(IAMValidation.quotaSize(document)) { $0 + IAMValidation.quotaSize($1) }
        guard total <= quota else {
            throw AWSError("LimitExceeded", status: 409, "Maximum policy size of \(quota) bytes exceeded for \(principal.kind.rawValue) \(principal.name)")
        }
        try await store.putInlinePolicy(principal, policyName: policyName, document: document)
        return respond()
    }

    func getInlinePolicy(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let principal = try await principal(kind)
        let policyName = try IAMValidation.policyName(try query.required("PolicyName"))
        guard let document = try await store.inlinePolicy(principal, policyName: policyName) else {
            throw AWSError("NoSuchEntity", status: 404, principal.inlinePolicyNotFoundMessage(policyName))
        }
        return respond { xml in
            xml.element(kind == .group ? "GroupName" : "UserName", principal.name)
            xml.element("PolicyName", policyName)
            xml.element("PolicyDocument", IAMXML.encodedDocument(document))
        }
    }

    func listInlinePolicies(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let principal = try await principal(kind)
        let (names, marker) = try page(try await store.inlinePolicies(principal).map(\.name), key: { $0 })
        return respond { xml in
            xml.element("PolicyNames") { list in
                for name in names { list.element("member", name) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func deleteInlinePolicy(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let principal = try await principal(kind)
        try await store.deleteInlinePolicy(principal, policyName: try IAMValidation.policyName(try query.required("PolicyName")))
        return respond()
    }

    func attachPolicy(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let principal = try await principal(kind, existing: false)
        _ = try await existingPolicy(arn)
        try await store.attachPolicy(arn, to: principal)
        return respond()
    }

    func detachPolicy(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let principal = try await principal(kind, existing: false)
        try await store.detachPolicy(arn, from: principal)
        return respond()
    }

    func listAttachedPolicies(_ kind: IAMPrincipal.Kind) async throws -> LocalResponse {
        let principal = try await principal(kind, existing: false)
        let (arns, marker) = try page(try await store.attachedPolicyArns(principal), key: { $0 }, ordered: false)
        return respond { IAMXML.attachedPolicies(arns, marker: marker, into: &$0) }
    }
}
