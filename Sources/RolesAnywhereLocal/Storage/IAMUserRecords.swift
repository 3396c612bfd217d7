#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An IAM user: a long-term principal of the account, which signs with its access keys.
public struct UserRecord: Sendable, Hashable, Codable {
    public var name: String
    /// `AIDA...`.
    public var id: String
    public var arn: String
    public var path: String
    public var createDate: Date
    public var tags: [Tag]
    /// The ARN of the managed policy that bounds the user's permissions, if any.
    public var permissionsBoundary: String?

    public init(name: String, id: String, arn: String, path: String, createDate: Date, tags: [Tag] = [], permissionsBoundary: String? = nil) {
        self.name = name
        self.id = id
        self.arn = arn
        self.path = path
        self.createDate = createDate
        self.tags = tags
        self.permissionsBoundary = permissionsBoundary
    }

    static func notFoundMessage(_ name: String) -> String { "The user with name \(name) cannot be found." }
    static func alreadyExistsMessage(_ name: String) -> String { "User with name \(name) already exists." }
    /// IAM's DeleteConflict messages for DeleteUser, in the order IAM checks.
    static let hasAccessKeysMessage = "Cannot delete entity, must delete access keys first."
    /// DeleteUser of a group member (users report this wording from AWS, the group's own).
    static let inGroupsMessage = GroupRecord.hasMembersMessage
}

/// An IAM group: users that share its policies.
public struct GroupRecord: Sendable, Hashable, Codable {
    public var name: String
    /// `AGPA...`.
    public var id: String
    public var arn: String
    public var path: String
    public var createDate: Date

    public init(name: String, id: String, arn: String, path: String, createDate: Date) {
        self.name = name
        self.id = id
        self.arn = arn
        self.path = path
        self.createDate = createDate
    }

    static func notFoundMessage(_ name: String) -> String { "The group with name \(name) cannot be found." }
    static func alreadyExistsMessage(_ name: String) -> String { "Group with name \(name) already exists." }
    static let hasMembersMessage = "Cannot delete entity, must remove users from group first."
}

/// Whether an access key may sign requests.
public enum AccessKeyStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active = "Active"
    case inactive = "Inactive"
}

/// A user's long-term access key (`AKIA...`).
public struct AccessKeyRecord: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var userName: String
    public var status: AccessKeyStatus
    public var createDate: Date

    public init(accessKeyId: String, secretAccessKey: String, userName: String, status: AccessKeyStatus, createDate: Date) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.userName = userName
        self.status = status
        self.createDate = createDate
    }

    /// IAM allows a user two access keys.
    public static let limitPerUser = 2
    static let limitMessage = "Cannot exceed quota for AccessKeysPerUser: 2"
    static func notFoundMessage(_ id: String) -> String { "The Access Key with id \(id) cannot be found." }
}

/// A user or a group: what inline and attached policies belong to besides roles (which keep their
/// own, older tables).
public enum IAMPrincipal: Sendable, Hashable {
    case user(String)
    case group(String)

    /// Users or groups; the raw value is how the stores keep it.
    public enum Kind: String, Sendable, Hashable {
        case user, group
    }

    public var kind: Kind {
        switch self {
        case .user: .user
        case .group: .group
        }
    }


    /// The user's or group's name.
    public var name: String {
        switch self {
        case .user(let name), .group(let name): name
        }
    }

    var notFoundMessage: String {
        switch self {
        case .user(let name): UserRecord.notFoundMessage(name)
        case .group(let name): GroupRecord.notFoundMessage(name)
        }
    }

    func inlinePolicyNotFoundMessage(_ policyName: String) -> String {
        "The \(kind.rawValue) policy with name \(policyName) cannot be found."
    }
}
