import AsyncHTTPClient
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// `--upstream`: a request that is not Roles Anywhere's goes to the upstream as it came - method,
/// target, headers (`Host` included, so that what the client signed is what the upstream sees) and
/// body, streamed - and its answer comes back the same way. Only hop-by-hop headers (RFC 9110
/// §7.6.1) are dropped; `Expect: 100-continue` is answered here, since the body is read here.
extension LocalServer {
    /// Headers that describe one connection, not the message.
    static let hopByHopHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    func forward(_ request: Request, head: LocalRequest, to upstream: UpstreamGateway, writer: consuming ResponseWriter) async throws {
        let target = request.head.path ?? "/"
        var outbound = HTTPClientRequest(url: upstream.configuration.origin + target)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        let named = Set(
            (request.headers[.connection] ?? "").split(separator: ",").map { $0.trimmedHTTPWhitespace.lowercased() }
        )
        if let authority = request.head.authority {
            outbound.headers.add(name: "Host", value: authority)
        }
        var declaredLength: Int?
        var chunked = false
        for field in request.headers {
            let name = field.name.canonicalName
            if name == "transfer-encoding" { chunked = true }
            if name == "content-length" { declaredLength = Int(field.value) }
            guard !Self.hopByHopHeaders.contains(name), !named.contains(name), name != "expect", name != "content-length" else { continue }
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        if request.headers[.expect]?.lowercased() == "100-continue" {
            try await writer.writeInformationalHead(HTTPResponse(status: .continue))
        }
        if let declaredLength {
            outbound.body = .stream(request.body, length: .known(Int64(declaredLength)))
        } else if chunked {
            outbound.body = .stream(request.body, length: .unknown)
        }

        let response: HTTPClientResponse
        do {
            // The deadline is generous: the upstream's silence is bounded by the client's read timeout.
            response = try await upstream.client.execute(outbound, deadline: .now() + .hours(24))
        } catch {
            let reason = UpstreamGateway.describe(error)
            logger.warning(
                "the upstream did not answer",
                metadata: [
                    "upstream": "\(upstream.configuration.origin)", "method": "\(head.method)", "path": "\(head.path)", "reason": "\(reason)",
                    "requestId": "\(head.requestID)",
                ]
            )
            let failure = AWSError(
                "ServiceUnavailable", status: 503, "The emulator behind this endpoint (\(upstream.configuration.origin)) did not answer: \(reason).",
                senderFault: false
            )
            let answer = failure.response(protocol: AWSService.guess(head).wireProtocol, requestID: head.requestID, isHead: head.method == "HEAD")
            try await writer.write(response: Self.head(answer, isHead: head.method == "HEAD"), body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            return
        }
        var fields = HTTPFields()
        let answerNamed = Set(
            (response.headers.first(name: "connection") ?? "").split(separator: ",").map { $0.trimmedHTTPWhitespace.lowercased() }
        )
        for (name, value) in response.headers {
            let lowered = name.lowercased()
            guard !Self.hopByHopHeaders.contains(lowered), !answerNamed.contains(lowered), let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        var body = try await writer.writeHead(HTTPResponse(status: .init(code: Int(response.status.code)), headerFields: fields))
        // Mid-answer failures close the connection (thrown): the client sees a cut answer, never a
        // complete-looking one.
        for try await chunk in response.body {
            try await body.write(chunk)
        }
        try await body.finish(nil)
    }
}
