import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywhereSupport

/// `credential-process`: one CreateSession, printed as the JSON the AWS CLI and SDKs read from a
/// `credential_process` command; with `--cache-dir`, credentials are reused across runs.
struct CredentialProcessCommand: HelperCommand {
    static let name = "credential-process"
    static let summary = "Print temporary credentials as credential_process JSON"
    static let details: String? = """
        For ~/.aws/config:
          credential_process = rolesanywhere credential-process --certificate CERT --private-key KEY \\
            --trust-anchor-arn TA_ARN --profile-arn PROFILE_ARN --role-arn ROLE_ARN

        With --cache-dir (or ROLESANYWHERE_CACHE_DIR), credentials are kept in that directory (0700,
        files 0600, each authenticated) and reused until 15 minutes before they expire, so commands run
        in a loop make one CreateSession per session instead of one each; concurrent runs wait for
        one refresh.
        """
    static let flagSet = FlagSet(
        CredentialOptions.flags + [
            Flag(
                "cache-dir", valueName: "path",
                help: "Reuse credentials across runs from this directory (default: ROLESANYWHERE_CACHE_DIR; off when neither is set)"
            )
        ]
    )

    var options: CredentialOptions
    var cacheDirectory: String?

    init(flags: ParsedFlags) throws {
        options = try CredentialOptions(flags)
        cacheDirectory = flags.string("cache-dir")
    }

    func run() throws {
        let environment = ProcessEnvironment.current
        let resolved = try options.settings.resolve(environment: environment)
        let client = RolesAnywhereClient(
            configuration: resolved.client,
            logger: DebugLogging.logger(label: "rolesanywhere.credential-process", debug: options.debug)
        )
        // Read the certificate and key before touching the network, so a bad file fails fast.
        let identity = try options.identitySource.load()
        // One request on this thread: no event loop, no task (see RolesAnywhereClient).
        let fetch = { () throws(CredentialsError) -> SessionCredentials in
            try client.createSessionOnCallingThread(resolved.input, identity: { identity }).sessionCredentials()
        }
        guard let directory = CredentialCache.directory(flag: cacheDirectory, environment: environment) else {
            CommandOutput.write(try fetch().credentialProcessJSON)
            return
        }
        let key = CredentialCacheKey(identity: identity, input: resolved.input, configuration: resolved.client)
        let answer = try CredentialCache(directory: directory).credentials(for: key, fetch: fetch)
        for warning in answer.warnings { CommandOutput.writeError("warning: \(warning)") }
        if options.debug { CommandOutput.writeError("credential cache: \(answer.source) (\(directory))") }
        CommandOutput.write(answer.credentials.credentialProcessJSON)
    }
}
