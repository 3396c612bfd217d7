#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RolesAnywhereSupport

/// Writes output files safely: never over an existing file unless asked, private keys with mode
/// 0600, and atomically (a temporary file in the same directory, then a rename), so a failure never
/// leaves half a file behind.
public enum OutputFile {
    /// Checks up front that `path` may be written, so that a command producing several files fails
    /// before writing any of them.
    public static func checkWritable(_ path: String, role: String, force: Bool) throws(PKIError) {
        guard !path.isEmpty else {
            throw PKIError(.invalidConfiguration, "the \(role) output path is empty")
        }
        var status = stat()
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR {
                throw PKIError(.outputFailed, "the \(role) output '\(path)' is a directory")
            }
            if !force {
                throw PKIError(.outputFailed, "'\(path)' already exists; pass --force to overwrite it")
            }
        }
        let directory = FilePath.directory(of: path)
        if access(directory, W_OK) != 0 {
            throw PKIError(.outputFailed, "cannot write the \(role) to '\(path)': \(describeErrno(errno)) (directory '\(directory)')")
        }
    }

    /// Writes `contents` to `path` with `mode` (0600 for keys).
    public static func write(_ contents: String, to path: String, role: String, mode: Int, force: Bool) throws(PKIError) {
        let mode = mode_t(mode)
        try checkWritable(path, role: role, force: force)
        let temporary = FilePath.directory(of: path) + "/.\(FilePath.baseName(of: path)).\(getpid()).tmp"
        if let failure = DurableFile.create(temporary, contents: Array(contents.utf8), mode: Int(mode)) {
            throw PKIError(.outputFailed, "cannot write the \(role) to '\(path)': \(describeErrno(failure))")
        }
        // With --force the rename replaces the old file; without it, link() refuses an existing one.
        if force {
            guard rename(temporary, path) == 0 else {
                let failure = errno
                unlink(temporary)
                throw PKIError(.outputFailed, "cannot write the \(role) to '\(path)': \(describeErrno(failure))")
            }
        } else {
            defer { unlink(temporary) }
            guard link(temporary, path) == 0 else {
                let failure = errno
                throw PKIError(
                    .outputFailed,
                    failure == EEXIST
                        ? "'\(path)' already exists; pass --force to overwrite it"
                        : "cannot write the \(role) to '\(path)': \(describeErrno(failure))"
                )
            }
        }
    }
}

func describeErrno(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let message = String(cString: text)
    guard let first = message.first else { return message }
    return first.lowercased() + message.dropFirst()
}
