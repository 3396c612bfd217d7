#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

/// Checks SigV4 (AWS4-HMAC-SHA256) signatures and finds the caller: the administrator keys, a
/// session minted by CreateSession or AssumeRole (with its token, which must be sent, and its
/// expiry), or an IAM user's active access key.
final class Authenticator: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    /// Sessions are immutable once minted, so they are cached after the first lookup.
    private let sessions = BoundedCache<String, SessionRecord>(capacity: 20_000)
    /// Signing keys change once a day per key, region and service.
    private let signingKeys = BoundedCache<String, SigV4SigningKey>(capacity: 10_000)

    init(configuration: LocalConfiguration, store: any Store) {
        self.configuration = configuration
        self.store = store
    }

    /// Remembers a session just minted, so its first request needs no database read.
    func remember(_ session: SessionRecord) {
        sessions.set(session, forKey: session.accessKeyId)
    }

    /// The caller of a parsed request, or the AWS error for `service`'s protocol.
    /// - Parameter expires: for a presigned URL, the seconds after its `X-Amz-Date` it is valid
    ///   for (instead of the clock skew); its session token is then read from the query.
    func authenticate(_ parsed: ParsedSigV4Request, service: AWSService, request: LocalRequest, presignedFor expires: Int? = nil) async throws(AWSError) -> Caller {
        let isS3 = service == .s3
        let now = request.receivedAt
        let skew = abs(now.timeIntervalSince(parsed.date.date))
        let maximum = Double(configuration.maximumClockSkew.components.seconds)
        if let expires {
            // Valid from its date (with the clock skew allowed) to its date plus X-Amz-Expires.
            if parsed.date.date.timeIntervalSince(now) > maximum {
                throw AWSError("AccessDenied", status: 403, "Request is not valid yet")
            }
            if now.timeIntervalSince(parsed.date.date) > Double(expires) {
                throw AWSError("AccessDenied", status: 403, "Request has expired")
            }
        } else if skew > maximum {
            if isS3 {
                throw AWSError("RequestTimeTooSkewed", status: 403, "The difference between the request time and the current time is too large.")
            }
            throw AWSError(
                "RequestExpired", status: 400,
                "Request has expired: X-Amz-Date \(parsed.date.amzDateTime) is \(Int(skew)) seconds from the server's time \(AmzDate(now).amzDateTime) (more than \(Int(maximum)) s)."
            )
        }
        let accessKeyID = parsed.accessKeyId
        let (secret, caller) = try await keys(accessKeyID, service: service)
        guard parsed.verify(signingKey: signingKey(accessKeyID: accessKeyID, secret: secret, scope: parsed.authorization.scope)) else {
            throw Self.signatureMismatch
        }
        try Self.checkSignedHeaders(parsed, request: request, service: service)
        try Self.checkSession(caller, token: expires == nil ? request.header("x-amz-security-token") : Self.queryToken(request), service: service, now: now)
        return caller
    }

    /// The caller of a SigV2 presigned S3 URL (valid until its `Expires`), or the S3 error.
    func authenticate(_ presigned: SigV2PresignedRequest, request: LocalRequest) async throws(AWSError) -> Caller {
        guard Double(presigned.expires) >= request.receivedAt.timeIntervalSince1970 else {
            throw AWSError("AccessDenied", status: 403, "Request has expired")
        }
        let (secret, caller) = try await keys(presigned.accessKeyID, service: .s3)
        guard presigned.verify(secretAccessKey: secret) else { throw Self.signatureMismatch }
        try Self.checkSession(caller, token: Self.queryToken(request) ?? request.header("x-amz-security-token"), service: .s3, now: request.receivedAt)
        return caller
    }

    static var signatureMismatch: AWSError {
        AWSError(
            "SignatureDoesNotMatch", status: 403,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        )
    }

    /// The secret of an access key and who it is: the administrator, or a session.
    func keys(_ accessKeyID: String, service: AWSService) async throws(AWSError) -> (secret: String, caller: Caller) {
        if accessKeyID == configuration.adminAccessKeyID {
            return (configuration.adminSecretAccessKey, .administrator(accountID: configuration.accountID))
        }
        if let session = try await session(accessKeyID) {
            return (session.secretAccessKey, .session(session))
        }
        if let (key, user) = try await userKey(accessKeyID) {
            return (key.secretAccessKey, .user(user, accessKey: key))
        }
        throw service == .s3
            ? AWSError("InvalidAccessKeyId", status: 403, "The AWS Access Key Id you provided does not exist in our records.")
            : AWSError(Self.unknownKeyCode(service), status: 403, "The security token included in the request is invalid.")
    }

    /// A session's token must be the one sent, and the session must not have expired; an IAM
    /// user's key must come without one.
    static func checkSession(_ caller: Caller, token: String?, service: AWSService, now: Date) throws(AWSError) {
        let isS3 = service == .s3
        let session: SessionRecord
        switch caller {
        case .administrator:
            return
        case .user:
            // A user's long-term key carries no token: one sent with it is refused, as on AWS.
            guard token == nil else {
                throw isS3
                    ? AWSError("InvalidToken", status: 400, "The provided token is malformed or otherwise invalid.")
                    : AWSError(Self.unknownKeyCode(service), status: 403, "The security token included in the request is invalid.")
            }
            return
        case .session(let minted):
            session = minted
        }
        guard token == session.sessionToken else {
            throw isS3
                ? AWSError("InvalidToken", status: 400, "The provided token is malformed or otherwise invalid.")
                : AWSError(Self.unknownKeyCode(service), status: 403, "The security token included in the request is invalid.")
        }
        guard session.isValid(at: now) else {
            throw isS3
                ? AWSError("ExpiredToken", status: 400, "The provided token has expired.")
                : AWSError(service == .rolesAnywhere ? "ExpiredTokenException" : "ExpiredToken", status: 403, "The security token included in the request is expired")
        }
    }

    /// What the signature must cover beyond what it names: one session token at most, and for S3
    /// every `x-amz-*` header (S3 refuses unsigned ones, so metadata and tokens cannot be slipped in
    /// after signing).
    static func checkSignedHeaders(_ parsed: ParsedSigV4Request, request: LocalRequest, service: AWSService) throws(AWSError) {
        var tokens = 0
        for header in request.headers where header.canonicalName == "x-amz-security-token" { tokens += 1 }
        guard tokens <= 1 else {
            throw service == .s3
                ? AWSError("InvalidToken", status: 400, "The request carries more than one X-Amz-Security-Token header.")
                : AWSError(unknownKeyCode(service), status: 403, "The request carries more than one X-Amz-Security-Token header.")
        }
        guard service == .s3 else { return }
        let signed = Set(parsed.authorization.signedHeaders)
        let unsigned = request.headers.map(\.canonicalName).filter { $0.hasPrefix("x-amz-") && !signed.contains($0) }
        guard unsigned.isEmpty else {
            throw AWSError(
                "AccessDenied", status: 403,
                "There were headers present in the request which were not signed: \(Set(unsigned).sorted().joined(separator: ", "))"
            )
        }
    }

    /// The `X-Amz-Security-Token` of a presigned URL's query (nil unless exactly one; SigV2 URLs
    /// write it in lower case).
    static func queryToken(_ request: LocalRequest) -> String? {
        let tokens = request.queryParameters.filter { $0.name.lowercased() == "x-amz-security-token" }
        return tokens.count == 1 ? tokens[0].value : nil
    }

    static func unknownKeyCode(_ service: AWSService) -> String {
        service == .rolesAnywhere ? "UnrecognizedClientException" : "InvalidClientTokenId"
    }

    func session(_ accessKeyID: String) async throws(AWSError) -> SessionRecord? {
        if let cached = sessions.value(forKey: accessKeyID) { return cached }
        guard accessKeyID.hasPrefix("ASIA") else { return nil }
        do {
            guard let session = try await store.session(accessKeyId: accessKeyID) else { return nil }
            remember(session)
            return session
        } catch {
            throw AWSError.internalFailure("the session store failed: \(error)")
        }
    }

    /// An active access key of an IAM user, and the user. An inactive or deleted key is as unknown
    /// as one never issued (IAM answers both alike). Looked up on every request (the store caches
    /// it until IAM is next written), so a deactivation takes effect at once.
    func userKey(_ accessKeyID: String) async throws(AWSError) -> (AccessKeyRecord, UserRecord)? {
        guard accessKeyID.hasPrefix("AKIA") else { return nil }
        do {
            guard let key = try await store.accessKey(id: accessKeyID), key.status == .active,
                let user = try await store.user(named: key.userName)
            else { return nil }
            return (key, user)
        } catch {
            throw AWSError.internalFailure("the access key store failed: \(error)")
        }
    }

    func signingKey(accessKeyID: String, secret: String, scope: CredentialScope) -> SigV4SigningKey {
        signingKeys.value(forKey: accessKeyID + "/" + scope.description) {
            SigV4SigningKey(secretAccessKey: secret, scope: scope)
        }
    }
}
