import AsyncHTTPClient
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
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import RolesAnywhereSigning
public import RolesAnywhereSupport

/// Settings of the CreateSession client.
public struct RolesAnywhereClientConfiguration: Sendable {
    /// Where requests go.
    public var endpoint: Endpoint
    /// The signing region.
    public var region: String
    /// Verify the server's TLS certificate (`--no-verify-ssl` turns this off).
    public var verifyTLS: Bool
    /// A PEM bundle of CAs to trust instead of the system's (`AWS_CA_BUNDLE`).
    public var caBundlePath: String?
    /// An HTTP proxy, from the environment.
    public var proxy: ProxySettings?
    public var retry: RetryPolicy
    /// Connect and whole-request timeouts.
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    /// Sent as `User-Agent` (never signed).
    public var userAgent: String

    public init(
        endpoint: Endpoint,
        region: String,
        verifyTLS: Bool = true,
        caBundlePath: String? = nil,
        proxy: ProxySettings? = nil,
        retry: RetryPolicy = RetryPolicy(),
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        userAgent: String = "rolesanywhere/\(RolesAnywhereVersion.current) (swift-roles-anywhere)"
    ) {
        self.endpoint = endpoint
        self.region = region
        self.verifyTLS = verifyTLS
        self.caBundlePath = caBundlePath
        self.proxy = proxy
        self.retry = retry
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
    }
}

/// A client for IAM Roles Anywhere's `CreateSession`, signing with SigV4-X509 exactly as the official
/// helper does (ARNs in the query string, `Content-Type: application/json`, compact JSON body).
public struct RolesAnywhereClient: Sendable {
    public var configuration: RolesAnywhereClientConfiguration
    /// The signing time; injectable for tests.
    public var clock: @Sendable () -> AmzDate
    /// Waits between retries; injectable for tests.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Waits between retries on the calling thread; injectable for tests.
    public var blockingSleep: @Sendable (Duration) -> Void
    public var logger: Logger

    /// Responses larger than this are refused.
    static let maximumResponseSize = 1 << 20

    public init(
        configuration: RolesAnywhereClientConfiguration,
        logger: Logger = Logger(label: "rolesanywhere.client", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: @escaping @Sendable () -> AmzDate = { AmzDate.now },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        blockingSleep: @escaping @Sendable (Duration) -> Void = { RolesAnywhereClient.pause(for: $0) }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.sleep = sleep
        self.blockingSleep = blockingSleep
    }

    /// Calls CreateSession, signing with the identity that `identity` returns. The closure runs
    /// before every attempt so that a certificate rotated on disk is picked up.
    public func createSession(
        _ input: CreateSessionInput,
        identity: @Sendable () throws(CredentialsError) -> SigningIdentity
    ) async throws(CredentialsError) -> CreateSessionOutput {
        let httpConfiguration = try makeHTTPConfiguration()
        do {
            return try await HTTPClient.withHTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: httpConfiguration
            ) { client in
                try await send(input, identity: identity, client: client)
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.network, "the request to \(configuration.endpoint) failed: \(Self.describe(error))")
        }
    }

    /// Calls CreateSession on the calling thread: one blocking connection, TLS and HTTP driven on
    /// this thread, no event loop (for the single request of `credential-process` and
    /// `update --once`). Same retries, timeouts, proxy and TLS settings as ``createSession(_:identity:)``.
    public func createSessionOnCallingThread(
        _ input: CreateSessionInput,
        identity: () throws(CredentialsError) -> SigningIdentity
    ) throws(CredentialsError) -> CreateSessionOutput {
        let transport = CallingThreadHTTPClient(
            endpoint: configuration.endpoint,
            proxy: configuration.proxy,
            tls: configuration.endpoint.isSecure ? try makeTLSContext() : nil,
            connectTimeout: configuration.connectTimeout,
            requestTimeout: configuration.requestTimeout,
            maximumResponseSize: Self.maximumResponseSize
        )
        var attempt = 1
        while true {
            let outcome = attemptOnCallingThread(input, identity: try identity(), transport: transport)
            switch outcome {
            case .success(let output):
                return output
            case .failure(let failure):
                blockingSleep(try delayBeforeRetry(after: failure, attempt: attempt))
                attempt += 1
            }
        }
    }

    private func attemptOnCallingThread(
        _ input: CreateSessionInput,
        identity: SigningIdentity,
        transport: CallingThreadHTTPClient
    ) -> Result<CreateSessionOutput, AttemptFailure> {
        let signed: SignedRequest
        switch sign(input, identity: identity) {
        case .success(let request): signed = request
        case .failure(let failure): return .failure(failure)
        }
        var headers = HTTPHeaders()
        for header in signed.request.headers {
            headers.add(name: header.name, value: header.value)
        }
        headers.add(name: "User-Agent", value: configuration.userAgent)
        let response: CallingThreadHTTPClient.Response
        do {
            response = try transport.send(method: .POST, pathAndQuery: "/sessions?\(signed.request.query)", headers: headers, body: signed.request.body)
        } catch {
            return .failure(AttemptFailure(error: networkError(error.description, tls: error.isTLS), retryable: error.isRetryable))
        }
        return interpret(status: response.status, headers: response.headers, body: response.body)
    }

    private func send(
        _ input: CreateSessionInput,
        identity: @Sendable () throws(CredentialsError) -> SigningIdentity,
        client: HTTPClient
    ) async throws(CredentialsError) -> CreateSessionOutput {
        var attempt = 1
        while true {
            let signingIdentity = try identity()
            let outcome = await attemptOnce(input, identity: signingIdentity, client: client)
            switch outcome {
            case .success(let output):
                return output
            case .failure(let failure):
                let delay = try delayBeforeRetry(after: failure, attempt: attempt)
                do {
                    try await sleep(delay)
                } catch {
                    throw failure.error
                }
                attempt += 1
            }
        }
    }

    struct AttemptFailure: Error {
        var error: CredentialsError
        var retryable: Bool
    }

    /// How long to wait before attempt `attempt + 1`, or the failure's error when it is not worth
    /// retrying or the attempts are used up.
    private func delayBeforeRetry(after failure: AttemptFailure, attempt: Int) throws(CredentialsError) -> Duration {
        guard failure.retryable, attempt < configuration.retry.maxAttempts else {
            throw failure.error
        }
        let delay = configuration.retry.delay(beforeRetry: attempt)
        logger.debug(
            "CreateSession attempt failed; retrying",
            metadata: ["attempt": "\(attempt)", "delay": "\(delay)", "error": "\(failure.error.message)"]
        )
        return delay
    }

    private func attemptOnce(
        _ input: CreateSessionInput,
        identity: SigningIdentity,
        client: HTTPClient
    ) async -> Result<CreateSessionOutput, AttemptFailure> {
        let endpoint = configuration.endpoint
        let signed: SignedRequest
        switch sign(input, identity: identity) {
        case .success(let request): signed = request
        case .failure(let failure): return .failure(failure)
        }

        var request = HTTPClientRequest(url: "\(endpoint)/sessions?\(signed.request.query)")
        request.method = .POST
        for header in signed.request.headers {
            request.headers.add(name: header.name, value: header.value)
        }
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.body = .bytes(ByteBuffer(bytes: signed.request.body))

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .nanoseconds(Int64(configuration.requestTimeout.nanoseconds)))
            body = try await response.body.collect(upTo: Self.maximumResponseSize)
        } catch {
            let tls = Self.isTLSError(error)
            let retryable = !tls && !NetworkErrorDescription.isProxyAuthenticationFailure(error)
            return .failure(AttemptFailure(error: networkError(Self.describe(error), tls: tls), retryable: retryable))
        }
        return interpret(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }

    /// The signed CreateSession request.
    private func sign(_ input: CreateSessionInput, identity: SigningIdentity) -> Result<SignedRequest, AttemptFailure> {
        let endpoint = configuration.endpoint
        let unsigned = SignableRequest(
            method: "POST",
            path: "/sessions",
            query: CanonicalRequest.canonicalQueryString(parameters: input.queryParameters),
            headers: [
                HTTPHeaderField(name: "Content-Type", value: "application/json"),
                HTTPHeaderField(name: "Host", value: endpoint.authority),
            ],
            body: Array(input.body.utf8)
        )
        let signed: SignedRequest
        do {
            signed = try X509RequestSigner(identity: identity, region: configuration.region).sign(unsigned, date: clock())
        } catch {
            return .failure(AttemptFailure(error: CredentialsError(.unsupportedKey, error.message), retryable: false))
        }
        logger.debug(
            "signed CreateSession request",
            metadata: [
                "endpoint": "\(endpoint)", "region": "\(configuration.region)",
                "algorithm": "\(signed.authorization.algorithm)",
                "signedHeaders": "\(signed.authorization.signedHeaders.joined(separator: ";"))",
                "serial": "\(signed.authorization.credentialID)",
            ]
        )
        return .success(signed)
    }

    private func networkError(_ reason: String, tls: Bool) -> CredentialsError {
        let endpoint = configuration.endpoint
        if tls {
            return CredentialsError(
                .network,
                "the TLS connection to \(endpoint) failed: \(reason); if the server uses a private CA, point AWS_CA_BUNDLE at it (or pass --no-verify-ssl for local testing only)"
            )
        }
        return CredentialsError(.network, "could not reach \(endpoint): \(reason)")
    }

    /// What an HTTP answer to CreateSession means.
    private func interpret(status: Int, headers: HTTPHeaders, body bytes: [UInt8]) -> Result<CreateSessionOutput, AttemptFailure> {
        let endpoint = configuration.endpoint
        logger.debug("CreateSession response", metadata: ["status": "\(status)"])
        if (200..<300).contains(status) {
            do {
                return .success(try JSONDecoder().decode(CreateSessionOutput.self, from: Data(bytes)))
            } catch {
                return .failure(
                    AttemptFailure(
                        error: CredentialsError(.invalidResponse, "the CreateSession response from \(endpoint) is not valid JSON (HTTP \(status))"),
                        retryable: false
                    )
                )
            }
        }
        let serviceError = ServiceError(status: status, headers: headers, body: bytes)
        let retryable = RetryPolicy.isRetryable(status: status, errorType: serviceError.type)
        let code: CredentialsError.Code = retryable ? .serviceUnavailable : .serviceRejected
        return .failure(
            AttemptFailure(
                error: CredentialsError(code, serviceError.description, serviceErrorType: serviceError.type, httpStatus: status),
                retryable: retryable
            )
        )
    }

    /// The TLS settings of both transports: TLS 1.2 or later; `AWS_CA_BUNDLE` or the system's
    /// roots (looked up lazily, see ``SystemTrustRoots``); nothing verified with `--no-verify-ssl`.
    private func makeTLSConfiguration() throws(CredentialsError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if !configuration.verifyTLS {
            tls.certificateVerification = .none
        } else if let bundle = configuration.caBundlePath {
            tls.trustRoots = .file(bundle)
        } else {
            SystemTrustRoots.locate(environment: SystemTrustRoots.currentEnvironment).configure(&tls)
        }
        return tls
    }

    private func makeTLSContext() throws(CredentialsError) -> NIOSSLContext {
        let tls = try makeTLSConfiguration()
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            if let bundle = configuration.caBundlePath, configuration.verifyTLS {
                throw CredentialsError(.invalidInput, "the CA bundle '\(bundle)' (AWS_CA_BUNDLE) cannot be read as PEM certificates")
            }
            throw CredentialsError(.network, "the TLS settings cannot be used: \(Self.describe(error))")
        }
    }

    private func makeHTTPConfiguration() throws(CredentialsError) -> HTTPClient.Configuration {
        var tls = try makeTLSConfiguration()
        if configuration.verifyTLS, let bundle = configuration.caBundlePath {
            // Checked here, before the first connection, so that a bad bundle is reported as such.
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(bundle)
                guard !certificates.isEmpty else { throw CredentialsError(.invalidInput, "") }
                tls.trustRoots = .certificates(certificates)
            } catch {
                throw CredentialsError(.invalidInput, "the CA bundle '\(bundle)' (AWS_CA_BUNDLE) cannot be read as PEM certificates")
            }
        }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(configuration.connectTimeout.nanoseconds)), read: .nanoseconds(Int64(configuration.requestTimeout.nanoseconds))),
            proxy: configuration.proxy.map { proxy in
                if let credentials = proxy.credentials {
                    return .server(host: proxy.host, port: proxy.port, authorization: .basic(username: credentials.user, password: credentials.password))
                }
                return .server(host: proxy.host, port: proxy.port)
            }
        )
        http.httpVersion = .http1Only
        // Retries (with fresh signatures) are ours; the pool must report a refused connection at once
        // instead of retrying it until the connect timeout.
        http.connectionPool.retryConnectionEstablishment = false
        return http
    }

    /// Sleeps the calling thread.
    public static func pause(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || attoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0, errno == EINTR { request = left }
    }

    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || String(reflecting: error).contains("NIOSSL") || String(reflecting: error).contains("BoringSSL")
    }

    static func describe(_ error: any Error) -> String {
        NetworkErrorDescription.describe(error)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// An AWS error answer: the type from `x-amzn-ErrorType` (or `__type`/`code` in the body) and the
/// message from `message`/`Message`, as the AWS SDKs read them.
struct ServiceError: Sendable, CustomStringConvertible {
    var status: Int
    var type: String?
    var message: String?

    init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        var type = headers.first(name: "x-amzn-ErrorType")
        var message: String?
        if let object = try? JSONSerializationLite.object(body) {
            message = object["message"] ?? object["Message"]
            if type == nil { type = object["__type"] ?? object["code"] ?? object["Code"] }
        }
        if let raw = type {
            var cleaned = Substring(raw)
            if let colon = cleaned.firstIndex(of: ":") { cleaned = cleaned[..<colon] }
            if let hash = cleaned.lastIndex(of: "#") { cleaned = cleaned[cleaned.index(after: hash)...] }
            type = cleaned.isEmpty ? nil : String(cleaned)
        }
        self.type = type
        self.message = message
    }

    /// `Type: message`, as the official helper prints it.
    var description: String {
        switch (type, message) {
        case (let type?, let message?): "\(type): \(message)"
        case (let type?, nil): "\(type) (HTTP \(status))"
        case (nil, let message?): "HTTP \(status): \(message)"
        case (nil, nil): "the service answered HTTP \(status) with no error details"
        }
    }
}

/// Reads the string members of a flat JSON object (for error bodies).
enum JSONSerializationLite {
    static func object(_ bytes: [UInt8]) throws -> [String: String] {
        let decoded = try JSONDecoder().decode([String: LooseValue].self, from: Data(bytes))
        return decoded.compactMapValues(\.string)
    }

    struct LooseValue: Decodable {
        var string: String?
        init(from decoder: any Decoder) throws {
            string = try? decoder.singleValueContainer().decode(String.self)
        }
    }
}
