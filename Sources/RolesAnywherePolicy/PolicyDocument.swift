import RolesAnywhereSupport
/// An IAM policy document: identity policies (inline or managed), session policies, and role trust
/// policies, parsed and checked as IAM checks them.
public struct PolicyDocument: Sendable, Hashable {
    /// What a document is used as; it decides which elements are required or forbidden.
    public enum Kind: Sendable, Hashable {
        /// Attached to a role, or a session policy: no `Principal`, `Resource` required.
        case identity
        /// A role trust policy (a resource policy on the role): `Principal` required, no `Resource`.
        case trust
        /// A resource-based policy on another resource (an AWS Private CA's, say): `Principal` and
        /// `Resource` both required.
        case resource
    }

    /// `2012-10-17` or `2008-10-17` (the default when absent; it disables policy variables).
    public var version: String
    public var statements: [Statement]

    public static let maximumLength = 131_072

    public struct Statement: Sendable, Hashable {
        public enum Effect: String, Sendable, Hashable {
            case allow = "Allow"
            case deny = "Deny"
        }

        public var sid: String?
        public var effect: Effect
        /// `Principal` (positive) or `NotPrincipal` (negated); `nil` when neither is given.
        public var principal: PrincipalMatcher?
        public var principalIsNegated: Bool
        /// Action patterns; `actionIsNegated` for `NotAction`.
        public var actions: [String]
        public var actionIsNegated: Bool
        /// Resource patterns; `nil` when the statement has none (trust policies).
        public var resources: [String]?
        public var resourceIsNegated: Bool
        public var conditions: [Condition]
    }

    /// Parses and checks a policy document.
    ///
    /// - Throws: ``PolicyError`` with a message in the spirit of IAM's `MalformedPolicyDocument`.
    public init(json text: String, kind: Kind) throws(PolicyError) {
        guard !text.isEmpty else { throw PolicyError("Policy document must not be empty.") }
        guard text.utf8.count <= Self.maximumLength else {
            throw PolicyError("Cannot exceed quota for PolicySize: \(Self.maximumLength)")
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw PolicyError("Syntax errors in policy.")
        }
        guard case .object(let members) = root else {
            throw PolicyError("Syntax errors in policy.")
        }
        for key in members.keys where !["Version", "Id", "Statement"].contains(key) {
            throw PolicyError("Syntax errors in policy: unknown top-level field \(key).")
        }
        switch members["Version"] {
        case nil:
            version = "2008-10-17"
        case .string(let value) where value == "2012-10-17" || value == "2008-10-17":
            version = value
        case .some(let other):
            throw PolicyError("The policy failed legacy parsing: Version \(other.scalarText ?? "value") is not 2012-10-17 or 2008-10-17.")
        }
        let statementValues: [JSONValue]
        switch members["Statement"] {
        case .array(let values): statementValues = values
        case .object?: statementValues = [members["Statement"]!]
        case nil: throw PolicyError("Missing required field Statement")
        default: throw PolicyError("Syntax errors in policy: Statement must be an object or an array.")
        }
        guard !statementValues.isEmpty else { throw PolicyError("Missing required field Statement") }
        var statements = [Statement]()
        for value in statementValues {
            statements.append(try Self.statement(value, kind: kind))
        }
        self.statements = statements
    }

    /// Whether policy variables (`${aws:username}`) are substituted: only in version 2012-10-17.
    public var substitutesVariables: Bool { version == "2012-10-17" }

    static let statementFields: Set<String> = [
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
    ]

    static func statement(_ value: JSONValue, kind: Kind) throws(PolicyError) -> Statement {
        guard case .object(let fields) = value else {
            throw PolicyError("Syntax errors in policy: each statement must be an object.")
        }
        for key in fields.keys where !statementFields.contains(key) {
            throw PolicyError("Syntax errors in policy: unknown field \(key) in a statement.")
        }
        let sid: String?
        switch fields["Sid"] {
        case nil: sid = nil
        case .string(let value):
            guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw PolicyError("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
            }
            sid = value
        default: throw PolicyError("Syntax errors in policy: Sid must be a string.")
        }
        guard let effectValue = fields["Effect"] else { throw PolicyError("Missing required field Effect") }
        guard case .string(let effectText) = effectValue, let effect = Statement.Effect(rawValue: effectText) else {
            throw PolicyError("Invalid effect: \(effectValue.scalarText ?? "value"). Effect must be Allow or Deny.")
        }

        let hasAction = fields["Action"] != nil
        let hasNotAction = fields["NotAction"] != nil
        guard hasAction != hasNotAction else {
            throw PolicyError(hasAction ? "Statement cannot have both Action and NotAction." : "Missing required field Action")
        }
        let actions = try strings(fields[hasAction ? "Action" : "NotAction"]!, field: hasAction ? "Action" : "NotAction")
        for action in actions where action != "*" {
            let parts = action.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else {
                throw PolicyError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
            }
        }

        let hasResource = fields["Resource"] != nil
        let hasNotResource = fields["NotResource"] != nil
        if hasResource && hasNotResource { throw PolicyError("Statement cannot have both Resource and NotResource.") }
        var resources: [String]?
        switch kind {
        case .identity, .resource:
            guard hasResource || hasNotResource else { throw PolicyError("Policy statement must contain resources.") }
            resources = try strings(fields[hasResource ? "Resource" : "NotResource"]!, field: "Resource")
            for resource in resources! where resource != "*" && !resource.hasPrefix("arn:") {
                throw PolicyError("Resource \(resource) must be in ARN format or \"*\".")
            }
        case .trust:
            if hasResource || hasNotResource { throw PolicyError("Has prohibited field Resource") }
        }

        let hasPrincipal = fields["Principal"] != nil
        let hasNotPrincipal = fields["NotPrincipal"] != nil
        var principal: PrincipalMatcher?
        switch kind {
        case .identity:
            if hasPrincipal || hasNotPrincipal { throw PolicyError("Policy document should not specify a principal.") }
        case .trust, .resource:
            guard hasPrincipal != hasNotPrincipal else {
                throw PolicyError(hasPrincipal ? "Statement cannot have both Principal and NotPrincipal." : "Missing required field Principal")
            }
            principal = try PrincipalMatcher(fields[hasPrincipal ? "Principal" : "NotPrincipal"]!)
        }

        var conditions = [Condition]()
        if let conditionValue = fields["Condition"] {
            guard case .object(let operators) = conditionValue else {
                throw PolicyError("Syntax errors in policy: Condition must be an object.")
            }
            for (operatorName, keys) in operators.sorted(by: { $0.key < $1.key }) {
                conditions.append(contentsOf: try Condition.parse(operator: operatorName, keys))
            }
        }
        return Statement(
            sid: sid,
            effect: effect,
            principal: principal,
            principalIsNegated: hasNotPrincipal,
            actions: actions,
            actionIsNegated: hasNotAction,
            resources: resources,
            resourceIsNegated: hasNotResource,
            conditions: conditions
        )
    }

    /// A string or an array of strings.
    static func strings(_ value: JSONValue, field: String) throws(PolicyError) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let values):
            var result = [String]()
            for value in values {
                guard case .string(let text) = value else {
                    throw PolicyError("Syntax errors in policy: \(field) must hold strings.")
                }
                result.append(text)
            }
            guard !result.isEmpty else { throw PolicyError("Syntax errors in policy: \(field) must not be empty.") }
            return result
        default:
            throw PolicyError("Syntax errors in policy: \(field) must be a string or an array of strings.")
        }
    }
}
