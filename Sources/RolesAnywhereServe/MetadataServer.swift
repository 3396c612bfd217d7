#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
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
/// Cached credentials are answered on the event loop without a hop to another task; only a request
/// that finds no fresh credentials waits for the refresher (which makes one CreateSession however
/// many requests wait).
public final class MetadataServer: Sendable {
    public let configuration: MetadataServerConfiguration
    /// The address and port it listens on.
    public let localAddress: SocketAddress
    private let channel: any Channel

    /// Binds and starts serving. Throws ``CredentialsError`` with a helpful message if it cannot listen.
    public static func start(
        configuration: MetadataServerConfiguration,
        refresher: CredentialRefresher,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(CredentialsError) -> MetadataServer {
        let router = MetadataRouter(configuration: configuration, tokens: MetadataTokens())
        let hopLimit = configuration.hopLimit
        let isIPv6 = configuration.address.contains(":")
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(Self.hopLimitOption(ipv6: isIPv6), value: SocketOptionValue(hopLimit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetadataHTTPHandler(router: router, refresher: refresher, logger: logger))
                }
            }
        let host = configuration.address.hasPrefix("[") ? String(configuration.address.dropFirst().dropLast()) : configuration.address
        do {
            let channel = try await bootstrap.bind(host: host, port: configuration.port).get()
            guard let address = channel.localAddress else {
                throw CredentialsError(.network, "cannot listen on \(configuration.address):\(configuration.port)")
            }
            return MetadataServer(configuration: configuration, localAddress: address, channel: channel)
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(
                .invalidConfiguration,
                "cannot listen on \(MetadataServerConfiguration.baseURL(address: host, port: configuration.port)): \(NetworkErrorDescription.describe(error)); choose another --port or --address"
            )
        }
    }

    private init(configuration: MetadataServerConfiguration, localAddress: SocketAddress, channel: any Channel) {
        self.configuration = configuration
        self.localAddress = localAddress
        self.channel = channel
    }

    /// The port it listens on (useful with port 0).
    public var port: Int { localAddress.port ?? configuration.port }

    /// Stops accepting connections. Requests already read are still answered.
    public func close() async {
        try? await channel.close()
    }

    static func hopLimitOption(ipv6: Bool) -> ChannelOptions.Types.SocketOption {
        if ipv6 {
            return ChannelOptions.Types.SocketOption(level: .ipv6, name: NIOBSDSocket.Option(rawValue: IPV6_UNICAST_HOPS))
        }
        return ChannelOptions.Types.SocketOption(level: .ip, name: NIOBSDSocket.Option(rawValue: IP_TTL))
    }
}

/// One connection: reads requests, routes them, writes answers (keep-alive and pipelining through
/// NIO's HTTP server pipeline).
final class MetadataHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: MetadataRouter
    private let refresher: CredentialRefresher
    private let logger: Logger
    private var head: HTTPRequestHead?

    init(router: MetadataRouter, refresher: CredentialRefresher, logger: Logger) {
        self.router = router
        self.refresher = refresher
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
            handle(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection closed after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        let request = MetadataRequest(method: head.method.rawValue, path: path, header: { head.headers.first(name: $0) })
        let clock = refresher.clock
        let now = clock.now
        switch router.route(request, now: now) {
        case .respond(let response):
            write(response, for: head, context: context)
        case .credentials(let format, let tokenTTL):
            if let current = refresher.snapshot.current, now < current.refreshAt, current.isValid(at: now) {
                write(router.render(format, .available(current), tokenTTL: tokenTTL), for: head, context: context)
                return
            }
            // Stale or missing: ask the refresher (single flight), then answer on the event loop.
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let refresher = self.refresher
            let router = self.router
            Task {
                let state = await refresher.credentials()
                let response = router.render(format, state, tokenTTL: tokenTTL)
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.write(response, for: head, context: context)
                }
            }
        }
    }

    private func write(_ response: MetadataResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let body = Array(response.body.utf8)
        var headers = HTTPHeaders()
        headers.reserveCapacity(6)
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        if let ttl = response.tokenTTL { headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: String(ttl)) }
        if let allow = response.allow { headers.add(name: "Allow", value: allow) }
        headers.add(name: "Server", value: "rolesanywhere")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in bound.value.close(promise: nil) }
        }
        if response.status >= 400 || logger.logLevel <= .debug {
            // Never the headers: they carry session tokens.
            logger.log(
                level: response.status >= 500 ? .warning : .debug, "\(request.method) \(request.uri) -> \(response.status)",
                metadata: response.status >= 500 ? ["reason": "\(response.body)"] : nil
            )
        }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}
