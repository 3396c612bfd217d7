/// STS over the query protocol: GetCallerIdentity (authenticated, never authorised, as on AWS).
struct STSService: Sendable {
    let configuration: LocalConfiguration

    static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

    func handle(_ request: LocalRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        let query = try QueryRequest(request)
        switch query.action {
        case "GetCallerIdentity":
            let account = configuration.accountID
            return .query(action: "GetCallerIdentity", namespace: Self.namespace, requestID: request.requestID) { xml in
                xml.element("Arn", caller.arn(accountID: account))
                xml.element("UserId", caller.userID(accountID: account))
                xml.element("Account", account)
            }
        case let action?:
            throw AWSError("InvalidAction", status: 400, "The action \(action) is not valid for this web service.")
        case nil:
            throw AWSError("InvalidAction", status: 400, "Could not find operation: the request has no Action parameter.")
        }
    }
}
