#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSupport

/// IAM users (Create/Get/List/DeleteUser, tags, permissions boundaries) and their access keys
/// (Create/List/Update/DeleteAccessKey, GetAccessKeyLastUsed).
extension IAMCall {
    func existingUser(_ name: String) async throws -> UserRecord {
        guard let user = try await store.user(named: name) else {
            throw AWSError("NoSuchEntity", status: 404, UserRecord.notFoundMessage(name))
        }
        return user
    }

    /// `UserName`, checked against the shape the operation's model gives it: `userNameType` (64
    /// characters: CreateUser, the boundary calls, the attached-policy calls) or
    /// `existingUserNameType` (128: every other call).
    func userName(existing: Bool = true) throws(AWSError) -> String {
        try IAMValidation.name(try query.required("UserName"), member: "userName", limit: existing ? 128 : 64)
    }

    /// `UserName`, or the calling user's own name when it is left out (as IAM does for the
    /// access-key calls); other callers must name a user.
    func userNameOrCaller() throws(AWSError) -> String {
        if query["UserName"] != nil { return try userName() }
        guard case .user(let user, _) = caller else {
            throw AWSError.validation("Must specify userName when calling with non-User credentials")
        }
        return user.name
    }

    func createUser() async throws -> LocalResponse {
        let name = try userName(existing: false)
        let path = try IAMValidation.path(query["Path"])
        let user = UserRecord(
            name: name, id: RandomText.iamID(prefix: "AIDA"), arn: ARN.iam(partition, account: account, type: "user", path: path, name: name).description,
            path: path, createDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            tags: try IAMValidation.tags(query.tags(), entity: "User"), permissionsBoundary: try await permissionsBoundary(query["PermissionsBoundary"])
        )
        try await store.createUser(user)
        return respond { IAMXML.user(user, into: &$0) }
    }

    func getUser() async throws -> LocalResponse {
        let user = try await existingUser(try userNameOrCaller())
        return respond { IAMXML.user(user, into: &$0) }
    }

    func listUsers() async throws -> LocalResponse {
        let (users, marker) = try page(try await store.users(pathPrefix: query["PathPrefix"] ?? "/"), key: \.name)
        return respond { xml in
            xml.element("Users") { list in
                for user in users { IAMXML.user(user, into: &list, element: "member", listed: true) }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func deleteUser() async throws -> LocalResponse {
        try await store.deleteUser(named: try userName())
        return respond()
    }

    // MARK: - Tags and boundary

    func tagUser() async throws -> LocalResponse {
        var user = try await existingUser(try userName())
        user.tags = try IAMValidation.merging(query.tags(), into: user.tags, entity: "User")
        try await store.updateUser(user)
        return respond()
    }

    func untagUser() async throws -> LocalResponse {
        var user = try await existingUser(try userName())
        user.tags = try IAMValidation.removing(query.list("TagKeys"), from: user.tags)
        try await store.updateUser(user)
        return respond()
    }

    func listUserTags() async throws -> LocalResponse {
        let user = try await existingUser(try userName())
        let (tags, marker) = try page(user.tags, key: \.key)
        return respond { xml in
            IAMXML.tags(tags, into: &xml)
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func putUserPermissionsBoundary() async throws -> LocalResponse {
        var user = try await existingUser(try userName(existing: false))
        user.permissionsBoundary = try await permissionsBoundary(try query.required("PermissionsBoundary"))
        try await store.updateUser(user)
        return respond()
    }

    func deleteUserPermissionsBoundary() async throws -> LocalResponse {
        let name = try userName(existing: false)
        var user = try await existingUser(name)
        guard user.permissionsBoundary != nil else {
            throw AWSError("NoSuchEntity", status: 404, "The user with name \(name) does not have a permissions boundary.")
        }
        user.permissionsBoundary = nil
        try await store.updateUser(user)
        return respond()
    }

    // MARK: - Access keys

    func accessKeyID() throws(AWSError) -> String {
        let id = try query.required("AccessKeyId")
        guard (16...128).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw AWSError.constraint(id, member: "accessKeyId", "Member must satisfy regular expression pattern: [\\w]+")
        }
        return id
    }

    func createAccessKey() async throws -> LocalResponse {
        let user = try await existingUser(try userNameOrCaller())
        let key = AccessKeyRecord(
            accessKeyId: AccessKeyID.make(prefix: "AKIA", account: account), secretAccessKey: RandomText.base64(30), userName: user.name,
            status: .active, createDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        )
        try await store.createAccessKey(key)
        return respond { xml in
            xml.element("AccessKey") { entry in
                entry.element("UserName", key.userName)
                entry.element("AccessKeyId", key.accessKeyId)
                entry.element("Status", key.status.rawValue)
                entry.element("SecretAccessKey", key.secretAccessKey)
                entry.element("CreateDate", IAMXML.date(key.createDate))
            }
        }
    }

    func listAccessKeys() async throws -> LocalResponse {
        let user = try await existingUser(try userNameOrCaller())
        let (keys, marker) = try page(try await store.accessKeys(userName: user.name), key: \.accessKeyId, ordered: false)
        return respond { xml in
            xml.element("AccessKeyMetadata") { list in
                for key in keys {
                    list.element("member") { entry in
                        entry.element("UserName", key.userName)
                        entry.element("AccessKeyId", key.accessKeyId)
                        entry.element("Status", key.status.rawValue)
                        entry.element("CreateDate", IAMXML.date(key.createDate))
                    }
                }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func updateAccessKey() async throws -> LocalResponse {
        let id = try accessKeyID()
        let status = try choice("Status", member: "status", AccessKeyStatus.self)
        guard let status else { throw AWSError.validation("1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null") }
        let user = try await existingUser(try userNameOrCaller())
        try await store.updateAccessKey(id: id, userName: user.name, status: status)
        return respond()
    }

    func deleteAccessKey() async throws -> LocalResponse {
        let id = try accessKeyID()
        let user = try await existingUser(try userNameOrCaller())
        try await store.deleteAccessKey(id: id, userName: user.name)
        return respond()
    }

    /// GetAccessKeyLastUsed: the key's user; its use is not tracked here, which IAM answers as
    /// `N/A` for a key not used since tracking began.
    func getAccessKeyLastUsed() async throws -> LocalResponse {
        let id = try accessKeyID()
        guard let key = try await store.accessKey(id: id) else {
            throw AWSError("NoSuchEntity", status: 404, AccessKeyRecord.notFoundMessage(id))
        }
        return respond { xml in
            xml.element("UserName", key.userName)
            xml.element("AccessKeyLastUsed") { used in
                used.element("ServiceName", "N/A")
                used.element("Region", "N/A")
            }
        }
    }
}
