#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
import RolesAnywhereSigning

/// The local AWS endpoint, independent of the HTTP server: one request in, one answer out.
///
/// Every request goes through one pipeline:
/// 1. **authenticate**: a ``RequestAuthenticator`` for its signature scheme (SigV4 with keys, or
///    SigV4-X509 with a certificate) checks the signature and names the service of its scope;
/// 2. **resolve**: ``OperationResolver`` finds the one operation of that service's model the
///    request is, or the request is refused with the protocol's unknown-operation error;
/// 3. **authorize** and **handle**: the service's handler checks the operation's IAM action on its
///    resources with the policy engine (CreateSession: the trust policy) and carries it out; a
///    modelled operation without a handler answers `NotImplemented`;
/// 4. **encode**: successes and errors in the service's protocol, with a request ID.
public final class LocalService: Sendable {
    public let configuration: LocalConfiguration
    public let store: any Store
    let logger: Logger
    let authenticator: Authenticator
    let authenticators: [any RequestAuthenticator]
    let presignedAuthenticator: SigV4PresignedAuthenticator
    let authorizer: Authorizer
    let createSession: CreateSessionHandler
    /// Mints temporary credentials for assumed roles (CreateSession uses it).
    public let minter: SessionMinter
    let roleUsage: RoleUsageRecorder
    /// The emulator behind this server (`--upstream`), which owns every service but Roles Anywhere.
    public let upstream: UpstreamGateway?
    /// Seals AWS Private CA keys at rest (its key file beside the state database).
    let privateCAVault: PrivateCAKeyVault

    public init(configuration: LocalConfiguration, store: any Store, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        authenticator = Authenticator(configuration: configuration, store: store)
        let policies = PolicyCache()
        let caches = RolesAnywhereCaches()
        authorizer = Authorizer(configuration: configuration, store: store, cache: policies, logger: logger)
        minter = SessionMinter(store: store, authenticator: authenticator)
        roleUsage = RoleUsageRecorder(store: store, region: configuration.region, logger: logger)
        upstream = configuration.upstream.map { UpstreamGateway(configuration: $0, eventLoopGroup: LocalServer.eventLoopGroup, logger: logger) }
        createSession = CreateSessionHandler(
            configuration: configuration, store: store, policies: policies, caches: caches, minter: minter, upstream: upstream, logger: logger
        )
        presignedAuthenticator = SigV4PresignedAuthenticator(keys: authenticator)
        privateCAVault = PrivateCAKeyVault(statePath: configuration.statePath)
        authenticators = [
            SigV4HMACAuthenticator(keys: authenticator),
            SigV4X509Authenticator(configuration: configuration, caches: caches, logger: logger),
        ]
    }

    /// Releases what the service holds beyond its store: the upstream's pooled connections.
    public func shutdown() async {
        do {
            try await upstream?.shutdown()
        } catch {
            logger.warning("closing the upstream connections failed", metadata: ["error": "\(error)"])
        }
    }

    /// What may be read of a request's body, decided from its head before any of it is read.
    public struct Admission: Sendable {
        /// The answer to send instead of reading the body, if the head alone refuses the request.
        public var refusal: LocalResponse?
        /// The most body bytes to read.
        public var maximumBody: Int
        /// An S3 request's authentication, which needs no body (S3 signs the declared payload hash).
        var authenticated: AuthenticatedRequest?
    }

    /// Decides from a request's head (its body not read yet) how much body to accept: unsigned
    /// requests a little, non-S3 calls their API limit, and S3 requests only once their signature
    /// holds, so that no unauthenticated client can make the server buffer megabytes.
    public func admit(_ head: LocalRequest) async -> Admission {
        let declaredLength = head.header("content-length").flatMap { Int($0) }
        func refuse(_ error: AWSError, _ service: AWSService) -> Admission {
            Admission(refusal: error.response(protocol: service.wireProtocol, requestID: head.requestID, isHead: head.method == "HEAD"), maximumBody: 0)
        }
        func tooLarge(_ limit: Int, _ service: AWSService) -> Admission? {
            guard let declaredLength, declaredLength > limit else { return nil }
            return refuse(AWSError("RequestEntityTooLarge", status: 413, "The request body of \(declaredLength) bytes is larger than the \(limit) bytes this request may send."), service)
        }
        if head.header("authorization") == nil, LocalRequest.isPresigned(query: head.query) {
            // A presigned URL. Only an S3 one (SigV2, or SigV4 scoped to s3) signs UNSIGNED-PAYLOAD
            // and can be judged from its head; any other signs its body, so it is admitted up to
            // its service's limit and checked once the body is read.
            if !SigV2PresignedRequest.isPresigned(query: head.query), let scope = try? SigV4PresignedRequest.parse(head.signable).request.authorization.scope,
                let service = AWSService(signingName: scope.service), service != .s3
            {
                return tooLarge(service.maximumBody, service) ?? Admission(maximumBody: service.maximumBody)
            }
            do {
                let authenticated = try await authenticate(head)
                let service = authenticated.service
                if let refusal = tooLarge(service.maximumBody, service) { return refusal }
                return Admission(maximumBody: service.maximumBody, authenticated: authenticated)
            } catch {
                logger.info(
                    "request refused",
                    metadata: ["service": "s3", "method": "\(head.method)", "path": "\(head.path)", "code": "\(error.code)", "status": "\(error.status)", "reason": "\(error.message)", "requestId": "\(head.requestID)"]
                )
                return refuse(error, AWSService.guess(head))
            }
        }
        guard let authorization = head.header("authorization") else {
            let limit = configuration.limits.maximumUnsignedBody
            return tooLarge(limit, AWSService.guess(head)) ?? Admission(maximumBody: limit)
        }
        // SigV4-X509 is Roles Anywhere's alone; its header is parsed once, when it is verified.
        if authorization.hasPrefix("AWS4-X509-") {
            let service = AWSService.rolesAnywhere
            return tooLarge(service.maximumBody, service) ?? Admission(maximumBody: service.maximumBody)
        }
        let scope = try? SigV4Authorization(parsing: authorization).scope
        guard authorization.hasPrefix("AWS4-HMAC-SHA256"), let name = scope?.service, let service = AWSService(signingName: name) else {
            let service = AWSService.guess(head)
            let limit = configuration.limits.maximumUnsignedBody
            return tooLarge(limit, service) ?? Admission(maximumBody: limit)
        }
        if let refusal = tooLarge(service.maximumBody, service) { return refusal }
        guard service == .s3 else { return Admission(maximumBody: service.maximumBody) }
        do {
            let authenticated = try await authenticate(head)
            return Admission(maximumBody: service.maximumBody, authenticated: authenticated)
        } catch {
            logger.info(
                "request refused",
                metadata: ["service": "s3", "method": "\(head.method)", "path": "\(head.path)", "code": "\(error.code)", "status": "\(error.status)", "reason": "\(error.message)", "requestId": "\(head.requestID)"]
            )
            return refuse(error, service)
        }
    }

    /// Answers one request. Never throws: every failure is an AWS-shaped error answer.
    /// - Parameter admission: what ``admit(_:)`` decided from the request's head, if it was asked.
    public func handle(_ request: LocalRequest, admission: Admission? = nil) async -> LocalResponse {
        // Known once authenticated; only a refusal before that guesses it (from the body and path).
        var known: AWSService?
        var operation: String?
        var response: LocalResponse
        do {
            let authenticated: AuthenticatedRequest
            if let preauthenticated = admission?.authenticated {
                authenticated = preauthenticated
            } else {
                authenticated = try await authenticate(request)
            }
            let service = authenticated.service
            known = service
            guard request.body.count <= service.maximumBody else {
                throw AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than \(service.maximumBody) bytes.")
            }
            let resolved: ResolvedOperation
            let query: QueryRequest?
            if case .anonymous = authenticated.authentication {
                // Without a signature, nothing is said about the request but that it needs one,
                // unless it is an operation the model calls unsigned.
                guard let unsigned = try? Self.resolve(request, service: service), unsigned.0.model.unsigned else {
                    throw service.missingAuthentication
                }
                (resolved, query) = unsigned
            } else {
                (resolved, query) = try Self.resolve(request, service: service)
            }
            operation = resolved.model.name
            response = try await dispatch(request, resolved: resolved, query: query, authentication: authenticated.authentication, signedIn: authenticated.signedIn)
        } catch let error as AWSError {
            let service = known ?? AWSService.guess(request)
            response = error.response(protocol: service.wireProtocol, requestID: request.requestID, isHead: request.method == "HEAD")
            logger.info(
                "request refused",
                metadata: [
                    "service": "\(service.signingName)", "operation": "\(operation ?? "-")", "method": "\(request.method)", "path": "\(request.path)",
                    "code": "\(error.code)", "status": "\(error.status)", "reason": "\(error.message)", "requestId": "\(request.requestID)",
                ]
            )
            return response
        } catch {
            let service = known ?? AWSService.guess(request)
            let failure = AWSError("InternalFailure", status: 500, "The request failed: \(error)", senderFault: false)
            logger.error("request failed", metadata: ["service": "\(service.signingName)", "error": "\(error)", "requestId": "\(request.requestID)"])
            return failure.response(protocol: service.wireProtocol, requestID: request.requestID, isHead: request.method == "HEAD")
        }
        let service = known ?? AWSService.guess(request)
        response.addRequestID(request.requestID, protocol: service.wireProtocol)
        logger.debug(
            "request served",
            metadata: [
                "service": "\(service.signingName)", "operation": "\(operation ?? "-")", "method": "\(request.method)", "path": "\(request.path)",
                "status": "\(response.status)", "requestId": "\(request.requestID)",
            ]
        )
        return response
    }

    /// Step 1: the signature, by the scheme of the `Authorization` header.
    func authenticate(_ request: LocalRequest) async throws(AWSError) -> AuthenticatedRequest {
        let presigned = LocalRequest.isPresigned(query: request.query)
        guard let authorization = request.header("authorization") else {
            if presigned { return try await presignedAuthenticator.authenticate(request) }
            // Unsigned: only operations the model calls without a signature get past resolution.
            return AuthenticatedRequest(service: AWSService.guess(request), authentication: .anonymous, signedIn: .none)
        }
        if presigned {
            throw AWSService.guess(request) == .s3
                ? AWSError("InvalidArgument", status: 400, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
                : AWSService.guess(request).malformedSignature("The request is signed twice: in the Authorization header and in the query string.")
        }
        guard let scheme = authenticators.first(where: { $0.accepts(authorization: authorization) }) else {
            throw AWSService.guess(request).malformedSignature("The Authorization header names an unknown signature algorithm; use AWS4-HMAC-SHA256 or AWS4-X509-*.")
        }
        return try await scheme.authenticate(request, authorization: authorization)
    }

    /// Step 2: the one operation of the service's model the request is.
    static func resolve(_ request: LocalRequest, service: AWSService) throws(AWSError) -> (ResolvedOperation, QueryRequest?) {
        let resolver = OperationResolver.of(service)
        let result: Result<ResolvedOperation, ResolutionFailure>
        var query: QueryRequest?
        switch service.wireProtocol {
        case .query:
            let parameters = try QueryRequest(request)
            query = parameters
            result = resolver.resolve(action: parameters.action)
        case .json:
            result = resolver.resolve(target: request.header("x-amz-target"))
        case .restXML, .restJSON:
            guard let items = QueryItem.parse(request.query) else {
                throw service == .s3
                    ? AWSError("InvalidArgument", status: 400, "The query string is not valid percent-encoded UTF-8.")
                    : AWSError("ValidationException", status: 400, "The query string is not valid percent-encoded UTF-8.")
            }
            result = resolver.resolve(method: request.method, path: request.path, query: items) { request.header($0) != nil }
        }
        switch result {
        case .success(let resolved): return (resolved, query)
        case .failure(let failure): throw service.unknownOperation(failure)
        }
    }

    /// Steps 3 and 4: the operation's authorisation (``Authorizer/authorize(_:members:)``) and its
    /// handler, which carries it out.
    func dispatch(
        _ request: LocalRequest, resolved: ResolvedOperation, query: QueryRequest?, authentication: Authentication,
        signedIn: SignatureLocation
    ) async throws(AWSError) -> LocalResponse {
        if case .keys(let caller) = authentication {
            try STSService.checkSessionTokenScope(caller, operation: resolved.operation, model: resolved.model)
            // Step 3: the action the operation declares, on the resource it declares.
            try await authorizer.authorize(caller, members: RequestMembers(resolved: resolved, request: request, parameters: query))
            await roleUsage.noteRequest(by: caller, at: request.receivedAt)
        }
        switch (resolved.operation, authentication) {
        case (.rolesAnywhere(.createSession), .certificate(let verified)):
            return try await createSession.handle(request, verified: verified)
        case (.rolesAnywhere(.createSession), .keys):
            throw AWSError.accessDeniedException("CreateSession is signed with a certificate (AWS4-X509-*), not with access keys.")
        case (_, .anonymous):
            // The unsigned operations of the models (STS's AssumeRoleWithSAML and
            // AssumeRoleWithWebIdentity) have no handler yet.
            throw resolved.model.service.notImplemented(resolved.model)
        case (_, .certificate):
            throw AWSError.accessDeniedException("Requests signed with a certificate (AWS4-X509-*) may only call CreateSession (POST /sessions), not \(resolved.model.name).")
        case (.iam(let operation), .keys(let caller)):
            // Resolution parsed the parameters of every query-protocol request.
            guard let query else { throw AWSError.internalFailure("IAM \(resolved.model.name) reached its handler without parameters") }
            return try await IAMService(configuration: configuration, store: store, authorizer: authorizer)
                .handle(operation, model: resolved.model, request: request, query: query, caller: caller)
        case (.sts(let operation), .keys(let caller)):
            guard let query else { throw AWSError.internalFailure("STS \(resolved.model.name) reached its handler without parameters") }
            return try await STSService(configuration: configuration, store: store, authorizer: authorizer, minter: minter)
                .handle(operation, model: resolved.model, request: request, query: query, caller: caller)
        case (.s3(let operation), .keys(let caller)):
            return try await S3Service(configuration: configuration, store: store, authorizer: authorizer)
                .handle(operation, resolved: resolved, request: request, caller: caller, signedIn: signedIn)
        case (.rolesAnywhere(let operation), .keys(let caller)):
            return try await RolesAnywhereService(configuration: configuration, store: store, authorizer: authorizer)
                .handle(operation, resolved: resolved, request: request, caller: caller)
        case (.acmPCA(let operation), .keys):
            return try await PrivateCAService(configuration: configuration, store: store, vault: privateCAVault)
                .handle(operation, model: resolved.model, request: request)
        }
    }
}
