import RolesAnywhereCredentials
import Testing
import RolesAnywhereSupport

struct CredentialRequestSettingsTests {
    static let trustAnchor = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/11111111-1111-1111-1111-111111111111"
    static let profile = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/22222222-2222-2222-2222-222222222222"
    static let role = "arn:aws:iam::123456789012:role/path/bucket-lister"

    static func settings(
        trustAnchor: String = trustAnchor,
        profile: String = profile,
        role: String = role,
        duration: Int = 3600,
        region: String? = nil,
        endpoint: String? = nil,
        noVerifySSL: Bool = false,
        roleSessionName: String? = nil
    ) -> CredentialRequestSettings {
        CredentialRequestSettings(
            roleArn: role, profileArn: profile, trustAnchorArn: trustAnchor, sessionDuration: duration, region: region,
            endpoint: endpoint, noVerifySSL: noVerifySSL, roleSessionName: roleSessionName
        )
    }

    @Test func regionAndEndpointComeFromTheTrustAnchor() throws {
        let resolved = try Self.settings().resolve(environment: [:])
        #expect(resolved.client.region == "eu-west-1")
        #expect(resolved.client.endpoint.description == "https://rolesanywhere.eu-west-1.amazonaws.com")
        #expect(resolved.client.endpoint.authority == "rolesanywhere.eu-west-1.amazonaws.com")
        #expect(resolved.input.durationSeconds == 3600)
        #expect(resolved.input.roleArn.resourceName == "bucket-lister")
    }

    @Test func explicitRegionOverridesSigningRegionButNotTheRegionCheck() throws {
        let resolved = try Self.settings(region: "us-east-1").resolve(environment: [:])
        #expect(resolved.client.region == "us-east-1")
        #expect(resolved.client.endpoint.host == "rolesanywhere.us-east-1.amazonaws.com")
    }

    @Test func partitionsFIPSAndDualStackPickTheirHosts() throws {
        let china = try Self.settings(region: "cn-north-1").resolve(environment: [:])
        #expect(china.client.endpoint.host == "rolesanywhere.cn-north-1.amazonaws.com.cn")
        let fips = try Self.settings().resolve(environment: ["AWS_USE_FIPS_ENDPOINT": "true"])
        #expect(fips.client.endpoint.host == "rolesanywhere-fips.eu-west-1.amazonaws.com")
        let dual = try Self.settings().resolve(environment: ["AWS_USE_DUALSTACK_ENDPOINT": "true"])
        #expect(dual.client.endpoint.host == "rolesanywhere.eu-west-1.api.aws")
    }

    @Test func endpointsComeFromTheFlagThenTheEnvironment() throws {
        let flag = try Self.settings(endpoint: "https://localhost:8443/").resolve(
            environment: ["AWS_ENDPOINT_URL": "https://other:1"]
        )
        #expect(flag.client.endpoint.authority == "localhost:8443")
        let specific = try Self.settings().resolve(
            environment: ["AWS_ENDPOINT_URL": "https://general:1", "AWS_ENDPOINT_URL_ROLESANYWHERE": "https://[::1]:9443"]
        )
        #expect(specific.client.endpoint.host == "::1")
        #expect(specific.client.endpoint.port == 9443)
        #expect(specific.client.endpoint.authority == "[::1]:9443")
        let general = try Self.settings().resolve(environment: ["AWS_ENDPOINT_URL": "https://general:1"])
        #expect(general.client.endpoint.authority == "general:1")
    }

    @Test func plainHTTPNeedsNoVerifySSL() throws {
        let error = try #require(catching { try Self.settings(endpoint: "http://127.0.0.1:8080").resolve(environment: [:]) })
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("--no-verify-ssl"))
        let allowed = try Self.settings(endpoint: "http://127.0.0.1:8080", noVerifySSL: true).resolve(environment: [:])
        #expect(!allowed.client.verifyTLS)
    }

    @Test(arguments: [
        ("trust anchor", Self.settings(trustAnchor: ""), "--trust-anchor-arn is required"),
        ("trust anchor", Self.settings(trustAnchor: "not-an-arn"), "not an ARN"),
        ("trust anchor", Self.settings(trustAnchor: profile), "not the ARN of a Roles Anywhere trust anchor"),
        ("profile", Self.settings(profile: "arn:aws:rolesanywhere::123456789012:profile/x"), "not the ARN of a Roles Anywhere profile"),
        ("role", Self.settings(role: ""), "--role-arn is required"),
        ("role", Self.settings(role: "arn:aws:iam::123456789012:user/alice"), "not the ARN of an IAM role"),
        ("regions", Self.settings(profile: "arn:aws:rolesanywhere:us-east-1:123456789012:profile/x"), "regions don't match"),
        ("duration", Self.settings(duration: 899), "900 to 43200"),
        ("duration", Self.settings(duration: 43201), "900 to 43200"),
        ("endpoint", Self.settings(endpoint: "ftp://x"), "https://"),
        ("endpoint", Self.settings(endpoint: "https://host/prefix"), "path"),
        ("endpoint", Self.settings(endpoint: "https://host:99999"), "not a URL"),
        ("endpoint", Self.settings(endpoint: "localhost:8443"), "not a URL"),
        ("session name", Self.settings(roleSessionName: "a b"), "--role-session-name"),
        ("region", Self.settings(region: "eu west"), "not a valid region"),
    ])
    func invalidSettingsAreRefusedWithTheFlagNamed(what: String, settings: CredentialRequestSettings, fragment: String) throws {
        let error = try #require(catching { try settings.resolve(environment: [:]) }, "\(what)")
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func retriesAndCABundleComeFromTheEnvironment() throws {
        let resolved = try Self.settings().resolve(environment: ["AWS_MAX_ATTEMPTS": "5", "AWS_CA_BUNDLE": "/etc/ca.pem"])
        #expect(resolved.client.retry.maxAttempts == 5)
        #expect(resolved.client.caBundlePath == "/etc/ca.pem")
        #expect(code { try Self.settings().resolve(environment: ["AWS_MAX_ATTEMPTS": "zero"]) } == .invalidConfiguration)
    }

    @Test func proxiesFollowTheStandardVariables() throws {
        let proxied = try Self.settings().resolve(environment: ["HTTPS_PROXY": "http://user:p%40ss@proxy.corp:3128"])
        #expect(proxied.client.proxy?.host == "proxy.corp")
        #expect(proxied.client.proxy?.port == 3128)
        #expect(proxied.client.proxy?.credentials?.user == "user")
        #expect(proxied.client.proxy?.credentials?.password == "p@ss")
        let lower = try Self.settings().resolve(environment: ["https_proxy": "proxy:8080"])
        #expect(lower.client.proxy?.port == 8080)
        for noProxy in ["*", "amazonaws.com", ".amazonaws.com", "rolesanywhere.eu-west-1.amazonaws.com", "other, .amazonaws.com:443"] {
            let excluded = try Self.settings().resolve(environment: ["HTTPS_PROXY": "http://proxy:1", "NO_PROXY": noProxy])
            #expect(excluded.client.proxy == nil, "\(noProxy)")
        }
        let local = try Self.settings(endpoint: "https://127.0.0.1:8443").resolve(environment: ["HTTPS_PROXY": "http://proxy:1"])
        #expect(local.client.proxy == nil)
        #expect(code { try Self.settings().resolve(environment: ["HTTPS_PROXY": "socks5://proxy:1"]) } == .invalidConfiguration)
    }

    @Test func credentialProcessOutputMatchesTheOfficialHelper() {
        let credentials = SessionCredentials(
            accessKeyId: "ASIAEXAMPLE", secretAccessKey: "se/cr+et", sessionToken: "to<k>en&", expiration: "2026-11-29T02:23:21Z"
        )
        #expect(
            credentials.credentialProcessJSON
                == #"{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se/cr+et","SessionToken":"to\u003ck\u003een\u0026","Expiration":"2026-11-29T02:23:21Z"}"#
        )
    }

    @Test func retryDelaysGrowAndAreCapped() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20))
        #expect(policy.delay(beforeRetry: 1, random: 0.5) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 3, random: 0.5) == .seconds(2))
        #expect(policy.delay(beforeRetry: 10, random: 1) == .seconds(20))
        #expect(policy.delay(beforeRetry: 10, random: 0) == .zero)
    }
}
