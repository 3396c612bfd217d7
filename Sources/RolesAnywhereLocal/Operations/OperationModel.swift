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

/// Where an operation's input member is found in a request.
public enum MemberLocation: Sendable, Hashable {
    /// A label of the REST path (`{Bucket}`, `{trustAnchorId}`).
    case label(String)
    /// A key of a REST request's query string (`?resourceArn=`).
    case query(String)
    /// A parameter of a query-protocol request (`RoleName=`).
    case parameter(String)
    /// A top-level member of a JSON request body (`"resourceArn": ...`).
    case body(String)
}

/// The kinds of IAM resource an operation can act on, as their ARNs name them
/// (`arn:aws:iam::123456789012:instance-profile/web`).
public enum IAMResourceType: String, Sendable, Hashable {
    case role
    case user
    case group
    case policy
    case instanceProfile = "instance-profile"
}

/// The kinds of IAM Roles Anywhere resource, as their ARNs name them (`trust-anchor/ID`).
public enum RolesAnywhereResourceType: String, Sendable, Hashable {
    case trustAnchor = "trust-anchor"
    case profile
    case crl
    case subject
}

/// The resource an operation's IAM action is authorised on, and where in the request its parts
/// are, generated from the model's input members (`scripts/generate-operations`).
public enum OperationResource: Sendable, Hashable {
    /// `*`: the action has no resource type (sts:GetCallerIdentity, rolesanywhere:ListProfiles) or
    /// creates one whose ARN is not known before (rolesanywhere:CreateTrustAnchor).
    case any
    /// The ARN a member holds (`PolicyArn`, `RoleArn`, `resourceArn`).
    case arn(MemberLocation)
    /// `arn:P:s3:::*`, which both `*` and `arn:aws:s3:::*` grant: s3:ListAllMyBuckets.
    case s3AllBuckets
    /// `arn:P:s3:::BUCKET`.
    case s3Bucket(MemberLocation)
    /// `arn:P:s3:::BUCKET/KEY`.
    case s3Object(bucket: MemberLocation, key: MemberLocation)
    /// `arn:P:iam::ACCOUNT:TYPE/PATH/NAME`. The path is a member's when the request creates the
    /// entity (`Path`); otherwise the stored entity's (a role's), or `/`.
    case iam(IAMResourceType, name: MemberLocation, path: MemberLocation?)
    /// `arn:P:iam::ACCOUNT:TYPE/PATHPREFIX*`: the entities a list call can return.
    case iamPathPrefix(IAMResourceType, MemberLocation)
    /// `arn:P:rolesanywhere:REGION:ACCOUNT:TYPE/ID`.
    case rolesAnywhere(RolesAnywhereResourceType, id: MemberLocation)
}

/// Who decides whether a caller may make a call.
public enum AuthorizationMode: Sendable, Hashable {
    /// The pipeline, before the handler runs: the operation's action on its declared resource,
    /// through the caller's identity policies.
    case identityPolicies
    /// The handler, because the decision also rests on the resource's own policy: sts:AssumeRole
    /// (the role's trust policy) and CreateSession (the profile's roles' trust policies).
    case withResourcePolicy
    /// The handler, once for each item the body names: s3:DeleteObject on every key of DeleteObjects.
    case eachItem
    /// Nobody: AWS answers every authenticated caller (sts:GetCallerIdentity).
    case never
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
    /// The resource the action is authorised on.
    public var resource: OperationResource
    /// Who decides whether the caller may make the call.
    public var authorization: AuthorizationMode
    public var deprecated: Bool
    /// Whether the operation is called without a signature (`authtype: none` in the model).
    public var unsigned: Bool
    /// For an operation whose request is indistinguishable from another's, that operation: the
    /// request is answered as the one AWS would answer at this endpoint.
    public var aliasOf: String?

    init(
        _ operation: Operation, method: String, path: [PathSegment], selectors: [QuerySelector], query: [String], requiredQuery: [String],
        requiredHeaders: [String], successStatus: Int, action: String, resource: OperationResource = .any,
        authorization: AuthorizationMode = .identityPolicies, deprecated: Bool = false, unsigned: Bool = false,
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
        self.resource = resource
        self.authorization = authorization
        self.deprecated = deprecated
        self.unsigned = unsigned
        self.aliasOf = aliasOf
    }

    public var name: String { operation.name }
    public var service: AWSService { operation.service }
}
