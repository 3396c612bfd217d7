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
