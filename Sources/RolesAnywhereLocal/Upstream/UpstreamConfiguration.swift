/// The emulator `rolesanywhere-local --upstream` stands in front of (moto's server, LocalStack):
/// where it is, the keys that sign the calls CreateSession makes to it, and how long to wait.
public struct UpstreamConfiguration: Sendable, Hashable {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// The keys of `iam:GetRole` and `sts:AssumeRole` at the upstream.
    public var accessKeyID: String
    public var secretAccessKey: String
    /// The region those calls are signed for.
    public var region: String
    /// How long a connection to the upstream may take to open.
    public var connectTimeout: Duration
    /// How long the upstream may stay silent: while a forwarded answer is awaited or streamed, and
    /// for each call CreateSession makes.
    public var timeout: Duration

    /// Reads `http://host:port` or `https://host:port` (a trailing `/` is allowed; a path is not,
    /// since every request keeps its own).
    public init(
        url: String, accessKeyID: String, secretAccessKey: String, region: String,
        connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30)
    ) throws(UpstreamConfigurationError) {
        var rest = Substring(url)
        guard let separator = rest.firstRange(of: "://"), let scheme = Scheme(rawValue: rest[..<separator.lowerBound].lowercased()) else {
            throw UpstreamConfigurationError("--upstream '\(url)' must start with http:// or https://")
        }
        rest = rest[separator.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("@") else {
            throw UpstreamConfigurationError("--upstream '\(url)' must be scheme://host[:port], without a path, query or user")
        }
        var host = String(rest)
        var port = scheme == .https ? 443 : 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw UpstreamConfigurationError("--upstream '\(url)' has an invalid port") }
                port = value
            } else if !after.isEmpty {
                throw UpstreamConfigurationError("--upstream '\(url)' is not a valid URL")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else { throw UpstreamConfigurationError("--upstream '\(url)' has an invalid port") }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port) else {
            throw UpstreamConfigurationError("--upstream '\(url)' needs a host and a port between 1 and 65535")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// `scheme://host:port`, for request URLs and messages.
    public var origin: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(name):\(port)"
    }
}

/// `--upstream` or one of its companions is unusable.
public struct UpstreamConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
