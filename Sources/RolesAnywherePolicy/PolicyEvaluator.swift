/// IAM's evaluation logic within one account (IAM User Guide, "Policy evaluation logic"):
/// an explicit Deny in any policy wins; otherwise an identity-based policy must allow; and when the
/// session has session policies, one of them must allow too. Trust policies are evaluated on their
/// own, against the requesting principal.
public enum PolicyEvaluator {
    /// A policy with the kind of policy it is, for evaluation and messages.
    public struct Policy: Sendable, Hashable {
        public var document: PolicyDocument
        /// A name for logs, e.g. `inline policy list-buckets of role bucket-lister`.
        public var name: String

        public init(_ document: PolicyDocument, name: String) {
            self.document = document
            self.name = name
        }
    }

    /// The decision, with the reason (for logs and the AccessDenied message).
    public enum Decision: Sendable, Hashable, CustomStringConvertible {
        case allow
        /// A Deny statement matched.
        case explicitDeny(policy: String, sid: String?)
        /// Nothing allowed it; `missing` names the kind of policy that lacked an Allow.
        case implicitDeny(missing: PolicyType)

        public var isAllowed: Bool { self == .allow }

        public var description: String {
            switch self {
            case .allow: "allowed"
            case .explicitDeny(let policy, let sid): "explicitly denied by \(sid.map { "statement \($0) of " } ?? "")\(policy)"
            case .implicitDeny(let missing): "not allowed by any statement of the \(missing.rawValue) policy"
            }
        }
    }

    public enum PolicyType: String, Sendable, Hashable {
        case identityBased = "identity-based"
        case session = "session"
        case resourceBased = "resource-based"
        case permissionsBoundary = "permissions boundary"
    }

    /// Evaluates an identity request: `identity` (the role's inline and attached policies) must
    /// allow, `session` (when not `nil`) must allow too, and no statement anywhere may deny.
    ///
    /// - Parameter boundary: the principal's permissions boundary, if it has one: it must allow too.
    public static func evaluate(identity: [Policy], session: [Policy]?, boundary: Policy? = nil, context: RequestContext) -> Decision {
        for policy in identity + (session ?? []) + (boundary.map { [$0] } ?? []) {
            if let sid = firstMatch(in: policy.document, effect: .deny, context: context) {
                return .explicitDeny(policy: policy.name, sid: sid.sid)
            }
        }
        guard identity.contains(where: { firstMatch(in: $0.document, effect: .allow, context: context) != nil }) else {
            return .implicitDeny(missing: .identityBased)
        }
        if let boundary, firstMatch(in: boundary.document, effect: .allow, context: context) == nil {
            return .implicitDeny(missing: .permissionsBoundary)
        }
        if let session, !session.contains(where: { firstMatch(in: $0.document, effect: .allow, context: context) != nil }) {
            return .implicitDeny(missing: .session)
        }
        return .allow
    }

    /// Evaluates a request in one account to a resource that has a resource-based policy (a
    /// bucket policy): an Allow from the identity-based policies or from the resource policy (for
    /// the principal in `context`) is needed, the permissions boundary and session policies limit
    /// either, and a Deny anywhere denies. Resource policies naming a session's own ARN are not
    /// exempted from its boundary or session policies here, as AWS exempts them: failing closed.
    public static func evaluate(
        identity: [Policy], session: [Policy]?, boundary: Policy?, resource: Policy, context: RequestContext
    ) -> Decision {
        if let sid = firstMatch(in: resource.document, effect: .deny, context: context) {
            return .explicitDeny(policy: resource.name, sid: sid.sid)
        }
        let identityDecision = evaluate(identity: identity, session: session, boundary: boundary, context: context)
        guard identityDecision == .implicitDeny(missing: .identityBased), firstMatch(in: resource.document, effect: .allow, context: context) != nil
        else { return identityDecision }
        // Allowed by the resource policy alone: still within the boundary and the session policies.
        if let boundary, firstMatch(in: boundary.document, effect: .allow, context: context) == nil {
            return .implicitDeny(missing: .permissionsBoundary)
        }
        if let session, !session.contains(where: { firstMatch(in: $0.document, effect: .allow, context: context) != nil }) {
            return .implicitDeny(missing: .session)
        }
        return .allow
    }

    /// Evaluates a resource policy on its own, as for a role's trust policy: the principal in
    /// `context` must be explicitly allowed and not denied.
    public static func evaluate(resourcePolicy policy: Policy, context: RequestContext) -> Decision {
        if let match = firstMatch(in: policy.document, effect: .deny, context: context) {
            return .explicitDeny(policy: policy.name, sid: match.sid)
        }
        if firstMatch(in: policy.document, effect: .allow, context: context) != nil {
            return .allow
        }
        return .implicitDeny(missing: .resourceBased)
    }

    /// The message AWS puts in AccessDenied for a denied identity request.
    public static func accessDeniedMessage(_ decision: Decision, context: RequestContext) -> String {
        let base = "User: \(context.principalARN) is not authorized to perform: \(context.action) on resource: \(context.resource)"
        switch decision {
        case .allow:
            return base
        case .explicitDeny(let policy, _):
            let kind =
                policy.hasPrefix("session") ? "a session policy"
                : policy.hasPrefix("permissions boundary") ? "a permissions boundary"
                : policy.hasPrefix("resource-based") ? "a resource-based policy" : "an identity-based policy"
            return base + " with an explicit deny in \(kind)"
        case .implicitDeny(.permissionsBoundary):
            return base + " because no permissions boundary allows the \(context.action) action"
        case .implicitDeny(let missing):
            return base + " because no \(missing.rawValue) policy allows the \(context.action) action"
        }
    }

    /// The first statement of `document` with `effect` that applies to `context`.
    static func firstMatch(in document: PolicyDocument, effect: PolicyDocument.Statement.Effect, context: RequestContext) -> PolicyDocument.Statement? {
        document.statements.first { statement in
            statement.effect == effect && applies(statement, document: document, context: context)
        }
    }

    static func applies(_ statement: PolicyDocument.Statement, document: PolicyDocument, context: RequestContext) -> Bool {
        // Action (case-insensitive).
        let actionMatches = statement.actions.contains { Wildcard($0).matches(context.action, ignoringCase: true) }
        guard actionMatches != statement.actionIsNegated else { return false }
        // Resource (with policy variables).
        if let resources = statement.resources {
            let resourceMatches = resources.contains { resource in
                guard let pattern = PolicyVariables.pattern(resource, context: context, substitute: document.substitutesVariables) else {
                    return false
                }
                return ARNPattern.matches(pattern, context.resource)
            }
            guard resourceMatches != statement.resourceIsNegated else { return false }
        }
        // Principal (resource and trust policies).
        if let principal = statement.principal {
            guard let requester = context.principal else { return false }
            guard principal.matches(requester) != statement.principalIsNegated else { return false }
        }
        // Every condition must hold.
        return statement.conditions.allSatisfy { $0.evaluate(context, substituteVariables: document.substitutesVariables) }
    }
}
