/// The directory and last component of a path, as `dirname` and `basename` give them.
package enum FilePath {
    /// `a/b/c` gives `a/b`; `c` gives `.`; `/c` gives `/`.
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// `a/b/c` gives `c`.
    package static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The first half of an atomic file replacement: a new file with its whole contents on disk.
package enum DurableFile {
    /// A name beside `path` for the temporary file of a replacement: hidden, and unique to this
    /// process and call, so that concurrent writers never share one.
    package static func temporaryPath(for path: String) -> String {
        var random = SystemRandomNumberGenerator()
        return FilePath.directory(of: path) + "/." + FilePath.baseName(of: path) + ".\(getpid()).\(random.next() % 1_000_000_000).tmp"
    }

    /// Creates `path` (which must not exist) with `mode`, writes `bytes`, and flushes them to disk.
    /// Returns nil on success, or the `errno` of the failure (the partial file is removed).
    package static func create(_ path: String, contents bytes: [UInt8], mode: Int) -> Int32? {
        let mode = mode_t(mode)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return errno }
        var ok = fchmod(descriptor, mode) == 0
        var offset = 0
        while ok && offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { ok = false } else { offset += written }
        }
        ok = ok && fsync(descriptor) == 0
        let failure = errno
        close(descriptor)
        guard ok else {
            unlink(path)
            return failure == 0 ? EIO : failure
        }
        return nil
    }
}
