/// An error answer in AWS's shape: a code (`NoSuchEntity`), an HTTP status and a message. Handlers
/// throw these; the protocol layer renders them as the service's clients expect.
public struct AWSError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var status: Int
    public var message: String
    /// `Sender` (the client's fault) or `Receiver` (the service's).
    public var isSenderFault: Bool
    /// What S3 adds to its `<Error>` after the message, naming the resource: `BucketName`, `Key`,
    /// `UploadId`. botocore puts them in the error dictionary beside `Code` and `Message`.
    public var details: [Detail]
    /// Headers the error answer carries besides the protocol's own (S3's `x-amz-delete-marker` and
    /// `x-amz-version-id` on a 404 or 405 for a delete marker).
    public var headers: [Detail] = []

    /// One element S3 adds to an error.
    public struct Detail: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(_ code: String, status: Int, _ message: String, senderFault: Bool = true, details: [Detail] = []) {
        self.code = code
        self.status = status
        self.message = message
        self.isSenderFault = senderFault
        self.details = details
    }

    public var description: String { "\(code): \(message)" }

    static func accessDenied(_ message: String) -> AWSError { AWSError("AccessDenied", status: 403, message) }
    static func invalidInput(_ message: String) -> AWSError { AWSError("InvalidInput", status: 400, message) }
    static func validation(_ message: String) -> AWSError { AWSError("ValidationError", status: 400, message) }
    static func internalFailure(_ message: String) -> AWSError {
        AWSError("ServiceFailure", status: 500, message, senderFault: false)
    }

    /// IAM's "1 validation error detected" message for a value failing a constraint.
    static func constraint(_ value: String, member: String, _ constraint: String, code: String = "ValidationError") -> AWSError {
        AWSError(code, status: 400, "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: \(constraint)")
    }
}
