import RolesAnywhereCredentials
public import RolesAnywhereSupport
import RolesAnywhereKeys

/// Where a token's user PIN comes from. There is never a prompt: `credential_process`, containers and
/// services have no terminal.
public enum PKCS11PIN {
    /// Read when the URI has neither `pin-value` nor `pin-source`.
    public static let environmentVariable = "ROLESANYWHERE_PKCS11_PIN"

    /// The PIN named by the URI (`pin-value`, or `pin-source` with a file path or `file:` URI), else the
    /// environment variable, else `nil`.
    public static func resolve(_ uri: PKCS11URI) throws(CredentialsError) -> String? {
        if let value = uri.pinValue { return value }
        if let source = uri.pinSource {
            var path = source
            if path.hasPrefix("file://") {
                path.removeFirst("file://".count)
            } else if path.hasPrefix("file:") {
                path.removeFirst("file:".count)
            }
            guard path.hasPrefix("/") || !source.contains(":") else {
                throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI's pin-source '\(source)' is not a file path or file: URI")
            }
            return try PasswordSource.file(path).resolve()
        }
        return try PasswordSource.environment(environmentVariable).resolve()
    }
}
