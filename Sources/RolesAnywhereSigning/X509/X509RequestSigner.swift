import X509

/// Signs requests with SigV4-X509, exactly as AWS's `aws_signing_helper` does
/// (`AWS4-X509-RSA-SHA256`, `AWS4-X509-ECDSA-SHA256`, `AWS4-X509-MLDSA`).
///
/// The signer sets `X-Amz-Date`, `X-Amz-X509` and, when there are intermediates, `X-Amz-X509-Chain`,
/// then signs **every header present** except `Authorization`, `User-Agent` and `X-Amzn-Trace-Id`.
/// The caller supplies `Host` (with the port when the URL has one) and any other headers to sign.
public struct X509RequestSigner: Sendable {
    /// Headers never signed, lower-case.
    public static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "x-amzn-trace-id"]

    public var identity: SigningIdentity
    /// The signing region, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service; `rolesanywhere` for CreateSession.
    public var service: String

    public init(identity: SigningIdentity, region: String, service: String = "rolesanywhere") {
        self.identity = identity
        self.region = region
        self.service = service
    }

    /// Signs `request` as of `date`, returning the request with its new headers and the intermediate values.
    public func sign(_ request: SignableRequest, date: AmzDate) throws(SigningError) -> SignedRequest {
        var request = request
        request.headers.remove(named: "authorization")
        request.headers.replace(named: "X-Amz-Date", with: date.amzDateTime)
        request.headers.replace(named: "X-Amz-X509", with: identity.certificate.base64)
        if identity.certificateChain.isEmpty {
            request.headers.remove(named: "X-Amz-X509-Chain")
        } else {
            request.headers.replace(
                named: "X-Amz-X509-Chain",
                with: identity.certificateChain.map(\.base64).joined(separator: ",")
            )
        }
        guard request.headers.first(named: "host") != nil else {
            throw SigningError(.malformedRequest, "the request has no Host header to sign")
        }

        let signedHeaders = CanonicalRequest.signedHeaderNames(of: request.headers, excluding: Self.unsignedHeaders)
        let canonicalRequest = try CanonicalRequest(request: request, signedHeaders: signedHeaders)
        let scope = CredentialScope(date: date, region: region, service: service)
        let stringToSign = SigV4Authorization.stringToSign(
            algorithm: identity.algorithm.name,
            date: date,
            scope: scope,
            canonicalRequest: canonicalRequest
        )
        let signature = try identity.key.signature(for: Array(stringToSign.utf8))
        let authorization = SigV4Authorization(
            algorithm: identity.algorithm.name,
            credentialID: identity.certificate.decimalSerialNumber,
            scope: scope,
            signedHeaders: signedHeaders,
            signature: Hex.encode(signature)
        )
        request.headers.append(HTTPHeaderField(name: "Authorization", value: authorization.description))
        return SignedRequest(
            request: request,
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            authorization: authorization
        )
    }
}

/// A signed request and the values that produced its signature (for diagnostics and tests).
public struct SignedRequest: Sendable, Hashable {
    /// The request with `X-Amz-Date`, the certificate headers and `Authorization` set.
    public var request: SignableRequest
    public var canonicalRequest: CanonicalRequest
    public var stringToSign: String
    public var authorization: SigV4Authorization
}
