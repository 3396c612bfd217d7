import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL
import RolesAnywhereSupport

/// Plain-language descriptions of the errors NIO and AsyncHTTPClient throw.
package enum NetworkErrorDescription {
    /// What both transports say of a proxy's 407 answer (never repeating the credentials).
    package static let proxyAuthenticationRequired =
        "the proxy refused the connection (HTTP 407 Proxy Authentication Required: check the user and password in HTTPS_PROXY or HTTP_PROXY)"

    /// Whether `error` means another attempt would be refused the same way: the proxy refused
    /// the credentials it was given.
    package static func isProxyAuthenticationFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .proxyAuthenticationRequired { return true }
        return false
    }

    package static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return describeErrno(error.errnoCode)
        }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first {
                return describe(first.error)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the host name \(error.host) could not be resolved"
            }
            return "the connection to \(error.host):\(error.port) failed"
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .readTimeout: return "the server did not answer in time"
            case .deadlineExceeded: return "the request timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .proxyAuthenticationRequired: return proxyAuthenticationRequired
            case .invalidProxyResponse, .httpProxyHandshakeTimeout:
                return "the proxy refused the connection (\(error))"
            default: return error.description
            }
        }
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let inner):
                let text = String(describing: inner)
                if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
                    return "the server's certificate is not trusted"
                }
                return "the TLS handshake failed (\(text))"
            default:
                return "TLS error \(error)"
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            default: return "connection error (\(error))"
            }
        }
        return String(describing: error)
    }
}
