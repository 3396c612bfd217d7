/// The wire protocols of the services `rolesanywhere-local` speaks; they decide how errors look.
public enum AWSProtocol: Sendable, Hashable {
    /// IAM and STS: form-encoded requests, XML answers, `<ErrorResponse>` errors.
    case query(namespace: String)
    /// S3: REST with XML, `<Error>` errors without a namespace.
    case restXML
    /// IAM Roles Anywhere: REST with JSON, errors in `x-amzn-ErrorType` and `{"message"}`.
    case restJSON

    static let iam = AWSProtocol.query(namespace: "https://iam.amazonaws.com/doc/2010-05-08/")
    static let sts = AWSProtocol.query(namespace: "https://sts.amazonaws.com/doc/2011-06-15/")
}
