import RolesAnywhereCommandLine
import RolesAnywhereCredentials

/// `version`: prints the version.
struct VersionCommand: HelperCommand {
    static let name = "version"
    static let summary = "Print the version"
    static let flagSet = FlagSet([])

    init(flags: ParsedFlags) throws {}

    func run() throws {
        CommandOutput.write(RolesAnywhereVersion.current + "\n")
    }
}
