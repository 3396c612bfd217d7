import RolesAnywhereCommandLine
import RolesAnywhereCredentials

/// `credential-process`: one CreateSession, printed as the JSON the AWS CLI and SDKs read from a
/// `credential_process` command.
struct CredentialProcessCommand: HelperCommand {
    static let name = "credential-process"
    static let summary = "Print temporary credentials as credential_process JSON"
    static let details: String? = """
        For ~/.aws/config:
          credential_process = rolesanywhere credential-process --certificate CERT --private-key KEY \\
            --trust-anchor-arn TA_ARN --profile-arn PROFILE_ARN --role-arn ROLE_ARN
        """
    static let flagSet = FlagSet(CredentialOptions.flags)

    var options: CredentialOptions

    init(flags: ParsedFlags) throws {
        options = try CredentialOptions(flags)
    }

    func run() throws {
        let resolved = try options.settings.resolve(environment: ProcessEnvironment.current)
        let client = RolesAnywhereClient(
            configuration: resolved.client,
            logger: DebugLogging.logger(label: "rolesanywhere.credential-process", debug: options.debug)
        )
        // Read the certificate and key before touching the network, so a bad file fails fast.
        let identity = try options.identitySource.load()
        let output = try runBlocking {
            try await client.createSession(resolved.input, identity: { identity })
        }
        CommandOutput.write(try output.sessionCredentials().credentialProcessJSON)
    }
}
