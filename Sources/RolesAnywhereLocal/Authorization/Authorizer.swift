#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RolesAnywherePolicy
import RolesAnywhereSigning

/// Decides whether a caller may perform an action on a resource, with IAM's evaluation logic:
/// the administrator keys may do everything; a role session needs an Allow from the role's
/// policies (inline and attached), and from its session policies when it has any, and no Deny.
struct Authorizer: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let cache: PolicyCache
    let logger: Logger

    /// Throws AccessDenied (in AWS's message shape) unless `caller` may do `action` on `resource`.
    func authorize(
        _ caller: Caller,
        action: String,
        resource: String,
        request: LocalRequest,
        keys: [String: [String]] = [:]
    ) async throws(AWSError) {
        let (decision, context) = try await decide(caller, action: action, resource: resource, request: request, keys: keys)
        guard decision.isAllowed else {
            throw AWSError.accessDenied(PolicyEvaluator.accessDeniedMessage(decision, context: context))
        }
    }

    /// What IAM's identity-based evaluation decides for `caller` (the administrator keys: always
    /// allowed), with the context it decided in.
    func decide(
        _ caller: Caller, action: String, resource: String, request: LocalRequest, keys: [String: [String]] = [:]
    ) async throws(AWSError) -> (PolicyEvaluator.Decision, RequestContext) {
        var context = RequestContext(action: action, resource: resource, principalARN: caller.arn(in: configuration), keys: keys)
        guard case .session(let session) = caller else { return (.allow, context) }
        addGlobalKeys(to: &context, session: session, request: request)
        let identity: [PolicyEvaluator.Policy]
        let sessionPolicies: [PolicyEvaluator.Policy]?
        var boundary: PolicyEvaluator.Policy?
        do {
            // A session belongs to the role it was minted for, by unique ID: once that role is
            // deleted, a new role of the same name gives the old session nothing.
            let role = try await store.role(named: session.roleName)
            let current = role?.id == session.roleId ? role : nil
            identity = current != nil ? try await rolePolicies(session.roleName) : []
            sessionPolicies = session.hasSessionPolicies ? try await self.sessionPolicies(session) : nil
            if let arn = current?.permissionsBoundary {
                // A boundary that cannot be read allows nothing (fail closed).
                guard let document = try await managedPolicyDocument(arn).flatMap({ cache.document($0, kind: .identity) }) else {
                    return (.implicitDeny(missing: .permissionsBoundary), context)
                }
                boundary = PolicyEvaluator.Policy(document, name: "permissions boundary \(arn)")
            }
        } catch {
            throw AWSError.internalFailure("the policy store failed: \(error)")
        }
        let decision = PolicyEvaluator.evaluate(identity: identity, session: sessionPolicies, boundary: boundary, context: context)
        logger.debug(
            "authorisation",
            metadata: ["principal": "\(context.principalARN)", "action": "\(action)", "resource": "\(resource)", "decision": "\(decision)"]
        )
        return (decision, context)
    }

    /// The condition keys every request has.
    func addGlobalKeys(to context: inout RequestContext, session: SessionRecord, request: LocalRequest) {
        context.set("aws:CurrentTime", AmzDate(request.receivedAt).iso8601)
        context.set("aws:EpochTime", String(Int64(request.receivedAt.timeIntervalSince1970)))
        context.set("aws:SecureTransport", request.isSecure ? "true" : "false")
        context.set("aws:SourceIp", request.sourceIP)
        context.set("aws:PrincipalArn", session.roleArn)
        context.set("aws:PrincipalAccount", configuration.accountID)
        context.set("aws:PrincipalType", "AssumedRole")
        context.set("aws:userid", session.assumedRoleId)
        context.set("aws:TokenIssueTime", AmzDate(session.issuedAt).iso8601)
        context.set("aws:RequestedRegion", configuration.region)
        context.set("aws:SourceIdentity", session.sourceIdentity)
        for (key, value) in session.tags {
            context.set("aws:PrincipalTag/\(key)", value)
        }
        if !session.tags.isEmpty {
            context.set("aws:PrincipalTagKeys", values: session.tags.keys.sorted())
        }
    }

    func rolePolicies(_ roleName: String) async throws -> [PolicyEvaluator.Policy] {
        var policies = [PolicyEvaluator.Policy]()
        for (name, document) in try await store.rolePolicies(roleName: roleName) {
            if let parsed = cache.document(document, kind: .identity) {
                policies.append(PolicyEvaluator.Policy(parsed, name: "inline policy \(name)"))
            }
        }
        for arn in try await store.attachedPolicyArns(roleName: roleName) {
            if let document = try await managedPolicyDocument(arn), let parsed = cache.document(document, kind: .identity) {
                policies.append(PolicyEvaluator.Policy(parsed, name: "managed policy \(arn)"))
            }
        }
        return policies
    }

    func sessionPolicies(_ session: SessionRecord) async throws -> [PolicyEvaluator.Policy] {
        var policies = [PolicyEvaluator.Policy]()
        if let inline = session.sessionPolicy, let parsed = cache.document(inline, kind: .identity) {
            policies.append(PolicyEvaluator.Policy(parsed, name: "session policy"))
        }
        for arn in session.sessionPolicyArns {
            if let document = try await managedPolicyDocument(arn), let parsed = cache.document(document, kind: .identity) {
                policies.append(PolicyEvaluator.Policy(parsed, name: "session policy \(arn)"))
            }
        }
        return policies
    }

    func managedPolicyDocument(_ arn: String) async throws -> String? {
        if let builtin = ManagedPolicyCatalog.document(arn) { return builtin }
        return try await store.policy(arn: arn)?.document
    }
}
