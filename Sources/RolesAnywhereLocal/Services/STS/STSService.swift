/// STS over the query protocol: GetCallerIdentity (authenticated, never authorised, as on AWS),
/// AssumeRole (role chaining from a Roles Anywhere session) and GetAccessKeyInfo.
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
        default:
            throw AWSService.sts.notImplemented(model)
        }
    }
}
