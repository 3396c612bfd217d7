/// What `serve` serves and where.
public struct MetadataServerConfiguration: Sendable {
    /// The address to listen on: `127.0.0.1` by default, `::1`, or (with `allowNonLoopback`) any.
    public var address: String
    /// The port; 0 picks a free one.
    public var port: Int
    /// The IP TTL / IPv6 hop limit of every response packet. 1 keeps the answers on the host's
    /// own network segment, as EC2's IMDS does for containers behind a bridge.
    public var hopLimit: Int
    /// The role name answered at `/latest/meta-data/iam/security-credentials/`.
    public var roleName: String
    /// The role ARN (in the container-credentials answer).
    public var roleArn: String
    /// The region answered at `/latest/meta-data/placement/region`.
    public var region: String
    /// When set, the ECS-style container credentials endpoint is served at
    /// ``containerCredentialsPath`` for requests whose `Authorization` header is this token.
    public var containerAuthorizationToken: String?
    /// When set, Prometheus metrics (and `/healthz`) are served on this port too; 0 picks a free one.
    public var metricsPort: Int?
    /// The address of the metrics listener: `127.0.0.1` by default. It serves no credentials, so
    /// another address (for a Kubernetes probe or a scraper on the pod IP) needs no extra flag.
    public var metricsAddress: String

    /// The path of the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`).
    public static let containerCredentialsPath = "/v1/credentials"
    /// The most IMDSv2 session tokens kept at once; the earliest-expiring one makes room.
    public static let maximumTokens = 4096
    /// IMDSv2 token lifetimes (`X-aws-ec2-metadata-token-ttl-seconds`).
    public static let tokenTTLRange = 1...21600

    public init(
        address: String = "127.0.0.1", port: Int = 9911, hopLimit: Int = 64, roleName: String, roleArn: String, region: String,
        containerAuthorizationToken: String? = nil, metricsPort: Int? = nil, metricsAddress: String = "127.0.0.1"
    ) {
        self.address = address
        self.port = port
        self.hopLimit = hopLimit
        self.roleName = roleName
        self.roleArn = roleArn
        self.region = region
        self.containerAuthorizationToken = containerAuthorizationToken
        self.metricsPort = metricsPort
        self.metricsAddress = metricsAddress
    }

    /// Whether `address` is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ address: String) -> Bool {
        if address == "localhost" || address == "::1" || address == "[::1]" { return true }
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The URL prefix clients use, e.g. `http://127.0.0.1:9911` or `http://[::1]:9911`.
    public static func baseURL(address: String, port: Int) -> String {
        let host = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
        return "http://\(host):\(port)"
    }
}
