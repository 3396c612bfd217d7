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
import Crypto
import RolesAnywhereSupport
import Synchronization

/// Where AWS Private CA keys are sealed at rest: AES-256-GCM under a key kept in a file beside the
/// state database (`STATE.ca-keys`, 32 random bytes, created 0600 on first use), with the CA's ARN
/// as associated data, so a sealed key moved to another CA's record does not open. A state in
/// memory has its key in memory only. CA keys never leave the server: no operation returns them.
final class PrivateCAKeyVault: Sendable {
    /// The key file, or nil for a state in memory.
    let keyPath: String?
    private let key = Mutex<SymmetricKey?>(nil)

    init(statePath: String) {
        keyPath = statePath == StateLocation.memory ? nil : statePath + ".ca-keys"
    }

    /// Seals `plaintext` (a CA's PKCS#8 private key) for the CA `arn`.
    func seal(_ plaintext: [UInt8], for arn: String) throws(AWSError) -> [UInt8] {
        let key = try vaultKey()
        do {
            guard let combined = try AES.GCM.seal(plaintext, using: key, authenticating: Array(arn.utf8)).combined else {
                throw AWSError.internalFailure("the CA key could not be sealed")
            }
            return Array(combined)
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("the CA key could not be sealed: \(error)")
        }
    }

    /// Opens a key sealed for the CA `arn`.
    func open(_ sealed: [UInt8], for arn: String) throws(AWSError) -> [UInt8] {
        let key = try vaultKey()
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Array(arn.utf8)))
        } catch {
            throw AWSError.internalFailure(
                "the private key of \(arn) does not open with the key in \(keyPath ?? "memory"): it was sealed with another (was the key file replaced?)"
            )
        }
    }

    private func vaultKey() throws(AWSError) -> SymmetricKey {
        try key.withLock { (cached: inout SymmetricKey?) throws(AWSError) -> SymmetricKey in
            if let cached { return cached }
            let loaded = try keyPath.map { path throws(AWSError) in try Self.loadOrCreate(path) } ?? SymmetricKey(size: .bits256)
            cached = loaded
            return loaded
        }
    }

    /// Reads the key file, or creates it (0600, exclusively, so two writers never both win).
    static func loadOrCreate(_ path: String) throws(AWSError) -> SymmetricKey {
        let created = posixOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 {
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            let written = bytes.withUnsafeBytes { write(created, $0.baseAddress, $0.count) }
            let synced = fsync(created)
            close(created)
            guard written == bytes.count, synced == 0 else {
                unlink(path)
                throw AWSError.internalFailure("cannot write the CA key file \(path): \(String(cString: strerror(errno)))")
            }
            return SymmetricKey(data: bytes)
        }
        guard errno == EEXIST else {
            throw AWSError.internalFailure("cannot create the CA key file \(path): \(String(cString: strerror(errno)))")
        }
        // Fail closed: a key others can read (or replace) protects nothing.
        let bytes: [UInt8]
        do {
            bytes = try FileReader.readPrivate(path, role: "CA key")
        } catch {
            throw AWSError.internalFailure(error.message)
        }
        guard bytes.count == 32 else {
            throw AWSError.internalFailure("the CA key file \(path) does not hold a 32-byte key (it has \(bytes.count) bytes)")
        }
        return SymmetricKey(data: bytes)
    }
}

/// `open(2)` (inside the vault, `open` names its own method).
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}
