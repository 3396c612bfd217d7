#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSupport

/// Permissions boundaries (on CreateRole, PutRolePermissionsBoundary,
/// DeleteRolePermissionsBoundary) and role tags (TagRole, UntagRole, ListRoleTags).
extension IAMCall {
    /// A permissions boundary ARN, which must name a managed policy that exists (an AWS managed
    /// one of the catalog, or one of this account).
    func permissionsBoundary(_ arn: String?) async throws -> String? {
        guard let arn else { return nil }
        _ = try IAMValidation.policyArn(arn)
        guard try await service.authorizer.managedPolicyDocument(arn) != nil else {
            throw AWSError("NoSuchEntity", status: 404, "Scope ARN: \(arn) does not exist or is not attachable.")
        }
        return arn
    }

    /// `PutRolePermissionsBoundary`: sets or replaces the role's boundary.
    func putRolePermissionsBoundary() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        let boundary = try await permissionsBoundary(try query.required("PermissionsBoundary"))
        var role = try await existingRole(name)
        role.permissionsBoundary = boundary
        try await store.updateRole(role)
        return respond()
    }

    /// `DeleteRolePermissionsBoundary`: removes it (the role must have one).
    func deleteRolePermissionsBoundary() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        var role = try await existingRole(name)
        guard role.permissionsBoundary != nil else {
            throw AWSError("NoSuchEntity", status: 404, "The role with name \(name) does not have a permissions boundary.")
        }
        role.permissionsBoundary = nil
        try await store.updateRole(role)
        return respond()
    }

    /// `TagRole`: adds tags, replacing the values of keys already there (keys compare
    /// case-insensitively, as IAM's do); at most 50 in all.
    func tagRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        var role = try await existingRole(name)
        role.tags = try IAMValidation.merging(query.tags(), into: role.tags, entity: "Role")
        try await store.updateRole(role)
        return respond()
    }

    /// `UntagRole`: removes the tags of the keys given (missing keys are not an error).
    func untagRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        var role = try await existingRole(name)
        role.tags = try IAMValidation.removing(query.list("TagKeys"), from: role.tags)
        try await store.updateRole(role)
        return respond()
    }

    /// `ListRoleTags`, paged with `Marker` and `MaxItems`.
    func listRoleTags() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        let role = try await existingRole(name)
        let (tags, marker) = try page(role.tags, key: \.key)
        return respond { xml in
            IAMXML.tags(tags, into: &xml)
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }
}
