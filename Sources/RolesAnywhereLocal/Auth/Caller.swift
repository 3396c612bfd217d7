import RolesAnywhereSupport
/// Who made an authenticated request.
public enum Caller: Sendable, Hashable {
    /// The account's administrator keys: allowed everything, like the root user.
    case administrator(accountID: String)
    /// Temporary credentials of an assumed role.
    case session(SessionRecord)

    /// The principal's ARN, as GetCallerIdentity and AccessDenied messages show it.
    func arn(in configuration: LocalConfiguration) -> String {
        switch self {
        case .administrator(let account): ARN.accountRoot(configuration.partition, account: account).description
        case .session(let session): session.assumedRoleArn
        }
    }

    /// The `UserId` of GetCallerIdentity.
    func userID(accountID: String) -> String {
        switch self {
        case .administrator(let account): account
        case .session(let session): session.assumedRoleId
        }
    }
}
