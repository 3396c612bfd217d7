import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `rolesanywhere`: temporary AWS credentials from an X.509 certificate through IAM Roles Anywhere.
///
/// The root command is synchronous on purpose: an async entry point costs ~10 ms at exit in a static
/// binary, and `credential-process` runs once per AWS CLI command.
@main
struct RolesAnywhereCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolesanywhere",
        abstract: "Get temporary AWS credentials from an X.509 certificate with IAM Roles Anywhere.",
        discussion: """
            A drop-in replacement for AWS's aws_signing_helper: the same subcommands, flags and outputs.
            Exit codes: 0 success, 1 unexpected error, 2 usage or configuration error, 3 bad input (file, \
            key, certificate, password), 4 the service refused the request, 5 the service could not be \
            reached (network, TLS, bad response), 6 the service kept throttling or failing.
            """,
        version: RolesAnywhereVersionText.current,
        subcommands: [
            CredentialProcessCommand.self,
            SignStringCommand.self,
            ReadCertificateDataCommand.self,
            VersionCommand.self,
        ]
    )

    static func main() {
        let arguments = CompatibilityArguments.normalize(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parse(arguments)
            try command.run()
            CommandOutput.flush()
            terminate(0)
        } catch {
            CommandOutput.flush()
            let (status, message) = report(error)
            if !message.isEmpty {
                if status == .success {
                    CommandOutput.write(message.hasSuffix("\n") ? message : message + "\n")
                } else {
                    CommandOutput.writeError(message)
                }
            }
            terminate(status.rawValue)
        }
    }

    /// Parses the command line. A known subcommand is parsed on its own, which skips building the
    /// argument sets of every other command (most of the start-up time of a short command).
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let name = arguments.first,
            let subcommand = configuration.subcommands.first(where: { $0.configuration.commandName == name })
        {
            return try subcommand.parseAsRoot(Array(arguments.dropFirst()))
        }
        return try parseAsRoot(arguments)
    }

    /// The exit status and message for an error: ours carry a one-sentence message; argument
    /// parsing errors (and `--help`, which is not an error) keep swift-argument-parser's text.
    static func report(_ error: any Error) -> (ExitStatus, String) {
        if let (status, message) = ExitStatus.ownFailure(for: error) {
            return (status, "rolesanywhere: " + message)
        }
        if exitCode(for: error) == .success {
            return (.success, fullMessage(for: error))
        }
        return (.usage, fullMessage(for: error))
    }
}
