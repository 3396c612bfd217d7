#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RolesAnywhereSupport

/// A TCP connection used from one thread: every call blocks that thread until it is done or the
/// deadline passes. The descriptor is non-blocking underneath so that each wait is a `poll` with
/// the time left, never an unbounded `read` or `connect`.
final class BlockingSocket {
    private let descriptor: Int32
    /// The numeric address connected to (for TLS host checks of IP-address endpoints).
    let peerAddress: String
    let peerPort: Int

    private init(descriptor: Int32, peerAddress: String, peerPort: Int) {
        self.descriptor = descriptor
        self.peerAddress = peerAddress
        self.peerPort = peerPort
    }

    deinit { close(descriptor) }

    /// Resolves `host` and connects to its addresses in the resolver's order until one answers.
    static func connect(host: String, port: Int, deadline: Deadline) throws(TransportFailure) -> BlockingSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .unresolvable(host: host)
        }
        defer { freeaddrinfo(list) }
        var lastFailure = TransportFailure.unresolvable(host: host)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            do {
                return try connect(
                    family: current.pointee.ai_family, address: address, length: current.pointee.ai_addrlen,
                    port: port, deadline: deadline
                )
            } catch {
                lastFailure = error
                if case .timedOut = error { throw error }
            }
        }
        throw lastFailure
    }

    private static func connect(
        family: Int32, address: UnsafeMutablePointer<sockaddr>, length: socklen_t, port: Int, deadline: Deadline
    ) throws(TransportFailure) -> BlockingSocket {
        #if canImport(Darwin)
        let type = SOCK_STREAM
        #else
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #endif
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { throw .system(operation: "socket", errno: errno) }
        let socket = BlockingSocket(descriptor: descriptor, peerAddress: numericHost(address, length: length), peerPort: port)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if Glibc_connect(descriptor, address, length) != 0 {
            guard errno == EINPROGRESS else { throw .connect(errno: errno) }
            try socket.wait(for: Int16(POLLOUT), until: deadline, phase: .connect)
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else {
                throw .connect(errno: errno)
            }
            guard error == 0 else { throw .connect(errno: error) }
        }
        return socket
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer, until deadline: Deadline) throws(TransportFailure) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            #if canImport(Darwin)
            let flags: Int32 = 0
            #else
            let flags = Int32(MSG_NOSIGNAL)
            #endif
            let written = send(descriptor, base + offset, bytes.count - offset, flags)
            if written >= 0 {
                offset += written
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLOUT), until: deadline, phase: .exchange)
            } else if errno != EINTR {
                throw .system(operation: "send", errno: errno)
            }
        }
    }

    /// Reads what has arrived, waiting for at least one byte; an empty answer is the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: Deadline) throws(TransportFailure) -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), until: deadline, phase: .exchange)
            } else if errno == ECONNRESET {
                throw .closedByPeer
            } else if errno != EINTR {
                throw .system(operation: "recv", errno: errno)
            }
        }
    }

    private func wait(for events: Int16, until deadline: Deadline, phase: TransportFailure.Phase) throws(TransportFailure) {
        while true {
            let remaining = deadline.millisecondsLeft
            guard remaining > 0 else { throw .timedOut(phase) }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: remaining))
            if ready > 0 { return }
            if ready == 0 { throw .timedOut(phase) }
            if errno != EINTR { throw .system(operation: "poll", errno: errno) }
        }
    }

    private static func numericHost(_ address: UnsafeMutablePointer<sockaddr>, length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "" }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `connect(2)`, named apart from ``BlockingSocket/connect(host:port:deadline:)``.
@inline(__always)
private func Glibc_connect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(descriptor, address, length)
    #elseif canImport(Musl)
    Musl.connect(descriptor, address, length)
    #else
    Darwin.connect(descriptor, address, length)
    #endif
}

/// A point in time on the monotonic clock that a blocking exchange must finish by.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant

    init(after duration: Duration) {
        instant = ContinuousClock.now.advanced(by: duration)
    }

    init(instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    /// The earlier of the two.
    func capped(at other: Deadline) -> Deadline {
        instant < other.instant ? self : other
    }

    var millisecondsLeft: Int64 {
        let left = ContinuousClock.now.duration(to: instant)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        // Rounded up, so that a wait never ends just before its deadline and spins.
        let milliseconds = (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(.up)
        return milliseconds >= Double(Int32.max) ? Int64(Int32.max) : Int64(milliseconds)
    }
}
