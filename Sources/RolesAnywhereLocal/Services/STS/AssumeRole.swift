#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSigning
import RolesAnywhereSupport

/// `sts:AssumeRole`, as a CLI profile with `role_arn` and `source_profile` calls it: a role session
/// (from CreateSession or an earlier AssumeRole) or the administrator keys assume another role.
///
/// The decision is IAM's for a principal of the same account: the role's trust policy must allow
/// the caller `sts:AssumeRole` (and `sts:TagSession` when tags are sent, `sts:SetSourceIdentity`
/// when a source identity is set or carried), and no policy may deny it. A trust policy that names
/// the caller itself (its session or role ARN) is enough on its own; one that names only the
/// account also needs the caller's own policies to allow `sts:AssumeRole` on the role. Role
/// chaining (a session assuming a role) is capped at one hour, and the source identity is carried.
struct AssumeRoleHandler: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer
    let policies: PolicyCache
    let minter: SessionMinter

    static let sessionNamePattern = #"[\w+=,.@-]*"#
    static let chainingLimit = 3600

    func handle(model: OperationModel, request: LocalRequest, query: QueryRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        let account = configuration.accountID
        let roleArn = try query.required("RoleArn")
        let sessionName = try query.required("RoleSessionName")
        try Self.check(roleArn, member: "roleArn", length: 20...2048)
        try Self.check(sessionName, member: "roleSessionName", length: 2...64, pattern: Self.sessionNamePattern) { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_+=,.@-".contains($0) }
        let requested = try query.integer("DurationSeconds")
        if let requested, !(900...43_200).contains(requested) {
            throw AWSError.validation("1 validation error detected: Value '\(requested)' at 'durationSeconds' failed to satisfy constraint: Member must have value \(requested < 900 ? "greater than or equal to 900" : "less than or equal to 43200")")
        }
        let sessionPolicy = query["Policy"]
        if let sessionPolicy {
            try Self.check(sessionPolicy, member: "policy", length: 1...2048)
            guard policies.document(sessionPolicy, kind: .identity) != nil else {
                throw AWSError("MalformedPolicyDocument", status: 400, "The policy is not in the valid JSON format.")
            }
        }
        let policyArns = Self.policyArns(query)
        guard policyArns.count <= 10 else {
            throw AWSError.validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
        }
        let tags = query.tags()
        guard tags.count <= 50 else {
            throw AWSError.validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        for tag in tags {
            try Self.check(tag.key, member: "tags.member.key", length: 1...128)
            try Self.check(tag.value, member: "tags.member.value", length: 0...256)
        }
        let transitiveKeys = query.list("TransitiveTagKeys")
        guard transitiveKeys.count <= 50 else {
            throw AWSError.validation("1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        let sentKeys = Set(tags.map { $0.key.lowercased() })
        for key in transitiveKeys where !sentKeys.contains(key.lowercased()) {
            throw AWSError("InvalidParameterValue", status: 400, "The transitive tag key \(key) is not the key of a session tag sent in Tags.")
        }
        let requestedSource = query["SourceIdentity"]
        if let requestedSource { try Self.check(requestedSource, member: "sourceIdentity", length: 2...64) }

        // The caller: who it is for the trust policy, and what it carries into the new session.
        let principal: RequestPrincipal
        let inherited: SessionRecord?
        switch caller {
        case .administrator:
            principal = .aws(arn: ARN.accountRoot(configuration.partition, account: account).description, account: account)
            inherited = nil
        case .session(let session) where session.kind != .role:
            // GetSessionToken's credentials assume a role as their user (or the root) would: not
            // role chaining.
            principal = .aws(arn: session.roleArn, account: account)
            inherited = nil
        case .session(let session):
            principal = .session(sessionARN: session.assumedRoleArn, roleARN: session.roleArn, account: account)
            inherited = session
        case .user(let user, _):
            principal = .aws(arn: user.arn, account: account)
            inherited = nil
        }
        if let carried = inherited?.sourceIdentity, let requestedSource, requestedSource != carried {
            throw AWSError.accessDenied("The source identity \(carried) of \(caller.arn(in: configuration)) cannot be changed to \(requestedSource) when it assumes a role.")
        }
        let sourceIdentity = inherited?.sourceIdentity ?? requestedSource
        // A session's transitive tags pass on, and cannot be set again (tag keys compare
        // case-insensitively, as IAM's do).
        let inheritedKeys = Set((inherited?.transitiveTagKeys ?? []).map { $0.lowercased() })
        let inheritedTags = (inherited?.tags ?? [:]).filter { inheritedKeys.contains($0.key.lowercased()) }
        for tag in tags where inheritedKeys.contains(tag.key.lowercased()) {
            throw AWSError(
                "InvalidParameterValue", status: 400,
                "The session tag \(tag.key) cannot be set: \(caller.arn(in: configuration)) passes it on as a transitive tag, which cannot be changed in a role chain."
            )
        }

        let denied = AWSError.accessDenied("User: \(caller.arn(in: configuration)) is not authorized to perform: sts:AssumeRole on resource: \(roleArn)")
        let role: RoleRecord
        do {
            guard let name = configuration.roleName(roleArn), let found = try await store.role(named: name), found.arn == roleArn
            else { throw denied }
            role = found
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("the role store failed: \(error)")
        }

        var actions = ["sts:AssumeRole"]
        if !tags.isEmpty { actions.append("sts:TagSession") }
        if sourceIdentity != nil { actions.append("sts:SetSourceIdentity") }
        for action in actions {
            try await authorize(
                action, caller: caller, principal: principal, role: role, request: request, query: query, tags: tags, transitiveKeys: transitiveKeys,
                sourceIdentity: sourceIdentity, sessionName: sessionName, denied: denied
            )
        }

        let maximum = inherited == nil ? role.maxSessionDuration : min(Self.chainingLimit, role.maxSessionDuration)
        let duration = requested ?? min(3600, maximum)
        if duration > maximum {
            throw AWSError.validation(
                inherited == nil
                    ? "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                    : "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
            )
        }
        let session: SessionRecord
        do {
            session = try await minter.mint(
                .init(
                    role: role, sessionName: sessionName, duration: TimeInterval(duration), sourceIdentity: sourceIdentity,
                    tags: inheritedTags.merging(tags.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }), sessionPolicy: sessionPolicy,
                    sessionPolicyArns: policyArns, transitiveTagKeys: (inherited?.transitiveTagKeys ?? []) + transitiveKeys
                ),
                now: request.receivedAt
            )
        } catch {
            throw AWSError.internalFailure("the session was not stored: \(error)")
        }
        let packed = (sessionPolicy?.utf8.count ?? 0) + policyArns.reduce(0) { $0 + $1.utf8.count } + tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        return .query(action: model.name, namespace: STSService.namespace, requestID: request.requestID) { xml in
            STSService.credentials(session, into: &xml)
            xml.element("AssumedRoleUser") { user in
                user.element("AssumedRoleId", session.assumedRoleId)
                user.element("Arn", session.assumedRoleArn)
            }
            if !tags.isEmpty || sessionPolicy != nil || !policyArns.isEmpty {
                xml.element("PackedPolicySize", min(100, packed * 100 / 2048))
            }
            xml.element("SourceIdentity", sourceIdentity)
        }
    }

    /// One action of the call: the trust policy decides with the caller's own policies, as IAM
    /// does for a principal of the role's account.
    func authorize(
        _ action: String, caller: Caller, principal: RequestPrincipal, role: RoleRecord, request: LocalRequest, query: QueryRequest, tags: [Tag],
        transitiveKeys: [String], sourceIdentity: String?, sessionName: String, denied: AWSError
    ) async throws(AWSError) {
        guard let document = policies.document(role.assumeRolePolicyDocument, kind: .trust) else { throw denied }
        let trust = PolicyEvaluator.Policy(document, name: "trust policy of \(role.name)")
        var context = RequestContext(action: action, resource: role.arn, principal: principal, principalARN: caller.arn(in: configuration))
        authorizer.addRequestKeys(to: &context, request: request)
        switch caller {
        case .session(let session) where session.kind != .role: context.set("aws:PrincipalArn", session.roleArn)
        case .session(let session): authorizer.addGlobalKeys(to: &context, session: session)
        case .user(let user, _): authorizer.addGlobalKeys(to: &context, user: user)
        case .administrator: context.set("aws:PrincipalArn", caller.arn(in: configuration))
        }
        context.set("sts:RoleSessionName", sessionName)
        context.set("sts:ExternalId", query["ExternalId"])
        context.set("sts:SourceIdentity", sourceIdentity)
        for tag in tags { context.set("aws:RequestTag/\(tag.key)", tag.value) }
        if !tags.isEmpty { context.set("aws:TagKeys", values: tags.map(\.key)) }
        if !transitiveKeys.isEmpty { context.set("sts:TransitiveTagKeys", values: transitiveKeys) }

        let byTrust = PolicyEvaluator.evaluate(resourcePolicy: trust, context: context)
        if case .explicitDeny = byTrust { throw denied }
        // Named itself (not through its account): the trust policy alone grants.
        var named = context
        switch principal {
        case .aws(let arn, _): named.principal = .aws(arn: arn, account: nil)
        case .session(let sessionARN, let roleARN, _): named.principal = .session(sessionARN: sessionARN, roleARN: roleARN, account: nil)
        case .service: break
        }
        let byName = PolicyEvaluator.evaluate(resourcePolicy: trust, context: named)
        let (byIdentity, _) = try await authorizer.decide(caller, action: action, resource: role.arn, request: request)
        if case .explicitDeny = byIdentity { throw denied }
        guard byName.isAllowed || (byTrust.isAllowed && byIdentity.isAllowed) else { throw denied }
    }

    /// `PolicyArns.member.N.arn`, as the query protocol sends a list of structures.
    static func policyArns(_ query: QueryRequest) -> [String] {
        var values = [(Int, String)]()
        for (key, value) in query.parameters where key.hasPrefix("PolicyArns.member.") && key.hasSuffix(".arn") {
            let index = key.dropFirst("PolicyArns.member.".count).dropLast(".arn".count)
            if let number = Int(index) { values.append((number, value)) }
        }
        return values.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// STS's validation of one member: its length, and characters allowed by `pattern`.
    static func check(
        _ value: String, member: String, length: ClosedRange<Int>, pattern: String? = nil, allowed: ((Character) -> Bool)? = nil
    ) throws(AWSError) {
        guard length.contains(value.count) else {
            let bound = value.count < length.lowerBound ? "greater than or equal to \(length.lowerBound)" : "less than or equal to \(length.upperBound)"
            throw AWSError.validation("1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have length \(bound)")
        }
        if let pattern, let allowed, !value.allSatisfy(allowed) {
            throw AWSError.validation("1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must satisfy regular expression pattern: \(pattern)")
        }
    }
}
