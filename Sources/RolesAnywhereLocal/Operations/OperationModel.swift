/// One segment of a REST operation's `requestUri` path.
public enum PathSegment: Sendable, Hashable {
    /// A fixed segment (`trustanchor`).
    case literal(String)
    /// One non-empty segment bound to an input member (`{Bucket}`).
    case label(String)
    /// One or more segments, slashes included, bound to an input member (`{Key+}`).
    case greedyLabel(String)
}

/// A query key written into an operation's `requestUri` (`?uploads`, `?list-type=2`): the request
/// must carry it, with that value when one is given.
public struct QuerySelector: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// What AWS's model says about one operation: how a request for it is recognised, and the IAM
/// action that authorises it. The tables are generated from botocore's models
/// (`scripts/generate-operations`).
public struct OperationModel: Sendable, Hashable {
    public var operation: Operation
    /// The HTTP method of REST operations (query-protocol ones are `POST /`, and also answered as `GET`).
    public var method: String
    /// The path of REST operations; empty for the query and JSON protocols.
    public var path: [PathSegment]
    /// Query keys the `requestUri` itself carries.
    public var selectors: [QuerySelector]
    /// Every query key an input member is bound to.
    public var query: [String]
    /// The query keys of required members: a request without them is not this operation.
    public var requiredQuery: [String]
    /// The (lower-case) headers of required members.
    public var requiredHeaders: [String]
    /// The status of a successful answer.
    public var successStatus: Int
    /// The IAM action that authorises the request (`s3:GetObject`).
    public var action: String
    public var deprecated: Bool
    /// Whether the operation is called without a signature (`authtype: none` in the model).
    public var unsigned: Bool
    /// For an operation whose request is indistinguishable from another's, that operation: the
    /// request is answered as the one AWS would answer at this endpoint.
    public var aliasOf: String?

    init(
        _ operation: Operation, method: String, path: [PathSegment], selectors: [QuerySelector], query: [String], requiredQuery: [String],
        requiredHeaders: [String], successStatus: Int, action: String, deprecated: Bool = false, unsigned: Bool = false,
        aliasOf: String? = nil
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.selectors = selectors
        self.query = query
        self.requiredQuery = requiredQuery
        self.requiredHeaders = requiredHeaders
        self.successStatus = successStatus
        self.action = action
        self.deprecated = deprecated
        self.unsigned = unsigned
        self.aliasOf = aliasOf
    }

    public var name: String { operation.name }
    public var service: AWSService { operation.service }
}
