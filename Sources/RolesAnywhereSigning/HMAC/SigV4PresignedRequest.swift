/// SigV4 in the query string (a presigned URL): `X-Amz-Algorithm`, `X-Amz-Credential`,
/// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` and `X-Amz-Signature` instead of an
/// `Authorization` header, as `aws s3 presign` and boto3's `generate_presigned_url` make them.
///
/// The canonical request is the one of a header-signed request, but for two rules: the canonical
/// query string holds every parameter except `X-Amz-Signature`, and an S3 URL signs the payload as
/// `UNSIGNED-PAYLOAD` (the body is not known when the URL is made).
public enum SigV4PresignedRequest {
    /// The longest validity AWS allows a presigned URL: seven days.
    public static let maximumExpires = 604_800

    /// Whether the query string carries a presigned signature (an `X-Amz-Signature` or
    /// `X-Amz-Algorithm` parameter; names are case-sensitive, as S3 reads them).
    public static func isPresigned(query: String) -> Bool {
        parameters(query).contains { $0.name == "X-Amz-Algorithm" || $0.name == "X-Amz-Signature" }
    }

    /// The decoded `name=value` pairs of a raw query string (nil values for undecodable ones).
    static func parameters(_ query: String) -> [(name: String, value: String?, raw: Substring)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let equals = pair.firstIndex(of: "=")
            let name = equals.map { pair[..<$0] } ?? pair
            let value = equals.map { pair[pair.index(after: $0)...] } ?? ""
            return (URIEncoding.decode(String(name)) ?? String(name), URIEncoding.decode(String(value)), pair)
        }
    }

    /// The one non-empty value of a parameter a presigned URL must carry once.
    static func single(_ name: String, in pairs: [(name: String, value: String?, raw: Substring)]) throws(SigningError) -> String {
        let values = pairs.filter { $0.name == name }
        guard values.count == 1, let value = values[0].value, !value.isEmpty else {
            throw SigningError(
                .malformedAuthorization,
                values.isEmpty ? "the presigned URL has no \(name) parameter" : "the presigned URL's \(name) parameter is malformed or repeated"
            )
        }
        return value
    }

    /// Parses and canonicalises a presigned request; returns it with how many seconds after
    /// `X-Amz-Date` it stays valid.
    ///
    /// - Throws: ``SigningError`` naming the parameter that is missing or wrong.
    public static func parse(_ request: SignableRequest) throws(SigningError) -> (request: ParsedSigV4Request, expires: Int) {
        let pairs = parameters(request.query)
        func single(_ name: String) throws(SigningError) -> String { try Self.single(name, in: pairs) }
        let algorithm = try single("X-Amz-Algorithm")
        guard algorithm == SigV4Signer.algorithm else {
            throw SigningError(.unsupportedAlgorithm, "the algorithm '\(algorithm)' is not AWS4-HMAC-SHA256")
        }
        let credential = try single("X-Amz-Credential")
        let dateText = try single("X-Amz-Date")
        let expiresText = try single("X-Amz-Expires")
        let signedHeadersText = try single("X-Amz-SignedHeaders")
        let signature = try single("X-Amz-Signature")
        // At most seven digits: anything longer is past the limit and cannot overflow.
        guard expiresText.utf8.count <= 7, expiresText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let expires = Int(expiresText), (1...maximumExpires).contains(expires)
        else {
            throw SigningError(.malformedAuthorization, "X-Amz-Expires must be a number of seconds from 1 to \(maximumExpires)")
        }
        guard let date = AmzDate(amzDateTime: dateText) else {
            throw SigningError(.malformedDate, "X-Amz-Date is not of the form YYYYMMDDTHHMMSSZ")
        }
        // The parameters, as a header would carry them, through the one Authorization parser.
        let authorization = try SigV4Authorization(
            parsing: "\(algorithm) Credential=\(credential), SignedHeaders=\(signedHeadersText), Signature=\(signature)"
        )
        guard authorization.signedHeaders.contains("host") else {
            throw SigningError(.requiredHeaderNotSigned, "the host header must be signed")
        }
        guard authorization.scope.date == date.scopeDate else {
            throw SigningError(.malformedDate, "the credential scope date \(authorization.scope.date) is not the date of X-Amz-Date (\(date.amzDateTime))")
        }
        var unsigned = request
        unsigned.query = pairs.filter { $0.name != "X-Amz-Signature" }.map { String($0.raw) }.joined(separator: "&")
        let isS3 = authorization.scope.service == "s3"
        let canonicalRequest = try CanonicalRequest(
            request: unsigned,
            signedHeaders: authorization.signedHeaders,
            pathEncoding: isS3 ? .raw : .normalizedDoubleEncoded,
            payloadHash: isS3 ? (request.headers.first(named: "x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD") : nil
        )
        let stringToSign = SigV4Authorization.stringToSign(
            algorithm: algorithm, date: date, scope: authorization.scope, canonicalRequest: canonicalRequest
        )
        return (ParsedSigV4Request(authorization: authorization, date: date, canonicalRequest: canonicalRequest, stringToSign: stringToSign), expires)
    }
}
