#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
public import RolesAnywhereSigning
import X509
import Synchronization
public import RolesAnywhereSupport

/// A ``FileIdentitySource`` for long-running commands (`serve`, `update`): the files are read again
/// when they change on disk, so a rotated certificate and key are used without a restart - by the
/// next refresh, or at once when an ``IdentityFileWatcher`` reports the change.
///
/// A rotation is rarely atomic: the certificate may be replaced a moment before its key, or a file
/// may be caught half written. If the new files cannot be loaded, the previous identity is kept and
/// the files are tried again when they change once more (and every few seconds meanwhile). Such a
/// state is logged once it has lasted a second, so the ordinary two-step replacement of a
/// certificate and its key is not reported as a problem.
public final class ReloadingIdentity: Sendable {
    public let source: FileIdentitySource
    private let logger: Logger
    private let state = Mutex(State())
    /// How long new files may stay unusable before that is logged.
    private let settleTime: Duration
    /// How often files found unusable are tried again while they do not change.
    private let retryInterval: Duration

    private struct State {
        var loaded: Loaded?
        var rejected: Rejected?
    }

    private struct Loaded {
        var versions: [FileVersion?]
        var identity: SigningIdentity
    }

    /// Files found unusable: their versions, when that was first and last seen, and whether it was logged.
    private struct Rejected {
        var versions: [FileVersion?]
        var firstSeen: ContinuousClock.Instant
        var lastTried: ContinuousClock.Instant
        var error: CredentialsError
        var logged: Bool
    }

    public init(source: FileIdentitySource, logger: Logger, settleTime: Duration = .seconds(1), retryInterval: Duration = .seconds(5)) {
        self.source = source
        self.logger = logger
        self.settleTime = settleTime
        self.retryInterval = retryInterval
    }

    /// The paths whose versions are compared: certificate, key and intermediates.
    public var paths: [String] {
        [source.certificatePath, source.privateKeyPath, source.intermediatesPath].compactMap { $0 }
    }

    /// The identity of the current files (the previous one while new files cannot be loaded).
    ///
    /// - Throws: the load error when no identity was ever loaded.
    public func identity() throws(CredentialsError) -> SigningIdentity {
        let outcome = try look(tryingRejectedFiles: true)
        switch outcome {
        case .unchanged(let identity), .rotated(let identity), .unusable(_, let identity):
            return identity
        }
    }

    /// What changed since the last look, for a watcher: a rotation to report, or files that cannot
    /// be used (yet). Files found unusable are tried again when they change, and every
    /// `retryInterval` while they do not.
    public func checkForChange() -> IdentityFileChange {
        do {
            switch try look(tryingRejectedFiles: false) {
            case .unchanged: return .unchanged
            case .rotated(let identity): return .rotated(identity)
            case .unusable(let error, _): return .unusable(error)
            }
        } catch {
            return .unusable(error)
        }
    }

    private enum Outcome {
        case unchanged(SigningIdentity)
        case rotated(SigningIdentity)
        case unusable(CredentialsError, previous: SigningIdentity)
    }

    private func look(tryingRejectedFiles: Bool) throws(CredentialsError) -> Outcome {
        let versions = [source.certificatePath, source.privateKeyPath, source.intermediatesPath].map { $0.flatMap(FileVersion.init(path:)) }
        let now = ContinuousClock.now
        // The lock is held while the files are read, so that the watcher and a refresh never load
        // (and log) the same change twice.
        return try state.withLock { (state: inout State) throws(CredentialsError) -> Outcome in
            if let loaded = state.loaded, loaded.versions == versions {
                state.rejected = nil
                return .unchanged(loaded.identity)
            }
            if var rejected = state.rejected, rejected.versions == versions, let loaded = state.loaded {
                // The same unusable files: log them once they have lasted the settle time, try them
                // again now and then.
                let retry = tryingRejectedFiles || now - rejected.lastTried >= retryInterval || (!rejected.logged && now - rejected.firstSeen >= settleTime)
                if !retry { return .unusable(rejected.error, previous: loaded.identity) }
                rejected.lastTried = now
                do throws(CredentialsError) {
                    let identity = try source.load()
                    return accept(identity, versions: versions, state: &state)
                } catch {
                    if !rejected.logged || rejected.error != error {
                        if tryingRejectedFiles || now - rejected.firstSeen >= settleTime {
                            logUnusable(error)
                            rejected.logged = true
                        }
                    }
                    rejected.error = error
                    state.rejected = rejected
                    return .unusable(error, previous: loaded.identity)
                }
            }
            let identity: SigningIdentity
            do throws(CredentialsError) {
                identity = try source.load()
            } catch {
                guard let loaded = state.loaded else { throw error }
                // New files that do not load: keep the previous identity. A refresh that is about to
                // use it says so now; a watcher waits for the settle time first.
                let logged = tryingRejectedFiles
                if logged { logUnusable(error) }
                state.rejected = Rejected(versions: versions, firstSeen: now, lastTried: now, error: error, logged: logged)
                return .unusable(error, previous: loaded.identity)
            }
            return accept(identity, versions: versions, state: &state)
        }
    }

    private func accept(_ identity: SigningIdentity, versions: [FileVersion?], state: inout State) -> Outcome {
        let previous = state.loaded?.identity
        state.loaded = Loaded(versions: versions, identity: identity)
        state.rejected = nil
        guard let previous, previous != identity else { return .unchanged(identity) }
        let fields = identity.certificate.fields
        logger.notice(
            "the certificate or key changed on disk; using the new one",
            metadata: [
                "serial": "\(identity.certificate.hexSerialNumber)", "not-after": "\(AmzDate(fields.notValidAfter).iso8601)",
                "previous-serial": "\(previous.certificate.hexSerialNumber)",
            ]
        )
        return .rotated(identity)
    }

    private func logUnusable(_ error: CredentialsError) {
        logger.warning(
            "the certificate or key changed on disk but cannot be used yet; still using the previous one and trying again",
            metadata: ["error": "\(error.message)"]
        )
    }
}

/// What an ``IdentityFileWatcher`` found when it looked at the files.
public enum IdentityFileChange: Sendable {
    /// Nothing changed (or the files were rewritten with the same certificate and key).
    case unchanged
    /// A new certificate or key that loads and matches: the identity from now on.
    case rotated(SigningIdentity)
    /// The files changed but cannot be used: the previous identity stays.
    case unusable(CredentialsError)
}

/// What identifies a version of a file (following symbolic links, as Kubernetes secret mounts
/// swap them): device, inode, size, and modification and change times.
struct FileVersion: Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Timespec
    var changed: Timespec

    struct Timespec: Hashable {
        var seconds: Int64
        var nanoseconds: Int64
    }

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        #if canImport(Darwin)
        modified = Timespec(seconds: Int64(status.st_mtimespec.tv_sec), nanoseconds: Int64(status.st_mtimespec.tv_nsec))
        changed = Timespec(seconds: Int64(status.st_ctimespec.tv_sec), nanoseconds: Int64(status.st_ctimespec.tv_nsec))
        #else
        modified = Timespec(seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int64(status.st_mtim.tv_nsec))
        changed = Timespec(seconds: Int64(status.st_ctim.tv_sec), nanoseconds: Int64(status.st_ctim.tv_nsec))
        #endif
    }
}
