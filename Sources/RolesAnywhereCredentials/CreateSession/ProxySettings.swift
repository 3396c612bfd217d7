public import RolesAnywhereSupport
/// An HTTP proxy taken from the standard environment variables (`HTTPS_PROXY`, `HTTP_PROXY`,
/// `NO_PROXY`, in either case), as the AWS CLI and SDKs use them.
public struct ProxySettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// `user:password` from the proxy URL, for basic authentication.
    public var credentials: (user: String, password: String)? {
        guard let user else { return nil }
        return (user, password ?? "")
    }
    var user: String?
    var password: String?

    /// The proxy to use for `endpoint`, or `nil` to connect directly.
    ///
    /// Loopback endpoints are never proxied, and `NO_PROXY` entries (`*`, host names, `.domain`
    /// suffixes, IP addresses) exclude hosts.
    public static func forEndpoint(_ endpoint: Endpoint, environment: [String: String]) throws(CredentialsError) -> ProxySettings? {
        func value(_ name: String) -> String? {
            let found = environment[name] ?? environment[name.lowercased()]
            return found.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard !endpoint.isLoopback else { return nil }
        let name = endpoint.isSecure ? "HTTPS_PROXY" : "HTTP_PROXY"
        guard let url = value(name) else { return nil }
        if let noProxy = value("NO_PROXY"), excludes(noProxy, host: endpoint.host) {
            return nil
        }
        return try parse(url, variable: name)
    }

    static func excludes(_ list: String, host: String) -> Bool {
        let host = host.lowercased()
        for rawEntry in list.split(separator: ",") {
            var entry = rawEntry.trimmingCharacters(in: " \t").lowercased()
            if entry == "*" { return true }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                entry = String(entry[..<colon])  // drop a port
            }
            if entry.hasPrefix("*.") { entry.removeFirst() }
            if entry.isEmpty { continue }
            if entry.hasPrefix(".") {
                if host.hasSuffix(entry) || host == String(entry.dropFirst()) { return true }
            } else if host == entry || host.hasSuffix("." + entry) {
                return true
            }
        }
        return false
    }

    static func parse(_ text: String, variable: String) throws(CredentialsError) -> ProxySettings {
        var rest = Substring(text)
        if let scheme = rest.firstRange(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw CredentialsError(.invalidConfiguration, "\(variable) '\(text)' must be an http:// proxy URL")
            }
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = URIDecoding.decode(userInfo[..<colon])
                password = URIDecoding.decode(userInfo[userInfo.index(after: colon)...])
            } else {
                user = URIDecoding.decode(userInfo)
            }
        }
        let host: String
        var port = 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else {
                    throw CredentialsError(.invalidConfiguration, "\(variable) '\(text)' has an invalid port")
                }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else {
                throw CredentialsError(.invalidConfiguration, "\(variable) '\(text)' has an invalid port")
            }
            port = value
        } else {
            host = String(rest)
        }
        guard !host.isEmpty, (1...65535).contains(port) else {
            throw CredentialsError(.invalidConfiguration, "\(variable) '\(text)' is not a valid proxy URL")
        }
        return ProxySettings(host: host, port: port, user: user, password: password)
    }

    public static func == (lhs: ProxySettings, rhs: ProxySettings) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.user == rhs.user && lhs.password == rhs.password
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
    }
}

enum URIDecoding {
    static func decode(_ text: Substring) -> String {
        URIEncodingBridge.decode(String(text)) ?? String(text)
    }
}
