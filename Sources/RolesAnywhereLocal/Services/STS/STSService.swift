#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

/// STS over the query protocol: GetCallerIdentity (authenticated, never authorised, as on AWS),
/// AssumeRole (role chaining from a Roles Anywhere session), GetSessionToken and GetAccessKeyInfo.
struct STSService: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer
    let minter: SessionMinter

    static var namespace: String {
        guard case .query(let namespace, _) = AWSService.sts.wireProtocol else { return "" }
        return namespace
    }

    func handle(_ operation: STSOperation, model: OperationModel, request: LocalRequest, query: QueryRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        switch operation {
        case .assumeRole:
            return try await AssumeRoleHandler(configuration: configuration, store: store, authorizer: authorizer, policies: authorizer.cache, minter: minter)
                .handle(model: model, request: request, query: query, caller: caller)
        case .getCallerIdentity:
            let account = configuration.accountID
            return .query(action: model.name, namespace: Self.namespace, requestID: request.requestID) { xml in
                xml.element("Arn", caller.arn(in: configuration))
                xml.element("UserId", caller.userID(accountID: account))
                xml.element("Account", account)
            }
        case .getAccessKeyInfo:
            let keyID = try query.required("AccessKeyId")
            try AssumeRoleHandler.check(keyID, member: "accessKeyId", length: 16...128, pattern: #"[\w]*"#) { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            // The administrator's configured key need not follow AWS's format; every other key this
            // server issued encodes its account, as AWS's keys do.
            guard let account = keyID == configuration.adminAccessKeyID ? configuration.accountID : AccessKeyID.account(of: keyID) else {
                throw AWSError(
                    "InvalidParameterValue", status: 400,
                    "The account of access key ID \(keyID) cannot be read from it: it is not a key this server issued, nor in AWS's current key format."
                )
            }
            return .query(action: model.name, namespace: Self.namespace, requestID: request.requestID) { xml in
                xml.element("Account", account)
            }
        case .getSessionToken:
            return try await getSessionToken(model: model, request: request, query: query, caller: caller)
        default:
            throw AWSService.sts.notImplemented(model)
        }
    }

    /// GetSessionToken: temporary credentials with the long-term caller's own permissions, for an
    /// IAM user (900 s to 36 hours, 12 by default) or the account root (the administrator keys: an
    /// hour at most, which is also the default). No permission is needed, as on AWS. There are no
    /// MFA devices here, so a request naming one is refused.
    func getSessionToken(model: OperationModel, request: LocalRequest, query: QueryRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        let requested = try query.integer("DurationSeconds")
        if let requested, !(900...129_600).contains(requested) {
            let bound = requested < 900 ? "greater than or equal to 900" : "less than or equal to 129600"
            throw AWSError.validation("1 validation error detected: Value '\(requested)' at 'durationSeconds' failed to satisfy constraint: Member must have value \(bound)")
        }
        if case .session = caller {
            throw AWSError.accessDenied("Cannot call GetSessionToken with session credentials")
        }
        if query["SerialNumber"] != nil || query["TokenCode"] != nil {
            throw AWSError.accessDenied("MultiFactorAuthentication failed: this server has no MFA devices, so no serial number or token code can be validated.")
        }
        let duration = caller.isRoot ? min(requested ?? 3600, 3600) : requested ?? 43_200
        let session: SessionRecord
        do {
            session = try await minter.mintSessionToken(for: caller, duration: TimeInterval(duration), now: request.receivedAt, configuration: configuration)
        } catch {
            throw AWSError.internalFailure("the session was not stored: \(error)")
        }
        return .query(action: model.name, namespace: Self.namespace, requestID: request.requestID) { xml in
            Self.credentials(session, into: &xml)
        }
    }

    /// What GetSessionToken's credentials may not call, as AWS documents: IAM without MFA (which
    /// this server has none of: IAM answers such a token as invalid), and STS but for AssumeRole
    /// and GetCallerIdentity.
    static func checkSessionTokenScope(_ caller: Caller, operation: Operation, model: OperationModel) throws(AWSError) {
        guard case .session(let session) = caller, session.kind != .role else { return }
        switch operation {
        case .iam:
            throw AWSError("InvalidClientTokenId", status: 403, "The security token included in the request is invalid")
        case .sts(.assumeRole), .sts(.getCallerIdentity):
            return
        case .sts:
            throw AWSError.accessDenied("Cannot call \(model.name) with session credentials")
        default:
            return
        }
    }

    /// STS's `Credentials` element of a session (AssumeRole's and GetSessionToken's answers).
    static func credentials(_ session: SessionRecord, into xml: inout XMLWriter) {
        xml.element("Credentials") { credentials in
            credentials.element("AccessKeyId", session.accessKeyId)
            credentials.element("SecretAccessKey", session.secretAccessKey)
            credentials.element("SessionToken", session.sessionToken)
            credentials.element("Expiration", AmzDate(session.expiration).iso8601)
        }
    }
}
