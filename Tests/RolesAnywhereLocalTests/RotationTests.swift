import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RolesAnywhereSigning
import RolesAnywhereCredentials
import RolesAnywhereSupport
import RolesAnywhereTesting
import Synchronization
import Testing
import X509

/// The helper following a certificate rotation at once: `rolesanywhere serve` and `update` as
/// processes against `rolesanywhere-local`, with certificates of a few minutes' lifetime replaced
/// on disk the way renewers replace them (a new file renamed over the old one), and the refresher's
/// own rules for a rotation (single flight, last good credentials kept when the fetch fails).
@Suite("certificate rotation: serve and update follow it at once", .serialized, .timeLimit(.minutes(10)))
struct RotationTests {
    /// A certificate of `minutes` minutes for `myContainer` and its key, written as a renewer does:
    /// each file written beside the target and renamed over it, the key first.
    @discardableResult
    static func rotate(_ fixture: CredentialHelperFixture, minutes: Double = 5, keyOnly: TestPKI.Issued? = nil) throws -> TestPKI.Issued {
        let leaf = try TestPKI.makeLeaf(issuer: fixture.root, notValidAfter: Date().addingTimeInterval(minutes * 60))
        try replace(fixture.keyPath, with: leaf.privateKeyPEM)
        try replace(fixture.certificatePath, with: leaf.certificatePEM)
        return leaf
    }

    /// Replaces a file atomically (write a temporary file, rename it over the target).
    static func replace(_ path: String, with contents: String) throws {
        let temporary = path + ".new"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw TestFailure("rename \(temporary): errno \(errno)") }
    }

    static func serialHex(_ leaf: TestPKI.Issued) -> String {
        let hex = leaf.certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()
        return String(hex.drop(while: { (character: Character) in character == "0" }))
    }

    /// What the reading client has seen: every answer's status, and the latest access key with when
    /// it was first seen.
    final class Observations: Sendable {
        struct State {
            var answers = 0
            var failures: [String] = []
            var latestKey: String?
            var latestKeySince = Date.distantPast
        }
        let state = Mutex(State())

        func record(status: Int, key: String?, body: String) {
            state.withLock { state in
                state.answers += 1
                guard status == 200, let key else {
                    state.failures.append("\(status) \(body.prefix(200))")
                    return
                }
                if key != state.latestKey {
                    state.latestKey = key
                    state.latestKeySince = Date()
                }
            }
        }

        var snapshot: State { state.withLock { $0 } }
    }

    /// Tells the reading thread to stop.
    final class StopSignal: Sendable {
        private let flag = Mutex(false)
        func stop() { flag.withLock { $0 = true } }
        var isStopped: Bool { flag.withLock { $0 } }
    }

    /// Reads the credentials from `serve` continuously (one request at a time, as fast as it
    /// answers) on a thread of its own until `stop` is set: not on the test's task pool, where other
    /// suites' blocking calls would delay the reads and so the moment a change is seen.
    static func readContinuously(port: Int, into observations: Observations, stop: StopSignal) -> Thread {
        let thread = Thread {
            let tokenAnswer = (try? MetadataServerTests.blockingExchange(
                port: port, "PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nConnection: close\r\n\r\n"
            )) ?? ""
            let token = MetadataServerTests.responses(tokenAnswer).first?.body ?? ""
            let request = "GET /latest/meta-data/iam/security-credentials/bucket-lister HTTP/1.1\r\nHost: 127.0.0.1\r\nx-aws-ec2-metadata-token: \(token)\r\nConnection: close\r\n\r\n"
            while !stop.isStopped {
                do {
                    let answer = try MetadataServerTests.blockingExchange(port: port, request)
                    guard let response = MetadataServerTests.responses(answer).first else {
                        observations.record(status: 0, key: nil, body: answer)
                        continue
                    }
                    let status = Int(response.status.split(separator: " ").dropFirst().first ?? "") ?? 0
                    let json = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
                    observations.record(status: status, key: json?["AccessKeyId"] as? String, body: response.body)
                } catch {
                    observations.record(status: 0, key: nil, body: "\(error)")
                }
            }
        }
        thread.start()
        return thread
    }

    static func waitFor(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw TestFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("serve: five rotations of 5-minute certificates while a client reads continuously - no request fails, new credentials at once, the session's serial follows; a mismatched or half-written file keeps the old pair")
    func serveFollowsRotations() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        var leaf = try Self.rotate(fixture)
        let log = fixture.directory.path("serve-rotation.log")
        let server = try ServeAndUpdateCommandTests.serve(fixture, ["--debug"], logPath: log)
        defer { _ = ServeAndUpdateCommandTests.terminate(server) }
        let observations = Observations()
        let stop = StopSignal()
        _ = Self.readContinuously(port: server.port, into: observations, stop: stop)
        defer { stop.stop() }
        try await Self.waitFor("the first credentials", timeout: 10) { observations.snapshot.latestKey != nil }
        let firstKey = try #require(observations.snapshot.latestKey)
        #expect(try await fixture.sessionName(of: firstKey).map { String($0.lowercased().drop(while: { $0 == "0" })) } == Self.serialHex(leaf))

        var keys: Set<String> = [firstKey]
        var latencies: [TimeInterval] = []
        for round in 1...5 {
            let before = observations.snapshot
            leaf = try Self.rotate(fixture)
            let rotatedAt = Date()
            try await Self.waitFor("new credentials after rotation \(round)", timeout: 90) { observations.snapshot.latestKey != before.latestKey }
            let after = observations.snapshot
            let latency = after.latestKeySince.timeIntervalSince(rotatedAt)
            latencies.append(latency)
            // "At once": not at the refresh schedule's 45 minutes. How fast is measured by
            // `scripts/bench rotation` (74 ms on an unloaded machine); in a parallel test run the
            // machine is shared with dozens of processes (15 s has been seen in CI), so this bound
            // only tells "at once" from "on schedule".
            #expect(latency < 60, "rotation \(round): new credentials after \(latency) s")
            let key = try #require(after.latestKey)
            #expect(keys.insert(key).inserted)
            let sessionName = try #require(try await fixture.sessionName(of: key))
            #expect(String(sessionName.lowercased().drop(while: { $0 == "0" })) == Self.serialHex(leaf), "rotation \(round)")
            // A moment of reading between rotations.
            try await Task.sleep(for: .milliseconds(300))
        }

        // A certificate that does not match the key on disk: the old pair stays, the reason is logged.
        let stranger = try TestPKI.makeLeaf(issuer: fixture.root, notValidAfter: Date().addingTimeInterval(300))
        let keyBefore = observations.snapshot.latestKey
        try Self.replace(fixture.certificatePath, with: stranger.certificatePEM)
        try await Self.waitFor("the mismatch in the log", timeout: 60) {
            (try String(contentsOfFile: log, encoding: .utf8)).contains("cannot be used yet")
        }
        let logText = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logText.contains("does not belong to the certificate"), "\(logText.suffix(2000))")
        #expect(observations.snapshot.latestKey == keyBefore)
        // Its key arrives: followed at once.
        try Self.replace(fixture.keyPath, with: stranger.privateKeyPEM)
        try await Self.waitFor("credentials for the completed pair", timeout: 60) { observations.snapshot.latestKey != keyBefore }
        let completedKey = try #require(observations.snapshot.latestKey)
        #expect(String(try #require(try await fixture.sessionName(of: completedKey)).lowercased().drop(while: { $0 == "0" })) == Self.serialHex(stranger))

        // A half-written certificate (written in place, cut short): the old pair stays until it is whole.
        let next = try TestPKI.makeLeaf(issuer: fixture.root, notValidAfter: Date().addingTimeInterval(300))
        let keyBeforeHalf = observations.snapshot.latestKey
        try Self.replace(fixture.keyPath, with: next.privateKeyPEM)
        try Data(next.certificatePEM.utf8.prefix(next.certificatePEM.utf8.count / 2)).write(to: URL(fileURLWithPath: fixture.certificatePath))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(observations.snapshot.latestKey == keyBeforeHalf)
        try Data(next.certificatePEM.utf8).write(to: URL(fileURLWithPath: fixture.certificatePath))
        try await Self.waitFor("credentials once the file is whole", timeout: 60) { observations.snapshot.latestKey != keyBeforeHalf }

        stop.stop()
        let final = observations.snapshot
        #expect(final.failures.isEmpty, "failed reads: \(final.failures.prefix(5))")
        #expect(final.answers > 20, "only \(final.answers) reads")
        print("rotation latencies (s): \(latencies.map { String(format: "%.3f", $0) }.joined(separator: " ")), \(final.answers) reads")
        let finalLog = try String(contentsOfFile: log, encoding: .utf8)
        // Each rotation is logged with the new serial and expiry; the short lifetime is warned about.
        #expect(finalLog.components(separatedBy: "the certificate or key changed on disk; using the new one").count - 1 == 7, "\(finalLog.suffix(3000))")
        #expect(finalLog.contains("not-after="), "\(finalLog.suffix(2000))")
        // Serials as openssl prints them (every byte two hex digits), not swift-certificates' `8:f:`.
        #expect(finalLog.range(of: #"serial=([0-9a-f]{2})+( |$)"#, options: .regularExpression) != nil, "\(finalLog.suffix(2000))")
        #expect(finalLog.range(of: #"serial=[0-9a-f]*:"#, options: .regularExpression) == nil, "\(finalLog.suffix(2000))")
        #expect(finalLog.contains("the certificate expires at") && finalLog.contains("before the credentials it got"), "\(finalLog.suffix(2000))")
        #expect(ServeAndUpdateCommandTests.terminate(server) == 0)
    }

    @Test("update: a rotated certificate is written as new credentials at once, with the new serial")
    func updateFollowsRotation() async throws {
        let fixture = try await CredentialHelperFixture()
        defer { fixture.stopService() }
        try Self.rotate(fixture, minutes: 120)
        let path = fixture.directory.path("rotation-credentials")
        let log = fixture.directory.path("update-rotation.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Subprocess()
        process.executableURL = URL(fileURLWithPath: Binaries.path("rolesanywhere"))
        process.arguments = ["update"] + fixture.helperFlags
        process.environment = ServeAndUpdateCommandTests.workloadEnvironment(fixture, ["AWS_SHARED_CREDENTIALS_FILE": path])
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func accessKey() -> String? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return text.split(separator: "\n").first { $0.hasPrefix("aws_access_key_id") }.map { String($0.split(separator: "=").last!).trimmingCharacters(in: .whitespaces) }
        }
        try await Self.waitFor("the first credentials file", timeout: 20) { accessKey() != nil }
        let first = try #require(accessKey())
        for round in 1...2 {
            let before = try #require(accessKey())
            let leaf = try Self.rotate(fixture, minutes: 120)
            let rotatedAt = Date()
            try await Self.waitFor("new credentials in the file after rotation \(round)", timeout: 90) { accessKey() != before }
            // At once, not at the schedule's refresh 55 minutes away. How fast "at once" is belongs to
            // `scripts/bench rotation` (74 ms here); this bound only tells the two apart, with room for
            // a machine shared with the whole parallel test run (15 s has been seen in CI).
            let latency = Date().timeIntervalSince(rotatedAt)
            #expect(latency < 60, "rotation \(round): new credentials after \(latency) s; log: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(2000) ?? "")")
            let key = try #require(accessKey())
            #expect(key != first)
            #expect(String(try #require(try await fixture.sessionName(of: key)).lowercased().drop(while: { $0 == "0" })) == Self.serialHex(leaf))
        }
        kill(process.processIdentifier, SIGTERM)
        ChildProcess.waitForExit(process, timeout: 10)
        #expect(!process.isRunning && process.terminationStatus == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.components(separatedBy: "wrote credentials").count - 1 == 3, "\(text)")
    }

    @Test("a rotation while the service is down keeps the last good credentials and is retried with backoff; a rotation during a fetch is followed by one more")
    func rotationFetchFailsAndIsRetried() async throws {
        try await MetadataServerTests.Harness.with { harness in
            let clock = harness.clock
            let first = try #require(harness.refresher.snapshot.current)
            let background = Task { await harness.refresher.run() }
            defer { background.cancel() }
            try await clock.waitForSleepers()

            // Down: the rotation's fetch fails, the current credentials stay.
            harness.fixture.stopService()
            try harness.fixture.writeLeaf()
            await harness.refresher.identityRotated()
            try await harness.eventually("the rotation's attempt") { harness.counter.value == 2 }
            try await harness.eventually("its failure") { harness.refresher.snapshot.status.consecutiveFailures == 1 }
            #expect(harness.refresher.snapshot.current == first)
            // Back: the backoff's retry (on the refresher's own schedule, not the refresh time an hour away) recovers.
            try harness.fixture.restartService()
            try await clock.waitForSleepers()
            clock.advance(by: 2)
            try await harness.eventually("the retry") { harness.refresher.snapshot.current.map { $0 != first } ?? false }
            #expect(harness.counter.value == 3)

            // Two rotations in quick succession: one attempt in flight, exactly one more after it.
            let before = harness.counter.value
            await harness.refresher.identityRotated()
            await harness.refresher.identityRotated()
            await harness.refresher.identityRotated()
            try await harness.eventually("the attempts") { harness.counter.value == before + 2 && harness.refresher.snapshot.status.consecutiveFailures == 0 }
            try await Task.sleep(for: .milliseconds(300))
            #expect(harness.counter.value == before + 2)
        }
    }

    @Test("the warning for a certificate that expires before its credentials, and none otherwise")
    func lifetimeWarning() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let warning = CertificateLifetime.warning(notAfter: now.addingTimeInterval(250), credentialsExpiration: now.addingTimeInterval(3600), now: now)
        #expect(warning?.contains("in 4m 10s") == true, "\(warning ?? "nil")")
        #expect(warning?.contains(AmzDate(now.addingTimeInterval(250)).iso8601) == true)
        #expect(CertificateLifetime.warning(notAfter: now.addingTimeInterval(7200), credentialsExpiration: now.addingTimeInterval(3600), now: now) == nil)
        #expect(CertificateLifetime.warning(notAfter: now.addingTimeInterval(-5), credentialsExpiration: now.addingTimeInterval(3600), now: now)?.contains("expired") == true)
        #expect(CertificateLifetime.describe(seconds: 45) == "45s")
        #expect(CertificateLifetime.describe(seconds: 7500) == "2h 5m")
        #expect(CertificateLifetime.describe(seconds: 3 * 86400 + 4 * 3600 + 30) == "3d 4h")
    }
}
