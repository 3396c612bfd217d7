#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOSSL

/// One HTTP/1.1 request made on the calling thread: a ``BlockingSocket`` carries the bytes, and
/// NIO's TLS handler and HTTP codec run in an embedded channel on this same thread, so no event
/// loop or other thread is started. For the one CreateSession of `credential-process` and
/// `update --once`; long-running commands keep AsyncHTTPClient.
struct CallingThreadHTTPClient {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    var endpoint: Endpoint
    var proxy: ProxySettings?
    /// `nil` for plain HTTP.
    var tls: NIOSSLContext?
    var connectTimeout: Duration
    var requestTimeout: Duration
    var maximumResponseSize: Int

    /// Sends `method target` with `headers` and `body`, and reads the whole answer.
    func send(method: HTTPMethod, pathAndQuery: String, headers: HTTPHeaders, body: [UInt8]) throws(TransportFailure) -> Response {
        let deadline = Deadline(after: requestTimeout)
        let connectHost = proxy?.host ?? endpoint.host
        let connectPort = proxy?.port ?? endpoint.effectivePort
        let socket = try BlockingSocket.connect(
            host: connectHost, port: connectPort, deadline: Deadline(after: connectTimeout).capped(at: deadline)
        )
        var target = pathAndQuery
        var headers = headers
        if let proxy {
            if endpoint.isSecure {
                try openTunnel(through: proxy, on: socket, deadline: deadline)
            } else {
                // A plain-HTTP request through a proxy names the whole URL.
                target = "\(endpoint)\(pathAndQuery)"
                if let authorization = proxy.basicAuthorization { headers.add(name: "Proxy-Authorization", value: authorization) }
            }
        }
        headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        var handlers: [any ChannelHandler] = []
        if let tls {
            let hostname = endpoint.hostIsIPAddress ? nil : endpoint.host
            do {
                handlers.append(try NIOSSLClientHandler(context: tls, serverHostname: hostname))
            } catch {
                throw .tls(NetworkErrorDescription.describe(error))
            }
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
        return try exchange(
            on: socket, handlers: handlers, head: head, body: body,
            peer: endpoint.hostIsIPAddress ? endpoint.host : socket.peerAddress, port: endpoint.effectivePort,
            deadline: deadline, untilHead: false
        )
    }

    /// `CONNECT host:port` to the proxy; any 2xx answer opens the tunnel.
    private func openTunnel(through proxy: ProxySettings, on socket: BlockingSocket, deadline: Deadline) throws(TransportFailure) {
        var headers = HTTPHeaders([("Host", endpoint.authorityWithPort)])
        if let authorization = proxy.basicAuthorization { headers.add(name: "Proxy-Authorization", value: authorization) }
        let head = HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: endpoint.authorityWithPort, headers: headers)
        let answer: Response
        do {
            answer = try exchange(
                on: socket, handlers: [], head: head, body: [], peer: socket.peerAddress, port: socket.peerPort,
                deadline: deadline, untilHead: true
            )
        } catch {
            if case .proxy = error { throw error }
            throw .proxy("\(error)")
        }
        guard (200..<300).contains(answer.status) else {
            throw answer.status == 407 ? .proxyAuthenticationRequired : .proxy("HTTP \(answer.status)")
        }
    }

    /// Runs one request and answer through an embedded channel whose bytes travel on `socket`.
    private func exchange(
        on socket: BlockingSocket, handlers: [any ChannelHandler], head: HTTPRequestHead, body: [UInt8],
        peer: String, port: Int, deadline: Deadline, untilHead: Bool
    ) throws(TransportFailure) -> Response {
        let channel = EmbeddedChannel()
        // Closed without waiting: the TLS handler's close would wait for the peer's close_notify,
        // which nothing reads any more; the socket is closed by its owner.
        defer { channel.close(promise: nil) }
        do {
            try channel.pipeline.syncOperations.addHandlers(handlers)
            try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
            // NIO's TLS handler checks an IP-address endpoint's certificate against this address.
            let address = try SocketAddress(ipAddress: peer, port: port)
            channel.remoteAddress = address
            try channel.connect(to: address).wait()
            // Written without waiting: the TLS handler holds them until its handshake is done.
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            try channel.throwIfErrorCaught()
        } catch {
            throw Self.failure(error)
        }
        var response: Response?
        let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { receiveBuffer.deallocate() }
        var closed = false
        while true {
            try flush(channel, to: socket, deadline: deadline)
            do {
                while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                    switch part {
                    case .head(let answer):
                        response = Response(status: Int(answer.status.code), headers: answer.headers, body: [])
                        if untilHead, let response { return response }
                    case .body(let buffer):
                        guard var current = response else { throw TransportFailure.malformedResponse("a body before the status line") }
                        let (total, overflow) = current.body.count.addingReportingOverflow(buffer.readableBytes)
                        guard !overflow, total <= maximumResponseSize else {
                            throw TransportFailure.responseTooLarge(limit: maximumResponseSize)
                        }
                        current.body.append(contentsOf: buffer.readableBytesView)
                        response = current
                    case .end:
                        guard let response else { throw TransportFailure.malformedResponse("an end before the status line") }
                        return response
                    }
                }
            } catch let failure as TransportFailure {
                throw failure
            } catch {
                throw Self.failure(error)
            }
            if closed { throw TransportFailure.closedByPeer }
            let count = try socket.read(into: receiveBuffer, until: deadline)
            do {
                if count == 0 {
                    // The server closed: the decoder ends a close-delimited body (read on the next
                    // turn); anything else was cut short.
                    guard !closed else { throw TransportFailure.closedByPeer }
                    closed = true
                    channel.pipeline.fireChannelInactive()
                    try channel.throwIfErrorCaught()
                    continue
                }
                try channel.writeInbound(ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: receiveBuffer[..<count])))
            } catch let failure as TransportFailure {
                throw failure
            } catch {
                // A proxy's refusal of CONNECT carries a body, which the decoder (reading a CONNECT
                // answer as bodiless) refuses; its status line is all a tunnel needs.
                if untilHead, let head = Self.decodedHead(in: channel) { return head }
                throw Self.failure(error)
            }
        }
    }

    /// The status line and headers the decoder produced before it failed, if any.
    private static func decodedHead(in channel: EmbeddedChannel) -> Response? {
        while let part = try? channel.readInbound(as: HTTPClientResponsePart.self) {
            if case .head(let answer) = part { return Response(status: Int(answer.status.code), headers: answer.headers, body: []) }
        }
        return nil
    }

    /// Sends whatever the channel has written.
    private func flush(_ channel: EmbeddedChannel, to socket: BlockingSocket, deadline: Deadline) throws(TransportFailure) {
        while true {
            let next: ByteBuffer?
            do {
                next = try channel.readOutbound(as: ByteBuffer.self)
            } catch {
                throw Self.failure(error)
            }
            guard let buffer = next else { return }
            let bytes = Array(buffer.readableBytesView)
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            defer { raw.deallocate() }
            raw.copyBytes(from: bytes)
            try socket.write(UnsafeRawBufferPointer(raw), until: deadline)
        }
    }

    private static func failure(_ error: any Error) -> TransportFailure {
        if let failure = error as? TransportFailure { return failure }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return .tls(NetworkErrorDescription.describe(error))
        }
        if error is HTTPParserError {
            return .malformedResponse("\(error)")
        }
        return .malformedResponse(NetworkErrorDescription.describe(error))
    }
}

extension ProxySettings {
    /// `Basic` credentials for `Proxy-Authorization`, when the proxy URL has a user.
    var basicAuthorization: String? {
        guard let credentials else { return nil }
        return "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
    }
}

extension Endpoint {
    /// Whether the host is an IPv4 or IPv6 literal (no SNI, and the certificate must name the address).
    var hostIsIPAddress: Bool {
        var address = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }

    /// `host:port` with the port always present, as CONNECT needs it.
    var authorityWithPort: String {
        host.contains(":") ? "[\(host)]:\(effectivePort)" : "\(host):\(effectivePort)"
    }
}
