/// One command-line flag, in the style of Go's pflag, which `aws_signing_helper` uses: `--name value`,
/// `--name=value`, and for booleans `--name` or `--name=true|false`.
public struct Flag: Sendable, Hashable {
    /// What the flag holds.
    public enum Kind: Sendable, Hashable {
        case string
        case int
        case bool
        /// A string that may be given several times; each value may also hold comma-separated items
        /// (pflag's `StringSlice`).
        case stringList
    }

    /// The long name, without the dashes.
    public var name: String
    public var kind: Kind
    /// One line of help.
    public var help: String
    /// The value's name in help (`string`, `int`, `path`); empty for booleans.
    public var valueName: String
    /// The default, as shown in help; `nil` for none.
    public var defaultDescription: String?
    /// Accepted but not listed in help (compatibility flags that only explain why they do not apply).
    public var isHidden: Bool

    public init(
        _ name: String,
        _ kind: Kind = .string,
        valueName: String? = nil,
        default defaultDescription: String? = nil,
        hidden: Bool = false,
        help: String
    ) {
        self.name = name
        self.kind = kind
        self.help = help
        self.valueName = valueName ?? (kind == .int ? "int" : kind == .bool ? "" : kind == .stringList ? "strings" : "string")
        self.defaultDescription = defaultDescription
        self.isHidden = hidden
    }
}

/// A command-line mistake: an unknown flag, a missing value, a value of the wrong type.
public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
