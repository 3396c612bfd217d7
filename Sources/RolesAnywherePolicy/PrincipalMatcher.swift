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
            guard let names = values["AWS"] else { return false }
            return names.contains { name in
                name == "*" || name.hasSameCodePoints(as: arn) || name.hasSameCodePoints(as: account)
                    || name.hasSameCodePoints(as: "arn:aws:iam::\(account):root")
            }
        }
    }
}

/// Who makes a request, for `Principal` matching in trust policies.
public enum RequestPrincipal: Sendable, Hashable {
    /// An AWS service such as `rolesanywhere.amazonaws.com`.
    case service(String)
    /// An IAM principal with its ARN and account.
    case aws(arn: String, account: String)
}
