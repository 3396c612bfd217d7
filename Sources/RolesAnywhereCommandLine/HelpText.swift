/// Help screens in the layout of cobra (the Go command-line library of `aws_signing_helper`).
public enum HelpText {
    /// The help of one command.
    public static func command(program: String, name: String, summary: String, details: String?, flags: FlagSet) -> String {
        var text = summary + "\n"
        if let details, !details.isEmpty {
            text += "\n" + details + "\n"
        }
        text += "\nUsage:\n  \(program) \(name) [flags]\n\nFlags:\n"
        let visible = flags.flags.filter { !$0.isHidden } + [Flag("help", .bool, help: "help for \(name)")]
        let labels = visible.map { flag in
            "      --\(flag.name)" + (flag.valueName.isEmpty ? "" : " \(flag.valueName)")
        }
        let width = (labels.map(\.count).max() ?? 0) + 3
        for (flag, label) in zip(visible, labels) {
            var line = label + String(repeating: " ", count: width - label.count) + flag.help
            if let defaultDescription = flag.defaultDescription {
                line += " (default \(defaultDescription))"
            }
            text += line + "\n"
        }
        return text
    }

    /// The help of the program: its commands and a closing note.
    public static func program(
        program: String,
        summary: String,
        commands: [(name: String, summary: String)],
        footer: String?
    ) -> String {
        var text = summary + "\n\nUsage:\n  \(program) [command]\n\nAvailable Commands:\n"
        let width = (commands.map(\.name.count).max() ?? 0) + 3
        for command in commands {
            text += "  " + command.name + String(repeating: " ", count: width - command.name.count) + command.summary + "\n"
        }
        text += "\nFlags:\n  -h, --help      help for \(program)\n"
        if !program.contains(" ") { text += "      --version   version for \(program)\n" }
        text += "\nUse \"\(program) [command] --help\" for more information about a command.\n"
        if let footer { text += "\n" + footer + "\n" }
        return text
    }
}
