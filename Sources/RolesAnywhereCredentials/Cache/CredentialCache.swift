#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import RolesAnywhereSigning
public import RolesAnywhereSupport

/// Credentials that `credential-process` keeps between runs, so that a script or CI job running
/// `aws` in a loop makes one CreateSession per session lifetime instead of one per command (the AWS
/// CLI keeps assumed-role credentials in `~/.aws/cli/cache` for the same reason).
///
/// - **Where.** One file per ``CredentialCacheKey`` (`KEY.json`, mode 0600) in a directory of mode
///   0700 owned by the user; a directory or file owned by someone else is never used.
/// - **Trusted only if authenticated.** Each entry carries an HMAC-SHA256 under a random 32-byte key
///   kept beside the entries (`cache.key`, 0600). An entry that does not verify, was made for another
///   key, or does not parse is ignored and replaced, never used.
/// - **Fresh.** An entry is used until ``RefreshSchedule/refreshTime(fetchedAt:expiration:)`` of the
///   schedule `serve` uses (15 minutes before expiry, or half the lifetime for short sessions).
/// - **One refresh at a time.** Refreshing holds an exclusive `flock` on `KEY.lock`, and the entry is
///   read again once it is held, so many processes that miss together cause one CreateSession.
/// - **Through an outage.** If the refresh fails while the cached credentials have not expired,
///   they are returned with the failure as a warning.
public struct CredentialCache: Sendable {
    /// How a lookup was answered.
    public enum Source: Sendable, Hashable {
        /// From a valid entry.
        case cache
        /// By a CreateSession, now stored.
        case fetched
        /// From an entry past its refresh time, because the refresh failed (the error is in ``Answer/warnings``).
        case staleAfterFailure
    }

    /// Credentials with how they were obtained, and what went wrong with the cache along the way.
    public struct Answer: Sendable {
        public var credentials: SessionCredentials
        public var source: Source
        /// Problems that did not stop the lookup (an unusable directory, a failed write, a failed
        /// refresh answered from the cache), one sentence each. Never a secret.
        public var warnings: [String]
    }

    public var directory: String
    public var schedule: RefreshSchedule

    /// A cache in `directory` (created with mode 0700 if missing).
    public init(directory: String, schedule: RefreshSchedule = .serve) {
        self.directory = directory
        self.schedule = schedule
    }

    /// The cache directory of `environment`: `ROLESANYWHERE_CACHE_DIR` if set and not empty.
    public static func directory(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let variable = environment["ROLESANYWHERE_CACHE_DIR"], !variable.isEmpty { return variable }
        return nil
    }

    /// Cached credentials for `key`, or those of `fetch` (called at most once, under the key's lock),
    /// stored for the next caller. `fetch`'s error is thrown when nothing cached is still valid.
    public func credentials(
        for key: CredentialCacheKey, now: () -> Date = Date.init, fetch: () throws(CredentialsError) -> SessionCredentials
    ) throws(CredentialsError) -> Answer {
        let digest = key.digest
        let secret: [UInt8]
        do {
            try prepareDirectory()
            secret = try loadSecret()
        } catch {
            return Answer(credentials: try fetch(), source: .fetched, warnings: [error.sentence + "; the credentials were not cached"])
        }
        let entryPath = "\(directory)/\(digest).json"
        // Fast path: no lock to read a valid entry (entries are replaced by rename, never rewritten).
        if let entry = readEntry(entryPath, digest: digest, secret: secret), entry.isFresh(at: now(), schedule: schedule) {
            return Answer(credentials: entry.credentials, source: .cache, warnings: [])
        }

        let lock: Int32
        do {
            lock = try lockEntry("\(directory)/\(digest).lock")
        } catch {
            return Answer(credentials: try fetch(), source: .fetched, warnings: [error.sentence + "; the credentials were not cached"])
        }
        defer {
            flock(lock, LOCK_UN)
            close(lock)
        }
        // Another process may have refreshed while this one waited for the lock.
        let cached = readEntry(entryPath, digest: digest, secret: secret)
        if let cached, cached.isFresh(at: now(), schedule: schedule) {
            return Answer(credentials: cached.credentials, source: .cache, warnings: [])
        }
        let fetchedAt = now()
        let credentials: SessionCredentials
        do {
            credentials = try fetch()
        } catch {
            guard let cached, now() < cached.expiration else { throw error }
            return Answer(
                credentials: cached.credentials, source: .staleAfterFailure,
                warnings: ["\(error.message); using the cached credentials, which expire at \(cached.credentials.expiration)"]
            )
        }
        var warnings: [String] = []
        if let expiration = AmzDate(iso8601: credentials.expiration)?.date {
            let entry = Entry(digest: digest, fetchedAt: fetchedAt, expiration: expiration, credentials: credentials)
            do {
                try writeEntry(entry, to: entryPath, secret: secret)
            } catch {
                warnings.append(error.sentence + "; the credentials were not cached")
            }
        } else {
            warnings.append("the service returned an expiration that is not a date ('\(credentials.expiration)'); the credentials were not cached")
        }
        return Answer(credentials: credentials, source: .fetched, warnings: warnings)
    }

    // MARK: - Entries

    /// What one entry file holds, as verified.
    struct Entry: Sendable, Hashable {
        var digest: String
        var fetchedAt: Date
        var expiration: Date
        var credentials: SessionCredentials

        /// How far the clock may have stepped back since the entry was fetched for it still to count.
        static let clockStepAllowance: TimeInterval = 300

        /// Before the refresh time, and not fetched "in the future" (a clock set back by more than
        /// ``clockStepAllowance`` makes the entry's age unknown, so it is refreshed).
        func isFresh(at now: Date, schedule: RefreshSchedule) -> Bool {
            now >= fetchedAt.addingTimeInterval(-Self.clockStepAllowance)
                && now < schedule.refreshTime(fetchedAt: fetchedAt, expiration: expiration)
        }

        /// The authenticated text: one JSON object.
        var payload: String {
            JSONText.object([
                ("Version", "1"),
                ("Key", JSONText.string(digest)),
                ("FetchedAt", String(Int64(fetchedAt.timeIntervalSince1970.rounded(.down)))),
                ("AccessKeyId", JSONText.string(credentials.accessKeyId)),
                ("SecretAccessKey", JSONText.string(credentials.secretAccessKey)),
                ("SessionToken", JSONText.string(credentials.sessionToken)),
                ("Expiration", JSONText.string(credentials.expiration)),
            ])
        }

        /// Reads a verified payload; nil if any member is missing or of the wrong type.
        init?(payload: String) {
            guard case .object(let members)? = try? JSONValue.parse(payload),
                case .number(1)? = members["Version"],
                case .string(let digest)? = members["Key"],
                case .number(let fetchedAt)? = members["FetchedAt"], fetchedAt.isFinite,
                case .string(let accessKeyId)? = members["AccessKeyId"],
                case .string(let secretAccessKey)? = members["SecretAccessKey"],
                case .string(let sessionToken)? = members["SessionToken"],
                case .string(let expirationText)? = members["Expiration"],
                let expiration = AmzDate(iso8601: expirationText)?.date
            else { return nil }
            self.init(
                digest: digest, fetchedAt: Date(timeIntervalSince1970: fetchedAt), expiration: expiration,
                credentials: SessionCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken, expiration: expirationText)
            )
        }

        init(digest: String, fetchedAt: Date, expiration: Date, credentials: SessionCredentials) {
            self.digest = digest
            self.fetchedAt = fetchedAt
            self.expiration = expiration
            self.credentials = credentials
        }
    }

    /// The largest entry file read: a session token is a few kilobytes.
    static let maximumEntrySize = 64 * 1024

    /// An entry file: the hex HMAC of the payload, a newline, the payload.
    static func encode(_ entry: Entry, secret: [UInt8]) -> [UInt8] {
        let payload = Array(entry.payload.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: secret))
        return Array((Hex.encode(Array(mac)) + "\n").utf8) + payload
    }

    /// The entry of `bytes` if its HMAC verifies under `secret` and it was made for `digest`.
    static func decode(_ bytes: [UInt8], digest: String, secret: [UInt8]) -> Entry? {
        guard let newline = bytes.firstIndex(of: 0x0A), let mac = Hex.decode(String(decoding: bytes[..<newline], as: UTF8.self)), mac.count == 32 else {
            return nil
        }
        let payload = Array(bytes[(newline + 1)...])
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: SymmetricKey(data: secret)),
            let entry = Entry(payload: String(decoding: payload, as: UTF8.self)), entry.digest == digest
        else { return nil }
        return entry
    }

    /// The verified entry at `path`, or nil (missing, foreign, corrupt, or for another key).
    func readEntry(_ path: String, digest: String, secret: [UInt8]) -> Entry? {
        guard let bytes = Self.readPrivateFile(path, maximumSize: Self.maximumEntrySize) else { return nil }
        return Self.decode(bytes, digest: digest, secret: secret)
    }

    func writeEntry(_ entry: Entry, to path: String, secret: [UInt8]) throws(Problem) {
        try Self.replaceFile(path, with: Self.encode(entry, secret: secret), in: directory)
    }

    // MARK: - Directory, key and lock

    /// Why the cache could not be used (the lookup goes on without it).
    struct Problem: Error {
        var sentence: String
    }

    /// Creates the directory (and missing parents) with mode 0700; an existing one must be owned by
    /// this user, and loses group and other access if it has any.
    func prepareDirectory() throws(Problem) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw Problem(sentence: "cannot create the cache directory '\(directory)': \(describeErrno(errno))")
            }
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else {
            throw Problem(sentence: "cannot use the cache directory '\(directory)': \(describeErrno(errno))")
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw Problem(sentence: "the cache directory '\(directory)' is not a directory (a symbolic link is not followed)")
        }
        guard status.st_uid == geteuid() else {
            throw Problem(sentence: "the cache directory '\(directory)' belongs to another user (uid \(status.st_uid)), so it is not used")
        }
        if status.st_mode & 0o077 != 0, chmod(directory, 0o700) != 0 {
            throw Problem(sentence: "cannot make the cache directory '\(directory)' private (mode 0700): \(describeErrno(errno))")
        }
    }

    /// The HMAC key, made on first use. A key file that is not this user's private 32 bytes is replaced.
    func loadSecret() throws(Problem) -> [UInt8] {
        let path = directory + "/cache.key"
        if let bytes = Self.readPrivateFile(path, maximumSize: 64), bytes.count == 32 {
            return bytes
        }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let temporary = DurableFile.temporaryPath(for: path)
        if let code = DurableFile.create(temporary, contents: secret, mode: 0o600) {
            throw Problem(sentence: "cannot create the cache key in '\(directory)': \(describeErrno(code))")
        }
        defer { unlink(temporary) }
        // `link` publishes the key only if there is none: of two processes that start together, one wins
        // and the other reads the winner's key.
        if link(temporary, path) == 0 { return secret }
        if errno == EEXIST, let bytes = Self.readPrivateFile(path, maximumSize: 64), bytes.count == 32 {
            return bytes
        }
        // An unusable key file (foreign, too open, corrupt): replace it; entries under it stop verifying.
        guard rename(temporary, path) == 0 else {
            throw Problem(sentence: "cannot replace the cache key in '\(directory)': \(describeErrno(errno))")
        }
        return secret
    }

    /// Opens and exclusively locks `path` (created 0600), waiting for another holder to finish.
    func lockEntry(_ path: String) throws(Problem) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Problem(sentence: "cannot open the cache lock '\(path)': \(describeErrno(errno))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let code = errno
                close(descriptor)
                throw Problem(sentence: "cannot lock the cache lock '\(path)': \(describeErrno(code))")
            }
        }
        return descriptor
    }

    // MARK: - Files

    /// The bytes of a regular file owned by this user with no group or other access; nil otherwise.
    static func readPrivateFile(_ path: String, maximumSize: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_uid == geteuid(),
            status.st_mode & 0o077 == 0, status.st_size >= 0, status.st_size <= maximumSize
        else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes[count...].withUnsafeMutableBytes { readDescriptor(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { return nil }
            if got == 0 { break }
            count += got
        }
        // A file that grew past its size while being read is not an entry this cache wrote.
        guard count <= Int(status.st_size) else { return nil }
        return Array(bytes[..<count])
    }

    /// Atomically replaces `path` with `contents` (a 0600 temporary file, flushed, then renamed).
    static func replaceFile(_ path: String, with contents: [UInt8], in directory: String) throws(Problem) {
        let temporary = DurableFile.temporaryPath(for: path)
        if let code = DurableFile.create(temporary, contents: contents, mode: 0o600) {
            throw Problem(sentence: "cannot write the cache entry in '\(directory)': \(describeErrno(code))")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Problem(sentence: "cannot replace the cache entry '\(path)': \(describeErrno(code))")
        }
    }
}

/// `read(2)`, named apart from the methods called `read` in scope.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
