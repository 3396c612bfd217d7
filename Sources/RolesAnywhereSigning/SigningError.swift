/// An error from building, signing or verifying a SigV4 or SigV4-X509 request.
///
/// Match on ``code``; ``message`` is one sentence for people and may change.
public struct SigningError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request itself is malformed (a bad escape in the query, a header that cannot be used).
        public static let malformedRequest = Code("malformedRequest")
        /// The `Authorization` header is missing or does not parse.
        public static let malformedAuthorization = Code("malformedAuthorization")
        /// The algorithm in `Authorization` is not one this library implements.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// A header named in `SignedHeaders` is absent.
        public static let missingSignedHeader = Code("missingSignedHeader")
        /// A header that must be signed (`host`, `x-amz-date`, `x-amz-x509`, ...) is not in `SignedHeaders`.
        public static let requiredHeaderNotSigned = Code("requiredHeaderNotSigned")
        /// `X-Amz-Date` is missing or malformed, or disagrees with the scope date.
        public static let malformedDate = Code("malformedDate")
        /// `X-Amz-X509` or `X-Amz-X509-Chain` is missing, not base64 or not a DER certificate.
        public static let malformedCertificate = Code("malformedCertificate")
        /// The serial number in `Credential=` is not the signing certificate's.
        public static let serialNumberMismatch = Code("serialNumberMismatch")
        /// The key type cannot sign SigV4-X509 requests, or does not match the algorithm.
        public static let unsupportedKey = Code("unsupportedKey")
        /// The private key does not belong to the certificate.
        public static let keyMismatch = Code("keyMismatch")
        /// A key's encoding is malformed: a wrong length, or an expanded ML-DSA key that does not
        /// match its seed.
        public static let malformedKey = Code("malformedKey")
        /// The key failed to produce a signature.
        public static let signingFailed = Code("signingFailed")
        /// The signature does not verify.
        public static let signatureMismatch = Code("signatureMismatch")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
