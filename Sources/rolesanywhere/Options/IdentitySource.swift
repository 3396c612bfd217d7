import Logging
import RolesAnywhereCredentials
import RolesAnywherePKCS11
import RolesAnywhereTPM
import RolesAnywhereSigning
import X509
import RolesAnywhereSupport

/// The certificate and key a command signs with: files (read again when they change), a PKCS#11
/// token (loaded once; its session stays open), or a TPM (its key used in place).
enum IdentitySource {
    case files(FileIdentitySource)
    case pkcs11(PKCS11IdentitySource)
    case tpm(TPMIdentitySource)

    /// The certificate, chain and key.
    func load() throws(CredentialsError) -> SigningIdentity {
        switch self {
        case .files(let source): try source.load()
        case .pkcs11(let source): try source.load()
        case .tpm(let source): try source.load()
        }
    }

    /// Only the key (for `sign-string`).
    func loadPrivateKey() throws(CredentialsError) -> SigningKey {
        switch self {
        case .files(let source): try source.loadPrivateKey()
        case .pkcs11(let source): .certificateKey(try source.loadPrivateKey())
        case .tpm(let source): .certificateKey(try source.loadPrivateKey())
        }
    }

    /// For `serve` and `update`: a function that returns the current identity, and for files a
    /// watcher that reports their rotation. Files are re-read when they change on disk; a token
    /// identity is loaded here once and reused, with its session.
    func provider(logger: Logger) throws(CredentialsError) -> (
        identity: @Sendable () throws(CredentialsError) -> SigningIdentity, watcher: IdentityFileWatcher?
    ) {
        switch self {
        case .files(let source):
            let reloading = ReloadingIdentity(source: source.rereadingFiles, logger: logger)
            _ = try reloading.identity()
            return ({ () throws(CredentialsError) in try reloading.identity() }, IdentityFileWatcher(identity: reloading))
        case .pkcs11(let source):
            let identity = try source.load()
            return ({ identity }, nil)
        case .tpm(let source):
            let identity = try source.load()
            return ({ identity }, nil)
        }
    }
}
