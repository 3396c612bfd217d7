#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereSupport
import Synchronization

/// The flags shared by `credential-process`, `serve` and `update`, as `aws_signing_helper` defines them.
struct CredentialOptions {
    static let flags: [Flag] = [
        Flag("role-arn", valueName: "arn", help: "ARN of the IAM role to assume"),
        Flag("profile-arn", valueName: "arn", help: "ARN of the Roles Anywhere profile"),
        Flag("trust-anchor-arn", valueName: "arn", help: "ARN of the trust anchor; its region is the default region"),
        Flag("session-duration", .int, valueName: "seconds", default: "3600", help: "Lifetime of the credentials, 900 to 43200 seconds"),
        Flag("region", help: "Signing region (default: the trust anchor's)"),
        Flag(
            "endpoint", valueName: "url",
            help: "Endpoint URL such as https://localhost:8443 (default: AWS_ENDPOINT_URL_ROLESANYWHERE, AWS_ENDPOINT_URL, then the regional endpoint)"
        ),
        Flag("no-verify-ssl", .bool, help: "Do not verify the endpoint's TLS certificate, and allow http:// endpoints (local testing only)"),
        Flag("with-proxy", .bool, help: "Accepted for compatibility: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are always honoured"),
        Flag("intermediates", valueName: "path", help: "PEM bundle of intermediate certificates, sent as X-Amz-X509-Chain"),
        Flag("role-session-name", valueName: "name", help: "Role session name (the profile must accept it)"),
        Flag("debug", .bool, help: "Log the request steps on standard error (secrets are never logged)"),
    ] + KeyOptions.flags

    var settings: CredentialRequestSettings
    var intermediates: String?
    var debug: Bool
    var keys: KeyOptions

    init(_ flags: ParsedFlags) throws {
        settings = CredentialRequestSettings(
            roleArn: flags.string("role-arn") ?? "",
            profileArn: flags.string("profile-arn") ?? "",
            trustAnchorArn: flags.string("trust-anchor-arn") ?? "",
            sessionDuration: flags.int("session-duration", default: 3600),
            region: flags.string("region"),
            endpoint: flags.string("endpoint"),
            noVerifySSL: flags.bool("no-verify-ssl"),
            roleSessionName: flags.string("role-session-name")
        )
        intermediates = flags.string("intermediates")
        debug = flags.bool("debug")
        keys = try KeyOptions(flags)
    }

    var identitySource: IdentitySource {
        keys.identitySource(intermediates: intermediates)
    }

    /// What `serve` and `update` run: a refresher, the watcher of the certificate and key files
    /// (nil for a token's identity), and the not-after time of the certificate the last
    /// CreateSession was signed with (for `serve`'s metrics).
    struct Refreshing {
        var refresher: CredentialRefresher
        var watcher: IdentityFileWatcher?
        var certificateNotAfter: @Sendable () -> Date?
    }

    /// For `serve` and `update`: a refresher that calls CreateSession with the certificate and key
    /// read again whenever they change on disk (or kept on their token). They are loaded once here, so
    /// a bad file or token stops the command at start. Every refresh warns about a certificate that
    /// expires before the credentials it got.
    func makeRefresher(_ resolved: CredentialRequestSettings.Resolved, schedule: RefreshSchedule, logger: Logger) throws -> Refreshing {
        let provider = try identitySource.provider(logger: logger)
        let identity = provider.identity
        let client = RolesAnywhereClient(configuration: resolved.client, logger: logger)
        let input = resolved.input
        let notAfter = Mutex<Date?>(nil)
        let refresher = CredentialRefresher(schedule: schedule, logger: logger) { () throws(CredentialsError) -> SessionCredentials in
            let signing = try identity()
            let certificateNotAfter = signing.certificate.fields.notValidAfter
            notAfter.withLock { $0 = certificateNotAfter }
            let credentials = try await client.createSession(input, identity: { signing }).sessionCredentials()
            if let expiration = AmzDate(iso8601: credentials.expiration)?.date,
                let warning = CertificateLifetime.warning(notAfter: certificateNotAfter, credentialsExpiration: expiration, now: Date())
            {
                logger.warning("\(warning)", metadata: ["serial": "\(signing.certificate.hexSerialNumber)"])
            }
            return credentials
        }
        return Refreshing(refresher: refresher, watcher: provider.watcher, certificateNotAfter: { notAfter.withLock { $0 } })
    }
}
