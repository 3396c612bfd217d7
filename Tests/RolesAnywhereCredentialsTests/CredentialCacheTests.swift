import Foundation
@testable import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Synchronization
import Testing
import RolesAnywhereSupport

@Suite("credential-process: the credential cache")
struct CredentialCacheTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func key(certificate: UInt8 = 1, duration: Int? = 3600, sessionName: String? = nil) -> CredentialCacheKey {
        CredentialCacheKey(
            certificateFingerprint: [UInt8](repeating: certificate, count: 32),
            trustAnchorArn: "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a",
            profileArn: "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p", roleArn: "arn:aws:iam::123456789012:role/r",
            region: "us-east-1", endpoint: "https://rolesanywhere.us-east-1.amazonaws.com", roleSessionName: sessionName, durationSeconds: duration
        )
    }

    /// A fetch that counts its calls and returns credentials valid for `lifetime` from `now`.
    final class Service: Sendable {
        private let calls = Mutex(0)
        let lifetime: TimeInterval
        init(lifetime: TimeInterval = 3600) { self.lifetime = lifetime }
        var count: Int { calls.withLock { $0 } }

        func fetch(at now: Date) -> SessionCredentials {
            let call = calls.withLock { count in
                count += 1
                return count
            }
            return SessionCredentials(
                accessKeyId: "ASIACALL\(call)", secretAccessKey: "secret/\(call)", sessionToken: "token\(call)==",
                expiration: AmzDate(now.addingTimeInterval(lifetime)).iso8601
            )
        }
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    /// A cache in a new directory holding one entry for ``key()``, fetched from a new service.
    struct Primed {
        let root: TemporaryDirectory
        let directory: String
        let cache: CredentialCache
        let service = Service()
        /// The path of ``key()``'s entry.
        var entry: String { "\(directory)/\(CredentialCacheTests.key().digest).json" }

        init() throws {
            root = try TemporaryDirectory(prefix: "cache")
            directory = root.path("c")
            cache = CredentialCache(directory: directory)
            _ = try lookup()
        }

        func lookup(_ key: CredentialCacheKey = CredentialCacheTests.key()) throws -> CredentialCache.Answer {
            let service = service
            return try cache.credentials(for: key, now: { CredentialCacheTests.start }) { service.fetch(at: CredentialCacheTests.start) }
        }
    }

    @Test("a miss fetches and stores (0600 files in a 0700 directory); the next lookup is answered from the file, until the refresh window")
    func reuseUntilRefreshWindow() throws {
        let root = try TemporaryDirectory(prefix: "cache")
        let cache = CredentialCache(directory: root.path("nested/cache"))
        let service = Service()
        var now = Self.start
        let first = try cache.credentials(for: Self.key(), now: { now }) { service.fetch(at: now) }
        #expect(first.source == .fetched && first.warnings.isEmpty)
        #expect(try Self.mode(root.path("nested/cache")) == 0o700)
        #expect(try Self.mode(root.path("nested/cache/cache.key")) == 0o600)
        #expect(try Self.mode(root.path("nested/cache/\(Self.key().digest).json")) == 0o600)

        now = Self.start.addingTimeInterval(44 * 60)
        let second = try cache.credentials(for: Self.key(), now: { now }) { service.fetch(at: now) }
        #expect(second.source == .cache && second.credentials == first.credentials && service.count == 1)

        // 15 minutes before expiry (serve's window), the entry is refreshed.
        now = Self.start.addingTimeInterval(45 * 60 + 1)
        let third = try cache.credentials(for: Self.key(), now: { now }) { service.fetch(at: now) }
        #expect(third.source == .fetched && third.credentials.accessKeyId == "ASIACALL2" && service.count == 2)

        // A clock set back a little still uses the entry; set back further, its age is unknown.
        now = Self.start.addingTimeInterval(45 * 60 + 1 - 300)
        #expect(try cache.credentials(for: Self.key(), now: { now }) { service.fetch(at: now) }.source == .cache)
        now = Self.start.addingTimeInterval(45 * 60 - 300)
        #expect(try cache.credentials(for: Self.key(), now: { now }) { service.fetch(at: now) }.source == .fetched)
    }

    @Test("another certificate, duration or session name misses; the digest covers every field")
    func keyCoversEveryField() throws {
        let root = try TemporaryDirectory(prefix: "cache")
        let cache = CredentialCache(directory: root.path("c"))
        let service = Service()
        for key in [Self.key(), Self.key(certificate: 2), Self.key(duration: 900), Self.key(sessionName: "job-1"), Self.key(duration: nil)] {
            let answer = try cache.credentials(for: key, now: { Self.start }) { service.fetch(at: Self.start) }
            #expect(answer.source == .fetched)
        }
        #expect(service.count == 5)
        var keys: Set<String> = []
        let base = Self.key()
        for change in 0..<9 {
            var key = base
            switch change {
            case 0: key.certificateFingerprint[0] ^= 1
            case 1: key.chainFingerprints = [[UInt8](repeating: 9, count: 32)]
            case 2: key.trustAnchorArn += "x"
            case 3: key.profileArn += "x"
            case 4: key.roleArn += "x"
            case 5: key.region = "eu-west-1"
            case 6: key.endpoint = "https://localhost:8443"
            case 7: key.roleSessionName = ""
            default: key.durationSeconds = 3601
            }
            keys.insert(key.digest)
        }
        #expect(keys.count == 9 && !keys.contains(base.digest))
    }

    @Test("a tampered entry, or one copied from another key, is not used and is replaced")
    func tamperedEntriesAreRefused() throws {
        let primed = try Primed()
        let path = primed.entry
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let tampered = original.replacingOccurrences(of: "ASIACALL1", with: "ASIAEVIL1")
        #expect(tampered != original)
        try tampered.write(toFile: path, atomically: false, encoding: .utf8)
        let afterTampering = try primed.lookup()
        #expect(afterTampering.source == .fetched && afterTampering.credentials.accessKeyId == "ASIACALL2")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("ASIACALL2"))

        // A valid entry of another key, put in this key's place, verifies but names the other key.
        _ = try primed.lookup(Self.key(certificate: 7))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: "\(primed.directory)/\(Self.key(certificate: 7).digest).json", toPath: path)
        chmod(path, 0o600)
        let afterCopy = try primed.lookup()
        #expect(afterCopy.source == .fetched && afterCopy.credentials.accessKeyId == "ASIACALL4")

        // Garbage is ignored the same way.
        try Data([0xff, 0x00, 0x0a, 0x7b]).write(to: URL(fileURLWithPath: path))
        #expect(try primed.lookup().source == .fetched)
    }

    @Test("an entry readable by others, or a key file that is not private, is not trusted")
    func permissionsAreChecked() throws {
        let primed = try Primed()
        let directory = primed.directory
        chmod(primed.entry, 0o644)
        #expect(try primed.lookup().source == .fetched)
        #expect(try Self.mode(primed.entry) == 0o600)

        // A key file anyone could have read is replaced, and entries made under it stop verifying.
        chmod("\(directory)/cache.key", 0o644)
        #expect(try primed.lookup().source == .fetched)
        #expect(try Self.mode("\(directory)/cache.key") == 0o600)
        #expect(primed.service.count == 3)

        // A directory open to others is made private.
        chmod(directory, 0o755)
        #expect(try primed.lookup().source == .cache)
        #expect(try Self.mode(directory) == 0o700)
    }

    @Test("a cache directory that cannot be used gives the credentials anyway, with a warning")
    func unusableDirectory() throws {
        let root = try TemporaryDirectory(prefix: "cache")
        try root.write("file", "not a directory")
        let service = Service()
        let answer = try CredentialCache(directory: root.path("file")).credentials(for: Self.key(), now: { Self.start }) { service.fetch(at: Self.start) }
        #expect(answer.source == .fetched && service.count == 1)
        #expect(answer.warnings.count == 1 && answer.warnings[0].contains("not a directory"))
        try FileManager.default.createSymbolicLink(atPath: root.path("link"), withDestinationPath: root.url.path)
        let viaLink = try CredentialCache(directory: root.path("link")).credentials(for: Self.key(), now: { Self.start }) { service.fetch(at: Self.start) }
        #expect(viaLink.warnings.first?.contains("symbolic link") == true)
    }

    @Test("a failed refresh returns cached credentials that have not expired, with the error as a warning; expired ones are never returned")
    func outage() throws {
        let root = try TemporaryDirectory(prefix: "cache")
        let cache = CredentialCache(directory: root.path("c"))
        let service = Service()
        _ = try cache.credentials(for: Self.key(), now: { Self.start }) { service.fetch(at: Self.start) }
        let outage = CredentialsError(.network, "cannot connect to rolesanywhere.us-east-1.amazonaws.com")
        let late = Self.start.addingTimeInterval(50 * 60)
        let stale = try cache.credentials(for: Self.key(), now: { late }) { () throws(CredentialsError) -> SessionCredentials in throw outage }
        #expect(stale.source == .staleAfterFailure && stale.credentials.accessKeyId == "ASIACALL1")
        #expect(stale.warnings.first?.contains("cannot connect") == true)
        #expect(throws: outage) {
            try cache.credentials(for: Self.key(), now: { Self.start.addingTimeInterval(3600) }) { () throws(CredentialsError) -> SessionCredentials in throw outage }
        }
    }

    @Test("concurrent lookups that miss together make one fetch: the refresh holds a file lock and the others read its entry")
    func singleRefresh() async throws {
        let root = try TemporaryDirectory(prefix: "cache")
        let directory = root.path("c")
        let service = Service()
        final class Results: Sendable {
            let values = Mutex<[String]>([])
        }
        let results = Results()
        let threads = (0..<16).map { _ in
            Thread {
                let answer = try? CredentialCache(directory: directory).credentials(for: Self.key()) { () throws(CredentialsError) -> SessionCredentials in
                    Thread.sleep(forTimeInterval: 0.3)
                    return service.fetch(at: Date())
                }
                results.values.withLock { $0.append(answer?.credentials.accessKeyId ?? "failed") }
            }
        }
        for thread in threads { thread.start() }
        while results.values.withLock({ $0.count }) < threads.count { try await Task.sleep(for: .milliseconds(20)) }
        #expect(service.count == 1)
        #expect(results.values.withLock { $0 } == Array(repeating: "ASIACALL1", count: threads.count))
    }
}
