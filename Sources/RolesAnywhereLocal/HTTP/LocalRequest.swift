#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywhereSigning

/// An HTTP request as the services see it: the target exactly as sent (for signature checks), the
/// header lines (with `Host`), the whole body, and where it came from.
public struct LocalRequest: Sendable {
    public var method: String
    /// The path as sent, percent-encoded.
    public var path: String
    /// The query as sent, without `?`.
    public var query: String
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]
    /// The client's IP address, for `aws:SourceIp`.
    public var sourceIP: String?
    /// Whether the request came over TLS, for `aws:SecureTransport`.
    public var isSecure: Bool
    public var receivedAt: Date
    /// An ID for the answer and the logs.
    public var requestID: String

    public init(
        method: String, path: String, query: String, headers: [HTTPHeaderField], body: [UInt8],
        sourceIP: String? = nil, isSecure: Bool = false, receivedAt: Date = Date(), requestID: String = UUID().uuidString.lowercased()
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
        self.isSecure = isSecure
        self.receivedAt = receivedAt
        self.requestID = requestID
    }

    /// The request for the signature algorithms.
    var signable: SignableRequest {
        SignableRequest(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// Whether a query string carries a signature (a presigned URL, SigV4 or S3's SigV2).
    static func isPresigned(query: String) -> Bool {
        // Both forms carry a parameter ending in "Signature" (or X-Amz-Algorithm): most queries are
        // ruled out without decoding them.
        guard query.utf8.count >= 9, query.contains("Signature") || query.contains("X-Amz-Algorithm") else { return false }
        return SigV4PresignedRequest.isPresigned(query: query) || SigV2PresignedRequest.isPresigned(query: query)
    }

    /// The first value of a header (case-insensitive).
    func header(_ name: String) -> String? { headers.first(named: name) }

    /// The decoded query parameters (a name without `=` gets an empty value).
    var queryParameters: [(name: String, value: String)] {
        FormEncoding.parse(query, plusIsSpace: false)
    }
}

/// `name=value&...` parsing for query strings and form bodies.
enum FormEncoding {
    static func parse(_ text: String, plusIsSpace: Bool) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let text = plusIsSpace ? String(part).replacingPlus() : String(part)
                return URIEncoding.decode(text) ?? text
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

extension String {
    fileprivate func replacingPlus() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
