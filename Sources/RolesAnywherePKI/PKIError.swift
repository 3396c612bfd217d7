/// An error from creating, reading or checking PKI material.
///
/// ``code`` says what kind of failure it is; ``message`` is one sentence that says what is wrong and
/// what to do.
public struct PKIError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A flag or setting is missing or malformed.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// An input file is missing, unreadable or malformed.
        public static let invalidInput = Code("invalidInput")
        /// The request would produce material IAM Roles Anywhere rejects.
        public static let rejected = Code("rejected")
        /// An output file exists (and `--force` was not given) or cannot be written.
        public static let outputFailed = Code("outputFailed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
