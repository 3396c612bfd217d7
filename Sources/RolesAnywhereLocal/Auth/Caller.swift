import RolesAnywhereSupport
/// Who made an authenticated request.
public enum Caller: Sendable, Hashable {
    /// The account's administrator keys: allowed everything, like the root user.
    case administrator(accountID: String)
    /// Temporary credentials of an assumed role.
    case session(SessionRecord)
    /// An IAM user, signing with one of its access keys.
    case user(UserRecord, accessKey: AccessKeyRecord)

    /// The principal's ARN, as GetCallerIdentity and AccessDenied messages show it.
    func arn(in configuration: LocalConfiguration) -> String {
        switch self {
        case .administrator(let account): ARN.accountRoot(configuration.partition, account: account).description
        case .session(let session): session.assumedRoleArn
        case .user(let user, _): user.arn
        }
    }

    /// The `UserId` of GetCallerIdentity.
    func userID(accountID: String) -> String {
        switch self {
        case .administrator(let account): account
        case .session(let session): session.assumedRoleId
        case .user(let user, _): user.id
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
