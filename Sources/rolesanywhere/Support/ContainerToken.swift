#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RolesAnywhereCredentials
import RolesAnywhereSupport

/// The token of the container credentials endpoint (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
enum ContainerToken {
    /// Reads the token from `path`, or creates the file (mode 0600) with a new random token.
    static func loadOrCreate(_ path: String) throws -> String {
        if access(path, F_OK) == 0 {
            let text = try FileReader.readText(path, role: "container token")
            let token = String(text.trimmingNewlines)
            guard token.count >= 16, !token.contains(where: { $0.isNewline || $0 == "\r" }) else {
                throw CredentialsError(.invalidInput, "the container token file '\(path)' must hold one line of at least 16 characters")
            }
            return token
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in hexDigit(generator.next() as UInt8) }.joined()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CredentialsError(.outputFailed, "cannot create the container token file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(token.utf8)  // No newline: SDKs send the file as it is.
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CredentialsError(.outputFailed, "cannot write the container token file '\(path)'")
        }
        return token
    }

    private static func hexDigit(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

extension String {
    fileprivate var trimmingNewlines: Substring {
        var slice = self[...]
        while let last = slice.last, last.isNewline || last == " " { slice = slice.dropLast() }
        while let first = slice.first, first.isNewline || first == " " { slice = slice.dropFirst() }
        return slice
    }
}
