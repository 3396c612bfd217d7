/// What a request is, for policy evaluation: the action, the resource, the principal and the
/// condition keys (`aws:PrincipalTag/x509Subject/CN`, `aws:SourceIp`, `s3:prefix`, ...).
public struct RequestContext: Sendable, Hashable {
    /// `service:Action`, e.g. `s3:ListAllMyBuckets`.
    public var action: String
    /// The resource ARN (`*` when the action has no resource).
    public var resource: String
    /// Who makes the request (for trust policies).
    public var principal: RequestPrincipal?
    /// The principal's ARN, for messages.
    public var principalARN: String
    /// Condition keys, by lower-cased name; values are lists (single-valued keys have one).
    public private(set) var keys: [String: [String]]

    public init(action: String, resource: String, principal: RequestPrincipal? = nil, principalARN: String, keys: [String: [String]] = [:]) {
        self.action = action
        self.resource = resource
        self.principal = principal
        self.principalARN = principalARN
        self.keys = [:]
        for (name, values) in keys { self.keys[name.lowercased()] = values }
    }

    /// Sets a single-valued key (names are case-insensitive).
    public mutating func set(_ name: String, _ value: String?) {
        keys[name.lowercased()] = value.map { [$0] }
    }

    /// Sets a multi-valued key.
    public mutating func set(_ name: String, values: [String]) {
        keys[name.lowercased()] = values
    }

    /// The values of a key, or `nil` when the request does not have it.
    public func values(_ name: String) -> [String]? {
        keys[name.lowercased()]
    }
}
