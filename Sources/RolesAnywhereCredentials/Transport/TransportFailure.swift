import RolesAnywhereSupport

/// Why a request made on the calling thread got no HTTP answer.
enum TransportFailure: Error, CustomStringConvertible {
    /// Which wait ran out of time.
    enum Phase: Sendable {
        case connect
        case exchange
    }

    case unresolvable(host: String)
    case connect(errno: Int32)
    case timedOut(Phase)
    case closedByPeer
    case system(operation: String, errno: Int32)
    /// The TLS library refused the handshake or a record (its error, described).
    case tls(String)
    /// The proxy did not open a tunnel (its status, or what went wrong).
    case proxy(String)
    /// The proxy answered 407: it refused the credentials of the proxy URL (or wanted some).
    case proxyAuthenticationRequired
    /// The server's answer is not HTTP/1.1 as the decoder reads it.
    case malformedResponse(String)
    case responseTooLarge(limit: Int)

    /// Whether another attempt might succeed: a refused TLS handshake or proxy credentials will not.
    var isRetryable: Bool {
        switch self {
        case .tls, .proxyAuthenticationRequired: false
        default: true
        }
    }

    var isTLS: Bool {
        if case .tls = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .unresolvable(let host): "the host name \(host) could not be resolved"
        case .connect(let code): describeErrno(code)
        case .timedOut(.connect): "the connection timed out"
        case .timedOut(.exchange): "the server did not answer in time"
        case .closedByPeer: "the server closed the connection"
        case .system(let operation, let code): "\(operation) failed: \(describeErrno(code))"
        case .tls(let reason): reason
        case .proxy(let reason): "the proxy refused the connection (\(reason))"
        case .proxyAuthenticationRequired: NetworkErrorDescription.proxyAuthenticationRequired
        case .malformedResponse(let reason): "the answer is not valid HTTP (\(reason))"
        case .responseTooLarge(let limit): "the answer is larger than \(limit) bytes"
        }
    }
}
