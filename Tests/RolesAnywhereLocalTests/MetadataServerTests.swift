import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOHTTP1
import RolesAnywhereCredentials
@testable import RolesAnywhereServe
import RolesAnywhereSupport
import RolesAnywhereTesting
import Testing
import X509

/// `serve`'s endpoint in the test process: a real ``MetadataServer`` on loopback, fed by a
/// ``CredentialRefresher`` on a manual clock that calls CreateSession on a real `rolesanywhere-local`
/// (stopped and restarted to make an outage). The time limit catches a hang, not slowness: in a
/// full parallel run on two cores these tests share the machine with dozens of AWS CLI processes,
/// and one minute was not enough there.
@Suite("serve: the IMDSv2 endpoint and its refresh", .serialized, .timeLimit(.minutes(10)))
struct MetadataServerTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    struct Harness {
        let fixture: CredentialHelperFixture
        let clock: ManualClock
        let counter: FetchCounter
        let refresher: CredentialRefresher
        let server: MetadataServer
        let http: HTTPClient
        var base: String { "http://127.0.0.1:\(server.port)" }

        static func start(firstDuration: Int? = nil, containerToken: String? = nil, schedule: RefreshSchedule = .serve) async throws -> Harness {
            let fixture = try await CredentialHelperFixture()
            let clock = ManualClock()
            let counter = FetchCounter()
            let refresher = CredentialRefresher(schedule: schedule, clock: clock, logger: quiet, fetch: try fixture.fetch(counter: counter, firstDuration: firstDuration))
            try await refresher.refreshNow()
            let configuration = MetadataServerConfiguration(
                port: 0, roleName: "bucket-lister", roleArn: fixture.roleArn, region: "us-east-1", containerAuthorizationToken: containerToken
            )
            let server = try await MetadataServer.start(configuration: configuration, refresher: refresher, logger: quiet)
            var httpConfiguration = HTTPClient.Configuration()
            httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
            return Harness(fixture: fixture, clock: clock, counter: counter, refresher: refresher, server: server, http: http)
        }

        func stop() async {
            await server.close()
            try? await http.shutdown()
            fixture.stopService()
        }

        /// Runs `body` with a started harness and always stops it (its server process included:
        /// a process left running would hold the test runner's output pipe open).
        static func with(
            firstDuration: Int? = nil, containerToken: String? = nil, _ body: (Harness) async throws -> Void
        ) async throws {
            let harness = try await start(firstDuration: firstDuration, containerToken: containerToken)
            do {
                try await body(harness)
            } catch {
                await harness.stop()
                throw error
            }
            await harness.stop()
        }

        struct Answer {
            var status: Int
            var headers: HTTPHeaders
            var body: String
            var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        }

        func request(_ method: HTTPMethod = .GET, _ path: String, headers: [(String, String)] = []) async throws -> Answer {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
        }

        func token(ttl: Int = 21600) async throws -> String {
            let answer = try await request(.PUT, "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(ttl))])
            guard answer.status == 200 else { throw TestFailure("token: \(answer.status) \(answer.body)") }
            return answer.body
        }

        func credentials(token: String) async throws -> Answer {
            try await request(.GET, "/latest/meta-data/iam/security-credentials/bucket-lister", headers: [("x-aws-ec2-metadata-token", token)])
        }

        /// Waits (real time) until `condition` holds.
        func eventually(_ what: String, timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while try await !condition() {
                guard Date() < deadline else { throw TestFailure("timed out waiting for \(what)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test("IMDSv2: tokens, their TTL, the role name, the credentials document, region discovery and every refusal")
    func imdsProtocol() async throws {
        try await Harness.with() { harness in

            // Token: optional TTL (default 21600), 1-21600, echoed; X-Forwarded-For refused; PUT only.
            let defaultToken = try await harness.request(.PUT, "/latest/api/token")
            #expect(defaultToken.status == 200 && defaultToken.body.count == 100)
            #expect(defaultToken.headers.first(name: "X-aws-ec2-metadata-token-ttl-seconds") == "21600")
            for bad in ["0", "21601", "-5", "ten", ""] {
                let answer = try await harness.request(.PUT, "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", bad)])
                #expect(answer.status == 400 && answer.body.contains("invalid token TTL"), "TTL '\(bad)'")
            }
            let forwarded = try await harness.request(.PUT, "/latest/api/token/", headers: [("X-Forwarded-For", "10.0.0.1")])
            #expect(forwarded.status == 400 && forwarded.body.contains("X-Forwarded-For"))
            let getToken = try await harness.request(.GET, "/latest/api/token")
            #expect(getToken.status == 405 && getToken.headers.first(name: "Allow") == "PUT")

            // IMDSv1 (no token) and unknown tokens are refused.
            let noToken = try await harness.request(.GET, "/latest/meta-data/iam/security-credentials/")
            #expect(noToken.status == 401 && noToken.body.contains("no token provided"))
            let unknown = try await harness.credentials(token: String(repeating: "A", count: 100))
            #expect(unknown.status == 401 && unknown.body.contains("invalid token provided"))

            let token = try await harness.token(ttl: 60)
            let roleName = try await harness.request(.GET, "/latest/meta-data/iam/security-credentials/", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(roleName.status == 200 && roleName.body == "bucket-lister")
            #expect(roleName.headers.first(name: "X-aws-ec2-metadata-token-ttl-seconds") == "60")
            let withoutSlash = try await harness.request(.GET, "/latest/meta-data/iam/security-credentials", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(withoutSlash.body == "bucket-lister")

            let credentials = try await harness.credentials(token: token)
            #expect(credentials.status == 200)
            #expect(credentials.headers.first(name: "X-aws-ec2-metadata-token-ttl-seconds") == "60")
            let json = try #require(credentials.json)
            #expect(json["Code"] as? String == "Success" && json["Type"] as? String == "AWS-HMAC")
            for key in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration", "LastUpdated"] {
                #expect((json[key] as? String)?.isEmpty == false, "\(key)")
            }
            #expect(credentials.body.hasPrefix(#"{"AccessKeyId":"#) && credentials.body.hasSuffix("}\n"))
            let trailingSlash = try await harness.request(.GET, "/latest/meta-data/iam/security-credentials/bucket-lister/", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(trailingSlash.status == 200)

            // Another role name is 404 (the official helper answers 200 with its own role name).
            let other = try await harness.request(.GET, "/latest/meta-data/iam/security-credentials/admin", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(other.status == 404)
            let post = try await harness.request(.POST, "/latest/meta-data/iam/security-credentials/bucket-lister", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(post.status == 405)

            // Region discovery: Go/Java read placement/region, botocore the zone minus its last letter.
            let region = try await harness.request(.GET, "/latest/meta-data/placement/region", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(region.status == 200 && region.body == "us-east-1")
            let zone = try await harness.request(.GET, "/latest/meta-data/placement/availability-zone/", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(zone.body.dropLast() == "us-east-1")
            let elsewhere = try await harness.request(.GET, "/latest/dynamic/instance-identity/document", headers: [("x-aws-ec2-metadata-token", token)])
            #expect(elsewhere.status == 404)

            // The token expires with its TTL (on the server's clock).
            harness.clock.advance(by: 61)
            let expired = try await harness.credentials(token: token)
            #expect(expired.status == 401 && expired.body.contains("invalid token provided"))
            let longLived = try await harness.credentials(token: defaultToken.body)
            #expect(longLived.status == 200)
        }
    }

    @Test("the token table is bounded by refusing, never by evicting a live token; expired tokens make room")
    func tokenCapacity() async throws {
        try await Harness.with { harness in
            let capacity = MetadataServerConfiguration.maximumTokens
            let shortLived = try await harness.token(ttl: 10)
            let first = try await harness.token()
            for _ in 2..<capacity { _ = try await harness.token() }
            let refused = try await harness.request(.PUT, "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "60")])
            #expect(refused.status == 503, "the table is full of live tokens")
            #expect(try await harness.credentials(token: shortLived).status == 200, "no live token was dropped")
            #expect(try await harness.credentials(token: first).status == 200)
            harness.clock.advance(by: 11)
            let afterExpiry = try await harness.token()
            #expect(try await harness.credentials(token: afterExpiry).status == 200, "the expired token made room")
            #expect(try await harness.credentials(token: shortLived).status == 401)
        }
    }

    /// What one raw connection got back: everything the server wrote until it closed (or the
    /// 10-second read timeout passed).
    /// Sends `request` on a new connection and reads until the server closes it (or 10 s pass).
    /// The blocking socket calls run on a Dispatch thread, not on the tasks' cooperative pool: on a
    /// two-core machine that pool has two threads, and a test blocked in `recv` while another suite
    /// blocks the other thread would starve the refresher it is waiting for.
    static func exchange(port: Int, _ request: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, request) })
            }
        }
    }

    static func blockingExchange(port: Int, _ request: String) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(socket) }
        // NIO builds the sockaddr (naming sockaddr_in here trips Swift 6.3's member import visibility,
        // which attributes the Glibc type to whichever C module declared it first).
        let connected = try SocketAddress(ipAddress: "127.0.0.1", port: port).withSockAddr { address, length in
            connect(socket, address, socklen_t(length))
        }
        guard connected == 0 else { throw TestFailure("connect: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw TestFailure("send: \(errno)") }
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The responses in `text`, each as its status line, headers (lower-case names) and body
    /// (framed by Content-Length).
    static func responses(_ text: String) -> [(status: String, headers: [String: String], body: String)] {
        var rest = Substring(text)
        var answers: [(status: String, headers: [String: String], body: String)] = []
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            rest = rest[end.upperBound...]
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let body = String(rest.utf8.prefix(length)) ?? ""
            rest = rest.dropFirst(body.count)
            answers.append((lines[0], headers, body))
        }
        return answers
    }

    @Test("pipelined requests are answered in order, each as one response; HEAD has no body; HTTP/1.0 and Connection: close end the connection; garbage gets 400")
    func pipeliningAndFraming() async throws {
        try await Harness.with(firstDuration: 900) { harness in
            let token = try await harness.token()
            let port = harness.server.port
            let credentials = "/latest/meta-data/iam/security-credentials/bucket-lister"
            func get(_ path: String, _ extra: String = "") -> String {
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nx-aws-ec2-metadata-token: \(token)\r\n\(extra)\r\n"
            }
            let document = try await harness.credentials(token: token).body

            // Four requests in one write: credentials, HEAD of them, the region, and a 404 that closes.
            let head = "HEAD \(credentials) HTTP/1.1\r\nHost: 127.0.0.1\r\nx-aws-ec2-metadata-token: \(token)\r\n\r\n"
            let text = try await Self.exchange(port: port, get(credentials) + head + get("/latest/meta-data/placement/region") + get("/nothing-here", "Connection: close\r\n"))
            // The HEAD answer has a Content-Length but no body: split by hand.
            let parts = text.components(separatedBy: "HTTP/1.1 ")
            #expect(parts.count == 5, "\(text)")
            let answers = parts.dropFirst().map { Self.responses("HTTP/1.1 " + $0).first }
            #expect(answers[0]?.status == "HTTP/1.1 200 OK")
            #expect(answers[0]?.body == document)
            #expect(answers[0]?.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(answers[0]?.headers["x-aws-ec2-metadata-token-ttl-seconds"].flatMap(Int.init).map { $0 > 21000 } == true)
            #expect(answers[1]?.status == "HTTP/1.1 200 OK")
            #expect(answers[1]?.headers["content-length"] == String(document.utf8.count))
            #expect(parts[2].hasSuffix("\r\n\r\n"), "HEAD: no body")
            #expect(answers[2]?.body == "us-east-1")
            #expect(answers[3]?.status == "HTTP/1.1 404 Not Found")
            #expect(answers[3]?.headers["connection"] == "close")

            // HTTP/1.0 without keep-alive: answered in 1.0 and closed.
            let old = try await Self.exchange(port: port, "GET /latest/meta-data/placement/region HTTP/1.0\r\nx-aws-ec2-metadata-token: \(token)\r\n\r\n")
            #expect(old.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(old)")
            #expect(Self.responses(old).first?.headers["connection"] == "close")
            #expect(old.hasSuffix("\r\n\r\nus-east-1"))

            // Not HTTP: 400, then the connection closes.
            let garbage = try await Self.exchange(port: port, "\u{1}\u{2}NOT HTTP AT ALL\r\n\r\n")
            #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(garbage)")

            // Behind a request that waits for the refresher, pipelined ones wait their turn.
            harness.clock.advance(by: try #require(harness.refresher.snapshot.current).expiration.timeIntervalSince(harness.clock.now) + 1)
            let stale = try await Self.exchange(port: port, get(credentials) + get("/latest/meta-data/placement/region") + get(credentials, "Connection: close\r\n"))
            let staleAnswers = Self.responses(stale)
            #expect(staleAnswers.map(\.status) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"], "\(stale)")
            #expect(staleAnswers.count == 3 && staleAnswers[1].body == "us-east-1")
            #expect(staleAnswers.count == 3 && staleAnswers[0].body == staleAnswers[2].body && staleAnswers[0].body != document)
            #expect(harness.counter.value == 2, "one CreateSession for the stale credentials")
        }
    }

    @Test("ECS container credentials: the Authorization token is required and checked; the document has what SDKs read")
    func containerCredentials() async throws {
        let token = "container-token-0123456789abcdef"
        try await Harness.with(containerToken: token) { harness in
            let missing = try await harness.request(.GET, "/v1/credentials")
            #expect(missing.status == 401)
            let wrong = try await harness.request(.GET, "/v1/credentials", headers: [("Authorization", token + "x")])
            #expect(wrong.status == 403)
            let answer = try await harness.request(.GET, "/v1/credentials", headers: [("Authorization", token)])
            #expect(answer.status == 200)
            let json = try #require(answer.json)
            #expect(json["RoleArn"] as? String == harness.fixture.roleArn)
            for key in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
                #expect((json[key] as? String)?.isEmpty == false, "\(key)")
            }
        }
    }

    @Test("the background refresh replaces the credentials ahead of expiry, while the old ones are still valid")
    func backgroundRefresh() async throws {
        try await Harness.with { harness in
            let clock = harness.clock
            let token = try await harness.token()
            let first = try #require(harness.refresher.snapshot.current)
            // 3600 s credentials are refreshed 15 minutes ahead.
            #expect(abs(first.expiration.timeIntervalSince(first.refreshAt) - 900) < 2)
            let background = Task { await harness.refresher.run() }
            defer { background.cancel() }
            try await clock.waitForSleepers()
            clock.advance(by: first.refreshAt.timeIntervalSince(clock.now) + 1)
            try await harness.eventually("the background refresh") { harness.refresher.snapshot.current?.credentials != first.credentials }
            #expect(harness.counter.value == 2)
            #expect(clock.now < first.expiration)
            let answer = try await harness.credentials(token: token)
            let key = try #require(answer.json?["AccessKeyId"] as? String)
            #expect(key != first.credentials.accessKeyId)
            // And it goes back to sleep until the next refresh time: no further call.
            try await clock.waitForSleepers()
            #expect(harness.counter.value == 2)
        }
    }

    @Test("100 concurrent requests for stale credentials make exactly one CreateSession")
    func singleFlight() async throws {
        try await Harness.with(firstDuration: 900) { harness in
            let token = try await harness.token()
            let first = try #require(harness.refresher.snapshot.current)
            #expect(harness.counter.value == 1)
            // Past expiry, with no background refresh running: every request needs new credentials.
            harness.clock.advance(by: first.expiration.timeIntervalSince(harness.clock.now) + 1)
            let answers = try await withThrowingTaskGroup(of: Harness.Answer.self) { group in
                for _ in 0..<100 { group.addTask { try await harness.credentials(token: token) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(harness.counter.value == 2, "CreateSession calls: \(harness.counter.value)")
            #expect(answers.allSatisfy { $0.status == 200 })
            let keys = Set(answers.compactMap { $0.json?["AccessKeyId"] as? String })
            #expect(keys.count == 1 && !keys.contains(first.credentials.accessKeyId))
        }
    }

    @Test("refresh before expiry in the background, last good credentials through an outage, 503 once they expire, recovery, rotation; /healthz follows")
    func refreshOutageRecoveryAndRotation() async throws {
        try await Harness.with(firstDuration: 900) { harness in
            let clock = harness.clock
            let token = try await harness.token()
            let first = try #require(harness.refresher.snapshot.current)
            // The probe needs no token; it is GET (or HEAD) only.
            let healthy = try await harness.request(.GET, "/healthz")
            #expect(healthy.status == 200 && healthy.json?["status"] as? String == "ok", "\(healthy.body)")
            #expect(healthy.json?["expiration"] as? String == first.credentials.expiration)
            #expect(healthy.headers.first(name: "Content-Type") == "application/json")
            #expect(try await harness.request(.POST, "/healthz").status == 405)
            #expect(try await harness.request(.HEAD, "/healthz").status == 200)
            // 900 s credentials: refreshed once half their lifetime has passed (15 minutes ahead would be at once).
            #expect(abs(first.refreshAt.timeIntervalSince(first.expiration) + 450) < 2)
            let background = Task { await harness.refresher.run() }
            defer { background.cancel() }

            // Nothing happens before the refresh time...
            try await clock.waitForSleepers()
            clock.advance(by: first.refreshAt.timeIntervalSince(clock.now) - 5)
            try await clock.waitForSleepers()
            #expect(harness.counter.value == 1)

            // ...then the service goes down: the refresh fails, the last good credentials are served.
            harness.fixture.stopService()
            clock.advance(by: 6)
            try await harness.eventually("the failed refresh") { harness.counter.value == 2 }
            try await clock.waitForSleepers()  // The attempt is over: the loop waits for its backoff.
            let during = try await harness.credentials(token: token)
            #expect(during.status == 200 && during.json?["AccessKeyId"] as? String == first.credentials.accessKeyId)
            // Still ready (the credentials are valid), with the failure reported.
            let degraded = try await harness.request(.GET, "/healthz")
            #expect(degraded.status == 200 && degraded.json?["consecutiveFailures"] as? Int == 1, "\(degraded.body)")
            #expect((degraded.json?["lastError"] as? [String: Any])?["kind"] as? String == "network", "\(degraded.body)")

            // Past their expiry: 503 with the reason, never empty "Success".
            clock.advance(by: first.expiration.timeIntervalSince(clock.now) + 1)
            try await harness.eventually("a retry after expiry") { harness.counter.value >= 3 }
            try await clock.waitForSleepers()
            let expired = try await harness.credentials(token: token)
            #expect(expired.status == 503)
            #expect(expired.json?["Code"] as? String == "CredentialsUnavailable")
            let message = try #require(expired.json?["Message"] as? String)
            #expect(message.contains("expired") && message.contains("last refresh failed"), "\(message)")
            #expect(!expired.body.contains("AccessKeyId"))
            // The readiness probe fails while the CA is unreachable and the credentials have expired.
            let unready = try await harness.request(.GET, "/healthz")
            #expect(unready.status == 503 && unready.json?["status"] as? String == "unavailable", "\(unready.body)")
            let reason = try #require(unready.json?["reason"] as? String)
            #expect(reason.contains("expired") && reason.contains("last refresh failed"), "\(reason)")
            #expect(!unready.body.contains(first.credentials.accessKeyId) && !unready.body.contains(first.credentials.sessionToken))

            // The service is back and the certificate was rotated meanwhile: the next retry recovers with it.
            try harness.fixture.restartService()
            let rotated = try harness.fixture.writeLeaf()
            let attempts = harness.counter.value
            try await clock.waitForSleepers()
            clock.advance(by: 61)
            try await harness.eventually("recovery") { harness.counter.value > attempts && harness.refresher.snapshot.current != nil }
            let recovered = try await harness.credentials(token: token)
            #expect(recovered.status == 200)
            // ...and passes again after recovery.
            let ready = try await harness.request(.GET, "/healthz")
            #expect(ready.status == 200 && ready.json?["consecutiveFailures"] as? Int == 0 && ready.json?["lastError"] == nil, "\(ready.body)")
            let key = try #require(recovered.json?["AccessKeyId"] as? String)
            #expect(key != first.credentials.accessKeyId)
            let sessionName = try #require(try await harness.fixture.sessionName(of: key))
            #expect(Self.trimmedHex(sessionName) == Self.trimmedHex(rotated.certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()))
        }
    }

    @Test("metrics during an outage: failures counted, the last error's kind flagged, credentials no longer valid; cleared after recovery")
    func metricsThroughAnOutage() throws {
        let metrics = ServeMetrics(certificateNotAfter: nil)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var status = RefreshStatus()
        status.successes = 1
        status.failures = 3
        status.consecutiveFailures = 3
        status.lastError = CredentialsError(.network, "cannot connect to the endpoint")
        status.credentialsExpiration = now.addingTimeInterval(-10)
        let down = String(buffer: metrics.scrape((nil, status), now: now))
        #expect(down.contains(#"rolesanywhere_serve_refreshes_total{outcome="failure"} 3"#), "\(down)")
        #expect(down.contains(#"rolesanywhere_serve_last_refresh_error{kind="network"} 1"#))
        #expect(down.contains("rolesanywhere_serve_credentials_valid 0"))
        #expect(down.contains("rolesanywhere_serve_credentials_expires_in_seconds -10"))
        #expect(down.contains("rolesanywhere_serve_consecutive_refresh_failures 3"))
        #expect(!down.contains("rolesanywhere_serve_certificate_not_after"), "no certificate known, no sample")

        status.successes = 2
        status.consecutiveFailures = 0
        status.lastError = nil
        status.credentialsExpiration = now.addingTimeInterval(3600)
        let fetched = FetchedCredentials(
            credentials: SessionCredentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token", expiration: "2027-01-15T09:20:00Z"),
            fetchedAt: now, expiration: now.addingTimeInterval(3600), refreshAt: now.addingTimeInterval(2700)
        )
        let up = String(buffer: metrics.scrape((fetched, status), now: now))
        #expect(up.contains(#"rolesanywhere_serve_refreshes_total{outcome="success"} 2"#), "\(up)")
        #expect(up.contains(#"rolesanywhere_serve_refreshes_total{outcome="failure"} 3"#))
        #expect(up.contains(#"rolesanywhere_serve_last_refresh_error{kind="network"} 0"#))
        #expect(up.contains("rolesanywhere_serve_credentials_valid 1"))
        #expect(!up.contains("secret") && !up.contains("ASIAEXAMPLE"))
    }

    static func trimmedHex(_ text: String) -> String {
        String(text.lowercased().drop(while: { $0 == "0" }))
    }
}
