public import RolesAnywhereSupport
/// The settings of a credential request as the user gives them (flags and environment), before
/// they are checked: the shared part of `credential-process`, `serve` and `update`.
public struct CredentialRequestSettings: Sendable, Hashable {
    public var roleArn: String
    public var profileArn: String
    public var trustAnchorArn: String
    /// `--session-duration`, seconds.
    public var sessionDuration: Int
    /// `--region`; defaults to the trust anchor's region.
    public var region: String?
    /// `--endpoint`; defaults to `AWS_ENDPOINT_URL_ROLESANYWHERE`, `AWS_ENDPOINT_URL`, then the regional endpoint.
    public var endpoint: String?
    /// `--no-verify-ssl`: skip TLS verification and allow `http://` endpoints.
    public var noVerifySSL: Bool
    /// `--role-session-name`.
    public var roleSessionName: String?

    /// The session duration range of CreateSession.
    public static let sessionDurationRange = 900...43200

    public init(
        roleArn: String,
        profileArn: String,
        trustAnchorArn: String,
        sessionDuration: Int = 3600,
        region: String? = nil,
        endpoint: String? = nil,
        noVerifySSL: Bool = false,
        roleSessionName: String? = nil
    ) {
        self.roleArn = roleArn
        self.profileArn = profileArn
        self.trustAnchorArn = trustAnchorArn
        self.sessionDuration = sessionDuration
        self.region = region
        self.endpoint = endpoint
        self.noVerifySSL = noVerifySSL
        self.roleSessionName = roleSessionName
    }

    /// The checked request and client configuration.
    public struct Resolved: Sendable {
        public var input: CreateSessionInput
        public var client: RolesAnywhereClientConfiguration
    }

    /// Checks the settings and works out region, endpoint, TLS, proxy and retries.
    ///
    /// Environment keys read: `AWS_ENDPOINT_URL_ROLESANYWHERE`, `AWS_ENDPOINT_URL`, `AWS_USE_FIPS_ENDPOINT`,
    /// `AWS_USE_DUALSTACK_ENDPOINT`, `AWS_CA_BUNDLE`, `AWS_MAX_ATTEMPTS`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`.
    public func resolve(environment: [String: String]) throws(CredentialsError) -> Resolved {
        let trustAnchor = try ARN.parse(
            trustAnchorArn, flag: "--trust-anchor-arn", service: "rolesanywhere", resourceType: "trust-anchor", kind: "a Roles Anywhere trust anchor", requiresRegion: true
        )
        let profile = try ARN.parse(profileArn, flag: "--profile-arn", service: "rolesanywhere", resourceType: "profile", kind: "a Roles Anywhere profile", requiresRegion: true)
        let role = try ARN.parse(roleArn, flag: "--role-arn", service: "iam", resourceType: "role", kind: "an IAM role", requiresRegion: false)
        guard trustAnchor.region == profile.region else {
            throw CredentialsError(
                .invalidConfiguration,
                "trust anchor and profile regions don't match (\(trustAnchor.region) and \(profile.region)): both must be in the same region"
            )
        }
        guard Self.sessionDurationRange.contains(sessionDuration) else {
            throw CredentialsError(
                .invalidConfiguration,
                "--session-duration \(sessionDuration) is out of range: IAM Roles Anywhere accepts 900 to 43200 seconds"
            )
        }
        if let roleSessionName, !roleSessionName.isEmpty {
            guard (2...64).contains(roleSessionName.count),
                roleSessionName.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || "_+=,.@-".unicodeScalars.contains($0) })
            else {
                throw CredentialsError(
                    .invalidConfiguration,
                    "--role-session-name '\(roleSessionName)' must be 2 to 64 characters of letters, digits and _+=,.@-"
                )
            }
        }
        let region = (region?.isEmpty == false ? region : nil) ?? trustAnchor.region

        func setting(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func flag(_ name: String) -> Bool { setting(name)?.lowercased() == "true" }

        let endpoint: Endpoint
        if let explicit = (self.endpoint?.isEmpty == false ? self.endpoint : nil) {
            endpoint = try Endpoint(url: explicit)
        } else if let fromEnvironment = setting("AWS_ENDPOINT_URL_ROLESANYWHERE") ?? setting("AWS_ENDPOINT_URL") {
            endpoint = try Endpoint(url: fromEnvironment)
        } else {
            endpoint = try Endpoint.regional(region: region, useFIPS: flag("AWS_USE_FIPS_ENDPOINT"), useDualStack: flag("AWS_USE_DUALSTACK_ENDPOINT"))
        }
        if !endpoint.isSecure && !noVerifySSL {
            throw CredentialsError(
                .invalidConfiguration,
                "the endpoint \(endpoint) is not HTTPS, so the temporary credentials would travel in clear text; use an https:// endpoint, or pass --no-verify-ssl to allow an insecure endpoint (local testing only)"
            )
        }
        var retry = RetryPolicy()
        if let attempts = setting("AWS_MAX_ATTEMPTS") {
            guard let value = Int(attempts), value >= 1, value <= 20 else {
                throw CredentialsError(.invalidConfiguration, "AWS_MAX_ATTEMPTS '\(attempts)' must be a whole number from 1 to 20")
            }
            retry.maxAttempts = value
        }
        let client = RolesAnywhereClientConfiguration(
            endpoint: endpoint,
            region: region,
            verifyTLS: !noVerifySSL,
            caBundlePath: setting("AWS_CA_BUNDLE"),
            proxy: try ProxySettings.forEndpoint(endpoint, environment: environment),
            retry: retry
        )
        let input = CreateSessionInput(
            trustAnchorArn: trustAnchor,
            profileArn: profile,
            roleArn: role,
            durationSeconds: sessionDuration,
            roleSessionName: roleSessionName?.isEmpty == false ? roleSessionName : nil
        )
        return Resolved(input: input, client: client)
    }
}
