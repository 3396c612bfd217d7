#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard output and standard error without the buffering surprises of `print`
/// (the official helper prints its JSON with no trailing newline).
enum CommandOutput {
    static func write(_ text: String) {
        write(Array(text.utf8), to: 1)
    }

    static func write(bytes: [UInt8]) {
        write(bytes, to: 1)
    }

    /// One line on standard error.
    static func writeError(_ text: String) {
        write(Array((text.hasSuffix("\n") ? text : text + "\n").utf8), to: 2)
    }

    static func flush() {
        fflush(nil)
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        fflush(nil)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Ends the process with `status` (without unwinding other threads).
func terminate(_ status: Int32) -> Never {
    exit(status)
}
