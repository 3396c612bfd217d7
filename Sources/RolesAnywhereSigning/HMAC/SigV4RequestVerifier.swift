import Crypto

/// Verifies SigV4 (`AWS4-HMAC-SHA256`) signatures as AWS does, for `rolesanywhere-local`.
///
/// Verification is two steps because the secret depends on who signed: ``parse(_:)`` reads the
/// `Authorization` header and rebuilds the string to sign from the headers it lists; the caller looks
/// up the access key, then ``ParsedSigV4Request/verify(signingKey:)`` compares signatures.
public enum SigV4RequestVerifier {
    /// Parses and canonicalises a SigV4 request.
    ///
    /// - S3 (`service == "s3"` in the credential scope) signs the path as sent and the payload hash
    ///   from `X-Amz-Content-SHA256` (which may be `UNSIGNED-PAYLOAD` or a streaming marker); every
    ///   other service signs the normalised, twice-encoded path and the SHA-256 of the body.
    /// - Throws: ``SigningError`` with ``SigningError/Code-swift.struct/malformedAuthorization`` or
    ///   ``SigningError/Code-swift.struct/malformedDate`` and friends, naming what is wrong.
    public static func parse(_ request: SignableRequest) throws(SigningError) -> ParsedSigV4Request {
        let header = try X509RequestVerifier.singleHeader("Authorization", in: request, code: .malformedAuthorization)
        let authorization = try SigV4Authorization(parsing: header)
        guard authorization.algorithm == SigV4Signer.algorithm else {
            throw SigningError(.unsupportedAlgorithm, "the algorithm '\(authorization.algorithm)' is not AWS4-HMAC-SHA256")
        }
        guard authorization.signedHeaders.contains("host") else {
            throw SigningError(.requiredHeaderNotSigned, "the host header must be signed")
        }
        let dateValues = request.headers.values(named: "x-amz-date")
        guard dateValues.count == 1, let dateText = dateValues.first, let date = AmzDate(amzDateTime: dateText) else {
            throw SigningError(.malformedDate, "X-Amz-Date is missing or not of the form YYYYMMDDTHHMMSSZ")
        }
        guard authorization.scope.date == date.scopeDate else {
            throw SigningError(
                .malformedDate,
                "the credential scope date \(authorization.scope.date) is not the date of X-Amz-Date (\(date.amzDateTime))"
            )
        }
        let isS3 = authorization.scope.service == "s3"
        var payloadHash: String?
        if isS3 {
            guard let declared = request.headers.first(named: "x-amz-content-sha256") else {
                throw SigningError(.missingSignedHeader, "S3 requests must carry X-Amz-Content-SHA256")
            }
            payloadHash = declared
        }
        let canonicalRequest = try CanonicalRequest(
            request: request,
            signedHeaders: authorization.signedHeaders,
            pathEncoding: isS3 ? .raw : .normalizedDoubleEncoded,
            payloadHash: payloadHash
        )
        let stringToSign = SigV4Authorization.stringToSign(
            algorithm: authorization.algorithm,
            date: date,
            scope: authorization.scope,
            canonicalRequest: canonicalRequest
        )
        return ParsedSigV4Request(authorization: authorization, date: date, canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }

    /// The lower-case hex SHA-256 of `body`.
    public static func hashOfBody(_ body: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: body))
    }

    /// Compares two hex signatures in constant time.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// A SigV4 request, parsed and canonicalised, waiting for its secret to be looked up.
public struct ParsedSigV4Request: Sendable, Hashable {
    public var authorization: SigV4Authorization
    public var date: AmzDate
    public var canonicalRequest: CanonicalRequest
    public var stringToSign: String

    /// The access key ID that signed.
    public var accessKeyId: String { authorization.credentialID }

    /// Whether the signature is the one `signingKey` makes.
    public func verify(signingKey: SigV4SigningKey) -> Bool {
        SigV4RequestVerifier.constantTimeEquals(signingKey.signature(for: stringToSign), authorization.signature)
    }

    /// Whether the signature is the one `secretAccessKey` makes.
    public func verify(secretAccessKey: String) -> Bool {
        verify(signingKey: SigV4SigningKey(secretAccessKey: secretAccessKey, scope: authorization.scope))
    }
}
