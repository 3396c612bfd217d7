import ArgumentParser
import RolesAnywhereCredentials

/// The flags shared by `credential-process`, `serve` and `update`, as `aws_signing_helper` defines them.
struct CredentialOptions: ParsableArguments {
    @Option(name: .customLong("role-arn"), help: ArgumentHelp("ARN of the IAM role to assume.", valueName: "arn"))
    var roleArn: String = ""

    @Option(name: .customLong("profile-arn"), help: ArgumentHelp("ARN of the Roles Anywhere profile.", valueName: "arn"))
    var profileArn: String = ""

    @Option(
        name: .customLong("trust-anchor-arn"),
        help: ArgumentHelp("ARN of the trust anchor; its region is the default region.", valueName: "arn")
    )
    var trustAnchorArn: String = ""

    @Option(
        name: .customLong("session-duration"),
        help: ArgumentHelp("Lifetime of the credentials in seconds (900-43200).", valueName: "seconds")
    )
    var sessionDuration: Int = 3600

    @Option(name: .customLong("region"), help: ArgumentHelp("Signing region; defaults to the trust anchor's.", valueName: "region"))
    var region: String?

    @Option(
        name: .customLong("endpoint"),
        help: ArgumentHelp(
            "Endpoint URL, e.g. https://localhost:8443. Defaults to AWS_ENDPOINT_URL_ROLESANYWHERE, AWS_ENDPOINT_URL, then the regional endpoint.",
            valueName: "url"
        )
    )
    var endpoint: String?

    @Flag(
        name: .customLong("no-verify-ssl"),
        help: "Do not verify the endpoint's TLS certificate, and allow http:// endpoints (local testing only)."
    )
    var noVerifySSL = false

    @Flag(
        name: .customLong("with-proxy"),
        help: "Accepted for compatibility: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are always honoured."
    )
    var withProxy = false

    @Option(
        name: .customLong("intermediates"),
        help: ArgumentHelp("Path to a PEM bundle of intermediate certificates, sent as X-Amz-X509-Chain.", valueName: "path")
    )
    var intermediates: String?

    @Option(
        name: .customLong("role-session-name"),
        help: ArgumentHelp("Role session name (the profile must accept it).", valueName: "name")
    )
    var roleSessionName: String?

    @Flag(name: .customLong("debug"), help: "Log the request steps on standard error (secrets are never logged).")
    var debug = false

    @OptionGroup var keys: KeyOptions

    var settings: CredentialRequestSettings {
        CredentialRequestSettings(
            roleArn: roleArn,
            profileArn: profileArn,
            trustAnchorArn: trustAnchorArn,
            sessionDuration: sessionDuration,
            region: region,
            endpoint: endpoint,
            noVerifySSL: noVerifySSL,
            roleSessionName: roleSessionName
        )
    }

    var identitySource: FileIdentitySource {
        keys.identitySource(intermediates: intermediates)
    }
}
