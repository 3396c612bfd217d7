#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RolesAnywherePolicy
import RolesAnywhereSigning
import RolesAnywhereSupport

/// Decides whether a caller may perform an action on a resource, with IAM's evaluation logic:
/// the administrator keys may do everything; a role session needs an Allow from the role's
/// policies (inline and attached), and from its session policies when it has any, and no Deny; an
/// IAM user needs an Allow from its own policies or its groups', and no Deny. A permissions
/// boundary (of the role or the user) limits either.
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
        addRequestKeys(to: &context, request: request)
        let bucketPolicy = try await self.bucketPolicy(action: action, resource: resource)
        if caller.isRoot {
            context.principal = .aws(arn: context.principalARN, account: configuration.accountID)
            // The account's root may do everything its own bucket policies do not deny, and may
            // always read, replace and delete them (so a policy cannot lock it out), as on AWS.
            if let bucketPolicy, !Self.bucketPolicyActions.contains(action.lowercased()),
                case .explicitDeny(let policy, let sid) = PolicyEvaluator.evaluate(resourcePolicy: bucketPolicy, context: context)
            {
                return (.explicitDeny(policy: policy, sid: sid), context)
            }
            return (.allow, context)
        }
        let identity: [PolicyEvaluator.Policy]
        var sessionPolicies: [PolicyEvaluator.Policy]?
        let boundaryArn: String?
        do {
            switch caller {
            case .administrator:
                return (.allow, context)
            case .session(let session) where session.kind != .role:
                // GetSessionToken's: the user's own permissions (the root's were decided above).
                // A user deleted and made again under its name gives the old session nothing.
                let user = try await store.user(named: session.roleName).flatMap { $0.id == session.roleId ? $0 : nil }
                context.principal = .aws(arn: session.roleArn, account: configuration.accountID)
                if let user { addGlobalKeys(to: &context, user: user) }
                context.set("aws:TokenIssueTime", AmzDate(session.issuedAt).iso8601)
                identity = if let user { try await userPolicies(user) } else { [] }
                boundaryArn = user?.permissionsBoundary
            case .session(let session):
                addGlobalKeys(to: &context, session: session)
                context.principal = .session(sessionARN: session.assumedRoleArn, roleARN: session.roleArn, account: configuration.accountID)
                // A session belongs to the role it was minted for, by unique ID: once that role is
                // deleted, a new role of the same name gives the old session nothing.
                let role = try await store.role(named: session.roleName)
                let current = role?.id == session.roleId ? role : nil
                identity = current != nil ? try await rolePolicies(session.roleName) : []
                sessionPolicies = session.hasSessionPolicies ? try await self.sessionPolicies(session) : nil
                boundaryArn = current?.permissionsBoundary
            case .user(let user, _):
                addGlobalKeys(to: &context, user: user)
                context.principal = .aws(arn: user.arn, account: configuration.accountID)
                identity = try await userPolicies(user)
                boundaryArn = user.permissionsBoundary
            }
        } catch {
            throw AWSError.internalFailure("the policy store failed: \(error)")
        }
        var boundary: PolicyEvaluator.Policy?
        if let arn = boundaryArn {
            // A boundary that cannot be read allows nothing (fail closed).
            let text: String?
            do {
                text = try await managedPolicyDocument(arn)
            } catch {
                throw AWSError.internalFailure("the policy store failed: \(error)")
            }
            guard let document = text.flatMap({ cache.document($0, kind: .identity) }) else {
                return (.implicitDeny(missing: .permissionsBoundary), context)
            }
            boundary = PolicyEvaluator.Policy(document, name: "permissions boundary \(arn)")
        }
        let decision =
            if let bucketPolicy {
                PolicyEvaluator.evaluate(identity: identity, session: sessionPolicies, boundary: boundary, resource: bucketPolicy, context: context)
            } else {
                PolicyEvaluator.evaluate(identity: identity, session: sessionPolicies, boundary: boundary, context: context)
            }
        logger.debug(
            "authorisation",
            metadata: ["principal": "\(context.principalARN)", "action": "\(action)", "resource": "\(resource)", "decision": "\(decision)"]
        )
        return (decision, context)
    }

    /// The S3 actions the account's root may always perform on its own buckets' policies.
    static let bucketPolicyActions: Set<String> = ["s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"]

    /// The policy of the bucket an S3 action is on, if it has one. A stored policy that no longer
    /// parses denies everything (fail closed).
    func bucketPolicy(action: String, resource: String) async throws(AWSError) -> PolicyEvaluator.Policy? {
        // Actions come from the generated tables (and the handlers' literals), spelt `s3:...`:
        // no lower-casing on every authorisation.
        guard action.hasPrefix("s3:"), let arn = ARN(resource), arn.service == "s3", arn.accountID.isEmpty else { return nil }
        let bucket = String(arn.resource.prefix { $0 != "/" })
        guard !bucket.isEmpty, !bucket.contains("*") else { return nil }
        let text: String?
        do {
            text = try await store.bucket(named: bucket)?.configuration.policy
        } catch {
            throw AWSError.internalFailure("the bucket store failed: \(error)")
        }
        guard let text else { return nil }
        let name = "resource-based policy of bucket \(bucket)"
        guard let document = cache.document(text, kind: .resource) else {
            return PolicyEvaluator.Policy(Self.denyEverything, name: name)
        }
        return PolicyEvaluator.Policy(document, name: name)
    }

    /// What an unreadable resource policy stands for.
    static let denyEverything = try! PolicyDocument(
        json: #"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#, kind: .resource
    )

    /// The condition keys of the request itself, whoever makes it.
    func addRequestKeys(to context: inout RequestContext, request: LocalRequest) {
        context.set("aws:CurrentTime", AmzDate(request.receivedAt).iso8601)
        context.set("aws:EpochTime", String(Int64(request.receivedAt.timeIntervalSince1970)))
        context.set("aws:SecureTransport", request.isSecure ? "true" : "false")
        context.set("aws:SourceIp", request.sourceIP)
        context.set("aws:RequestedRegion", configuration.region)
        context.set("aws:PrincipalAccount", configuration.accountID)
    }

    /// The condition keys of a role session.
    func addGlobalKeys(to context: inout RequestContext, session: SessionRecord) {
        context.set("aws:PrincipalArn", session.roleArn)
        context.set("aws:PrincipalType", "AssumedRole")
        context.set("aws:userid", session.assumedRoleId)
        context.set("aws:TokenIssueTime", AmzDate(session.issuedAt).iso8601)
        context.set("aws:SourceIdentity", session.sourceIdentity)
        for (key, value) in session.tags {
            context.set("aws:PrincipalTag/\(key)", value)
        }
        if !session.tags.isEmpty {
            context.set("aws:PrincipalTagKeys", values: session.tags.keys.sorted())
        }
    }

    /// The condition keys of an IAM user.
    func addGlobalKeys(to context: inout RequestContext, user: UserRecord) {
        context.set("aws:PrincipalArn", user.arn)
        context.set("aws:PrincipalType", "User")
        context.set("aws:userid", user.id)
        context.set("aws:username", user.name)
        for tag in user.tags {
            context.set("aws:PrincipalTag/\(tag.key)", tag.value)
        }
        if !user.tags.isEmpty {
            context.set("aws:PrincipalTagKeys", values: user.tags.map(\.key))
        }
    }

    /// A user's policies: its own inline and attached ones, then those of each group it is in.
    func userPolicies(_ user: UserRecord) async throws -> [PolicyEvaluator.Policy] {
        var policies = try await principalPolicies(.user(user.name), label: "user \(user.name)")
        for group in try await store.groups(ofUser: user.name) {
            policies += try await principalPolicies(.group(group.name), label: "group \(group.name)")
        }
        return policies
    }

    func principalPolicies(_ principal: IAMPrincipal, label: String) async throws -> [PolicyEvaluator.Policy] {
        var policies = [PolicyEvaluator.Policy]()
        for (name, document) in try await store.inlinePolicies(principal) {
            if let parsed = cache.document(document, kind: .identity) {
                policies.append(PolicyEvaluator.Policy(parsed, name: "inline policy \(name) of \(label)"))
            }
        }
        for arn in try await store.attachedPolicyArns(principal) {
            if let document = try await managedPolicyDocument(arn), let parsed = cache.document(document, kind: .identity) {
                policies.append(PolicyEvaluator.Policy(parsed, name: "managed policy \(arn) of \(label)"))
            }
        }
        return policies
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
