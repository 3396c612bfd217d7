#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOPosix
public import RolesAnywhereCredentials
public import RolesAnywhereSupport

/// The `serve` endpoint: IMDSv2 (and optionally ECS container credentials) over HTTP/1.1 on
/// SwiftNIO, answering from a ``CredentialRefresher``.
///
/// A struct, not a final class: as a class (with the metrics listener's channel), its vtable made
/// Swift 6.3.1's optimiser crash in release builds of the helper (`PerformanceSILLinker`, "While
/// deserializing SIL vtable for 'MetadataServer'").
///
/// Cached credentials are answered on the event loop without a hop to another task; only a request
/// that finds no fresh credentials waits for the refresher (which makes one CreateSession however
/// many requests wait).
public struct MetadataServer: Sendable {
    public let configuration: MetadataServerConfiguration
    /// The address and port it listens on.
    public let localAddress: SocketAddress
    private let channel: any Channel
    private let metricsChannel: (any Channel)?

    /// Binds and starts serving (and, with ``MetadataServerConfiguration/metricsPort``, the metrics
    /// listener). Throws ``CredentialsError`` with a helpful message if it cannot listen.
    ///
    /// - Parameter certificateNotAfter: the not-after time of the certificate in use, for the metrics.
    public static func start(
        configuration: MetadataServerConfiguration,
        refresher: CredentialRefresher,
        logger: Logger,
        certificateNotAfter: (@Sendable () -> Date?)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(CredentialsError) -> MetadataServer {
        let metrics = configuration.metricsPort == nil ? nil : ServeMetrics(certificateNotAfter: certificateNotAfter)
        let router = MetadataRouter(configuration: configuration, tokens: MetadataTokens())
        let channel = try await listen(
            address: configuration.address, port: configuration.port, hopLimit: configuration.hopLimit, flags: "--port or --address",
            handler: { MetadataHTTPHandler(router: router, refresher: refresher, metrics: metrics, logger: logger) }, group: group
        )
        guard let address = channel.localAddress else {
            try? await channel.close()
            throw CredentialsError(.network, "cannot listen on \(configuration.address):\(configuration.port)")
        }
        var metricsChannel: (any Channel)?
        if let metricsPort = configuration.metricsPort {
            let metricsRouter = MetadataRouter(configuration: configuration, tokens: router.tokens, listener: .metrics)
            do {
                metricsChannel = try await listen(
                    address: configuration.metricsAddress, port: metricsPort, hopLimit: 64, flags: "--metrics-port or --metrics-address",
                    handler: { MetadataHTTPHandler(router: metricsRouter, refresher: refresher, metrics: metrics, logger: logger) }, group: group
                )
            } catch {
                try? await channel.close()
                throw error
            }
        }
        return MetadataServer(configuration: configuration, localAddress: address, channel: channel, metricsChannel: metricsChannel)
    }

    /// One listener, each connection answered by a new `handler()`.
    private static func listen(
        address: String, port: Int, hopLimit: Int, flags: String, handler: @escaping @Sendable () -> MetadataHTTPHandler, group: any EventLoopGroup
    ) async throws(CredentialsError) -> any Channel {
        let isIPv6 = address.contains(":")
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(Self.hopLimitOption(ipv6: isIPv6), value: SocketOptionValue(hopLimit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The request decoder, then the handler, which frames each answer itself (one
                    // buffer, one write) and keeps pipelined answers in order.
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
        let host = address.hasPrefix("[") ? String(address.dropFirst().dropLast()) : address
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw CredentialsError(
                .invalidConfiguration,
                "cannot listen on \(MetadataServerConfiguration.baseURL(address: host, port: port)): \(NetworkErrorDescription.describe(error)); choose another \(flags)"
            )
        }
    }

    private init(configuration: MetadataServerConfiguration, localAddress: SocketAddress, channel: any Channel, metricsChannel: (any Channel)?) {
        self.configuration = configuration
        self.localAddress = localAddress
        self.channel = channel
        self.metricsChannel = metricsChannel
    }

    /// The port it listens on (useful with port 0).
    public var port: Int { localAddress.port ?? configuration.port }

    /// The port of the metrics listener, when there is one.
    public var metricsPort: Int? { metricsChannel.map { $0.localAddress?.port ?? configuration.metricsPort ?? 0 } }

    /// Stops accepting connections. Requests already read are still answered.
    public func close() async {
        try? await channel.close()
        try? await metricsChannel?.close()
    }

    static func hopLimitOption(ipv6: Bool) -> ChannelOptions.Types.SocketOption {
        if ipv6 {
            return ChannelOptions.Types.SocketOption(level: .ipv6, name: NIOBSDSocket.Option(rawValue: IPV6_UNICAST_HOPS))
        }
        return ChannelOptions.Types.SocketOption(level: .ip, name: NIOBSDSocket.Option(rawValue: IP_TTL))
    }
}

/// One connection: reads requests, routes them and writes each answer as one buffer with one write.
/// Keep-alive and pipelining: requests are answered in the order they came; while one waits for
/// the refresher, the ones after it queue and no more is read from the socket.
final class MetadataHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: MetadataRouter
    private let refresher: CredentialRefresher
    private let metrics: ServeMetrics?
    private let logger: Logger
    /// The head of the request being read.
    private var head: HTTPRequestHead?
    /// Requests read in full and not yet answered, oldest first.
    private var queued = CircularBuffer<HTTPRequestHead>(initialCapacity: 2)
    /// An answer is being made off the event loop; later requests wait in `queued`.
    private var waiting = false
    /// A read was asked for while waiting.
    private var readHeld = false
    /// A `Connection: close` answer was written: nothing more is answered.
    private var closing = false

    init(router: MetadataRouter, refresher: CredentialRefresher, metrics: ServeMetrics?, logger: Logger) {
        self.router = router
        self.refresher = refresher
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // No route takes a body; it is read and dropped.
        case .end:
            guard let head else { return }
            self.head = nil
            queued.append(head)
            answerQueued(context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        // While an answer is pending, read no more: pipelined requests wait in the socket.
        if waiting {
            readHeld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !closing, !waiting, queued.isEmpty {
            // A request that cannot be parsed: 400, then close (no later request can be found).
            closing = true
            logger.debug("unparsable request", metadata: ["error": "\(error)"])
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(MetadataResponse.badRequest)).whenComplete { _ in bound.value.close(promise: nil) }
            return
        }
        logger.debug("connection closed after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Answers queued requests in order until one must wait for the refresher.
    private func answerQueued(context: ChannelHandlerContext) {
        while !waiting, !closing, let head = queued.popFirst() {
            handle(head, context: context)
        }
        if !waiting, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        let request = MetadataRequest(method: head.method.rawValue, path: path, header: { head.headers.first(name: $0) })
        let now = refresher.clock.now
        switch router.route(request, now: now) {
        case .respond(let response):
            write(response, for: head, context: context)
        case .health:
            write(router.health(refresher.snapshot.both, now: now), for: head, context: context)
        case .metrics:
            let body = metrics?.scrape(refresher.snapshot.both, now: now) ?? ByteBuffer()
            write(MetadataResponse(status: 200, body: body, contentType: .prometheus), for: head, context: context)
        case .credentials(let format, let tokenTTL):
            if let current = refresher.snapshot.current, now < current.refreshAt, current.isValid(at: now) {
                write(router.render(format, .available(current), tokenTTL: tokenTTL), for: head, context: context)
                return
            }
            // Stale or missing: ask the refresher (single flight), then answer on the event loop.
            waiting = true
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let refresher = self.refresher
            let router = self.router
            Task {
                let state = await refresher.credentials()
                let response = router.render(format, state, tokenTTL: tokenTTL)
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.waiting = false
                    handler.write(response, for: head, context: context)
                    handler.answerQueued(context: context)
                }
            }
        }
    }

    private func write(_ response: MetadataResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        let bytes = response.framed(version: request.version, keepAlive: keepAlive, includeBody: request.method != .HEAD, allocator: context.channel.allocator)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        } else {
            closing = true
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in bound.value.close(promise: nil) }
        }
        if let metrics {
            let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? request.uri
            metrics.recordRequest(router.requestPath(path), status: response.status)
        }
        if response.status >= 400 || logger.logLevel <= .debug {
            // Never the headers: they carry session tokens.
            logger.log(
                level: response.status >= 500 ? .warning : .debug, "\(request.method) \(request.uri) -> \(response.status)",
                metadata: response.status >= 500 ? ["reason": "\(response.bodyText)"] : nil
            )
        }
    }
}
