#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import RolesAnywhereSupport

/// Writes temporary credentials into a shared credentials file the way `update` should:
///
/// - the path is `AWS_SHARED_CREDENTIALS_FILE`, or `~/.aws/credentials`; a symbolic link is followed
///   and its target updated;
/// - a missing directory is created with mode 0700;
/// - writers take an exclusive advisory lock (`flock`) on the directory, so concurrent `update`
///   runs take turns and none loses another's profile;
/// - the new contents go to a temporary file in the same directory (mode 0600), which is flushed
///   to disk and renamed over the old file: readers see the old file or the new one, never half;
/// - everything outside the three credential keys of the profile is kept byte for byte
///   (``CredentialsFileEditor``);
/// - an edit made meanwhile without the lock (a person's editor, another tool) is not lost: just
///   before the rename the file must still hold what was read, otherwise the merge is done again
///   on what is there now.
public struct CredentialsFileWriter: Sendable {
    public var path: String
    public var profile: String
    /// How many times the merge is redone when the file changes under it before giving up.
    static let maximumAttempts = 20
    /// Called between writing the temporary file and checking the target (tests change the file here).
    var beforeReplace: (@Sendable (_ attempt: Int) -> Void)?

    public init(path: String, profile: String) {
        self.path = path
        self.profile = profile
    }

    /// The credentials file of `environment`: `AWS_SHARED_CREDENTIALS_FILE` (a leading `~/` is
    /// expanded) or `$HOME/.aws/credentials`.
    public static func defaultPath(environment: [String: String]) throws(CredentialsError) -> String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        if let configured = environment["AWS_SHARED_CREDENTIALS_FILE"], !configured.isEmpty {
            if configured.hasPrefix("~/"), let home {
                return home + configured.dropFirst()
            }
            return configured
        }
        guard let home else {
            throw CredentialsError(.invalidConfiguration, "HOME is not set, so ~/.aws/credentials cannot be found; set AWS_SHARED_CREDENTIALS_FILE")
        }
        return home + "/.aws/credentials"
    }

    /// Puts `credentials` into the profile.
    public func write(_ credentials: SessionCredentials) throws(CredentialsError) {
        guard !profile.isEmpty, !profile.contains("]"), !profile.utf8.contains(where: { $0 < 0x20 }) else {
            throw CredentialsError(.invalidConfiguration, "the profile name '\(profile)' cannot be a section of a credentials file")
        }
        let target = resolvedPath()
        let directory = FilePath.directory(of: target)
        try Self.makeDirectory(directory)

        let lock = open(directory, O_RDONLY | O_CLOEXEC)
        guard lock >= 0 else { throw failure("cannot open its directory '\(directory)'", errno) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("cannot lock its directory '\(directory)'", errno) }
        }
        defer { flock(lock, LOCK_UN) }

        for attempt in 1...Self.maximumAttempts {
            let existing = try readExisting(target)
            let contents = CredentialsFileEditor.merge(existing, profile: profile, credentials: credentials)
            if try replace(target, with: contents, ifStill: existing, directory: directory, directoryDescriptor: lock, attempt: attempt) {
                return
            }
        }
        throw CredentialsError(
            .outputFailed,
            "cannot update the credentials file '\(path)': it kept changing while being updated (\(Self.maximumAttempts) attempts); nothing was overwritten"
        )
    }

    /// `path`, or the final target if it is a symbolic link.
    func resolvedPath() -> String {
        var current = path
        for _ in 0..<16 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { return current }
            let link = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : FilePath.directory(of: current) + "/" + link
        }
        return current
    }

    private func readExisting(_ target: String) throws(CredentialsError) -> [UInt8] {
        var status = stat()
        if stat(target, &status) != 0 {
            guard errno == ENOENT else { throw failure("cannot read it", errno) }
            return []
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw CredentialsError(.outputFailed, "the credentials file '\(target)' is a directory")
        }
        if status.st_size == 0 { return [] }
        do {
            return try FileReader.read(target, role: "credentials")
        } catch {
            throw CredentialsError(.outputFailed, error.message)
        }
    }

    /// Replaces `target` with `contents` if it still holds `expected`; false (nothing replaced) if
    /// it changed since it was read.
    private func replace(
        _ target: String, with contents: [UInt8], ifStill expected: [UInt8], directory: String, directoryDescriptor: Int32, attempt: Int
    ) throws(CredentialsError) -> Bool {
        let temporary = DurableFile.temporaryPath(for: target)
        if let code = DurableFile.create(temporary, contents: contents, mode: 0o600) {
            throw failure("cannot write a temporary file in '\(directory)'", code)
        }
        beforeReplace?(attempt)
        // The last moment to notice an edit made without the lock.
        guard try readExisting(target) == expected else {
            unlink(temporary)
            return false
        }
        guard rename(temporary, target) == 0 else {
            let renameError = errno
            unlink(temporary)
            throw failure("cannot replace it", renameError)
        }
        // Make the rename itself durable.
        _ = fsync(directoryDescriptor)
        return true
    }

    private func failure(_ what: String, _ code: Int32) -> CredentialsError {
        CredentialsError(.outputFailed, "cannot update the credentials file '\(path)': \(what): \(describeErrno(code))")
    }

    /// Creates `directory` and its missing parents with mode 0700.
    static func makeDirectory(_ directory: String) throws(CredentialsError) {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw CredentialsError(.outputFailed, "cannot create the directory '\(directory)': a file is in the way")
            }
            return
        }
        let parent = FilePath.directory(of: directory)
        if parent != directory { try makeDirectory(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw CredentialsError(.outputFailed, "cannot create the directory '\(directory)': \(describeErrno(errno))")
        }
    }
}
