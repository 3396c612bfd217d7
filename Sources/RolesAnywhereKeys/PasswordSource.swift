#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import RolesAnywhereSupport

/// Where the password of an encrypted key or PKCS#12 file comes from.
///
/// Containers and `credential_process` have no terminal to prompt on, so the password is given on
/// the command line, in an environment variable, or in a file (a mounted secret). It is read only
/// when an encrypted file is actually met.
public enum PasswordSource: Sendable, Hashable {
    /// No password was given.
    case none
    /// The password itself (`--pkcs8-password`).
    case value(String)
    /// The name of an environment variable that holds it.
    case environment(String)
    /// A file whose content is the password; one trailing newline is ignored.
    case file(String)

    /// The environment variable read when no password flag is given.
    public static let defaultEnvironmentVariable = "ROLESANYWHERE_PKCS8_PASSWORD"

    /// The password, or `nil` when none was given. An empty password counts as none, as in the
    /// official helper.
    public func resolve() throws(CredentialsError) -> String? {
        switch self {
        case .none:
            return nil
        case .value(let password):
            return password.isEmpty ? nil : password
        case .environment(let name):
            guard let raw = getenv(name) else { return nil }
            let password = String(cString: raw)
            return password.isEmpty ? nil : password
        case .file(let path):
            var text = try FileReader.readText(path, role: "password")
            if text.hasSuffix("\r\n") {
                text.removeLast()  // "\r\n" is one Character
            } else if text.hasSuffix("\n") {
                text.removeLast()
            }
            return text.isEmpty ? nil : text
        }
    }

    /// How to give a password, for messages.
    static let hint =
        "give it with --pkcs8-password, --pkcs8-password-file or the \(defaultEnvironmentVariable) environment variable"
}
