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
        ServeCommand.self,
        UpdateCommand.self,
        SignStringCommand.self,
        ReadCertificateDataCommand.self,
        PKICommand.self,
        VersionCommand.self,
    ]

    static let summary = "Get temporary AWS credentials from an X.509 certificate with IAM Roles Anywhere.\nA drop-in replacement for AWS's aws_signing_helper: the same commands, flags and outputs."

    static let exitCodes = """
        Exit codes: 0 success, 1 unexpected error, 2 usage or configuration error, 3 bad input (file, key,
        certificate, password), 4 the service refused the request, 5 the service could not be reached
        (network, TLS, bad response), 6 the service kept throttling or failing, 7 pki check found a
        requirement that fails.
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
            if !message.isEmpty { CommandOutput.writeError("\(program): " + message) }
            let names = commandNames(in: arguments)
            if status == .usage, !names.isEmpty {
                CommandOutput.writeError("Run '\(program) \(names.joined(separator: " ")) --help' for usage.")
            }
            terminate(status.rawValue)
        }
    }

    /// The names of the (sub)commands the arguments start with, e.g. `["pki", "issue"]`.
    static func commandNames(in arguments: [String]) -> [String] {
        var names = [String]()
        var available = commands
        for argument in arguments {
            guard let next = available.first(where: { $0.name == argument }) else { break }
            names.append(next.name)
            available = next.subcommands
        }
        return names
    }

    /// Finds the (sub)command named by the leading arguments: `pki issue --cn x` gives `[pki, issue]`
    /// and `--cn x`.
    static func resolve(_ arguments: [String]) throws -> (path: [any HelperCommand.Type], rest: [String]) {
        var path = [any HelperCommand.Type]()
        var rest = arguments[...]
        var available = commands
        while let name = rest.first, !name.hasPrefix("-") {
            guard let next = available.first(where: { $0.name == name }) else {
                let parent = ([program] + path.map { $0.name }).joined(separator: " ")
                throw UsageError("unknown command \"\(name)\" for \"\(parent)\"; run '\(parent) --help' for the list")
            }
            path.append(next)
            rest = rest.dropFirst()
            available = next.subcommands
            if available.isEmpty { break }
        }
        return (path, Array(rest))
    }

    static func run(_ arguments: [String]) throws {
        var arguments = arguments
        var helpRequested = false
        if arguments.first == "help" {
            arguments.removeFirst()
            helpRequested = true
        }
        if arguments.first == "--version" {
            CommandOutput.write(RolesAnywhereVersion.current + "\n")
            return
        }
        let (path, rest) = try resolve(arguments)
        guard let command = path.last else {
            CommandOutput.write(programHelp)
            return
        }
        if !command.subcommands.isEmpty {
            // A group such as `pki`: its help, unless asked for something else.
            if let first = rest.first, first != "-h", first != "--help" {
                throw UsageError("unknown flag or command \"\(first)\" for \"\(program) \(command.name)\"")
            }
            CommandOutput.write(groupHelp(for: path))
            return
        }
        let flags = try command.flagSet.parse(rest)
        if flags.helpRequested || helpRequested {
            CommandOutput.write(help(for: path))
            return
        }
        if let extra = flags.positionals.first {
            throw UsageError("unexpected argument \"\(extra)\": \(command.name) takes only flags")
        }
        try command.init(flags: flags).run()
    }

    static func help(for path: [any HelperCommand.Type]) -> String {
        let command = path.last!
        return HelpText.command(
            program: program,
            name: path.map { $0.name }.joined(separator: " "),
            summary: command.summary,
            details: command.details,
            flags: command.flagSet
        )
    }

    static func groupHelp(for path: [any HelperCommand.Type]) -> String {
        let command = path.last!
        return HelpText.program(
            program: ([program] + path.map { $0.name }).joined(separator: " "),
            summary: command.summary + (command.details.map { "\n\n" + $0 } ?? ""),
            commands: command.subcommands.map { ($0.name, $0.summary) },
            footer: nil
        )
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
    /// The commands of a group such as `pki`; empty for a command that runs.
    static var subcommands: [any HelperCommand.Type] { get }
    /// Checks the flags (throwing ``UsageError`` for mistakes) and keeps their values.
    init(flags: ParsedFlags) throws
    func run() throws
}

extension HelperCommand {
    static var details: String? { nil }
    static var subcommands: [any HelperCommand.Type] { [] }
}
