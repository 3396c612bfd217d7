/// The wire protocols of AWS's service models; they decide how requests name their operation and
/// how answers and errors look.
public enum AWSProtocol: Sendable, Hashable {
    /// IAM and STS: form-encoded `Action=...` requests, XML answers, `<ErrorResponse>` errors.
    case query(namespace: String, version: String)
    /// S3: REST with XML, `<Error>` errors without a namespace.
    case restXML
    /// IAM Roles Anywhere: REST with JSON, errors in `x-amzn-ErrorType` and `{"message"}`.
    case restJSON
    /// JSON over `POST /` with `X-Amz-Target: <prefix>.<Operation>` (AWS Private CA, ...).
    case json(targetPrefix: String, version: String)
}
