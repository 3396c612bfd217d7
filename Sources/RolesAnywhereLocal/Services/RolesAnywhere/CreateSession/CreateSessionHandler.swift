#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import Logging
import RolesAnywherePKI
import RolesAnywherePolicy
import RolesAnywhereSigning
import X509
import RolesAnywhereSupport

/// `POST /sessions`: temporary credentials for a request signed with an X.509 certificate
/// (SigV4-X509), with the checks IAM Roles Anywhere makes, in this order:
///
/// 1. the parameters (ARNs in the query string, as the official helper sends them, or in the body);
/// 2. the signature, over exactly the headers in `SignedHeaders`, and the clock skew;
/// 3. the trust anchor and profile: they exist in this account and region, and are enabled;
/// 4. the path from the certificate (plus `X-Amz-X509-Chain`) to a certificate of the anchor, with
///    the end-entity and CA requirements, validity now, and the anchor's enabled CRLs;
/// 5. the role is in the profile; `roleSessionName` only if the profile accepts it;
/// 6. the principal tags and source identity; the role's trust policy allows
///    `rolesanywhere.amazonaws.com` `sts:AssumeRole`, `sts:TagSession` and `sts:SetSourceIdentity`;
/// 7. the duration (the profile's, or less) is within the role's maximum.
///
/// Every decision is logged with its reason; the subject is recorded once the signature holds.
struct CreateSessionHandler: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let policies: PolicyCache
    let caches: RolesAnywhereCaches
    let minter: SessionMinter
    /// With `--upstream`, the emulator that holds the roles and mints the sessions.
    let upstream: UpstreamGateway?
    let logger: Logger

    static let servicePrincipal = "rolesanywhere.amazonaws.com"
    static let trustActions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]

    /// A refusal: what the client is told, and what the log says.
    struct Denial: Error, Sendable {
        var error: AWSError
        var reason: String
    }

    /// The parameters of the call.
    struct Parameters {
        var profileArn: String
        var roleArn: String
        var trustAnchorArn: String
        var durationSeconds: Int?
        var roleSessionName: String?
        /// What the workload says of the instance it runs on (at most 50 properties), recorded on
        /// the subject.
        var instanceProperties: [String: String]?
    }

    /// Answers a CreateSession request whose signature ``SigV4X509Authenticator`` verified.
    func handle(_ request: LocalRequest, verified: VerifiedX509Request) async throws(AWSError) -> LocalResponse {
        let leaf = verified.certificate
        // What the log says of a refusal; the subject and serial are written out only then.
        var context: [String: String] = [:]
        var trusted = false
        var instanceProperties: [String: String]?
        do {
            return try await createSession(request, verified: verified, leaf: leaf, context: &context, trusted: &trusted, instanceProperties: &instanceProperties)
        } catch let denial as Denial {
            var metadata: Logger.Metadata = [
                "code": "\(denial.error.code)", "reason": "\(denial.reason)", "requestId": "\(request.requestID)",
                "subject": "\(leaf.fields.subject)", "serial": "\(SessionIdentity.serialHex(leaf.fields))",
            ]
            for (key, value) in context { metadata[key] = "\(value)" }
            logger.notice("CreateSession denied", metadata: metadata)
            // A subject is recorded only for a certificate that chains to an anchor of this
            // account: made-up anchors and untrusted certificates leave no trace.
            if trusted {
                _ = try? await recordSubject(leaf, session: nil, failed: true, instanceProperties: instanceProperties, at: request.receivedAt)
            }
            throw denial.error
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("CreateSession failed: \(error)")
        }
    }

    func createSession(
        _ request: LocalRequest, verified: VerifiedX509Request, leaf: EncodedCertificate, context: inout [String: String], trusted: inout Bool,
        instanceProperties: inout [String: String]?
    ) async throws -> LocalResponse {
        let parameters = try Self.parameters(request)
        instanceProperties = parameters.instanceProperties
        context["trustAnchor"] = parameters.trustAnchorArn
        context["profile"] = parameters.profileArn
        context["role"] = parameters.roleArn

        // 3. Trust anchor and profile.
        let anchor = try await trustAnchor(parameters.trustAnchorArn)
        let profile = try await profile(parameters.profileArn)

        // 4. The certificate path, with revocation.
        let anchorCertificates = try caches.anchorCertificates(anchor)
        let crls = try await store.resources(CRLRecord.self).filter { $0.enabled && $0.trustAnchorArn == anchor.trustAnchorArn }
        let second = Int64(request.receivedAt.timeIntervalSince1970.rounded(.down))
        let key = RolesAnywhereCaches.ValidationKey(
            certificates: ([verified.certificate] + verified.certificateChain).map { DERKey($0.derBytes) },
            anchor: "\(anchor.trustAnchorId)@\(anchor.updatedAt.timeIntervalSince1970)",
            crls: crls.map { "\($0.crlId)@\($0.updatedAt.timeIntervalSince1970)" },
            second: second
        )
        let result: CertificatePathValidator.Result
        if let cached = caches.validations.value(forKey: key) {
            result = cached
        } else {
            result = await CertificatePathValidator.validate(
                leaf: caches.facts(verified.certificate),
                intermediates: verified.certificateChain.map(caches.facts),
                anchors: anchorCertificates,
                crls: crls.compactMap(caches.revocationList),
                at: Date(timeIntervalSince1970: TimeInterval(second))
            )
            caches.validations.set(result, forKey: key)
        }
        guard result.isTrusted else {
            let reasons = result.problems.map(\.message).joined(separator: "; ")
            let noPath = result.problems.contains { $0.kind == .noPath }
            throw Denial(
                error: .accessDeniedException(noPath ? "Untrusted Signing Certificate" : "Untrusted Signing Certificate: \(reasons)"),
                reason: "certificate path: \(reasons)"
            )
        }
        trusted = true

        // 5. Role and session name.
        guard profile.roleArns.contains(parameters.roleArn) else {
            throw Denial(
                error: .accessDeniedException("Requested Role isn't one of those listed in the Profile."),
                reason: "\(parameters.roleArn) is not in the profile's roleArns \(profile.roleArns)"
            )
        }
        if parameters.roleSessionName != nil, !profile.acceptRoleSessionName {
            throw Denial(
                error: .accessDeniedException("Not authorized to set roleSessionName."),
                reason: "the profile does not accept roleSessionName (acceptRoleSessionName is false)"
            )
        }
        let role = try await role(parameters.roleArn)

        // 6. Tags, source identity, trust policy.
        let (tags, unmapped) = caches.principalTags(leaf, mappings: profile.attributeMappings)
        guard unmapped.isEmpty else {
            throw Denial(
                error: .accessDeniedException(
                    "Unable to assume role for \(role.arn). Some attributes failed to be mapped into session tags. \(unmapped.description)"
                ),
                reason: "mapped certificate attributes are not valid session tags: \(unmapped.description); drop them from the profile's attribute mappings"
            )
        }
        let sourceIdentity = SessionIdentity.sourceIdentity(of: leaf.fields)
        let sessionName = parameters.roleSessionName ?? caches.subject(leaf).serial
        try checkTrustPolicy(role, anchor: anchor, tags: tags, sourceIdentity: sourceIdentity, sessionName: sessionName, request: request)

        // 7. Duration.
        let duration = min(profile.durationSeconds, parameters.durationSeconds ?? profile.durationSeconds)
        guard duration <= role.maxSessionDuration else {
            throw Denial(
                error: .rolesAnywhereValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
                reason: "duration \(duration) s is above the role's MaxSessionDuration of \(role.maxSessionDuration) s"
            )
        }

        let sessionRequest = SessionMinter.Request(
            role: role, sessionName: sessionName, duration: TimeInterval(duration), sourceIdentity: sourceIdentity, tags: tags,
            sessionPolicy: profile.sessionPolicy, sessionPolicyArns: profile.managedPolicyArns
        )
        let session: SessionRecord
        let subject: SubjectRecord
        if let upstream {
            // The upstream's own credentials: only it can tell what they may do.
            do {
                session = try await upstream.assumeRole(sessionRequest, now: request.receivedAt)
            } catch {
                throw Self.upstreamDenial(error, upstream: upstream)
            }
            subject = try await recordSubject(leaf, session: nil, failed: false, instanceProperties: parameters.instanceProperties, at: request.receivedAt)
        } else {
            session = minter.make(sessionRequest, now: request.receivedAt)
            subject = try await recordSubject(leaf, session: session, failed: false, instanceProperties: parameters.instanceProperties, at: request.receivedAt)
            minter.remember(session)
        }
        logger.info(
            "CreateSession allowed",
            metadata: [
                "subject": "\(leaf.fields.subject)", "serial": "\(SessionIdentity.serialHex(leaf.fields))", "trustAnchor": "\(anchor.trustAnchorArn)",
                "profile": "\(profile.profileArn)", "role": "\(role.arn)", "session": "\(session.assumedRoleArn)",
                "accessKeyId": "\(session.accessKeyId)", "expiration": "\(AmzDate(session.expiration).iso8601)", "requestId": "\(request.requestID)",
            ]
        )
        return Self.answer(session, subject: subject, account: configuration.accountID, profile: profile)
    }

    // MARK: - Steps

    static func parameters(_ request: LocalRequest) throws(Denial) -> Parameters {
        let body: JSONBody
        do {
            body = try JSONBody(request.body)
        } catch {
            throw Denial(error: error, reason: "the body is not a JSON object")
        }
        var reader = body
        let query = Dictionary(request.queryParameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        func arn(_ name: String, _ pattern: String) -> String? {
            if let value = query[name] {
                reader.errors.check(value, name, length: 1...1011, pattern: pattern)
                return value
            }
            return reader.string(name, required: true, length: 1...1011, pattern: pattern)
        }
        let profileArn = arn("profileArn", RolesAnywherePatterns.profileArn)
        let roleArn = arn("roleArn", RolesAnywherePatterns.roleArn)
        let trustAnchorArn = arn("trustAnchorArn", RolesAnywherePatterns.trustAnchorArn)
        let duration = reader.integer("durationSeconds", range: RolesAnywhereCall.durationRange)
        let sessionName = reader.string("roleSessionName", length: 2...64, pattern: RolesAnywherePatterns.roleSessionName)
        let instanceProperties = reader.stringMap("instanceProperties", count: 0...50, length: 1...200)
        do {
            try reader.validate()
        } catch {
            throw Denial(error: error, reason: error.message)
        }
        guard let profileArn, let roleArn, let trustAnchorArn else {
            throw Denial(error: .rolesAnywhereValidation("profileArn, roleArn and trustAnchorArn are required"), reason: "missing ARNs")
        }
        return Parameters(
            profileArn: profileArn, roleArn: roleArn, trustAnchorArn: trustAnchorArn, durationSeconds: duration, roleSessionName: sessionName,
            instanceProperties: instanceProperties
        )
    }

    static func signatureDenial(_ error: SigningError) -> Denial {
        switch error.code {
        case .signatureMismatch:
            Denial(error: .accessDeniedException("Invalid signature"), reason: error.message)
        case .unsupportedKey, .serialNumberMismatch, .requiredHeaderNotSigned, .malformedCertificate:
            Denial(error: .accessDeniedException("Invalid signature: \(error.message)"), reason: error.message)
        default:
            Denial(error: .rolesAnywhereValidation("The request is not a valid SigV4-X509 request: \(error.message)"), reason: error.message)
        }
    }

    /// The trust anchor, in this account and region and enabled.
    func trustAnchor(_ arn: String) async throws -> TrustAnchorRecord {
        try await enabledResource(TrustAnchorRecord.self, arn: arn, noun: "trust anchor", enableOperation: "EnableTrustAnchor", isEnabled: \.enabled)
    }

    /// The profile, in this account and region and enabled.
    func profile(_ arn: String) async throws -> ProfileRecord {
        try await enabledResource(ProfileRecord.self, arn: arn, noun: "profile", enableOperation: "EnableProfile", isEnabled: \.enabled)
    }

    /// A resource named by an ARN of this account and region, which must exist and be enabled;
    /// otherwise the AccessDeniedException CreateSession answers, with the reason for the log.
    private func enabledResource<Resource: RolesAnywhereResource>(
        _ type: Resource.Type, arn: String, noun: String, enableOperation: String, isEnabled: (Resource) -> Bool
    ) async throws -> Resource {
        guard let id = configuration.rolesAnywhereID(arn, type: Resource.kind), let resource = try await store.resource(Resource.self, id: id) else {
            throw Denial(
                error: .accessDeniedException("The \(noun) \(arn) does not exist in account \(configuration.accountID), region \(configuration.region)."),
                reason: "no such \(noun)"
            )
        }
        guard isEnabled(resource) else {
            throw Denial(error: .accessDeniedException("The \(noun) \(arn) is disabled; enable it with \(enableOperation)."), reason: "\(noun) disabled")
        }
        return resource
    }

    /// The IAM role of the ARN, in this account: from the store, or with `--upstream` from the
    /// upstream's IAM.
    func role(_ arn: String) async throws -> RoleRecord {
        let missing = Denial(error: .accessDeniedException("The role \(arn) does not exist in account \(configuration.accountID)."), reason: "no such role")
        guard let name = configuration.roleName(arn) else { throw missing }
        if let upstream {
            let found: RoleRecord?
            do {
                found = try await upstream.role(arn: arn, name: name)
            } catch {
                throw Self.upstreamDenial(error, upstream: upstream)
            }
            guard let found else {
                throw Denial(error: missing.error, reason: "the upstream \(upstream.configuration.origin) has no such role")
            }
            return found
        }
        guard let role = try await store.role(named: name), role.arn == arn else { throw missing }
        return role
    }

    /// The upstream did not answer, or refused: a server-side failure, never credentials it does
    /// not know. The client is told which upstream; the log says what it answered.
    static func upstreamDenial(_ failure: UpstreamFailure, upstream: UpstreamGateway) -> Denial {
        Denial(
            error: AWSError(
                "InternalServerException", status: 500,
                "The emulator behind this endpoint (\(upstream.configuration.origin)) could not complete the session: \(failure.description)",
                senderFault: false
            ),
            reason: "upstream \(upstream.configuration.origin): \(failure.description)"
        )
    }

    /// The role's trust policy must allow the service each of the three actions.
    func checkTrustPolicy(_ role: RoleRecord, anchor: TrustAnchorRecord, tags: [String: String], sourceIdentity: String, sessionName: String, request: LocalRequest) throws(Denial) {
        let second = Int64(request.receivedAt.timeIntervalSince1970.rounded(.down))
        let key = RolesAnywhereCaches.TrustKey(
            policy: role.arn + "\n" + role.assumeRolePolicyDocument, anchor: anchor.trustAnchorArn, tags: tags, sourceIdentity: sourceIdentity,
            sessionName: sessionName, second: second
        )
        // nil: allowed; otherwise the refusal, with its reason.
        let refusal = caches.trustDecisions.value(forKey: key) { () -> Denial? in
            do {
                try evaluateTrustPolicy(role, anchor: anchor, tags: tags, sourceIdentity: sourceIdentity, sessionName: sessionName, at: Date(timeIntervalSince1970: TimeInterval(second)))
                return nil
            } catch let denial as Denial {
                return denial
            } catch {
                return Denial(error: .accessDeniedException("The trust policy of \(role.arn) cannot be evaluated."), reason: "\(error)")
            }
        }
        if let refusal { throw refusal }
    }

    func evaluateTrustPolicy(_ role: RoleRecord, anchor: TrustAnchorRecord, tags: [String: String], sourceIdentity: String, sessionName: String, at now: Date) throws(Denial) {
        guard let document = policies.document(role.assumeRolePolicyDocument, kind: .trust) else {
            throw Denial(error: .accessDeniedException("The trust policy of \(role.arn) cannot be read."), reason: "unreadable trust policy")
        }
        let policy = PolicyEvaluator.Policy(document, name: "trust policy of \(role.name)")
        for action in Self.trustActions {
            var context = RequestContext(action: action, resource: role.arn, principal: .service(Self.servicePrincipal), principalARN: Self.servicePrincipal)
            context.set("aws:SourceArn", anchor.trustAnchorArn)
            context.set("aws:SourceAccount", configuration.accountID)
            context.set("aws:CurrentTime", AmzDate(now).iso8601)
            context.set("aws:EpochTime", String(Int64(now.timeIntervalSince1970)))
            context.set("sts:SourceIdentity", sourceIdentity)
            context.set("sts:RoleSessionName", sessionName)
            for (key, value) in tags {
                context.set("aws:PrincipalTag/\(key)", value)
                context.set("aws:RequestTag/\(key)", value)
            }
            if !tags.isEmpty { context.set("aws:TagKeys", values: tags.keys.sorted()) }
            let decision = PolicyEvaluator.evaluate(resourcePolicy: policy, context: context)
            guard decision.isAllowed else {
                throw Denial(
                    error: .accessDeniedException("The trust policy of \(role.arn) does not allow \(Self.servicePrincipal) to perform \(action) for this certificate."),
                    reason: "trust policy of \(role.name): \(action) \(decision), with the principal tags \(tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))"
                )
            }
        }
    }

    /// Records the certificate under its subject (created on first sight), with the session if one
    /// was minted and the instance properties if any were sent, in one transaction. A subject keeps
    /// its ten most recent distinct sets of instance properties.
    @discardableResult
    func recordSubject(
        _ encoded: EncodedCertificate, session: SessionRecord?, failed: Bool, instanceProperties: [String: String]? = nil, at date: Date
    ) async throws -> SubjectRecord {
        let now = RolesAnywhereJSON.now(date)
        let identity = caches.subject(encoded)
        let (name, id, serial, issuer, pem) = (identity.name, identity.id, identity.serial, identity.issuer, identity.pem)
        let arn = configuration.rolesAnywhereARN(type: SubjectRecord.kind, id: id).description
        let recorded = try await store.recordCreateSession(session, subjectID: id) { stored in
            var subject = stored ?? SubjectRecord(
                subjectArn: arn, subjectId: id, enabled: true, x509Subject: name, lastSeenAt: now, createdAt: now, updatedAt: now,
                credentials: [], instanceProperties: []
            )
            // Seen within the last second with the same outcome: only the session is new. (At a
            // thousand calls a second, rewriting the subject each time would cost more than the call.)
            if stored != nil, instanceProperties == nil, let seen = subject.credentials.first(where: { $0.serialNumber == serial }), seen.failed == failed,
                now.timeIntervalSince(seen.seenAt) < 1, now.timeIntervalSince(subject.lastSeenAt) < 1
            {
                return nil
            }
            subject.credentials.removeAll { $0.serialNumber == serial }
            subject.credentials.append(
                CredentialSummary(seenAt: now, serialNumber: serial, issuer: issuer, enabled: true, x509CertificateData: pem, failed: failed)
            )
            if let instanceProperties {
                subject.instanceProperties.removeAll { $0.properties == instanceProperties }
                subject.instanceProperties.append(InstanceProperty(seenAt: now, properties: instanceProperties, failed: failed))
                subject.instanceProperties = Array(subject.instanceProperties.suffix(Self.keptInstanceProperties))
            }
            subject.lastSeenAt = now
            subject.updatedAt = now
            return subject
        }
        guard let recorded else { throw AWSError.internalFailure("the subject \(id) was not recorded") }
        return recorded
    }

    /// How many distinct sets of instance properties a subject keeps.
    static let keptInstanceProperties = 10

    /// A stable UUID-shaped ID for a subject name.
    static func subjectID(_ name: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.encode(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }

    // MARK: - The answer

    /// The 201 answer, written by hand (it is on the hot path): `credentialSet` with one set, and
    /// `subjectArn`; `expiration` without fractional seconds, as the service writes it.
    static func answer(_ session: SessionRecord, subject: SubjectRecord, account: String, profile: ProfileRecord) -> LocalResponse {
        // The share of STS's packed-policy budget the session policy and tags use, as a percentage.
        let packed = (profile.sessionPolicy?.utf8.count ?? 0) + profile.managedPolicyArns.reduce(0) { $0 + $1.utf8.count }
            + session.tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        func string(_ text: String) -> String { JSONText.string(text) }
        var json = #"{"credentialSet":[{"assumedRoleUser":{"arn":"#
        json += string(session.assumedRoleArn) + #","assumedRoleId":"# + string(session.assumedRoleId) + "},"
        json += #""credentials":{"accessKeyId":"# + string(session.accessKeyId)
        json += #","expiration":"# + string(AmzDate(session.expiration).iso8601)
        json += #","secretAccessKey":"# + string(session.secretAccessKey)
        json += #","sessionToken":"# + string(session.sessionToken) + "},"
        json += #""packedPolicySize":"# + String(min(100, packed * 100 / 2048))
        json += #","roleArn":"# + string(session.roleArn)
        if let source = session.sourceIdentity { json += #","sourceIdentity":"# + string(source) }
        json += #"}],"subjectArn":"# + string(subject.subjectArn) + "}"
        return LocalResponse.json(json, status: 201)
    }
}
