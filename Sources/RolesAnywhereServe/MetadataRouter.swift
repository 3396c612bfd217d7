#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereSupport

/// A request as the router sees it.
struct MetadataRequest {
    var method: String
    /// The path, without the query string.
    var path: String
    /// Header lookup by lower-case name.
    var header: (String) -> String?
}

/// Where a request goes: an answer now, or credentials (which may need an `await`).
enum MetadataRoute {
    case respond(MetadataResponse)
    case credentials(CredentialFormat, tokenTTL: Int?)
    /// `GET /healthz`: answered from the refresher's snapshot.
    case health
    /// `GET /metrics` on the metrics listener.
    case metrics
}

/// Which of `serve`'s two listeners a router answers for.
enum MetadataListener: Sendable {
    /// IMDSv2, container credentials and `/healthz`.
    case metadata
    /// `--metrics-port`: `/metrics` and `/healthz` only, never a credential.
    case metrics
}

/// The two shapes credentials are served in.
enum CredentialFormat {
    /// EC2 instance metadata: `Code`, `Type`, `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, `LastUpdated`.
    case instanceMetadata
    /// ECS container credentials: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, `RoleArn`.
    case container
}

/// The IMDSv2 routes of `serve` (see HELPER-SPEC §3.1) and the container credentials route.
struct MetadataRouter: Sendable {
    let configuration: MetadataServerConfiguration
    let tokens: MetadataTokens
    let documents: CredentialDocuments
    let listener: MetadataListener

    init(configuration: MetadataServerConfiguration, tokens: MetadataTokens, listener: MetadataListener = .metadata) {
        self.configuration = configuration
        self.tokens = tokens
        self.listener = listener
        documents = CredentialDocuments(roleArn: configuration.roleArn)
    }

    /// The class of `path`, for the request counters.
    func requestPath(_ path: String) -> RequestPath {
        if Self.tokenPaths.contains(path) { return .token }
        if path == Self.healthPath { return .healthz }
        if path == Self.metricsPath { return listener == .metrics ? .metrics : .other }
        if path == MetadataServerConfiguration.containerCredentialsPath, configuration.containerAuthorizationToken != nil { return .containerCredentials }
        if path == Self.credentialsPrefix || path == Self.credentialsPrefix + "/" { return .roleName }
        if path.hasPrefix(Self.credentialsPrefix + "/") { return .credentials }
        if path.hasPrefix("/latest/meta-data") { return .metadata }
        return .other
    }

    static let tokenPaths: Set<String> = ["/latest/api/token", "/latest/api/token/"]
    /// The health endpoint for liveness and readiness probes (not an IMDS path, and no token: probes
    /// cannot make the PUT first).
    static let healthPath = "/healthz"
    /// The Prometheus scrape path of the metrics listener.
    static let metricsPath = "/metrics"
    static let credentialsPrefix = "/latest/meta-data/iam/security-credentials"

    func route(_ request: MetadataRequest, now: Date) -> MetadataRoute {
        let path = request.path
        if path == Self.healthPath {
            guard request.method == "GET" || request.method == "HEAD" else { return .respond(Self.methodNotAllowed("GET")) }
            return .health
        }
        // The metrics listener answers nothing else: no tokens, no credentials.
        if listener == .metrics {
            guard path == Self.metricsPath else { return .respond(.text(404, "404 page not found\n")) }
            guard request.method == "GET" || request.method == "HEAD" else { return .respond(Self.methodNotAllowed("GET")) }
            return .metrics
        }
        if Self.tokenPaths.contains(path) {
            return .respond(issueToken(request, now: now))
        }
        if let token = configuration.containerAuthorizationToken, path == MetadataServerConfiguration.containerCredentialsPath {
            guard request.method == "GET" || request.method == "HEAD" else { return .respond(Self.methodNotAllowed("GET")) }
            guard let presented = request.header("authorization"), !presented.isEmpty else {
                return .respond(.text(401, "missing the Authorization header: send the token of AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)\n"))
            }
            guard Self.constantTimeEqual(presented, token) else {
                return .respond(.text(403, "the Authorization token is not the one this server was given\n"))
            }
            return .credentials(.container, tokenTTL: nil)
        }
        guard path.hasPrefix("/latest/meta-data/") || path == "/latest/meta-data" else {
            return .respond(.text(404, "404 page not found\n"))
        }
        guard request.method == "GET" || request.method == "HEAD" else { return .respond(Self.methodNotAllowed("GET")) }
        // IMDSv2 only: every metadata read needs a session token.
        guard let token = request.header("x-aws-ec2-metadata-token"), !token.isEmpty else {
            return .respond(.text(401, "no token provided\n"))
        }
        guard let ttl = tokens.remainingSeconds(of: token, now: now) else {
            return .respond(.text(401, "invalid token provided\n"))
        }
        switch path {
        case Self.credentialsPrefix, Self.credentialsPrefix + "/":
            return .respond(.text(200, configuration.roleName, tokenTTL: ttl))
        case Self.credentialsPrefix + "/" + configuration.roleName, Self.credentialsPrefix + "/" + configuration.roleName + "/":
            return .credentials(.instanceMetadata, tokenTTL: ttl)
        case "/latest/meta-data/placement/region", "/latest/meta-data/placement/region/":
            return .respond(.text(200, configuration.region, tokenTTL: ttl))
        case "/latest/meta-data/placement/availability-zone", "/latest/meta-data/placement/availability-zone/":
            // SDKs that learn the region from the zone (botocore) drop its last letter.
            return .respond(.text(200, configuration.region + "a", tokenTTL: ttl))
        case "/latest/meta-data", "/latest/meta-data/":
            return .respond(.text(200, "iam/\nplacement/", tokenTTL: ttl))
        case "/latest/meta-data/iam", "/latest/meta-data/iam/":
            return .respond(.text(200, "security-credentials/", tokenTTL: ttl))
        case "/latest/meta-data/placement", "/latest/meta-data/placement/":
            return .respond(.text(200, "availability-zone\nregion", tokenTTL: ttl))
        default:
            return .respond(.text(404, "404 page not found\n", tokenTTL: ttl))
        }
    }

    private func issueToken(_ request: MetadataRequest, now: Date) -> MetadataResponse {
        guard request.method == "PUT" else { return Self.methodNotAllowed("PUT") }
        // A proxied request is not from this host's own workload.
        if request.header("x-forwarded-for") != nil {
            return .text(400, "unable to process requests with X-Forwarded-For header\n")
        }
        var ttl = MetadataServerConfiguration.tokenTTLRange.upperBound
        if let requested = request.header("x-aws-ec2-metadata-token-ttl-seconds") {
            guard let value = Int(requested.trimmingSpaces), MetadataServerConfiguration.tokenTTLRange.contains(value) else {
                return .text(400, "invalid token TTL\n")
            }
            ttl = value
        }
        guard let token = tokens.issue(ttl: ttl, now: now) else {
            // (Interpolating MetadataServerConfiguration.maximumTokens here crashes Swift 6.3.1's
            // optimiser in release builds of the helper, in DeadFunctionAndGlobalElimination.)
            return .text(503, "too many live session tokens; retry once some expire or ask for a shorter TTL\n")
        }
        return .text(200, token, tokenTTL: ttl)
    }

    /// The answer for credentials in `state`: the documents rendered once for them, or 503.
    func render(_ format: CredentialFormat, _ state: CredentialState, tokenTTL: Int?) -> MetadataResponse {
        switch state {
        case .available(let fetched):
            return documents.documents(for: fetched).response(format, tokenTTL: tokenTTL)
        case .unavailable(let reason):
            let body = JSONText.object([("Code", JSONText.string("CredentialsUnavailable")), ("Message", JSONText.string(reason))]) + "\n"
            return MetadataResponse(status: 503, body: ByteBuffer(string: body), contentType: .json, tokenTTL: tokenTTL)
        }
    }

    /// `/healthz`: 200 while valid credentials are held, 503 with the reason otherwise. The body
    /// has when they expire and how the refreshes went; never a credential.
    func health(_ snapshot: (credentials: FetchedCredentials?, status: RefreshStatus), now: Date) -> MetadataResponse {
        let status = snapshot.status
        var fields: [(String, String)] = []
        let healthy: Bool
        if let credentials = snapshot.credentials, credentials.isValid(at: now) {
            healthy = true
            fields.append(("status", JSONText.string("ok")))
            fields.append(("expiration", JSONText.string(credentials.credentials.expiration)))
            fields.append(("secondsUntilExpiration", String(Int(credentials.expiration.timeIntervalSince(now).rounded(.down)))))
            fields.append(("refreshAt", JSONText.string(AmzDate(credentials.refreshAt).iso8601)))
        } else {
            healthy = false
            fields.append(("status", JSONText.string("unavailable")))
            fields.append(("reason", JSONText.string(status.unavailableReason(at: now))))
        }
        fields.append(("refreshes", JSONText.object([("succeeded", String(status.successes)), ("failed", String(status.failures))])))
        fields.append(("consecutiveFailures", String(status.consecutiveFailures)))
        if let error = status.lastError {
            fields.append(("lastError", JSONText.object([("kind", JSONText.string(error.code.rawValue)), ("message", JSONText.string(error.message))])))
        }
        if let next = status.nextAttempt, next > now {
            fields.append(("nextAttempt", JSONText.string(AmzDate(next).iso8601)))
        }
        return MetadataResponse(status: healthy ? 200 : 503, body: ByteBuffer(string: JSONText.object(fields) + "\n"), contentType: .json)
    }

    static func methodNotAllowed(_ allowed: String) -> MetadataResponse {
        var response = MetadataResponse.text(405, "405 method not allowed\n")
        response.allow = allowed
        return response
    }

    /// Compares secrets without an early exit that would reveal how much matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

extension String {
    var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
