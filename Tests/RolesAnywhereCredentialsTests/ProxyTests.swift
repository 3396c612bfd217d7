import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import Testing

/// Both CreateSession clients (the event-loop one of `serve` and `update`, the calling-thread one of
/// `credential-process`) through a real HTTP forward proxy: a CONNECT tunnel for HTTPS with Basic
/// proxy authentication, and plain HTTP (absolute form from the calling-thread client). The endpoint is Roles
/// Anywhere's own host name, which this machine cannot resolve: only the proxy knows where it is,
/// as on a host whose only way out is the proxy.
@Suite(.serialized)
struct ProxyTests {
    static let host = "rolesanywhere.us-east-1.amazonaws.com"

    enum Transport: CaseIterable, CustomTestStringConvertible {
        case eventLoop
        case callingThread

        var testDescription: String { self == .eventLoop ? "event-loop client" : "calling-thread client" }

        func createSession(_ client: RolesAnywhereClient, _ identity: SigningIdentity) async throws(CredentialsError) -> CreateSessionOutput {
            switch self {
            case .eventLoop: try await client.createSession(RolesAnywhereClientTests.input, identity: { identity })
            case .callingThread: try client.createSessionOnCallingThread(RolesAnywhereClientTests.input, identity: { identity })
            }
        }
    }

    static func client(endpoint: String, proxyURL: String, variable: String, caBundle: String?, maxAttempts: Int = 3) throws -> RolesAnywhereClient {
        let endpoint = try Endpoint(url: endpoint)
        return RolesAnywhereClient(
            configuration: RolesAnywhereClientConfiguration(
                endpoint: endpoint,
                region: "us-east-1",
                verifyTLS: endpoint.isSecure,
                caBundlePath: caBundle,
                proxy: try ProxySettings.forEndpoint(endpoint, environment: [variable: proxyURL]),
                retry: RetryPolicy(maxAttempts: maxAttempts)
            ),
            sleep: { _ in },
            blockingSleep: { _ in }
        )
    }

    @Test(arguments: Transport.allCases)
    func httpsGoesThroughAnAuthenticatedConnectTunnel(transport: Transport) async throws {
        let verifier = try IndependentVerifier(serverNames: [Self.host])
        let proxy = try HTTPProxy(user: "build agent", password: "p@ss:word", routes: ["\(Self.host):443": "127.0.0.1:\(verifier.server.port)"])
        let identity = try RolesAnywhereClientTests.identity(.p256)
        // The user info is percent-encoded in the URL, as in HTTPS_PROXY.
        let client = try Self.client(
            endpoint: "https://\(Self.host)", proxyURL: proxy.url(user: "build%20agent", password: "p%40ss%3Aword"),
            variable: "HTTPS_PROXY", caBundle: verifier.caBundlePath
        )
        let output = try await transport.createSession(client, identity)
        #expect(try output.sessionCredentials().accessKeyId.hasPrefix("ASIA"))

        let seen = try proxy.receivedRequests()
        #expect(seen.count == 1)
        #expect(seen.first?["method"] as? String == "CONNECT")
        #expect(seen.first?["target"] as? String == "\(Self.host):443")
        #expect(seen.first?["authorized"] as? Bool == true)
        // Through the tunnel, TLS to the endpoint's own name and a request signed for it.
        let received = try #require(try verifier.receivedRequests().first)
        #expect(received["verified"] as? Bool == true)
        #expect(received["host"] as? String == Self.host)
    }

    @Test(arguments: Transport.allCases)
    func aProxyRefusingTheCredentialsIsAClearNetworkError(transport: Transport) async throws {
        let verifier = try IndependentVerifier(serverNames: [Self.host])
        let proxy = try HTTPProxy(user: "agent", password: "right", routes: ["\(Self.host):443": "127.0.0.1:\(verifier.server.port)"])
        let identity = try RolesAnywhereClientTests.identity(.p256)
        let client = try Self.client(
            endpoint: "https://\(Self.host)", proxyURL: proxy.url(user: "agent", password: "wrong"),
            variable: "HTTPS_PROXY", caBundle: verifier.caBundlePath
        )
        var failure: CredentialsError?
        do throws(CredentialsError) {
            _ = try await transport.createSession(client, identity)
        } catch {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.code == .network)
        #expect(error.message.contains("407"), "\(error.message)")
        #expect(error.message.contains("proxy"), "\(error.message)")
        #expect(!error.message.contains("wrong"), "the proxy password is not repeated: \(error.message)")
        // A refusal of the credentials is not retried: the next attempt would send the same ones.
        #expect(try proxy.receivedRequests().count == 1)
        #expect(try verifier.receivedRequests().isEmpty)
    }

    @Test(arguments: Transport.allCases)
    func plainHTTPGoesThroughTheProxy(transport: Transport) async throws {
        let verifier = try IndependentVerifier(tls: false)
        let proxy = try HTTPProxy(routes: ["\(Self.host):80": "127.0.0.1:\(verifier.server.port)"])
        let identity = try RolesAnywhereClientTests.identity(.rsa2048)
        let client = try Self.client(endpoint: "http://\(Self.host)", proxyURL: proxy.url(), variable: "HTTP_PROXY", caBundle: nil)
        let output = try await transport.createSession(client, identity)
        #expect(try output.sessionCredentials().accessKeyId.hasPrefix("ASIA"))

        let seen = try #require(try proxy.receivedRequests().first)
        switch transport {
        case .callingThread:
            // As curl and the AWS CLI send plain HTTP through a proxy.
            #expect(seen["method"] as? String == "POST")
            let target = try #require(seen["target"] as? String)
            #expect(target.hasPrefix("http://\(Self.host)/sessions?"), "\(target)")
        case .eventLoop:
            // AsyncHTTPClient tunnels every request, plain HTTP included, with CONNECT.
            #expect(seen["method"] as? String == "CONNECT")
            #expect(seen["target"] as? String == "\(Self.host):80")
        }
        let received = try #require(try verifier.receivedRequests().first)
        #expect(received["verified"] as? Bool == true)
        #expect(received["host"] as? String == Self.host)
    }
}
