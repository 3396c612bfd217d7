import RolesAnywhereSupport
/// Who made an authenticated request.
public enum Caller: Sendable, Hashable {
    /// The account's administrator keys: allowed everything, like the root user.
    case administrator(accountID: String)
    /// Temporary credentials: of an assumed role, or from GetSessionToken of a user or the root.
    case session(SessionRecord)
    /// An IAM user, signing with one of its access keys.
    case user(UserRecord, accessKey: AccessKeyRecord)

    /// The principal's ARN, as GetCallerIdentity and AccessDenied messages show it.
    func arn(in configuration: LocalConfiguration) -> String {
        switch self {
        case .administrator(let account): ARN.accountRoot(configuration.partition, account: account).description
        case .session(let session): session.principalArn
        case .user(let user, _): user.arn
        }
    }

    /// The `UserId` of GetCallerIdentity.
    func userID(accountID: String) -> String {
        switch self {
        case .administrator(let account): account
        case .session(let session): session.principalId
        case .user(let user, _): user.id
        }
    }

    /// Whether the caller is the account's root: the administrator keys, or a session they got
    /// from GetSessionToken.
    var isRoot: Bool {
        switch self {
        case .administrator: true
        case .session(let session): session.kind == .root
        case .user: false
        }
    }

    /// The secret the caller signed with.
    func secretAccessKey(in configuration: LocalConfiguration) -> String {
        switch self {
        case .administrator: configuration.adminSecretAccessKey
        case .session(let session): session.secretAccessKey
        case .user(_, let key): key.secretAccessKey
        }
    }
}
