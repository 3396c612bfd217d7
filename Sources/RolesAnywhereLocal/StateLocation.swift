#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `rolesanywhere-local` keeps its database when `--state` is not given:
/// `$XDG_DATA_HOME/rolesanywhere-local/state.sqlite`, or `~/.local/share/rolesanywhere-local/state.sqlite`.
public enum StateLocation {
    /// The memory-only database name.
    public static let memory = ":memory:"

    /// The default database path for an environment.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/rolesanywhere-local/state.sqlite"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/share/rolesanywhere-local/state.sqlite"
    }

    /// Creates the directory that will hold `path` (mode 0700: the database holds session secrets).
    public static func prepareDirectory(for path: String) throws(LocalServerError) {
        guard path != memory, let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalServerError("cannot create the state directory \(directory): \(error)")
        }
    }
}

/// The exclusive hold one `rolesanywhere-local` takes on its state for as long as it runs: a second
/// server on the same database would write behind the first one's caches of roles, policies and
/// Roles Anywhere resources, so it refuses to start instead.
///
/// The lock (`flock`) is on a file beside the database, `PATH.lock`, not on the database itself:
/// closing any descriptor of the database would drop the POSIX locks SQLite holds on it. The lock
/// is released when the process ends, however it ends; other processes may still open the
/// database to read it.
public final class StateLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock for the database at `path` (its lock file created 0600 if need be);
    /// `:memory:` needs none.
    public static func acquire(_ path: String) throws(LocalServerError) -> StateLock? {
        guard path != StateLocation.memory else { return nil }
        let lockPath = path + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LocalServerError("cannot open the state lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK {
                throw LocalServerError(
                    "the state database \(path) is in use by another rolesanywhere-local; stop that one, or pass another --state (or --state :memory:)"
                )
            }
            throw LocalServerError("cannot lock the state database \(path) (\(lockPath)): \(String(cString: strerror(reason)))")
        }
        return StateLock(descriptor: descriptor)
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
