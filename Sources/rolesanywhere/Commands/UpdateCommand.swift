#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywhereSupport
import RolesAnywhereSigning

/// `update`: keeps a profile of the shared credentials file filled with fresh credentials.
struct UpdateCommand: HelperCommand {
    static let name = "update"
    static let summary = "Keep a profile of ~/.aws/credentials filled with fresh credentials"
    static let details: String? = """
        Writes aws_access_key_id, aws_secret_access_key and aws_session_token of --profile into
        $AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), then refreshes them 5 minutes before they
        expire until stopped (SIGTERM or SIGINT), or exits after one write with --once. The file is replaced
        atomically with mode 0600 (its directory is created with mode 0700), under a lock so that concurrent
        runs take turns, and everything outside those three keys is kept byte for byte. A failed refresh is
        retried with backoff instead of exiting; --once exits with the error's code instead. The certificate
        and key files are watched: when they are replaced and the new pair matches, new credentials are
        fetched and written at once.
        """
    static let flagSet = FlagSet(
        CredentialOptions.flags + [
            Flag("profile", valueName: "name", default: "default", help: "Profile of the credentials file to write"),
            Flag("once", .bool, help: "Write the credentials once and exit"),
        ]
    )

    var options: CredentialOptions
    var profile: String
    var once: Bool

    init(flags: ParsedFlags) throws {
        options = try CredentialOptions(flags)
        profile = flags.string("profile") ?? "default"
        once = flags.bool("once")
        guard !profile.isEmpty else { throw UsageError("--profile is empty: name the profile to write, e.g. default") }
    }

    func run() throws {
        ServiceRuntime.unblockTerminationSignals()
        let environment = ProcessEnvironment.current
        let resolved = try options.settings.resolve(environment: environment)
        let writer = CredentialsFileWriter(path: try CredentialsFileWriter.defaultPath(environment: environment), profile: profile)
        let logger = ServiceRuntime.logger(label: "rolesanywhere.update", debug: options.debug)
        if once {
            // One request on this thread, as credential-process makes it.
            let identity = try options.identitySource.load()
            let client = RolesAnywhereClient(configuration: resolved.client, logger: logger)
            let credentials = try client.createSessionOnCallingThread(resolved.input, identity: { identity }).sessionCredentials()
            let fetched = try FetchedCredentials(validating: credentials, fetchedAt: Date(), schedule: .update)
            try writer.write(fetched.credentials)
            logger.info("wrote credentials", metadata: Self.metadata(writer, fetched))
            return
        }
        let refreshing = try options.makeRefresher(resolved, schedule: .update, logger: logger)
        let (refresher, watcher) = (refreshing.refresher, refreshing.watcher)
        try runBlocking {
            let background = Task { await refresher.run() }
            let watching = Task { await watcher?.run { _ in await refresher.identityRotated() } }
            let loop = Task { await Self.writeLoop(refresher: refresher, writer: writer, logger: logger) }
            let signal = await ServiceRuntime.waitForTerminationSignal()
            logger.notice("stopping", metadata: ["signal": "\(ServiceRuntime.signalName(signal))"])
            background.cancel()
            watching.cancel()
            loop.cancel()
            await loop.value
        }
    }

    /// Writes the credentials each time the refresher obtains new ones (on schedule, after an outage,
    /// or at once after a rotation); a failed write is retried with backoff. The refresher retries
    /// failed refreshes itself, with backoff, and logs them.
    static func writeLoop(refresher: CredentialRefresher, writer: CredentialsFileWriter, logger: Logger) async {
        var written: FetchedCredentials?
        var failures = 0
        while !Task.isCancelled {
            let fetched: FetchedCredentials
            do {
                fetched = try await refresher.waitForCredentials(newerThan: written)
            } catch {
                return
            }
            do {
                try writer.write(fetched.credentials)
                written = fetched
                failures = 0
                logger.info("wrote credentials", metadata: metadata(writer, fetched))
            } catch {
                failures += 1
                let delay = refresher.schedule.retryDelay(afterFailures: failures)
                logger.error(
                    "could not write the credentials file; retrying",
                    metadata: ["error": "\(error.message)", "consecutive-failures": "\(failures)", "retry-in": "\(delay)"]
                )
                do {
                    try await refresher.sleep(until: refresher.clock.now.addingTimeInterval(delay.seconds))
                } catch {
                    return
                }
            }
        }
    }

    static func metadata(_ writer: CredentialsFileWriter, _ fetched: FetchedCredentials) -> Logger.Metadata {
        [
            "file": "\(writer.path)", "profile": "\(writer.profile)", "expiration": "\(fetched.credentials.expiration)",
            "next-refresh": "\(AmzDate(fetched.refreshAt).iso8601)",
        ]
    }
}
