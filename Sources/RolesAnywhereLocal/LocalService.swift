#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
import RolesAnywhereSigning

/// The local AWS endpoint, independent of the HTTP server: one request in, one answer out.
///
/// Requests are routed by the service in their SigV4 credential scope (`iam`, `sts`, `s3`,
/// `rolesanywhere`), as one endpoint serves them all. Every request is authenticated (a signature
/// from the administrator keys or a live session) and, except GetCallerIdentity, authorised by the
/// IAM policy engine.
public final class LocalService: Sendable {
    public let configuration: LocalConfiguration
    public let store: any Store
    let logger: Logger
    let authenticator: Authenticator
    let authorizer: Authorizer
    let createSession: CreateSessionHandler
    /// Mints temporary credentials for assumed roles (CreateSession uses it).
    public let minter: SessionMinter

    /// The largest body accepted for IAM, STS and Roles Anywhere calls, and for S3 objects.
    static let maximumAPIBody = 1 << 20
    static let maximumObjectBody = 64 << 20

    public init(configuration: LocalConfiguration, store: any Store, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        authenticator = Authenticator(configuration: configuration, store: store)
        let policies = PolicyCache()
        authorizer = Authorizer(configuration: configuration, store: store, cache: policies, logger: logger)
        minter = SessionMinter(store: store, authenticator: authenticator)
        createSession = CreateSessionHandler(
            configuration: configuration, store: store, policies: policies, caches: RolesAnywhereCaches(), minter: minter, logger: logger
        )
    }

    /// Answers one request. Never throws: every failure is an AWS-shaped error answer.
    public func handle(_ request: LocalRequest) async -> LocalResponse {
        var wireProtocol = Self.guessProtocol(request)
        var service = "?"
        let response: LocalResponse
        do {
            guard let authorization = request.header("authorization") else {
                throw Self.missingAuthentication(wireProtocol)
            }
            // CreateSession is signed with a certificate, not with keys.
            if authorization.hasPrefix("AWS4-X509-") {
                wireProtocol = .restJSON
                service = "rolesanywhere"
                guard request.body.count <= Self.maximumAPIBody else {
                    throw AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than \(Self.maximumAPIBody) bytes.")
                }
                return try await createSession.handle(request)
            }
            let parsed: ParsedSigV4Request
            do {
                parsed = try SigV4RequestVerifier.parse(request.signable)
            } catch {
                // The scope names the service even when the rest does not parse.
                if let scope = try? SigV4Authorization(parsing: authorization).scope {
                    wireProtocol = Self.wireProtocol(forService: scope.service) ?? wireProtocol
                }
                throw Self.malformedSignature(error, wireProtocol)
            }
            service = parsed.authorization.scope.service
            guard let serviceProtocol = Self.wireProtocol(forService: service) else {
                throw AWSError("UnrecognizedClientException", status: 400, "rolesanywhere-local does not emulate the service '\(service)'; it serves iam, sts, s3 and rolesanywhere.")
            }
            wireProtocol = serviceProtocol
            let limit = service == "s3" ? Self.maximumObjectBody : Self.maximumAPIBody
            guard request.body.count <= limit else {
                throw AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than \(limit) bytes.")
            }
            let caller = try await authenticator.authenticate(parsed, request: request)
            switch service {
            case "iam": response = try await IAMService(configuration: configuration, store: store, authorizer: authorizer).handle(request, caller: caller)
            case "sts": response = try await STSService(configuration: configuration).handle(request, caller: caller)
            case "s3": response = try await S3Service(configuration: configuration, store: store, authorizer: authorizer).handle(request, caller: caller)
            default: response = try await RolesAnywhereService(configuration: configuration, store: store, authorizer: authorizer).handle(request, caller: caller)
            }
        } catch let error as AWSError {
            response = error.response(protocol: wireProtocol, requestID: request.requestID, isHead: request.method == "HEAD")
            logger.info(
                "request refused",
                metadata: ["service": "\(service)", "method": "\(request.method)", "path": "\(request.path)", "code": "\(error.code)", "status": "\(error.status)", "reason": "\(error.message)", "requestId": "\(request.requestID)"]
            )
            return response
        } catch {
            let failure = AWSError("InternalFailure", status: 500, "The request failed: \(error)", senderFault: false)
            logger.error("request failed", metadata: ["service": "\(service)", "error": "\(error)", "requestId": "\(request.requestID)"])
            return failure.response(protocol: wireProtocol, requestID: request.requestID, isHead: request.method == "HEAD")
        }
        logger.debug(
            "request served",
            metadata: ["service": "\(service)", "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status)", "requestId": "\(request.requestID)"]
        )
        return response
    }

    static func wireProtocol(forService service: String) -> AWSProtocol? {
        switch service {
        case "iam": .iam
        case "sts": .sts
        case "s3": .restXML
        case "rolesanywhere": .restJSON
        default: nil
        }
    }

    /// The protocol of a request that cannot name its service (no or a broken signature).
    static func guessProtocol(_ request: LocalRequest) -> AWSProtocol {
        let body = String(decoding: request.body.prefix(4096), as: UTF8.self)
        if request.header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true || body.hasPrefix("Action=") {
            return body.contains("Version=2011-06-15") ? .sts : .iam
        }
        let roots = ["/trustanchor", "/profile", "/crl", "/subject", "/sessions", "/TagResource", "/UntagResource", "/ListTagsForResource", "/put-notifications", "/reset-notifications"]
        if roots.contains(where: { request.path.hasPrefix($0) }) || request.header("content-type")?.contains("json") == true {
            return .restJSON
        }
        return .restXML
    }

    static func missingAuthentication(_ wireProtocol: AWSProtocol) -> AWSError {
        switch wireProtocol {
        case .query: AWSError("MissingAuthenticationToken", status: 403, "Request is missing Authentication Token")
        case .restXML: AWSError("AccessDenied", status: 403, "Access Denied (the request is not signed)")
        case .restJSON: AWSError("MissingAuthenticationTokenException", status: 403, "Missing Authentication Token")
        }
    }

    static func malformedSignature(_ error: SigningError, _ wireProtocol: AWSProtocol) -> AWSError {
        switch wireProtocol {
        case .query: AWSError("IncompleteSignature", status: 400, error.message)
        case .restXML: AWSError("AuthorizationHeaderMalformed", status: 400, "The authorization header is malformed; \(error.message)")
        case .restJSON: AWSError("IncompleteSignatureException", status: 400, error.message)
        }
    }
}
