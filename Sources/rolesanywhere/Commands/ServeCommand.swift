import Logging
import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywhereSupport
import RolesAnywhereServe

/// `serve`: an IMDSv2-compatible endpoint (and optionally an ECS-style container credentials
/// endpoint) that hands out credentials refreshed in the background.
struct ServeCommand: HelperCommand {
    static let name = "serve"
    static let summary = "Serve credentials on a local IMDSv2-compatible endpoint"
    static let details: String? = """
        Gets credentials before it listens (and exits if it cannot), then refreshes them in the background
        15 minutes before they expire, with one CreateSession however many clients ask. If a refresh fails it
        retries with backoff and keeps serving the last good credentials until they expire; after that it
        answers HTTP 503 with the reason, never empty credentials. The certificate and key files are watched:
        when they are replaced (a renewal, a Kubernetes secret update) and the new pair matches, new credentials
        are fetched at once; until then, or if that fails, the last good ones are served. SIGTERM or SIGINT
        stops it.

        Point SDKs and the AWS CLI at it with:
          export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9911/
        or, with --container-token-file, with the container credentials variables it prints.

        GET /healthz (no token) is 200 while valid credentials are held and 503 with the reason otherwise.
        With --metrics-port, a second listener serves Prometheus metrics at /metrics and the same /healthz,
        and nothing else (for probes and scrapers on another address: --metrics-address 0.0.0.0).
        """
    static let flagSet = FlagSet(
        CredentialOptions.flags + [
            Flag("port", .int, valueName: "port", default: "9911", help: "Port to listen on (0 picks a free one)"),
            Flag("hop-limit", .int, valueName: "n", default: "64", help: "IP TTL / IPv6 hop limit of the answers (1 keeps them on this host's segment)"),
            Flag("address", valueName: "ip", default: "127.0.0.1", help: "Address to listen on: 127.0.0.1, ::1, or another with --allow-non-loopback"),
            Flag("allow-non-loopback", .bool, help: "Allow an --address other than loopback (forces --hop-limit 1)"),
            Flag(
                "container-token-file", valueName: "path",
                help: "Also serve ECS-style container credentials at /v1/credentials, for the token in this file (created with a random token if missing)"
            ),
            Flag(
                "metrics-port", .int, valueName: "port",
                help: "Also serve Prometheus metrics at /metrics (and /healthz) on this port (0 picks a free one); off by default"
            ),
            Flag(
                "metrics-address", valueName: "ip", default: "127.0.0.1",
                help: "Address of the metrics listener (no credentials are served there; 0.0.0.0 for probes and scrapers on the pod IP)"
            ),
        ]
    )

    var options: CredentialOptions
    var configuration: MetadataServerConfiguration
    var containerTokenFile: String?

    init(flags: ParsedFlags) throws {
        options = try CredentialOptions(flags)
        let port = flags.int("port", default: 9911)
        guard (0...65535).contains(port) else { throw UsageError("--port \(port) is not a port number (0 to 65535)") }
        var hopLimit = flags.int("hop-limit", default: 64)
        guard (1...255).contains(hopLimit) else { throw UsageError("--hop-limit \(hopLimit) must be from 1 to 255") }
        let address = flags.string("address") ?? "127.0.0.1"
        guard !address.isEmpty else { throw UsageError("--address is empty: give an IP address such as 127.0.0.1 or ::1") }
        if !MetadataServerConfiguration.isLoopback(address) {
            guard flags.bool("allow-non-loopback") else {
                throw UsageError(
                    "--address \(address) is not a loopback address: anyone who can reach it gets this role's credentials; pass --allow-non-loopback if that is intended"
                )
            }
            if flags.isSet("hop-limit") && hopLimit != 1 {
                throw UsageError("--hop-limit must be 1 with a non-loopback --address, so that answers never leave this network segment")
            }
            hopLimit = 1
        }
        containerTokenFile = flags.string("container-token-file")
        let metricsAddress = flags.string("metrics-address") ?? "127.0.0.1"
        guard !metricsAddress.isEmpty else { throw UsageError("--metrics-address is empty: give an IP address such as 127.0.0.1 or 0.0.0.0") }
        var metricsPort: Int?
        if flags.isSet("metrics-port") {
            let value = flags.int("metrics-port", default: 0)
            guard (0...65535).contains(value) else { throw UsageError("--metrics-port \(value) is not a port number (0 to 65535)") }
            if value != 0, value == port, metricsAddress == address {
                throw UsageError("--metrics-port \(value) is the --port of the credentials: give the metrics their own port")
            }
            metricsPort = value
        } else if flags.isSet("metrics-address") {
            throw UsageError("--metrics-address needs --metrics-port")
        }
        configuration = MetadataServerConfiguration(
            address: address, port: port, hopLimit: hopLimit, roleName: "", roleArn: "", region: "", metricsPort: metricsPort, metricsAddress: metricsAddress
        )
    }

    func run() throws {
        ServiceRuntime.unblockTerminationSignals()
        let resolved = try options.settings.resolve(environment: ProcessEnvironment.current)
        var configuration = self.configuration
        configuration.roleArn = resolved.input.roleArn.description
        configuration.roleName = resolved.input.roleArn.resource.split(separator: "/").last.map(String.init) ?? resolved.input.roleArn.resource
        configuration.region = resolved.client.region
        if let containerTokenFile {
            configuration.containerAuthorizationToken = try ContainerToken.loadOrCreate(containerTokenFile)
        }
        let logger = ServiceRuntime.logger(label: "rolesanywhere.serve", debug: options.debug)
        let refreshing = try options.makeRefresher(resolved, schedule: .serve, logger: logger)
        let (refresher, watcher, certificateNotAfter) = (refreshing.refresher, refreshing.watcher, refreshing.certificateNotAfter)
        let containerTokenFile = self.containerTokenFile
        let serverConfiguration = configuration
        try runBlocking {
            try await refresher.refreshNow()
            let server = try await MetadataServer.start(
                configuration: serverConfiguration, refresher: refresher, logger: logger, certificateNotAfter: certificateNotAfter
            )
            let base = MetadataServerConfiguration.baseURL(address: serverConfiguration.address, port: server.port)
            var lines = ["Local server started on port: \(server.port)", "export AWS_EC2_METADATA_SERVICE_ENDPOINT=\(base)/"]
            if let containerTokenFile {
                lines.append("export AWS_CONTAINER_CREDENTIALS_FULL_URI=\(base)\(MetadataServerConfiguration.containerCredentialsPath)")
                lines.append("export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=\(containerTokenFile)")
            }
            if let metricsPort = server.metricsPort {
                let metricsBase = MetadataServerConfiguration.baseURL(address: serverConfiguration.metricsAddress, port: metricsPort)
                lines.append("# metrics at \(metricsBase)/metrics, health at \(metricsBase)/healthz")
            }
            CommandOutput.write(lines.joined(separator: "\n") + "\n")
            let background = Task { await refresher.run() }
            let watching = Task { await watcher?.run { _ in await refresher.identityRotated() } }
            let signal = await ServiceRuntime.waitForTerminationSignal()
            logger.notice("stopping", metadata: ["signal": "\(ServiceRuntime.signalName(signal))"])
            background.cancel()
            watching.cancel()
            await server.close()
        }
    }
}
