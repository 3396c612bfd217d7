/// An HTTP request in the form the SigV4 algorithms need: method, path and query exactly as they
/// travel on the wire (percent-encoded), the header lines, and the body bytes.
public struct SignableRequest: Sendable, Hashable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path as sent on the wire, percent-encoded, starting with `/`.
    public var path: String
    /// The query string as sent on the wire, without the leading `?` (empty when there is none).
    public var query: String
    /// The header lines, in order.
    public var headers: [HTTPHeaderField]
    /// The body bytes.
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target such as `/sessions?roleArn=...` into path and query.
    public init(method: String, target: String, headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        if let question = target.firstIndex(of: "?") {
            self.init(
                method: method,
                path: String(target[..<question]),
                query: String(target[target.index(after: question)...]),
                headers: headers,
                body: body
            )
        } else {
            self.init(method: method, path: target, headers: headers, body: body)
        }
    }
}
