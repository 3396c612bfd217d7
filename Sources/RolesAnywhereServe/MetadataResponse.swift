import NIOCore
import NIOHTTP1

/// An answer, before it is framed as HTTP. The body is a buffer so that a credential document
/// rendered once per refresh is shared by every answer until the next one (a `ByteBuffer` copy
/// shares its storage).
struct MetadataResponse: Sendable {
    /// The content types `serve` answers with.
    enum ContentType: Sendable {
        case text, json
        /// The Prometheus text exposition format, version 0.0.4.
        case prometheus

        var headerLine: StaticString {
            switch self {
            case .text: "Content-Type: text/plain; charset=utf-8\r\n"
            case .json: "Content-Type: application/json\r\n"
            case .prometheus: "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            }
        }
    }

    var status: Int
    var body: ByteBuffer
    var contentType = ContentType.text
    /// The remaining lifetime of the IMDSv2 token, sent as `X-aws-ec2-metadata-token-ttl-seconds`.
    var tokenTTL: Int?
    var allow: String?

    static func text(_ status: Int, _ body: String, tokenTTL: Int? = nil) -> MetadataResponse {
        MetadataResponse(status: status, body: ByteBuffer(string: body), tokenTTL: tokenTTL)
    }

    /// The body as text (for logs of refusals; never called for credentials).
    var bodyText: String { String(buffer: body) }

    /// The whole HTTP/1.x response - status line, headers and (unless `includeBody` is false, for
    /// HEAD) body - in one buffer, to be written with one write.
    func framed(version: HTTPVersion, keepAlive: Bool, includeBody: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        var buffer = allocator.buffer(capacity: 160 + reason.utf8.count + (allow?.utf8.count ?? 0) + (includeBody ? body.readableBytes : 0))
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(reason)
        buffer.writeStaticString("\r\n")
        buffer.writeStaticString(contentType.headerLine)
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(body.readableBytes))
        buffer.writeStaticString("\r\n")
        if let tokenTTL {
            buffer.writeStaticString("X-aws-ec2-metadata-token-ttl-seconds: ")
            buffer.writeString(String(tokenTTL))
            buffer.writeStaticString("\r\n")
        }
        if let allow {
            buffer.writeStaticString("Allow: ")
            buffer.writeString(allow)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Server: rolesanywhere\r\n")
        if !keepAlive { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        if includeBody { buffer.writeImmutableBuffer(body) }
        return buffer
    }

    /// What is written when a request cannot be parsed: no route saw it, and the connection closes.
    static let badRequest = ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nServer: rolesanywhere\r\nConnection: close\r\n\r\n")
}
