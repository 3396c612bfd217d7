import RolesAnywhereCommandLine
import RolesAnywhereCredentials

/// `rolesanywhere`: temporary AWS credentials from an X.509 certificate through IAM Roles Anywhere.
///
/// The entry point is synchronous on purpose (an async `main` costs ~10 ms at exit in a static
/// binary) and the flag parser is a small table-driven one: `credential-process` runs once per AWS
/// CLI command, so start-up time is the helper's latency.
@main
enum RolesAnywhereCommand {
    static let program = "rolesanywhere"

    static let commands: [any HelperCommand.Type] = [
        CredentialProcessCommand.self,
        SignStringCommand.self,
        ReadCertificateDataCommand.self,
        VersionCommand.self,
    ]

    static let summary = "Get temporary AWS credentials from an X.509 certificate with IAM Roles Anywhere.\nA drop-in replacement for AWS's aws_signing_helper: the same commands, flags and outputs."

    static let exitCodes = """
        Exit codes: 0 success, 1 unexpected error, 2 usage or configuration error, 3 bad input (file, key,
        certificate, password), 4 the service refused the request, 5 the service could not be reached
        (network, TLS, bad response), 6 the service kept throttling or failing.
        """

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try run(arguments)
            CommandOutput.flush()
            terminate(0)
        } catch {
            CommandOutput.flush()
            let (status, message) = ExitStatus.failure(for: error)
            CommandOutput.writeError("\(program): " + message)
            if status == .usage, let name = arguments.first, commands.contains(where: { $0.name == name }) {
                CommandOutput.writeError("Run '\(program) \(name) --help' for usage.")
            }
            terminate(status.rawValue)
        }
    }

    static func run(_ arguments: [String]) throws {
        guard let name = arguments.first, name != "-h", name != "--help", name != "help" else {
            if arguments.count >= 2, arguments[0] == "help", let command = command(named: arguments[1]) {
                CommandOutput.write(help(for: command))
            } else {
                CommandOutput.write(programHelp)
            }
            return
        }
        if name == "--version" {
            CommandOutput.write(RolesAnywhereVersion.current + "\n")
            return
        }
        guard let command = command(named: name) else {
            throw UsageError("unknown command \"\(name)\" for \"\(program)\"; run '\(program) --help' for the list")
        }
        let flags = try command.flagSet.parse(Array(arguments.dropFirst()))
        if flags.helpRequested {
            CommandOutput.write(help(for: command))
            return
        }
        if let extra = flags.positionals.first {
            throw UsageError("unexpected argument \"\(extra)\": \(name) takes only flags")
        }
        try command.init(flags: flags).run()
    }

    static func command(named name: String) -> (any HelperCommand.Type)? {
        commands.first { $0.name == name }
    }

    static func help(for command: any HelperCommand.Type) -> String {
        HelpText.command(program: program, name: command.name, summary: command.summary, details: command.details, flags: command.flagSet)
    }

    static var programHelp: String {
        HelpText.program(
            program: program,
            summary: summary,
            commands: commands.map { ($0.name, $0.summary) },
            footer: exitCodes
        )
    }
}

/// A subcommand: its name, help, flags, and how it runs.
protocol HelperCommand: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static var details: String? { get }
    static var flagSet: FlagSet { get }
    /// Checks the flags (throwing ``UsageError`` for mistakes) and keeps their values.
    init(flags: ParsedFlags) throws
    func run() throws
}

extension HelperCommand {
    static var details: String? { nil }
}
