import RolesAnywhereSupport
/// The `Principal` of a statement: `"*"`, or principals by type (`AWS`, `Service`, `Federated`,
/// `CanonicalUser`).
public struct PrincipalMatcher: Sendable, Hashable {
    /// `"*"`: everyone.
    public var isEveryone: Bool
    /// Values by type, e.g. `["Service": ["rolesanywhere.amazonaws.com"]]`.
    public var values: [String: [String]]

    init(_ value: JSONValue) throws(PolicyError) {
        switch value {
        case .string("*"):
            isEveryone = true
            values = [:]
        case .object(let members):
            isEveryone = false
            var values = [String: [String]]()
            for (type, entry) in members {
                guard ["AWS", "Service", "Federated", "CanonicalUser"].contains(type) else {
                    throw PolicyError("Invalid principal in policy: unknown principal type \(type)")
                }
                values[type] = try PolicyDocument.strings(entry, field: "Principal")
            }
            guard !values.isEmpty else { throw PolicyError("Invalid principal in policy: empty Principal") }
            self.values = values
        default:
            throw PolicyError("Invalid principal in policy: Principal must be \"*\" or an object.")
        }
    }

    /// Whether the principal of the request is named.
    func matches(_ principal: RequestPrincipal) -> Bool {
        if isEveryone { return true }
        switch principal {
        case .service(let name):
            return values["Service"]?.contains(where: { $0.lowercased().hasSameCodePoints(as: name.lowercased()) }) == true
        case .aws(let arn, let account):
            return matches(arns: [arn], account: account)
        case .session(let sessionARN, let roleARN, let account):
            return matches(arns: [sessionARN, roleARN], account: account)
        }
    }

    /// Whether an `AWS` principal names one of `arns`, `*`, or (when `account` is given) the
    /// account or its root.
    func matches(arns: [String], account: String?) -> Bool {
        guard let names = values["AWS"] else { return false }
        return names.contains { name in
            if name == "*" || arns.contains(where: { name.hasSameCodePoints(as: $0) }) { return true }
            guard let account else { return false }
            if name.hasSameCodePoints(as: account) { return true }
            // The account's root, `arn:PARTITION:iam::ACCOUNT:root`, in any partition.
            guard let root = ARN(name) else { return false }
            return root.service.hasSameCodePoints(as: "iam") && root.region.isEmpty && root.accountID.hasSameCodePoints(as: account)
                && root.resource.hasSameCodePoints(as: "root")
        }
    }
}

/// Who makes a request, for `Principal` matching in trust policies.
public enum RequestPrincipal: Sendable, Hashable {
    /// An AWS service such as `rolesanywhere.amazonaws.com`.
    case service(String)
    /// An IAM principal with its ARN and account; without an account, only a policy that names
    /// the ARN itself (or `*`) matches, not one that names the account.
    case aws(arn: String, account: String?)
    /// A role session, named in trust policies by its session ARN or by its role's ARN; without
    /// an account, only a policy that names one of them (or `*`) matches.
    case session(sessionARN: String, roleARN: String, account: String?)
}
