#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSupport

/// Instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
/// ListInstanceProfiles, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile and
/// ListInstanceProfilesForRole, which Terraform's `aws_iam_instance_profile` and `aws_iam_role`
/// call. A profile holds at most one role; a role in a profile cannot be deleted.
extension IAMCall {
    func instanceProfileName(_ member: String = "InstanceProfileName") throws(AWSError) -> String {
        try IAMValidation.name(try query.required(member), member: "instanceProfileName", limit: 128)
    }

    func existingInstanceProfile(_ name: String) async throws -> InstanceProfileRecord {
        guard let profile = try await store.instanceProfile(named: name) else {
            throw AWSError("NoSuchEntity", status: 404, InstanceProfileRecord.notFoundMessage(name))
        }
        return profile
    }

    /// A profile with its role, as IAM answers it (`<Roles>` lists the role in full).
    func writeInstanceProfile(_ profile: InstanceProfileRecord, element: String) async throws -> (inout XMLWriter) -> Void {
        let role = try await profile.roleName.asyncFlatMap { try await store.role(named: $0) }
        return { xml in
            xml.element(element) { xml in
                xml.element("Path", profile.path)
                xml.element("InstanceProfileName", profile.name)
                xml.element("InstanceProfileId", profile.id)
                xml.element("Arn", profile.arn)
                xml.element("CreateDate", IAMXML.date(profile.createDate))
                xml.element("Roles") { list in
                    if let role { IAMXML.role(role, into: &list, element: "member") }
                }
                if !profile.tags.isEmpty { IAMXML.tags(profile.tags, into: &xml) }
            }
        }
    }

    func createInstanceProfile() async throws -> LocalResponse {
        let name = try instanceProfileName()
        let path = try IAMValidation.path(query["Path"])
        let profile = InstanceProfileRecord(
            name: name, id: RandomText.iamID(prefix: "AIPA"),
            arn: ARN.iam(partition, account: account, type: IAMResourceType.instanceProfile.rawValue, path: path, name: name).description,
            path: path, createDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            tags: try IAMValidation.tags(query.tags())
        )
        try await store.createInstanceProfile(profile)
        let write = try await writeInstanceProfile(profile, element: "InstanceProfile")
        return respond { write(&$0) }
    }

    func getInstanceProfile() async throws -> LocalResponse {
        let profile = try await existingInstanceProfile(try instanceProfileName())
        let write = try await writeInstanceProfile(profile, element: "InstanceProfile")
        return respond { write(&$0) }
    }

    func deleteInstanceProfile() async throws -> LocalResponse {
        try await store.deleteInstanceProfile(named: try instanceProfileName())
        return respond()
    }

    func addRoleToInstanceProfile() async throws -> LocalResponse {
        let name = try instanceProfileName()
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        try await store.addRole(roleName, toInstanceProfile: name)
        return respond()
    }

    func removeRoleFromInstanceProfile() async throws -> LocalResponse {
        let name = try instanceProfileName()
        let roleName = try IAMValidation.roleName(try query.required("RoleName"))
        try await store.removeRole(roleName, fromInstanceProfile: name)
        return respond()
    }

    func listInstanceProfiles() async throws -> LocalResponse {
        let prefix = query["PathPrefix"] ?? "/"
        return try await listing(try await store.instanceProfiles(pathPrefix: prefix))
    }

    func listInstanceProfilesForRole() async throws -> LocalResponse {
        let name = try IAMValidation.roleName(try query.required("RoleName"))
        _ = try await existingRole(name)
        return try await listing(try await store.instanceProfiles(roleName: name))
    }

    /// `<InstanceProfiles>` paged with `Marker` and `MaxItems`.
    private func listing(_ profiles: [InstanceProfileRecord]) async throws -> LocalResponse {
        let (page, marker) = try page(profiles, key: \.name)
        var writes: [(inout XMLWriter) -> Void] = []
        for profile in page { writes.append(try await writeInstanceProfile(profile, element: "member")) }
        return respond { xml in
            xml.element("InstanceProfiles") { list in
                for write in writes { write(&list) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }
}

extension Optional {
    /// `flatMap` with an asynchronous transform.
    fileprivate func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
