import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Synchronization
import Testing
import X509
import RolesAnywhereSupport

/// The CreateSession client against the independent verifier (botocore canonicalisation, pyca
/// signature check) over real HTTPS on loopback.
@Suite(.serialized)
struct RolesAnywhereClientTests {
    static let input = CreateSessionInput(
        trustAnchorArn: ARN("arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/11111111-1111-1111-1111-111111111111")!,
        profileArn: ARN("arn:aws:rolesanywhere:us-east-1:123456789012:profile/22222222-2222-2222-2222-222222222222")!,
        roleArn: ARN("arn:aws:iam::123456789012:role/path/bucket-lister")!,
        durationSeconds: 900,
        roleSessionName: "session-1"
    )

    static func identity(_ kind: TestPKI.KeyKind, chain: Bool = false) throws -> SigningIdentity {
        try TestPKI.makeSigningIdentity(kind, chain: chain)
    }

    static func client(_ verifier: IndependentVerifier, maxAttempts: Int = 3, sleeps: DelayRecorder? = nil) throws -> RolesAnywhereClient {
        RolesAnywhereClient(
            configuration: RolesAnywhereClientConfiguration(
                endpoint: try Endpoint(url: verifier.endpoint),
                region: "us-east-1",
                verifyTLS: verifier.useTLS,
                caBundlePath: verifier.caBundlePath,
                retry: RetryPolicy(maxAttempts: maxAttempts)
            ),
            sleep: { delay in sleeps?.delays.withLock { $0.append(delay) } }
        )
    }

    @Test(arguments: [(TestPKI.KeyKind.rsa2048, false), (.p256, true), (.p384, false), (.p521, true)])
    func requestsAreAcceptedByAnIndependentVerifier(kind: TestPKI.KeyKind, chain: Bool) async throws {
        let verifier = try IndependentVerifier()
        let identity = try Self.identity(kind, chain: chain)
        let output = try await Self.client(verifier).createSession(Self.input, identity: { identity })
        let credentials = try output.sessionCredentials()
        #expect(credentials.accessKeyId.hasPrefix("ASIA"))
        #expect(AmzDate(iso8601: credentials.expiration) != nil)

        let received = try #require(try verifier.receivedRequests().first)
        #expect(received["verified"] as? Bool == true)
        #expect(received["serial"] as? String == identity.certificate.decimalSerialNumber)
        #expect(received["contentType"] as? String == "application/json")
        var expectedHeaders = ["content-type", "host", "x-amz-date", "x-amz-x509"]
        if chain { expectedHeaders.append("x-amz-x509-chain") }
        #expect(received["signedHeaders"] as? [String] == expectedHeaders)
        let query = try #require(received["query"] as? [String: String])
        #expect(query["roleArn"] == Self.input.roleArn.description)
        #expect(query["trustAnchorArn"] == Self.input.trustAnchorArn.description)
        let body = try #require(received["body"] as? [String: Any])
        #expect(body["durationSeconds"] as? Int == 900)
        #expect(body["roleSessionName"] as? String == "session-1")
    }

    @Test func throttlingAndServerErrorsAreRetriedWithBackoff() async throws {
        let verifier = try IndependentVerifier(extraArguments: ["--fail-first", "2", "--fail-status", "503"])
        let sleeps = DelayRecorder()
        let identity = try Self.identity(.p256, chain: false)
        let output = try await Self.client(verifier, sleeps: sleeps).createSession(Self.input, identity: { identity })
        #expect(try output.sessionCredentials().accessKeyId.hasPrefix("ASIA"))
        let delays = sleeps.delays.withLock { $0 }
        #expect(delays.count == 2)
        #expect(delays[0] <= .seconds(1) && delays[1] <= .seconds(2))
        // Every attempt was signed afresh and verified.
        #expect(try verifier.receivedRequests().count == 3)
    }

    @Test func persistentThrottlingEndsAsServiceUnavailable() async throws {
        let verifier = try IndependentVerifier(extraArguments: ["--fail-first", "100", "--fail-status", "429"])
        let identity = try Self.identity(.p256, chain: false)
        let error = await catchingAsync { try await Self.client(verifier, maxAttempts: 2).createSession(Self.input, identity: { identity }) }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.serviceErrorType == "ThrottlingException")
        #expect(error?.httpStatus == 429)
        #expect(try verifier.receivedRequests().count == 2)
    }

    @Test func serviceErrorsAreSurfacedVerbatimAndNotRetried() async throws {
        let verifier = try IndependentVerifier(extraArguments: ["--error-status", "403"])
        let identity = try Self.identity(.rsa2048, chain: false)
        let error = await catchingAsync { try await Self.client(verifier).createSession(Self.input, identity: { identity }) }
        #expect(error?.code == .serviceRejected)
        #expect(error?.message == "AccessDeniedException: Untrusted Signing Certificate")
        #expect(try verifier.receivedRequests().count == 1)
    }

    @Test func anUntrustedServerCertificateIsRefused() async throws {
        let verifier = try IndependentVerifier()
        let identity = try Self.identity(.p256, chain: false)
        var client = try Self.client(verifier)
        client.configuration.caBundlePath = nil  // the system roots do not know the test CA
        let error = await catchingAsync { try await client.createSession(Self.input, identity: { identity }) }
        #expect(error?.code == .network)
        #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
        #expect(try verifier.receivedRequests().isEmpty)
        // --no-verify-ssl accepts it.
        client.configuration.verifyTLS = false
        _ = try await client.createSession(Self.input, identity: { identity })
    }

    @Test func anUnreachableEndpointIsANetworkError() async throws {
        let identity = try Self.identity(.p256, chain: false)
        let client = RolesAnywhereClient(
            configuration: RolesAnywhereClientConfiguration(
                endpoint: try Endpoint(url: "https://127.0.0.1:9"),
                region: "us-east-1",
                retry: RetryPolicy(maxAttempts: 2)
            ),
            sleep: { _ in }
        )
        let error = await catchingAsync { try await client.createSession(Self.input, identity: { identity }) }
        #expect(error?.code == .network)
        #expect(error?.message.contains("connection refused") == true, "\(String(describing: error))")
    }

    @Test func plainHTTPWorksWhenAllowed() async throws {
        let verifier = try IndependentVerifier(tls: false)
        let identity = try Self.identity(.p256, chain: false)
        _ = try await Self.client(verifier).createSession(Self.input, identity: { identity })
        #expect(try verifier.receivedRequests().first?["verified"] as? Bool == true)
    }
}

func catchingAsync(_ body: () async throws -> Any) async -> CredentialsError? {
    do {
        _ = try await body()
        return nil
    } catch let error as CredentialsError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// Records the backoff delays the client asks for instead of sleeping.
final class DelayRecorder: Sendable {
    let delays = Mutex<[Duration]>([])
}

/// The same client on the calling thread (`credential-process`, `update --once`): one blocking
/// connection with NIO's TLS and HTTP codec driven on this thread, against the same verifier.
@Suite(.serialized)
struct CallingThreadClientTests {
    static func client(_ verifier: IndependentVerifier, maxAttempts: Int = 3, sleeps: DelayRecorder? = nil) throws -> RolesAnywhereClient {
        var client = try RolesAnywhereClientTests.client(verifier, maxAttempts: maxAttempts, sleeps: sleeps)
        client.blockingSleep = { delay in sleeps?.delays.withLock { $0.append(delay) } }
        return client
    }

    static func catching(_ body: () throws(CredentialsError) -> Any) -> CredentialsError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [(TestPKI.KeyKind.rsa2048, false), (.p256, true)])
    func requestsAreAcceptedByAnIndependentVerifier(kind: TestPKI.KeyKind, chain: Bool) throws {
        let verifier = try IndependentVerifier()
        let identity = try RolesAnywhereClientTests.identity(kind, chain: chain)
        let output = try Self.client(verifier).createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        #expect(try output.sessionCredentials().accessKeyId.hasPrefix("ASIA"))
        let received = try #require(try verifier.receivedRequests().first)
        #expect(received["verified"] as? Bool == true)
        #expect(received["serial"] as? String == identity.certificate.decimalSerialNumber)
        var expectedHeaders = ["content-type", "host", "x-amz-date", "x-amz-x509"]
        if chain { expectedHeaders.append("x-amz-x509-chain") }
        #expect(received["signedHeaders"] as? [String] == expectedHeaders)
    }

    @Test func throttlingIsRetriedWithBackoffAndServiceErrorsAreNot() throws {
        let identity = try RolesAnywhereClientTests.identity(.p256, chain: false)
        let retried = try IndependentVerifier(extraArguments: ["--fail-first", "2", "--fail-status", "503"])
        let sleeps = DelayRecorder()
        _ = try Self.client(retried, sleeps: sleeps).createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        #expect(sleeps.delays.withLock { $0.count } == 2)
        #expect(try retried.receivedRequests().count == 3)

        let throttled = try IndependentVerifier(extraArguments: ["--fail-first", "100", "--fail-status", "429"])
        let throttledClient = try Self.client(throttled, maxAttempts: 2)
        let error = Self.catching { () throws(CredentialsError) in
            try throttledClient.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.serviceErrorType == "ThrottlingException")

        let rejecting = try IndependentVerifier(extraArguments: ["--error-status", "403"])
        let rejectingClient = try Self.client(rejecting)
        let rejected = Self.catching { () throws(CredentialsError) in
            try rejectingClient.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        }
        #expect(rejected?.code == .serviceRejected)
        #expect(rejected?.message == "AccessDeniedException: Untrusted Signing Certificate")
        #expect(try rejecting.receivedRequests().count == 1)
    }

    @Test func anUntrustedServerCertificateIsRefusedUnlessVerificationIsOff() throws {
        let verifier = try IndependentVerifier()
        let identity = try RolesAnywhereClientTests.identity(.p256, chain: false)
        var client = try Self.client(verifier)
        client.configuration.caBundlePath = nil  // the system roots do not know the test CA
        let error = Self.catching { () throws(CredentialsError) in
            try client.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
        #expect(try verifier.receivedRequests().isEmpty)
        client.configuration.verifyTLS = false
        _ = try client.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
    }

    @Test func unreachableAndPlainHTTPEndpoints() throws {
        let identity = try RolesAnywhereClientTests.identity(.p256, chain: false)
        let unreachable = RolesAnywhereClient(
            configuration: RolesAnywhereClientConfiguration(
                endpoint: try Endpoint(url: "https://127.0.0.1:9"), region: "us-east-1", retry: RetryPolicy(maxAttempts: 2)
            ),
            blockingSleep: { _ in }
        )
        let error = Self.catching { () throws(CredentialsError) in
            try unreachable.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("connection refused") == true, "\(String(describing: error))")

        let plain = try IndependentVerifier(tls: false)
        _ = try Self.client(plain).createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        #expect(try plain.receivedRequests().first?["verified"] as? Bool == true)
    }

    @Test func sslCertFileChoosesTheSystemTrustRoots() throws {
        let verifier = try IndependentVerifier()
        let bundle = try #require(verifier.caBundlePath)
        let identity = try RolesAnywhereClientTests.identity(.p256, chain: false)
        var client = try Self.client(verifier)
        client.configuration.caBundlePath = nil
        let saved = (getenv("SSL_CERT_FILE").map { String(cString: $0) }, getenv("SSL_CERT_DIR").map { String(cString: $0) })
        setenv("SSL_CERT_FILE", bundle, 1)
        unsetenv("SSL_CERT_DIR")
        defer {
            if let file = saved.0 { setenv("SSL_CERT_FILE", file, 1) } else { unsetenv("SSL_CERT_FILE") }
            if let directory = saved.1 { setenv("SSL_CERT_DIR", directory, 1) }
        }
        _ = try client.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
        #expect(try verifier.receivedRequests().count == 1)
    }
}
