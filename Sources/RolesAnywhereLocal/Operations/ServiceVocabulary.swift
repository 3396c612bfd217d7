import RolesAnywhereSigning
/// What differs between services beyond their model: body limits and the error codes of refusals
/// that happen before an operation is known.
extension AWSService {
    /// The service whose SigV4 scope names `signingName`.
    public init?(signingName: String) {
        if let service = Self.signingAliases[signingName] {
            self = service
            return
        }
        guard let service = Self.allCases.first(where: { $0.signingName == signingName }) else { return nil }
        self = service
    }

    /// Signing names that AWS's endpoint rules (not the service model) give some operations: S3's
    /// WriteGetObjectResponse is signed for `s3-object-lambda`.
    static let signingAliases: [String: AWSService] = ["s3-object-lambda": .s3, "s3express": .s3]

    /// The largest request body the service accepts (S3 objects; API calls elsewhere).
    var maximumBody: Int {
        switch self {
        case .s3: 64 << 20
        case .iam, .sts, .rolesAnywhere, .acmPCA: 1 << 20
        }
    }

    /// `error` in this service's words: the policy refusals of the JSON services (Roles Anywhere,
    /// AWS Private CA) are `AccessDeniedException`.
    func inVocabulary(_ error: AWSError) -> AWSError {
        guard self == .rolesAnywhere || self == .acmPCA, error.code == "AccessDenied" else { return error }
        return .accessDeniedException(error.message)
    }

    /// The answer for an operation of the model that `rolesanywhere-local` does not implement:
    /// never another operation's answer.
    func notImplemented(_ operation: OperationModel) -> AWSError {
        AWSError(
            "NotImplemented", status: 501,
            "rolesanywhere-local does not implement the \(fullName) operation \(operation.name); docs/local.md lists the operations it answers."
        )
    }

    /// The answer for a request that is no operation of the service.
    func unknownOperation(_ failure: ResolutionFailure) -> AWSError {
        switch failure {
        case .unknownAction(let action?):
            return AWSError("InvalidAction", status: 400, "The action \(action) is not valid for this web service.")
        case .unknownAction(nil):
            return AWSError("MissingAction", status: 400, "The request must contain the parameter Action.")
        case .unknownTarget(let target):
            return AWSError("UnknownOperationException", status: 400, "The operation \(target ?? "(no X-Amz-Target header)") is not an operation of \(fullName).")
        case .noOperation(let method, let path):
            if self == .s3 {
                return AWSError("MethodNotAllowed", status: 405, "The specified method is not allowed against this resource.")
            }
            return AWSError("UnknownOperationException", status: 404, "\(fullName) has no operation at \(method) \(path).")
        case .unknownSubresource(let key, let operation):
            return AWSError(
                "NotImplemented", status: 501,
                "The query parameter '\(key)' names a sub-resource that \(operation) does not take, and no operation rolesanywhere-local knows does; the request was not carried out."
            )
        case .malformedPath:
            if self == .s3 { return AWSError("InvalidURI", status: 400, "Couldn't parse the specified URI.") }
            return AWSError("ValidationException", status: 400, "The request path is not valid percent-encoded UTF-8.")
        }
    }

    /// A request without any signature.
    var missingAuthentication: AWSError {
        switch wireProtocol {
        case .query: AWSError("MissingAuthenticationToken", status: 403, "Request is missing Authentication Token")
        case .restXML: AWSError("AccessDenied", status: 403, "Access Denied (the request is not signed)")
        case .restJSON, .json: AWSError("MissingAuthenticationTokenException", status: 403, "Missing Authentication Token")
        }
    }

    /// A signature that does not parse.
    func malformedSignature(_ message: String) -> AWSError {
        switch wireProtocol {
        case .query: AWSError("IncompleteSignature", status: 400, message)
        case .restXML: AWSError("AuthorizationHeaderMalformed", status: 400, "The authorization header is malformed; \(message)")
        case .restJSON, .json: AWSError("IncompleteSignatureException", status: 400, message)
        }
    }

    /// The service a request that cannot name its own (no signature, or one that does not parse)
    /// is most likely for, so that its error is in a form the client reads.
    static func guess(_ request: LocalRequest) -> AWSService {
        // A presigned URL names its service in the scope of X-Amz-Credential.
        if request.header("authorization") == nil, let credential = request.queryParameters.first(where: { $0.name == "X-Amz-Credential" })?.value,
            let slash = credential.firstIndex(of: "/"), let scope = CredentialScope(credential[credential.index(after: slash)...]),
            let service = AWSService(signingName: scope.service)
        {
            return service
        }
        if let target = request.header("x-amz-target") {
            for service in allCases {
                if case .json(let prefix, _) = service.wireProtocol, target.hasPrefix(prefix + ".") { return service }
            }
        }
        let body = String(decoding: request.body.prefix(4096), as: UTF8.self)
        if request.header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true || body.hasPrefix("Action=") {
            return body.contains("Version=2011-06-15") ? .sts : .iam
        }
        if request.header("authorization")?.hasPrefix("AWS4-X509-") == true || request.header("content-type")?.contains("json") == true {
            return .rolesAnywhere
        }
        let path = request.path
        if OperationModel.rolesAnywhere.contains(where: { model in
            if case .literal(let first)? = model.path.first { return path.hasPrefix("/\(first)") } else { return false }
        }) {
            return .rolesAnywhere
        }
        return .s3
    }
}
