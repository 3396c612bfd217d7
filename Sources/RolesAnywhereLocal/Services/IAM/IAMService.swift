#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSupport

/// IAM over the query protocol: roles, users and groups with their inline and attached policies,
/// access keys, managed policies and their versions, and instance profiles.
struct IAMService: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer

    static var namespace: String {
        guard case .query(let namespace, _) = AWSService.iam.wireProtocol else { return "" }
        return namespace
    }

    func handle(
        _ operation: IAMOperation, model: OperationModel, request: LocalRequest, query: QueryRequest, caller: Caller
    ) async throws(AWSError) -> LocalResponse {
        let context = IAMCall(service: self, request: request, query: query, caller: caller, model: model)
        do {
            switch operation {
            case .createRole: return try await context.createRole()
            case .getRole: return try await context.getRole()
            case .listRoles: return try await context.listRoles()
            case .updateRole: return try await context.updateRole()
            case .updateAssumeRolePolicy: return try await context.updateAssumeRolePolicy()
            case .deleteRole: return try await context.deleteRole()
            case .putRolePolicy: return try await context.putRolePolicy()
            case .getRolePolicy: return try await context.getRolePolicy()
            case .listRolePolicies: return try await context.listRolePolicies()
            case .deleteRolePolicy: return try await context.deleteRolePolicy()
            case .createPolicy: return try await context.createPolicy()
            case .getPolicy: return try await context.getPolicy()
            case .getPolicyVersion: return try await context.getPolicyVersion()
            case .createPolicyVersion: return try await context.createPolicyVersion()
            case .listPolicyVersions: return try await context.listPolicyVersions()
            case .deletePolicyVersion: return try await context.deletePolicyVersion()
            case .setDefaultPolicyVersion: return try await context.setDefaultPolicyVersion()
            case .listPolicies: return try await context.listPolicies()
            case .listEntitiesForPolicy: return try await context.listEntitiesForPolicy()
            case .deletePolicy: return try await context.deletePolicy()
            case .attachRolePolicy: return try await context.attachRolePolicy()
            case .detachRolePolicy: return try await context.detachRolePolicy()
            case .listAttachedRolePolicies: return try await context.listAttachedRolePolicies()
            case .putRolePermissionsBoundary: return try await context.putRolePermissionsBoundary()
            case .deleteRolePermissionsBoundary: return try await context.deleteRolePermissionsBoundary()
            case .tagRole: return try await context.tagRole()
            case .untagRole: return try await context.untagRole()
            case .listRoleTags: return try await context.listRoleTags()
            case .listInstanceProfilesForRole: return try await context.listInstanceProfilesForRole()
            case .listInstanceProfiles: return try await context.listInstanceProfiles()
            case .getInstanceProfile: return try await context.getInstanceProfile()
            case .createInstanceProfile: return try await context.createInstanceProfile()
            case .deleteInstanceProfile: return try await context.deleteInstanceProfile()
            case .addRoleToInstanceProfile: return try await context.addRoleToInstanceProfile()
            case .removeRoleFromInstanceProfile: return try await context.removeRoleFromInstanceProfile()
            case .createUser: return try await context.createUser()
            case .getUser: return try await context.getUser()
            case .listUsers: return try await context.listUsers()
            case .deleteUser: return try await context.deleteUser()
            case .tagUser: return try await context.tagUser()
            case .untagUser: return try await context.untagUser()
            case .listUserTags: return try await context.listUserTags()
            case .putUserPermissionsBoundary: return try await context.putUserPermissionsBoundary()
            case .deleteUserPermissionsBoundary: return try await context.deleteUserPermissionsBoundary()
            case .createAccessKey: return try await context.createAccessKey()
            case .listAccessKeys: return try await context.listAccessKeys()
            case .updateAccessKey: return try await context.updateAccessKey()
            case .deleteAccessKey: return try await context.deleteAccessKey()
            case .getAccessKeyLastUsed: return try await context.getAccessKeyLastUsed()
            case .createGroup: return try await context.createGroup()
            case .getGroup: return try await context.getGroup()
            case .listGroups: return try await context.listGroups()
            case .listGroupsForUser: return try await context.listGroupsForUser()
            case .deleteGroup: return try await context.deleteGroup()
            case .addUserToGroup: return try await context.addUserToGroup()
            case .removeUserFromGroup: return try await context.removeUserFromGroup()
            case .putUserPolicy: return try await context.putInlinePolicy(.user)
            case .getUserPolicy: return try await context.getInlinePolicy(.user)
            case .listUserPolicies: return try await context.listInlinePolicies(.user)
            case .deleteUserPolicy: return try await context.deleteInlinePolicy(.user)
            case .putGroupPolicy: return try await context.putInlinePolicy(.group)
            case .getGroupPolicy: return try await context.getInlinePolicy(.group)
            case .listGroupPolicies: return try await context.listInlinePolicies(.group)
            case .deleteGroupPolicy: return try await context.deleteInlinePolicy(.group)
            case .attachUserPolicy: return try await context.attachPolicy(.user)
            case .detachUserPolicy: return try await context.detachPolicy(.user)
            case .listAttachedUserPolicies: return try await context.listAttachedPolicies(.user)
            case .attachGroupPolicy: return try await context.attachPolicy(.group)
            case .detachGroupPolicy: return try await context.detachPolicy(.group)
            case .listAttachedGroupPolicies: return try await context.listAttachedPolicies(.group)
            default: throw AWSService.iam.notImplemented(model)
            }
        } catch let error as AWSError {
            throw error
        } catch let error as StoreError {
            throw Self.awsError(error)
        } catch {
            throw AWSError.internalFailure("\(error)")
        }
    }

    static func awsError(_ error: StoreError) -> AWSError {
        switch error.kind {
        case .notFound: AWSError("NoSuchEntity", status: 404, error.message)
        case .alreadyExists: AWSError("EntityAlreadyExists", status: 409, error.message)
        case .conflict: AWSError("DeleteConflict", status: 409, error.message)
        case .limitExceeded: AWSError("LimitExceeded", status: 409, error.message)
        }
    }
}

/// One IAM call: the request, its parameters and the caller.
struct IAMCall {
    let service: IAMService
    let request: LocalRequest
    let query: QueryRequest
    let caller: Caller
    let model: OperationModel

    /// The operation's name, as its answer's elements are named (`CreateRoleResponse`).
    var action: String { model.name }

    var account: String { service.configuration.accountID }
    var partition: ARN.Partition { service.configuration.partition }
    var store: any Store { service.store }

    func roleArn(path: String, name: String) -> String { ARN.iamRole(partition, account: account, path: path, name: name).description }

    func respond(_ result: ((inout XMLWriter) -> Void)? = nil) -> LocalResponse {
        .query(action: action, namespace: IAMService.namespace, requestID: request.requestID, result: result)
    }

    func existingRole(_ name: String) async throws -> RoleRecord {
        guard let role = try await store.role(named: name) else {
            throw AWSError("NoSuchEntity", status: 404, "The role with name \(name) cannot be found.")
        }
        return role
    }

    /// `Marker` and `MaxItems` paging over names: the marker is the last name answered, and the
    /// next page starts after it in name order (`ordered`), or after the item with that key.
    func page<T>(_ items: [T], key: (T) -> String, ordered: Bool = true) throws(AWSError) -> (items: [T], marker: String?) {
        let maxItems = try query.integer("MaxItems") ?? 100
        guard (1...1000).contains(maxItems) else {
            throw AWSError.constraint(String(maxItems), member: "maxItems", "Member must have value between 1 and 1000")
        }
        var start = items.startIndex
        if let marker = query["Marker"] {
            guard let decoded = Data(base64Encoded: marker).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw AWSError("InvalidInput", status: 400, "Invalid Marker.")
            }
            if ordered {
                start = items.firstIndex { key($0).lowercased() > decoded.lowercased() } ?? items.endIndex
            } else {
                start = items.firstIndex { key($0) == decoded }.map { $0 + 1 } ?? items.endIndex
            }
        }
        let end = min(items.endIndex, start + maxItems)
        let slice = Array(items[start..<end])
        let marker = end < items.endIndex ? slice.last.map { Data(key($0).utf8).base64EncodedString() } : nil
        return (slice, marker)
    }

    // MARK: - Roles

    func createRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        let path = try IAMValidation.path(query["Path"])
        let trust = try IAMValidation.policyDocument(try query.required("AssumeRolePolicyDocument"), kind: .trust, member: "assumeRolePolicyDocument")
        try IAMValidation.checkTrustPolicySize(trust)
        let arn = roleArn(path: path, name: name)
        let role = RoleRecord(
            name: name, id: RandomText.iamID(prefix: "AROA"), arn: arn, path: path,
            description: try IAMValidation.description(query["Description"]), assumeRolePolicyDocument: trust,
            maxSessionDuration: try IAMValidation.maxSessionDuration(try query.integer("MaxSessionDuration")) ?? 3600,
            createDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            tags: try IAMValidation.tags(query.tags()),
            permissionsBoundary: try await permissionsBoundary(query["PermissionsBoundary"])
        )
        try await store.createRole(role)
        return respond { IAMXML.role(role, into: &$0) }
    }

    func getRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        let role = try await existingRole(name)
        return respond { IAMXML.role(role, into: &$0, lastUsed: true) }
    }

    func listRoles() async throws -> LocalResponse {
        let prefix = query["PathPrefix"] ?? "/"
        let (roles, marker) = try page(try await store.roles(pathPrefix: prefix), key: \.name)
        return respond { xml in
            xml.element("Roles") { list in
                for role in roles { IAMXML.role(role, into: &list, element: "member") }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func updateRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        var role = try await existingRole(name)
        if let description = try IAMValidation.description(query["Description"]) { role.description = description }
        if let duration = try IAMValidation.maxSessionDuration(try query.integer("MaxSessionDuration")) { role.maxSessionDuration = duration }
        try await store.updateRole(role)
        return respond { _ in }
    }

    func updateAssumeRolePolicy() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        let document = try IAMValidation.policyDocument(try query.required("PolicyDocument"), kind: .trust)
        try IAMValidation.checkTrustPolicySize(document)
        var role = try await existingRole(name)
        role.assumeRolePolicyDocument = document
        try await store.updateRole(role)
        return respond()
    }

    func deleteRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        try await store.deleteRole(named: name)
        return respond()
    }

    // MARK: - Inline policies

    func putRolePolicy() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        let policyName = try IAMValidation.policyName(try query.required("PolicyName"))
        let document = try IAMValidation.policyDocument(try query.required("PolicyDocument"), kind: .identity)
        let others = try await store.rolePolicies(roleName: roleName).filter { $0.name.lowercased() != policyName.lowercased() }.map(\.document)
        try IAMValidation.checkInlinePolicySize(document, others: others, roleName: roleName)
        try await store.putRolePolicy(roleName: roleName, policyName: policyName, document: document)
        return respond()
    }

    func getRolePolicy() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        let policyName = try IAMValidation.policyName(try query.required("PolicyName"))
        let role = try await existingRole(roleName)
        guard let document = try await store.rolePolicy(roleName: roleName, policyName: policyName) else {
            throw AWSError("NoSuchEntity", status: 404, "The role policy with name \(policyName) cannot be found.")
        }
        return respond { xml in
            xml.element("RoleName", role.name)
            xml.element("PolicyName", policyName)
            xml.element("PolicyDocument", IAMXML.encodedDocument(document))
        }
    }

    func listRolePolicies() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        _ = try await existingRole(roleName)
        let (names, marker) = try page(try await store.rolePolicies(roleName: roleName).map(\.name), key: { $0 })
        return respond { xml in
            xml.element("PolicyNames") { list in
                for name in names { list.element("member", name) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func deleteRolePolicy() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        let policyName = try IAMValidation.policyName(try query.required("PolicyName"))
        _ = try await existingRole(roleName)
        try await store.deleteRolePolicy(roleName: roleName, policyName: policyName)
        return respond()
    }

    // MARK: - Managed policies

    func existingPolicy(_ arn: String) async throws -> ManagedPolicyRecord {
        if let managed = try await awsManagedPolicy(arn) { return managed }
        guard let policy = try await store.policy(arn: arn) else {
            throw AWSError("NoSuchEntity", status: 404, "Policy \(arn) does not exist or is not attachable.")
        }
        return policy
    }

    func createPolicy() async throws -> LocalResponse {
        let name = try IAMValidation.policyName(try query.required("PolicyName"))
        let path = try IAMValidation.path(query["Path"])
        let document = try IAMValidation.policyDocument(try query.required("PolicyDocument"), kind: .identity)
        try IAMValidation.checkManagedPolicySize(document)
        let arn = ARN.iamPolicy(partition, account: account, path: path, name: name).description
        let now = Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        let policy = ManagedPolicyRecord(
            arn: arn, name: name, id: RandomText.iamID(prefix: "ANPA"), path: path, description: try IAMValidation.description(query["Description"]),
            document: document, createDate: now, updateDate: now, attachmentCount: 0, tags: try IAMValidation.tags(query.tags())
        )
        try await store.createPolicy(policy)
        return respond { IAMXML.policy(policy, into: &$0) }
    }

    func getPolicy() async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let policy = try await existingPolicy(arn)
        return respond { IAMXML.policy(policy, into: &$0) }
    }

    func deletePolicy() async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        if ManagedPolicyCatalog.document(arn) != nil {
            throw AWSError("UnmodifiableEntity", status: 400, "Cannot delete the AWS managed policy \(arn).")
        }
        try await store.deletePolicy(arn: arn)
        return respond()
    }

    func attachRolePolicy() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        _ = try await existingPolicy(arn)
        try await store.attachRolePolicy(roleName: roleName, policyArn: arn)
        return respond()
    }

    func detachRolePolicy() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        _ = try await existingRole(roleName)
        try await store.detachRolePolicy(roleName: roleName, policyArn: arn)
        return respond()
    }

    func listAttachedRolePolicies() async throws -> LocalResponse {
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        _ = try await existingRole(roleName)
        let (arns, marker) = try page(try await store.attachedPolicyArns(roleName: roleName), key: { $0 })
        return respond { IAMXML.attachedPolicies(arns, marker: marker, into: &$0) }
    }
}
