import X509

/// Verifies SigV4-X509 signatures, as IAM Roles Anywhere does before it looks at trust.
///
/// The canonical request is rebuilt from the headers listed in `SignedHeaders` (never from a fixed
/// list), so requests from any client verify: the official helper, SDK-based clients that also sign
/// `amz-sdk-*` headers, and the Python `iam-rolesanywhere-session`.
///
/// This checks the signature only. Clock skew, trust chains, revocation and policy are the caller's.
public enum X509RequestVerifier {
    /// Verifies `request`.
    ///
    /// - Returns: the parsed and verified parts of the request.
    /// - Throws: a ``SigningError`` whose code says what is wrong; ``SigningError/Code-swift.struct/signatureMismatch``
    ///   when everything parses but the signature does not verify.
    public static func verify(
        _ request: SignableRequest,
        decodingCertificatesWith decode: (String) throws(SigningError) -> EncodedCertificate = Self.decodeCertificate
    ) throws(SigningError) -> VerifiedX509Request {
        let parsed = try parse(request, decodingCertificatesWith: decode)
        let publicKey = parsed.certificate.fields.publicKey
        guard publicKey.sigV4X509Algorithm == parsed.algorithm else {
            throw SigningError(
                .unsupportedKey,
                "the algorithm \(parsed.algorithm) does not match the certificate's key (\(publicKey))"
            )
        }
        guard let signature = Hex.decode(parsed.authorization.signature),
            publicKey.isValidSigV4X509Signature(signature, for: Array(parsed.stringToSign.utf8), algorithm: parsed.algorithm)
        else {
            throw SigningError(.signatureMismatch, "the signature does not match the request and the certificate's key")
        }
        return parsed
    }

    /// Parses a SigV4-X509 request and rebuilds its string to sign, without checking the signature.
    ///
    /// `decode` turns the base64 of `X-Amz-X509` and of each chain element into a certificate; a
    /// server can pass one that remembers certificates it has parsed before.
    public static func parse(
        _ request: SignableRequest,
        decodingCertificatesWith decode: (String) throws(SigningError) -> EncodedCertificate = Self.decodeCertificate
    ) throws(SigningError) -> VerifiedX509Request {
        let header = try singleHeader("Authorization", in: request, code: .malformedAuthorization)
        let authorization = try SigV4Authorization(parsing: header)
        guard let algorithm = X509SigningAlgorithm(name: authorization.algorithm) else {
            throw SigningError(.unsupportedAlgorithm, "'\(authorization.algorithm)' is not a SigV4-X509 algorithm")
        }

        let certificate = try decode(try singleHeader("X-Amz-X509", in: request, code: .malformedCertificate))
        var chain = [EncodedCertificate]()
        let chainValues = request.headers.values(named: "x-amz-x509-chain")
        for value in chainValues {
            for element in value.split(separator: ",") {
                chain.append(try decode(String(element)))
            }
        }

        guard authorization.credentialID == certificate.decimalSerialNumber else {
            throw SigningError(
                .serialNumberMismatch,
                "the Credential serial number \(authorization.credentialID) is not the certificate's (\(certificate.decimalSerialNumber))"
            )
        }

        var required = ["host", "x-amz-date", "x-amz-x509"]
        if !chainValues.isEmpty { required.append("x-amz-x509-chain") }
        for name in required where !authorization.signedHeaders.contains(name) {
            throw SigningError(.requiredHeaderNotSigned, "the header '\(name)' must be signed but is not in SignedHeaders")
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

        let canonicalRequest = try CanonicalRequest(request: request, signedHeaders: authorization.signedHeaders)
        let stringToSign = SigV4Authorization.stringToSign(
            algorithm: authorization.algorithm,
            date: date,
            scope: authorization.scope,
            canonicalRequest: canonicalRequest
        )
        return VerifiedX509Request(
            authorization: authorization,
            algorithm: algorithm,
            date: date,
            certificate: certificate,
            certificateChain: chain,
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign
        )
    }
}

extension X509RequestVerifier {
    /// Parses base64 DER, as `X-Amz-X509` and `X-Amz-X509-Chain` carry certificates.
    public static func decodeCertificate(_ base64: String) throws(SigningError) -> EncodedCertificate {
        try EncodedCertificate(base64Encoded: base64)
    }

    /// The value of a header that must appear exactly once.
    static func singleHeader(_ name: String, in request: SignableRequest, code: SigningError.Code) throws(SigningError) -> String {
        let values = request.headers.values(named: name)
        guard values.count == 1, let value = values.first else {
            throw SigningError(code, values.isEmpty ? "the request has no \(name) header" : "the request has more than one \(name) header")
        }
        return value
    }
}

/// The parts of a SigV4-X509 request, as parsed (and, from ``X509RequestVerifier/verify(_:)``, verified).
public struct VerifiedX509Request: Sendable, Hashable {
    public var authorization: SigV4Authorization
    public var algorithm: X509SigningAlgorithm
    /// The signing time from `X-Amz-Date`.
    public var date: AmzDate
    /// The end-entity certificate from `X-Amz-X509`.
    public var certificate: EncodedCertificate
    /// The certificates from `X-Amz-X509-Chain`, in order.
    public var certificateChain: [EncodedCertificate]
    public var canonicalRequest: CanonicalRequest
    public var stringToSign: String
}
