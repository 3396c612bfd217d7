#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RolesAnywherePKI
import RolesAnywhereSigning

/// Who signed a request, under one of the two signature schemes the endpoint accepts.
enum Authentication: Sendable {
    /// `AWS4-HMAC-SHA256` with the administrator keys or a session's keys.
    case keys(Caller)
    /// `AWS4-X509-*` with a certificate (CreateSession): the signature holds, trust is decided later.
    case certificate(VerifiedX509Request)
    /// No signature, for an operation the model calls without one (STS's AssumeRoleWithSAML).
    case anonymous
}

/// Where a request carries its signature, which decides the payload rules: a presigned URL (in
/// the query string) signs no body hash.
enum SignatureLocation: Sendable, Hashable {
    case header
    case queryString
    case none
}

/// A request whose signature was checked, and the service its scope names.
struct AuthenticatedRequest: Sendable {
    var service: AWSService
    var authentication: Authentication
    var signedIn: SignatureLocation = .header
}

/// One signature scheme: checks the request's signature and says who made it.
protocol RequestAuthenticator: Sendable {
    /// Whether the `Authorization` header is this scheme's.
    func accepts(authorization: String) -> Bool
    func authenticate(_ request: LocalRequest, authorization: String) async throws(AWSError) -> AuthenticatedRequest
}

/// SigV4 with access keys: the scope names the service, the keys the caller.
struct SigV4HMACAuthenticator: RequestAuthenticator {
    let keys: Authenticator

    func accepts(authorization: String) -> Bool { authorization.hasPrefix("AWS4-HMAC-SHA256") }

    func authenticate(_ request: LocalRequest, authorization: String) async throws(AWSError) -> AuthenticatedRequest {
        let parsed: ParsedSigV4Request
        do {
            parsed = try SigV4RequestVerifier.parse(request.signable)
        } catch {
            // The scope names the service even when the rest does not parse.
            let scope = try? SigV4Authorization(parsing: authorization).scope
            let service = scope.flatMap { AWSService(signingName: $0.service) } ?? AWSService.guess(request)
            throw service.malformedSignature(error.message)
        }
        let name = parsed.authorization.scope.service
        if name == "s3express" {
            // S3 Express One Zone (directory buckets) signs its control calls for `s3express`.
            throw AWSError("NotImplemented", status: 501, "rolesanywhere-local does not emulate S3 Express One Zone (directory buckets, signed for s3express).")
        }
        guard let service = AWSService(signingName: name) else {
            throw AWSError(
                "UnrecognizedClientException", status: 400,
                "rolesanywhere-local does not emulate the service '\(name)'; it serves \(AWSService.allCases.map(\.signingName).joined(separator: ", "))."
            )
        }
        let caller = try await keys.authenticate(parsed, service: service, request: request)
        return AuthenticatedRequest(service: service, authentication: .keys(caller))
    }
}

/// Signatures in the query string (presigned URLs): SigV4 (`X-Amz-Signature`), valid from
/// `X-Amz-Date` for `X-Amz-Expires` seconds instead of within the clock skew, or S3's SigV2
/// (`AWSAccessKeyId`, `Signature`), valid until `Expires`; the session token is in the query.
struct SigV4PresignedAuthenticator: Sendable {
    let keys: Authenticator

    func authenticate(_ request: LocalRequest) async throws(AWSError) -> AuthenticatedRequest {
        if SigV2PresignedRequest.isPresigned(query: request.query) {
            let presigned: SigV2PresignedRequest
            do {
                presigned = try SigV2PresignedRequest(parsing: request.signable)
            } catch {
                throw AWSError("AuthorizationQueryParametersError", status: 400, "Query-string authentication requires AWSAccessKeyId, Expires and Signature: \(error.message)")
            }
            return AuthenticatedRequest(service: .s3, authentication: .keys(try await keys.authenticate(presigned, request: request)), signedIn: .queryString)
        }
        let parsed: (request: ParsedSigV4Request, expires: Int)
        do {
            parsed = try SigV4PresignedRequest.parse(request.signable)
        } catch {
            // The service of the credential's scope if it can be read (see AWSService.guess).
            let service = AWSService.guess(request)
            if service == .s3 {
                throw AWSError("AuthorizationQueryParametersError", status: 400, "Query-string authentication requires X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature: \(error.message)")
            }
            throw service.malformedSignature(error.message)
        }
        let name = parsed.request.authorization.scope.service
        guard let service = AWSService(signingName: name) else {
            throw AWSError(
                "UnrecognizedClientException", status: 400,
                "rolesanywhere-local does not emulate the service '\(name)'; it serves \(AWSService.allCases.map(\.signingName).joined(separator: ", "))."
            )
        }
        let caller = try await keys.authenticate(parsed.request, service: service, request: request, presignedFor: parsed.expires)
        return AuthenticatedRequest(service: service, authentication: .keys(caller), signedIn: .queryString)
    }
}

/// SigV4-X509 (`AWS4-X509-RSA-SHA256`, `AWS4-X509-ECDSA-SHA256`): the signature over exactly the
/// signed headers with the certificate's key, the clock skew, and a scope of this region and of
/// IAM Roles Anywhere. Refusals are logged with their reason, as CreateSession's are.
struct SigV4X509Authenticator: RequestAuthenticator {
    let configuration: LocalConfiguration
    let caches: RolesAnywhereCaches
    let logger: Logger

    func accepts(authorization: String) -> Bool { authorization.hasPrefix("AWS4-X509-") }

    func authenticate(_ request: LocalRequest, authorization: String) async throws(AWSError) -> AuthenticatedRequest {
        do {
            return AuthenticatedRequest(service: .rolesAnywhere, authentication: .certificate(try verify(request)))
        } catch {
            logger.notice("CreateSession denied", metadata: ["code": "\(error.error.code)", "reason": "\(error.reason)", "requestId": "\(request.requestID)"])
            throw error.error
        }
    }

    func verify(_ request: LocalRequest) throws(CreateSessionHandler.Denial) -> VerifiedX509Request {
        typealias Denial = CreateSessionHandler.Denial
        guard request.body.count <= AWSService.rolesAnywhere.maximumBody else {
            throw Denial(
                error: AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than \(AWSService.rolesAnywhere.maximumBody) bytes."),
                reason: "body of \(request.body.count) bytes"
            )
        }
        let verified: VerifiedX509Request
        do {
            verified = try X509RequestVerifier.verify(request.signable, decodingCertificatesWith: caches.certificate)
        } catch {
            throw CreateSessionHandler.signatureDenial(error)
        }
        let skew = request.receivedAt.timeIntervalSince(verified.date.date)
        let maximum = Double(configuration.maximumClockSkew.components.seconds)
        guard abs(skew) <= maximum else {
            throw Denial(
                error: .accessDeniedException(
                    "Signature expired: \(verified.date.amzDateTime) is \(skew > 0 ? "earlier" : "later") than the server time \(AmzDate(request.receivedAt).amzDateTime) by more than \(Int(maximum)) seconds."
                ),
                reason: "clock skew of \(Int(skew)) s (X-Amz-Date \(verified.date.amzDateTime))"
            )
        }
        let scope = verified.authorization.scope
        guard scope.service == AWSService.rolesAnywhere.signingName else {
            throw Denial(
                error: .accessDeniedException("The request is signed for the service \(scope.service); CreateSession must be signed for rolesanywhere."),
                reason: "credential scope service \(scope.service)"
            )
        }
        guard scope.region == configuration.region else {
            throw Denial(
                error: .accessDeniedException("The request is signed for region \(scope.region), but this endpoint serves \(configuration.region)."),
                reason: "credential scope region \(scope.region)"
            )
        }
        guard verified.certificateChain.count <= CertificatePathValidator.maximumChainLength else {
            throw Denial(
                error: .rolesAnywhereValidation(
                    "X-Amz-X509-Chain holds \(verified.certificateChain.count) certificates; at most \(CertificatePathValidator.maximumChainLength) are allowed."
                ),
                reason: "chain of \(verified.certificateChain.count) certificates"
            )
        }
        return verified
    }
}
