import ArgumentParser

/// `version`: prints the version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() throws {
        CommandOutput.write(RolesAnywhereVersionText.current + "\n")
    }
}
