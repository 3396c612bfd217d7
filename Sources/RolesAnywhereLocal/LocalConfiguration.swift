import Crypto
public import RolesAnywhereSupport
import RolesAnywhereSigning

/// How `rolesanywhere-local` runs. A plain value with defaults; the executable fills it from flags.
public struct LocalConfiguration: Sendable {
    /// The address to listen on (loopback by default).
    public var host: String
    /// The port; 0 picks a free one (the ready line says which).
    public var port: Int
    public var region: String {
        didSet { partition = ARN.Partition(region: region) }
    }
    /// The partition of ``region``: the first field of every ARN the server makes (kept, not
    /// derived per request).
    public private(set) var partition: ARN.Partition
    public var accountID: String {
        didSet { canonicalUserID = Self.canonicalUserID(accountID) }
    }
    /// The SQLite database file, or `:memory:`.
    public var statePath: String
    /// PEM certificate (chain) and key for HTTPS; plain HTTP without them.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// The account's administrator keys (allowed everything, like the root user).
    public var adminAccessKeyID: String
    public var adminSecretAccessKey: String
    /// How far a request's `X-Amz-Date` may be from the server's clock.
    public var maximumClockSkew: Duration
    /// How long after IssueCertificate AWS Private CA's GetCertificate answers
    /// RequestInProgressException, as AWS does while a certificate is being issued.
    public var privateCAIssuanceDelay: Duration
    /// What one client may hold of the server: connections, time and memory.
    public var limits: ServerLimits
    /// The emulator this server stands in front of (`--upstream`): when set, only Roles Anywhere
    /// is served here and every other request is forwarded to it.
    public var upstream: UpstreamConfiguration?

    /// The defaults documented for `aws configure`: AWS's own example key pair.
    public static let defaultAdminAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
    public static let defaultAdminSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    public static let defaultPort = 4566

    public init(
        host: String = "127.0.0.1",
        port: Int = LocalConfiguration.defaultPort,
        region: String = "us-east-1",
        accountID: String = "123456789012",
        statePath: String = ":memory:",
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        adminAccessKeyID: String = LocalConfiguration.defaultAdminAccessKeyID,
        adminSecretAccessKey: String = LocalConfiguration.defaultAdminSecretAccessKey,
        maximumClockSkew: Duration = .seconds(300),
        privateCAIssuanceDelay: Duration = .seconds(1),
        limits: ServerLimits = ServerLimits(),
        upstream: UpstreamConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.region = region
        self.partition = ARN.Partition(region: region)
        self.accountID = accountID
        self.canonicalUserID = Self.canonicalUserID(accountID)
        self.statePath = statePath
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.adminAccessKeyID = adminAccessKeyID
        self.adminSecretAccessKey = adminSecretAccessKey
        self.maximumClockSkew = maximumClockSkew
        self.privateCAIssuanceDelay = privateCAIssuanceDelay
        self.limits = limits
        self.upstream = upstream
    }

    /// The account's S3 canonical user ID (64 hex digits, derived from the account ID).
    public private(set) var canonicalUserID: String

    static func canonicalUserID(_ accountID: String) -> String {
        Hex.encode(SHA256.hash(data: Array(accountID.utf8)))
    }

    /// Whether the server speaks HTTPS.
    public var usesTLS: Bool { tlsCertificatePath != nil }
}

extension LocalConfiguration {
    /// The endpoint URL clients use, for a bound port.
    public func endpoint(port: Int) -> String {
        let address = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "https" : "http")://\(address):\(port)"
    }
}

/// Bounds on what clients can hold of the server, so that no client, signed or not, can exhaust it.
public struct ServerLimits: Sendable, Hashable {
    /// How long a connection may sit without sending a complete request head (slow or absent
    /// headers, and idle keep-alive connections).
    public var idleTimeout: Duration
    /// How long reading a request body may take once its head arrived.
    public var bodyTimeout: Duration
    /// Connections served at once; more wait in the listen backlog.
    public var maximumConnections: Int
    /// The largest body of a request without a signature (only operations the model calls
    /// unsigned take one), read before anything else is known.
    public var maximumUnsignedBody: Int

    public init(idleTimeout: Duration = .seconds(30), bodyTimeout: Duration = .seconds(120), maximumConnections: Int = 512, maximumUnsignedBody: Int = 64 << 10) {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = maximumConnections
        self.maximumUnsignedBody = maximumUnsignedBody
    }
}

extension LocalConfiguration {
    /// A Roles Anywhere resource ARN of this server: its partition, region and account.
    func rolesAnywhereARN(type: String, id: String) -> ARN {
        .rolesAnywhere(partition, region: region, account: accountID, type: type, id: id)
    }

    /// The ID of the Roles Anywhere resource of `type` that `arn` names, when it names one in this
    /// server's partition, region and account; otherwise nil.
    func rolesAnywhereID(_ arn: String, type: String) -> String? {
        guard let parsed = ARN(arn), parsed.partition == partition, parsed.region == region, parsed.accountID == accountID,
            parsed.isResource(of: "rolesanywhere", type: type)
        else { return nil }
        return parsed.resourceID
    }

    /// The name of the IAM role that `arn` names in this server's partition and account; otherwise nil.
    func roleName(_ arn: String) -> String? {
        guard let parsed = ARN(arn), parsed.partition == partition, parsed.region.isEmpty, parsed.accountID == accountID,
            parsed.isResource(of: "iam", type: "role")
        else { return nil }
        return parsed.resourceName
    }
}
