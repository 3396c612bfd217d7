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
        guard query.utf8.count >= 9, contains(query, "Signature") || contains(query, "X-Amz-Algorithm") else { return false }
        return SigV4PresignedRequest.isPresigned(query: query) || SigV2PresignedRequest.isPresigned(query: query)
    }

    /// Whether `text` holds `needle`, compared byte by byte (the standard library's `contains`
    /// goes through the regex engine, which costs more than the rest of the check).
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first else { return true }
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= pattern.count else { return false }
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                if bytes[index] == first, UnsafeBufferPointer(rebasing: bytes[index..<index + pattern.count]).elementsEqual(pattern) { return true }
                index += 1
            }
            return false
        }
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
    /// The name/value pairs of a query string or form body, split and decoded on its UTF-8 bytes
    /// (`&` and `=` are ASCII, so no cut falls inside a character). A part with a malformed escape,
    /// or one that decodes to bytes that are not UTF-8, is kept as it was sent.
    static func parse(_ text: String, plusIsSpace: Bool) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        let utf8 = Array(text.utf8)
        func decode(_ part: ArraySlice<UInt8>) -> String {
            let sent = plusIsSpace ? part.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 } : Array(part)
            guard let decoded = URIEncoding.decodeBytes(bytes: sent), let text = String(validating: decoded, as: UTF8.self) else {
                return String(decoding: sent, as: UTF8.self)
            }
            return text
        }
        return utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return (decode(pair), "") }
            return (decode(pair[..<equals]), decode(pair[(equals + 1)...]))
        }
    }
}

