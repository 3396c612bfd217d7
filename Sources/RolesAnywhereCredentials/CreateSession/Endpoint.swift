public import RolesAnywhereSupport
/// Where CreateSession requests go: an `https://host[:port]` URL (or `http://` for local testing).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    /// The host name or IP address (without brackets for IPv6).
    public var host: String
    /// The port, when the URL names one.
    public var port: Int?
    /// `host[:port]` exactly as the URL writes it: the value of the `Host` header that is signed.
    public var authority: String

    /// Parses an endpoint URL. Paths other than `/`, queries and fragments are refused: CreateSession
    /// is always `POST /sessions`, and a path prefix would be signed wrongly.
    public init(url text: String) throws(CredentialsError) {
        let invalid = CredentialsError(
            .invalidConfiguration,
            "the endpoint '\(text)' is not a URL of the form https://HOST[:PORT]"
        )
        guard let schemeEnd = text.firstRange(of: "://") else { throw invalid }
        scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw CredentialsError(.invalidConfiguration, "the endpoint '\(text)' must start with https:// (or http:// for local testing)")
        }
        var rest = text[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            let suffix = rest[slash...]
            guard suffix == "/" else {
                throw CredentialsError(
                    .invalidConfiguration,
                    "the endpoint '\(text)' has a path, query or fragment; give only the scheme, host and port"
                )
            }
            rest = rest[..<slash]
        }
        guard !rest.isEmpty, !rest.contains("@") else { throw invalid }
        authority = String(rest)
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                port = nil
            } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { throw invalid }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else { throw invalid }
            port = value
        } else {
            host = String(rest)
            port = nil
        }
        guard !host.isEmpty, !host.contains(" ") else { throw invalid }
    }

    /// `scheme://authority`.
    public var description: String { "\(scheme)://\(authority)" }

    /// Whether the scheme is `https`.
    public var isSecure: Bool { scheme == "https" }

    /// The port to connect to.
    public var effectivePort: Int { port ?? (isSecure ? 443 : 80) }

    /// Whether the host is a loopback address or `localhost`.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        return lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered == "::1"
            || lowered.hasPrefix("127.")
    }

    /// The regional endpoint of IAM Roles Anywhere, with the FIPS and dual-stack variants.
    public static func regional(region: String, useFIPS: Bool = false, useDualStack: Bool = false) throws(CredentialsError) -> Endpoint {
        let suffix: String
        let lowered = region.lowercased()
        if lowered.hasPrefix("cn-") {
            suffix = useDualStack ? "api.amazonwebservices.com.cn" : "amazonaws.com.cn"
        } else if lowered.hasPrefix("us-isof-") {
            suffix = "csp.hci.ic.gov"
        } else if lowered.hasPrefix("us-isob-") {
            suffix = "sc2s.sgov.gov"
        } else if lowered.hasPrefix("us-iso-") {
            suffix = "c2s.ic.gov"
        } else if lowered.hasPrefix("eu-isoe-") {
            suffix = "cloud.adc-e.uk"
        } else {
            suffix = useDualStack ? "api.aws" : "amazonaws.com"
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw CredentialsError(.invalidConfiguration, "'\(region)' is not a valid region name")
        }
        let service = useFIPS ? "rolesanywhere-fips" : "rolesanywhere"
        return try Endpoint(url: "https://\(service).\(region).\(suffix)")
    }
}
