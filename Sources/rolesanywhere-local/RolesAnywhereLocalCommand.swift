import ArgumentParser
import Foundation
import Logging
import RolesAnywhereLocal
import ServiceLifecycle
import UnixSignals

/// `rolesanywhere-local`: IAM Roles Anywhere, IAM, STS and S3 on one local port, for tests and CI.
@main
struct RolesAnywhereLocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolesanywhere-local",
        abstract: "A local AWS endpoint for IAM Roles Anywhere, IAM, STS and S3, with real SigV4 checks and IAM policy evaluation.",
        discussion: """
            Point the AWS CLI or an SDK at it with --endpoint-url (e.g. http://127.0.0.1:4566) and the \
            administrator keys it prints. State is kept in SQLite: by default in \
            $XDG_DATA_HOME/rolesanywhere-local/state.sqlite (or ~/.local/share/...); --state :memory: \
            forgets everything at exit. One server holds a state file at a time; a second on the \
            same file refuses to start. It stops gracefully on SIGINT or SIGTERM.

            With --upstream URL it stands in front of another emulator (moto's server, LocalStack): \
            Roles Anywhere (its control plane and CreateSession) is served here, and every other \
            request is forwarded to URL as it came; this server's own IAM, STS and S3 are off. \
            CreateSession then reads the role with iam:GetRole at the upstream and mints the session \
            there with sts:AssumeRole, so its credentials are the upstream's.
            """
    )

    @Option(help: "The address to listen on. Anything but loopback exposes the endpoint to the network.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free port (the READY line says which).")
    var port = LocalConfiguration.defaultPort

    @Option(help: "The region the endpoint serves (ARNs and the SigV4 scope).")
    var region = "us-east-1"

    @Option(name: .customLong("account-id"), help: "The 12-digit account ID of the emulated account.")
    var accountID = "123456789012"

    @Option(help: ArgumentHelp("The SQLite database file, or :memory: for a throwaway run. (default: $XDG_DATA_HOME/rolesanywhere-local/state.sqlite)", valueName: "path"))
    var state: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("A PEM certificate (chain) to serve HTTPS with.", valueName: "path"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "path"))
    var tlsKey: String?

    @Option(name: .customLong("admin-access-key-id"), help: "The access key ID of the account's administrator (allowed everything).")
    var adminAccessKeyID = LocalConfiguration.defaultAdminAccessKeyID

    @Option(name: .customLong("admin-secret-access-key"), help: "The administrator's secret access key.")
    var adminSecretAccessKey = LocalConfiguration.defaultAdminSecretAccessKey

    @Option(name: .customLong("max-clock-skew"), help: ArgumentHelp("How many seconds a request's X-Amz-Date may differ from the server clock.", valueName: "seconds"))
    var maximumClockSkew = 300

    @Option(name: .customLong("pca-issuance-delay"), help: ArgumentHelp("Seconds AWS Private CA's GetCertificate answers RequestInProgressException after IssueCertificate, as AWS does while it issues (aws acm-pca wait certificate-issued waits it out); 0 for at once.", valueName: "seconds"))
    var privateCAIssuanceDelay = 1

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a connection may go without sending a complete request head (slow headers, idle keep-alive) before it is closed.", valueName: "seconds"))
    var idleTimeout = 30

    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Seconds reading one request body may take.", valueName: "seconds"))
    var bodyTimeout = 120

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Connections served at once; more wait until one closes.", valueName: "count"))
    var maximumConnections = 512

    @Option(help: ArgumentHelp("The emulator to stand in front of (http://host:port): every request but Roles Anywhere's is forwarded to it, and CreateSession's roles and sessions are its. Our IAM, STS and S3 are off.", valueName: "url"))
    var upstream: String?

    @Option(name: .customLong("upstream-access-key-id"), help: ArgumentHelp("The access key ID that signs CreateSession's iam:GetRole and sts:AssumeRole at the upstream. (default: --admin-access-key-id)", valueName: "id"))
    var upstreamAccessKeyID: String?

    @Option(name: .customLong("upstream-secret-access-key"), help: ArgumentHelp("Its secret access key. (default: --admin-secret-access-key)", valueName: "secret"))
    var upstreamSecretAccessKey: String?

    @Option(name: .customLong("upstream-region"), help: ArgumentHelp("The region those calls are signed for. (default: --region)", valueName: "region"))
    var upstreamRegion: String?

    @Option(name: .customLong("upstream-timeout"), help: ArgumentHelp("Seconds the upstream may stay silent (awaiting or streaming an answer) before the request fails.", valueName: "seconds"))
    var upstreamTimeout = 30

    @Option(name: .customLong("upstream-connect-timeout"), help: ArgumentHelp("Seconds a connection to the upstream may take to open.", valueName: "seconds"))
    var upstreamConnectTimeout = 5

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Every refused request is logged at info with its reason.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, not \(port).") }
        guard accountID.count == 12, accountID.allSatisfy(\.isASCIIDigit) else {
            throw ValidationError("--account-id must be 12 digits, like 123456789012, not '\(accountID)'.")
        }
        guard region.range(of: #"^[a-z]{2}(-[a-z]+)+-\d+$"#, options: .regularExpression) != nil else {
            throw ValidationError("--region must be a region name like us-east-1, not '\(region)'.")
        }
        guard (16...128).contains(adminAccessKeyID.count), adminAccessKeyID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), !adminAccessKeyID.hasPrefix("ASIA") else {
            throw ValidationError("--admin-access-key-id must be 16-128 letters and digits and must not start with ASIA (kept for session keys).")
        }
        guard adminSecretAccessKey.count >= 16 else { throw ValidationError("--admin-secret-access-key must be at least 16 characters.") }
        guard maximumClockSkew >= 0 else { throw ValidationError("--max-clock-skew must not be negative.") }
        guard (0...300).contains(privateCAIssuanceDelay) else { throw ValidationError("--pca-issuance-delay must be between 0 and 300 seconds.") }
        guard (1...86_400).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be between 1 and 86400 seconds.") }
        guard (1...86_400).contains(bodyTimeout) else { throw ValidationError("--body-timeout must be between 1 and 86400 seconds.") }
        guard (1...1_000_000).contains(maximumConnections) else { throw ValidationError("--max-connections must be between 1 and 1000000.") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        if upstream == nil {
            let companions = [
                ("--upstream-access-key-id", upstreamAccessKeyID != nil), ("--upstream-secret-access-key", upstreamSecretAccessKey != nil),
                ("--upstream-region", upstreamRegion != nil),
            ]
            if let (flag, _) = companions.first(where: { $0.1 }) { throw ValidationError("\(flag) needs --upstream.") }
        }
        guard (1...86_400).contains(upstreamTimeout) else { throw ValidationError("--upstream-timeout must be between 1 and 86400 seconds.") }
        guard (1...3_600).contains(upstreamConnectTimeout) else { throw ValidationError("--upstream-connect-timeout must be between 1 and 3600 seconds.") }
        _ = try upstreamConfiguration()
    }

    /// `--upstream` and its companions, or nil without it.
    func upstreamConfiguration() throws -> UpstreamConfiguration? {
        guard let upstream else { return nil }
        do {
            return try UpstreamConfiguration(
                url: upstream, accessKeyID: upstreamAccessKeyID ?? adminAccessKeyID, secretAccessKey: upstreamSecretAccessKey ?? adminSecretAccessKey,
                region: upstreamRegion ?? region, connectTimeout: .seconds(upstreamConnectTimeout), timeout: .seconds(upstreamTimeout)
            )
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rolesanywhere-local")
        do {
            try await serve(logger: logger)
        } catch let error as LocalServerError {
            FileHandle.standardError.write(Data("rolesanywhere-local: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func serve(logger: Logger) async throws {
        guard let statePath = state ?? StateLocation.defaultPath(environment: ProcessInfo.processInfo.environment) else {
            throw LocalServerError("no HOME or XDG_DATA_HOME to put the state in; pass --state PATH (or --state :memory:)")
        }
        try StateLocation.prepareDirectory(for: statePath)
        // Held until the server stops: one server per state file.
        let lock = try StateLock.acquire(statePath)
        defer { withExtendedLifetime(lock) {} }
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: statePath)
            // Only the lock's holder may judge a body file unnamed: another process's write may be
            // between its body and its row.
            let removed = try store.removeOrphanBodies()
            if removed > 0 { logger.info("removed object bodies no row names (left by a crash)", metadata: ["count": "\(removed)"]) }
        } catch {
            throw LocalServerError("cannot open the state database \(statePath): \(error)")
        }
        let configuration = LocalConfiguration(
            host: host, port: port, region: region, accountID: accountID, statePath: statePath,
            tlsCertificatePath: tlsCertificate, tlsKeyPath: tlsKey,
            adminAccessKeyID: adminAccessKeyID, adminSecretAccessKey: adminSecretAccessKey,
            maximumClockSkew: .seconds(maximumClockSkew),
            privateCAIssuanceDelay: .seconds(privateCAIssuanceDelay),
            limits: ServerLimits(idleTimeout: .seconds(idleTimeout), bodyTimeout: .seconds(bodyTimeout), maximumConnections: maximumConnections),
            upstream: try upstreamConfiguration()
        )
        let service = LocalService(configuration: configuration, store: store, logger: logger)
        let server = try LocalServer(service: service, logger: logger).makeService { boundPort in
            let endpoint = configuration.endpoint(port: boundPort)
            var line = "READY \(boundPort) endpoint=\(endpoint) region=\(configuration.region) account-id=\(configuration.accountID) "
                + "aws_access_key_id=\(configuration.adminAccessKeyID) aws_secret_access_key=\(configuration.adminSecretAccessKey)"
            if let upstream = configuration.upstream {
                // Said where a script or a person reads first: only Roles Anywhere is ours.
                line += " upstream=\(upstream.origin) serves=rolesanywhere forwards=everything-else"
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            logger.info("listening", metadata: ["endpoint": "\(endpoint)", "state": "\(statePath)", "region": "\(configuration.region)", "account": "\(configuration.accountID)"])
        }
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await service.shutdown()
            throw LocalServerError("cannot serve on \(host):\(port): \(Self.describe(error))")
        }
        await service.shutdown()
        logger.info("stopped")
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "the address is already in use (another rolesanywhere-local?); pick another --port, or --port 0"
        }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
