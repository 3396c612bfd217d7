#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RolesAnywhereSigning
public import ServiceLifecycle

/// The HTTP side of `rolesanywhere-local`: a Hummingbird server that turns each request into a
/// ``LocalRequest``, lets ``LocalService`` answer it, and writes the answer back.
///
/// It sits on HummingbirdCore rather than a router: every request goes to one place (the service
/// is chosen from the SigV4 scope, not the path), the target must reach the signature check exactly
/// as sent, and `Expect: 100-continue` must be answered before the body is read (the AWS CLI asks
/// for it on S3 uploads and would otherwise wait a second per object).
public struct LocalServer: Sendable {
    public let service: LocalService
    let logger: Logger

    public init(service: LocalService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    /// The HTTP(S) server as a ``ServiceLifecycle/Service``; `onReady` receives the bound port.
    public func makeService(onReady: @escaping @Sendable (Int) async -> Void) throws(LocalServerError) -> any Service {
        let configuration = service.configuration
        let limits = configuration.limits
        var http1 = HTTP1Channel.Configuration()
        http1.idleTimeout = .nanoseconds(Self.nanoseconds(limits.idleTimeout))
        var builder = HTTPServerBuilder.http1(configuration: http1)
        if let certificatePath = configuration.tlsCertificatePath {
            builder = try Self.tlsBuilder(certificatePath: certificatePath, keyPath: configuration.tlsKeyPath, http1: http1)
        }
        let responder: @Sendable (Request, consuming ResponseWriter, any Channel) async throws -> Void = { request, writer, channel in
            try await self.respond(to: request, writer: writer, channel: channel)
        }
        do {
            return try builder.buildServer(
                configuration: ServerConfiguration(
                    address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                    availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections)
                ),
                eventLoopGroup: Self.eventLoopGroup,
                logger: logger,
                responder: responder,
                onServerRunning: { channel in await onReady(channel.localAddress?.port ?? configuration.port) }
            )
        } catch {
            throw LocalServerError("could not set up the HTTP server: \(error)")
        }
    }

    /// The I/O threads. Requests are handled on the Swift concurrency pool, so half the cores
    /// (at least one) do the socket work: more threads than cores only adds context switches.
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))

    static func tlsBuilder(certificatePath: String, keyPath: String?, http1: HTTP1Channel.Configuration) throws(LocalServerError) -> HTTPServerBuilder {
        guard let keyPath else {
            throw LocalServerError("--tls-cert needs --tls-key (the certificate's private key, PEM)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            guard !chain.isEmpty else { throw LocalServerError("\(certificatePath) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            return try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } catch let error as LocalServerError {
            throw error
        } catch {
            throw LocalServerError("cannot use the TLS certificate \(certificatePath) and key \(keyPath): \(error)")
        }
    }

    func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var local = Self.localRequest(request, body: ByteBuffer(), channel: channel, isSecure: service.configuration.usesTLS)
        if let upstream = service.upstream, !UpstreamGateway.staysLocal(local) {
            try await forward(request, head: local, to: upstream, writer: writer)
            return
        }
        // Nothing of the body is read, or invited with 100 Continue, before the head is admitted.
        let admission = await service.admit(local)
        let response: LocalResponse
        if let refusal = admission.refusal {
            response = refusal
        } else {
            if request.headers[.expect]?.lowercased() == "100-continue" {
                try await writer.writeInformationalHead(HTTPResponse(status: .continue))
            }
            do {
                local.body = try await Self.collect(
                    request.body, upTo: admission.maximumBody, declaredLength: request.headers[.contentLength].flatMap { Int($0) },
                    within: service.configuration.limits.bodyTimeout, channel: channel
                )
                response = await service.handle(local, admission: admission)
            } catch let error as AWSError {
                response = error.response(protocol: AWSService.guess(local).wireProtocol, requestID: local.requestID)
            } catch {
                let failure = AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than the \(admission.maximumBody) bytes this request may send, or it was cut short.")
                response = failure.response(protocol: AWSService.guess(local).wireProtocol, requestID: local.requestID)
            }
        }
        try await writer.write(response: Self.head(response, isHead: request.method == .head), body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    /// The body, at most `limit` bytes, read within `timeout` (a client that stops sending mid-body
    /// does not hold the request open).
    ///
    /// The bytes are copied once, from each part as it arrives into an array sized by the declared
    /// `Content-Length` (never beyond `limit`): collecting into a growing buffer and converting it
    /// at the end copied a 1 MiB upload two to three times and faulted in a fresh buffer each time.
    ///
    /// The deadline is a timer on the connection's event loop, not a second task: when it fires it
    /// shuts the connection's read side, which ends the body stream, and the request is answered
    /// `RequestTimeout` (the write side stays open for the answer; a channel that cannot half-close,
    /// such as TLS, is closed). A task group with a sleeping child per request cost two task
    /// creations, a dispatch timer and its cancellation on every call.
    static func collect(
        _ body: RequestBody, upTo limit: Int, declaredLength: Int?, within timeout: Duration, channel: any Channel
    ) async throws -> [UInt8] {
        let expired = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Self.nanoseconds(timeout))) {
            expired.withLockedValue { $0 = true }
            channel.close(mode: .input).whenFailure { _ in channel.close(promise: nil) }
        }
        defer { deadline.cancel() }
        let timedOut = AWSError("RequestTimeout", status: 400, "Your socket connection to the server was not read from or written to within the timeout period.")
        var collected = [UInt8]()
        if let declaredLength, declaredLength > 0 { collected.reserveCapacity(min(declaredLength, limit)) }
        do {
            for try await chunk in body {
                guard chunk.readableBytes <= limit - collected.count else {
                    throw AWSError("RequestEntityTooLarge", status: 413, "The request body is larger than the \(limit) bytes this request may send.")
                }
                chunk.withUnsafeReadableBytes { collected.append(contentsOf: $0) }
            }
        } catch let error as AWSError {
            throw error
        } catch {
            if expired.withLockedValue({ $0 }) { throw timedOut }
            throw error
        }
        if expired.withLockedValue({ $0 }) { throw timedOut }
        return collected
    }

    /// `duration` in whole nanoseconds, saturating (a configured timeout is at most a day).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, overflow) = duration.components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : seconds.addingReportingOverflow(duration.components.attoseconds / 1_000_000_000).partialValue
    }

    /// The request as the services see it. HTTPTypes moves `Host` into `authority`; SigV4 signs it
    /// as a header, so it goes back in.
    static func localRequest(_ request: Request, body: ByteBuffer, channel: any Channel, isSecure: Bool) -> LocalRequest {
        let target = request.head.path ?? "/"
        let (path, query): (String, String) =
            if let mark = target.firstIndex(of: "?") {
                (String(target[..<mark]), String(target[target.index(after: mark)...]))
            } else {
                (target, "")
            }
        var headers = [HTTPHeaderField]()
        headers.reserveCapacity(request.headers.count + 1)
        if let authority = request.head.authority {
            headers.append(HTTPHeaderField(name: "host", value: authority))
        }
        for field in request.headers {
            headers.append(HTTPHeaderField(name: field.name.canonicalName, value: field.value))
        }
        return LocalRequest(
            method: request.method.rawValue,
            path: path,
            query: query,
            headers: headers,
            body: Array(buffer: body),
            sourceIP: channel.remoteAddress?.ipAddress,
            isSecure: isSecure
        )
    }

    static func head(_ response: LocalResponse, isHead: Bool) -> HTTPResponse {
        var fields = HTTPFields()
        fields.reserveCapacity(response.headers.count + 3)
        var hasLength = false
        for (name, value) in response.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            if fieldName == .contentLength { hasLength = true }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        if !hasLength, !isHead || !response.body.isEmpty {
            fields[.contentLength] = String(response.body.count)
        }
        fields[.date] = S3Formats.httpDate(Date())
        fields[.server] = "rolesanywhere-local"
        return HTTPResponse(status: .init(code: response.status), headerFields: fields)
    }
}

/// The server could not start: a bad TLS file, an address in use.
public struct LocalServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
