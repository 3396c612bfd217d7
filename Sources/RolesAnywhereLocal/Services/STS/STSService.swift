/// STS over the query protocol: GetCallerIdentity (authenticated, never authorised, as on AWS) and
/// AssumeRole (role chaining from a Roles Anywhere session).
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
        default:
            throw AWSService.sts.notImplemented(model)
        }
    }
}
