/// An error from loading keys and certificates, or from obtaining credentials.
///
/// ``code`` says what kind of failure it is (and so which exit code the CLI uses); ``message`` is one
/// sentence that says what is wrong and what to do.
public struct CredentialsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A flag or setting is missing, malformed or contradicts another (an ARN, a region, an endpoint).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A file is missing, unreadable, or does not hold what it should.
        public static let invalidInput = Code("invalidInput")
        /// An encrypted key or PKCS#12 file needs a password that was not given, or the password is wrong.
        public static let passwordRequired = Code("passwordRequired")
        public static let wrongPassword = Code("wrongPassword")
        /// The key type, curve or size cannot be used with IAM Roles Anywhere.
        public static let unsupportedKey = Code("unsupportedKey")
        /// The private key does not belong to the certificate.
        public static let keyMismatch = Code("keyMismatch")
        /// The service refused the request (`AccessDeniedException`, `ValidationException`, ...).
        public static let serviceRejected = Code("serviceRejected")
        /// The service kept throttling or failing (HTTP 429/5xx) through every retry.
        public static let serviceUnavailable = Code("serviceUnavailable")
        /// The service could not be reached or the TLS connection failed.
        public static let network = Code("network")
        /// The service answered with something that is not a CreateSession response.
        public static let invalidResponse = Code("invalidResponse")
        /// Writing an output file failed.
        public static let outputFailed = Code("outputFailed")
    }

    public var code: Code
    public var message: String
    /// For ``Code-swift.struct/serviceRejected`` and ``Code-swift.struct/serviceUnavailable``: the AWS error
    /// type, e.g. `AccessDeniedException`.
    public var serviceErrorType: String?
    /// For service errors: the HTTP status.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, serviceErrorType: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.serviceErrorType = serviceErrorType
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}
