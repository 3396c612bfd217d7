/// Signs requests with SigV4 (`AWS4-HMAC-SHA256`), the way botocore does: used by the tests and
/// tools that talk to `rolesanywhere-local`, and as the reference for its verifier.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers botocore never signs, lower-case.
    public static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "x-amzn-trace-id", "expect"]

    public var credentials: SigV4Credentials
    public var region: String
    public var service: String

    public init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` as of `date`. S3 requests carry `X-Amz-Content-SHA256` (the body hash, or
    /// `UNSIGNED-PAYLOAD` when `unsignedPayload`), keep their path as sent, and every other
    /// service's path is normalised and encoded twice.
    ///
    /// For S3, `declaredPayloadHash` signs a literal `X-Amz-Content-SHA256` value (such as
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`) instead of the body's hash.
    public func sign(
        _ request: SignableRequest, date: AmzDate, unsignedPayload: Bool = false, declaredPayloadHash: String? = nil
    ) throws(SigningError) -> SignedRequest {
        var request = request
        request.headers.remove(named: "authorization")
        request.headers.replace(named: "X-Amz-Date", with: date.amzDateTime)
        if let token = credentials.sessionToken {
            request.headers.replace(named: "X-Amz-Security-Token", with: token)
        }
        let isS3 = service == "s3"
        var payloadHash: String?
        if isS3 {
            let hash = declaredPayloadHash ?? (unsignedPayload ? "UNSIGNED-PAYLOAD" : SigV4RequestVerifier.hashOfBody(request.body))
            request.headers.replace(named: "X-Amz-Content-SHA256", with: hash)
            payloadHash = hash
        }
        let signedHeaders = CanonicalRequest.signedHeaderNames(of: request.headers, excluding: Self.unsignedHeaders)
        let canonicalRequest = try CanonicalRequest(
            request: request,
            signedHeaders: signedHeaders,
            pathEncoding: isS3 ? .raw : .normalizedDoubleEncoded,
            payloadHash: payloadHash
        )
        let scope = CredentialScope(date: date, region: region, service: service)
        let stringToSign = SigV4Authorization.stringToSign(algorithm: Self.algorithm, date: date, scope: scope, canonicalRequest: canonicalRequest)
        let signature = SigV4SigningKey(secretAccessKey: credentials.secretAccessKey, scope: scope).signature(for: stringToSign)
        let authorization = SigV4Authorization(
            algorithm: Self.algorithm,
            credentialID: credentials.accessKeyId,
            scope: scope,
            signedHeaders: signedHeaders,
            signature: signature
        )
        request.headers.append(HTTPHeaderField(name: "Authorization", value: authorization.description))
        return SignedRequest(request: request, canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }
}
