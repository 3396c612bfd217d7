/// STS over the query protocol: GetCallerIdentity (authenticated, never authorised, as on AWS).
struct STSService: Sendable {
    let configuration: LocalConfiguration

    static var namespace: String {
        guard case .query(let namespace, _) = AWSService.sts.wireProtocol else { return "" }
        return namespace
    }

    func handle(_ operation: STSOperation, model: OperationModel, request: LocalRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        switch operation {
        case .getCallerIdentity:
            let account = configuration.accountID
            return .query(action: model.name, namespace: Self.namespace, requestID: request.requestID) { xml in
                xml.element("Arn", caller.arn(accountID: account))
                xml.element("UserId", caller.userID(accountID: account))
                xml.element("Account", account)
            }
        default:
            throw AWSService.sts.notImplemented(model)
        }
    }
}
