#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RolesAnywhereCredentials
import Synchronization
public import RolesAnywhereSupport

/// A connection to a TPM 2.0: the kernel's resource manager (`/dev/tpmrm0`), the raw device
/// (`/dev/tpm0`), or a Unix socket that speaks the TPM command stream (`swtpm socket --server
/// type=unixio`). Commands are sent one at a time.
///
/// The protocol is spoken directly, so the helper loads no TSS library and works as a fully static
/// executable too.
public final class TPMDevice: Sendable {
    /// The device when `TPM_DEVICE` is not set, as for `aws_signing_helper` (go-tpm's default).
    public static let defaultPath = "/dev/tpmrm0"
    /// The variable that names the device.
    public static let environmentVariable = "TPM_DEVICE"

    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens the device, or connects to the socket, at `path`.
    public init(path: String) throws(CredentialsError) {
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CredentialsError(
                .invalidInput,
                "cannot use the TPM at '\(path)' (\(reason)); set \(Self.environmentVariable) to the TPM device (e.g. /dev/tpmrm0) or a swtpm socket"
            )
        }
        let fd: Int32
        if (status.st_mode & S_IFMT) == S_IFSOCK {
            fd = try Self.openSocket(path)
        } else {
            fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                throw CredentialsError(
                    .invalidInput,
                    "cannot open the TPM at '\(path)' (\(reason))\(errno == EACCES ? "; the user needs access to it (group tss on most distributions)" : "")"
                )
            }
        }
        descriptor = Mutex(fd)
    }

    private static func openSocket(_ path: String) throws(CredentialsError) -> Int32 {
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw CredentialsError(.invalidInput, "cannot create a socket for the TPM at '\(path)'") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            close(fd)
            throw CredentialsError(.invalidInput, "the TPM socket path '\(path)' is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in pathBytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CredentialsError(.invalidInput, "cannot connect to the TPM socket '\(path)' (\(reason)); is swtpm running?")
        }
        return fd
    }

    deinit {
        descriptor.withLock { fd in _ = close(fd) }
    }

    /// Sends one command and returns the whole response.
    func transmit(_ command: [UInt8]) throws(CredentialsError) -> [UInt8] {
        let path = self.path
        let result = descriptor.withLock { fd -> Result<[UInt8], CredentialsError> in
            var sent = 0
            while sent < command.count {
                let written = command[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    return .failure(CredentialsError(.invalidInput, "cannot send a command to the TPM at '\(path)' (\(String(cString: strerror(errno))))"))
                }
                sent += written
            }
            var response = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    return .failure(CredentialsError(.invalidInput, "the TPM at '\(path)' closed the connection before answering"))
                }
                response += buffer.prefix(count)
                if response.count >= 10 {
                    let size = Int(UInt32(response[2]) << 24 | UInt32(response[3]) << 16 | UInt32(response[4]) << 8 | UInt32(response[5]))
                    guard size >= 10, size <= 65536 else {
                        return .failure(CredentialsError(.invalidInput, "the TPM at '\(path)' sent a malformed response"))
                    }
                    if response.count >= size { return .success(Array(response.prefix(size))) }
                }
            }
        }
        return try result.get()
    }
}
