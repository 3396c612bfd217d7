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
/// when they change on disk, so a rotated certificate and key are used by the next refresh without a
/// restart.
///
/// A rotation is rarely atomic: the certificate may be replaced a moment before its key. If the new
/// files cannot be loaded (half written, key and certificate not matching yet), the previous identity
/// is kept and the files are tried again on the next call.
public final class ReloadingIdentity: Sendable {
    public let source: FileIdentitySource
    private let logger: Logger
    private let state = Mutex<Loaded?>(nil)

    private struct Loaded {
        var signatures: [FileSignature?]
        var identity: SigningIdentity
    }

    public init(source: FileIdentitySource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    /// The identity of the current files.
    public func identity() throws(CredentialsError) -> SigningIdentity {
        let signatures = [source.certificatePath, source.privateKeyPath, source.intermediatesPath].map { $0.flatMap(FileSignature.init(path:)) }
        let cached = state.withLock { $0 }
        if let cached, cached.signatures == signatures {
            return cached.identity
        }
        do {
            let identity = try source.load()
            state.withLock { $0 = Loaded(signatures: signatures, identity: identity) }
            if let cached, cached.identity != identity {
                logger.notice("the certificate or key changed on disk; using the new one", metadata: ["serial": "\(identity.certificate.fields.serialNumber)"])
            }
            return identity
        } catch {
            guard let cached else { throw error }
            logger.warning("the certificate or key changed on disk but cannot be loaded yet; still using the previous one", metadata: ["error": "\(error.message)"])
            return cached.identity
        }
    }
}

/// What identifies a version of a file: device, inode, size and modification time.
struct FileSignature: Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(status.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
        #endif
    }
}
