#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (keys, certificates, passwords) with errors that name the file and the cause.
public enum FileReader {
    /// Files larger than this are refused: no key, certificate or bundle is anywhere near it.
    public static let maximumSize = 16 << 20

    /// Reads the whole of `path`. `role` names the file in messages, e.g. "certificate".
    public static func read(_ path: String, role: String) throws(CredentialsError) -> [UInt8] {
        try read(path, role: role, privateOnly: false)
    }

    /// Reads a secret file that only its owner may access: one that other users can read or write
    /// (any group or other permission bit) is refused, fail closed, with the `chmod` that fixes it.
    public static func readPrivate(_ path: String, role: String) throws(CredentialsError) -> [UInt8] {
        try read(path, role: role, privateOnly: true)
    }

    private static func read(_ path: String, role: String, privateOnly: Bool) throws(CredentialsError) -> [UInt8] {
        guard !path.isEmpty else {
            throw CredentialsError(.invalidConfiguration, "the \(role) path is empty")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CredentialsError(.invalidInput, "cannot read the \(role) file '\(path)': \(describeErrno(errno))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw CredentialsError(.invalidInput, "cannot read the \(role) file '\(path)': \(describeErrno(errno))")
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw CredentialsError(.invalidInput, "the \(role) path '\(path)' is a directory, not a file")
        }
        if privateOnly, status.st_mode & 0o077 != 0 {
            throw CredentialsError(
                .invalidInput,
                "the \(role) file '\(path)' is accessible to other users (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it"
            )
        }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CredentialsError(.invalidInput, "cannot read the \(role) file '\(path)': \(describeErrno(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > maximumSize {
                throw CredentialsError(.invalidInput, "the \(role) file '\(path)' is larger than \(maximumSize >> 20) MiB; is it the right file?")
            }
        }
        if bytes.isEmpty {
            throw CredentialsError(.invalidInput, "the \(role) file '\(path)' is empty")
        }
        return bytes
    }

    /// Reads `path` as text (UTF-8).
    public static func readText(_ path: String, role: String) throws(CredentialsError) -> String {
        String(decoding: try read(path, role: role), as: UTF8.self)
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// `strerror` in lower case, e.g. "no such file or directory".
package func describeErrno(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let message = String(cString: text)
    guard let first = message.first else { return message }
    return first.lowercased() + message.dropFirst()
}
