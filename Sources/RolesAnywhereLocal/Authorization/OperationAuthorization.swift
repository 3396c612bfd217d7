import RolesAnywhereSupport

/// An operation's input members, read from a request before its handler runs: path labels, query
/// keys, query-protocol parameters and the top-level members of a JSON body.
struct RequestMembers {
    let resolved: ResolvedOperation
    let request: LocalRequest
    /// The parameters of a query-protocol request.
    let parameters: QueryRequest?

    /// The member's value as the request sends it, or nil when it is absent (or the body is not a
    /// JSON object: the handler then refuses the request with the service's own validation error).
    func value(_ location: MemberLocation) -> String? {
        switch location {
        case .label(let name):
            return resolved.labels[name]
        case .query(let name):
            // The last of repeated keys, as the handlers read them: authorised and served alike.
            return request.queryParameters.last { $0.name == name }?.value
        case .parameter(let name):
            return parameters?[name]
        case .body(let name):
            guard let text = String(validating: request.body, as: UTF8.self), case .object(let members)? = try? JSONValue.parse(text),
                case .string(let value)? = members[name]
            else { return nil }
            return value
        }
    }
}

extension Authorizer {
    /// The ARN (or `*`) that `resource` names in this request. A member the request lacks counts as
    /// empty: the ARN then grants only what a pattern of every such resource grants, and the
    /// handler refuses the request for the missing member.
    func resourceARN(_ resource: OperationResource, members: RequestMembers, caller: Caller? = nil) async throws(AWSError) -> String {
        let partition = configuration.partition
        let account = configuration.accountID
        func value(_ location: MemberLocation) -> String { members.value(location) ?? "" }
        switch resource {
        case .any:
            return "*"
        case .arn(let location):
            return value(location)
        case .s3AllBuckets:
            return ARN.s3Bucket(partition, "*").description
        case .s3Bucket(let bucket):
            return ARN.s3Bucket(partition, value(bucket)).description
        case .s3Object(let bucket, let key):
            return ARN.s3Object(partition, bucket: value(bucket), key: value(key)).description
        case .iam(let type, let nameLocation, let pathLocation):
            let name = value(nameLocation)
            if let pathLocation {
                return ARN.iam(partition, account: account, type: type.rawValue, path: members.value(pathLocation) ?? "/", name: name).description
            }
            // The access-key calls and GetUser without a `UserName` act on the calling user.
            if type == .user, name.isEmpty, case .user(let user, _)? = caller { return user.arn }
            // An existing entity's ARN carries the path it was created with.
            if !name.isEmpty {
                do {
                    switch type {
                    case .role: if let role = try await store.role(named: name) { return role.arn }
                    case .user: if let user = try await store.user(named: name) { return user.arn }
                    case .group: if let group = try await store.group(named: name) { return group.arn }
                    default: break
                    }
                } catch {
                    throw AWSError.internalFailure("the IAM store failed: \(error)")
                }
            }
            return ARN.iam(partition, account: account, type: type.rawValue, name: name).description
        case .iamPathPrefix(let type, let prefix):
            return ARN.iam(partition, account: account, type: type.rawValue, path: members.value(prefix) ?? "/", name: "*").description
        case .rolesAnywhere(let type, let id):
            return configuration.rolesAnywhereARN(type: type.rawValue, id: value(id)).description
        }
    }

    /// The pipeline's authorisation of a call signed with access keys: for an operation authorised
    /// by identity policies, its action on its declared resource (S3 list calls with their
    /// `s3:prefix`, `s3:delimiter` and `s3:max-keys` condition keys). A refusal is the service's
    /// access-denied error. Operations whose handler decides (``AuthorizationMode``) pass through.
    func authorize(_ caller: Caller, members: RequestMembers) async throws(AWSError) {
        let model = members.resolved.model
        guard model.authorization == .identityPolicies else { return }
        let resource = try await resourceARN(model.resource, members: members, caller: caller)
        do {
            try await authorize(caller, action: Self.action(members), resource: resource, request: members.request, keys: Self.conditionKeys(members))
        } catch {
            throw model.service.inVocabulary(error)
        }
    }

    /// The IAM action a request is authorised by: the operation's, or for an S3 request naming a
    /// version (`versionId`) that action's version form (``S3Call/versionActions``).
    static func action(_ members: RequestMembers) -> String {
        let action = members.resolved.model.action
        guard case .s3 = members.resolved.operation, members.value(.query("versionId")) != nil else { return action }
        return S3Call.versionAction(of: action)
    }

    /// The service-specific condition keys of a request (IAM's policy language: `s3:prefix`,
    /// `acm-pca:TemplateArn`).
    static func conditionKeys(_ members: RequestMembers) -> [String: [String]] {
        switch members.resolved.operation {
        case .s3(.listObjects), .s3(.listObjectsV2), .s3(.listObjectVersions):
            var keys = ["s3:prefix": [members.value(.query("prefix")) ?? ""]]
            // The limit the listing applies: 1,000 unless a smaller one is asked for. A value that
            // is no count is refused by the handler.
            let maxKeys = members.value(.query("max-keys"))
            keys["s3:max-keys"] = [maxKeys.map { Int($0).map { String(min($0, 1000)) } ?? $0 } ?? "1000"]
            if let delimiter = members.value(.query("delimiter")), !delimiter.isEmpty { keys["s3:delimiter"] = [delimiter] }
            return keys
        case .acmPCA(.issueCertificate):
            // `acm-pca:TemplateArn`, present when the request names a template (a renewer's policy
            // can limit it to the end-entity client template).
            return members.value(.body("TemplateArn")).map { ["acm-pca:TemplateArn": [$0]] } ?? [:]
        default:
            return [:]
        }
    }
}
