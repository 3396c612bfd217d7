/// The flags of one command, and the parser for them.
///
/// Parsing follows Go's pflag exactly where `aws_signing_helper` users depend on it:
/// - `--name value` takes the next argument as the value, whatever it looks like;
/// - `--name=value` allows an empty value;
/// - a boolean is set by `--name` and takes `--name=true|false|1|0|t|f` (never the next argument);
/// - a repeated flag keeps its last value;
/// - `--` ends the flags; `-h` and `--help` ask for help.
public struct FlagSet: Sendable {
    public var flags: [Flag]

    public init(_ flags: [Flag]) {
        self.flags = flags
    }

    /// The flag called `name`.
    public func flag(named name: String) -> Flag? {
        flags.first { $0.name == name }
    }

    /// Parses `arguments` (without the command name).
    public func parse(_ arguments: [String]) throws(UsageError) -> ParsedFlags {
        var parsed = ParsedFlags()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                parsed.positionals.append(contentsOf: arguments[index...])
                break
            }
            if argument == "-h" || argument == "--help" {
                parsed.helpRequested = true
                continue
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name: String
                var value: String?
                if let equals = body.firstIndex(of: "=") {
                    name = String(body[..<equals])
                    value = String(body[body.index(after: equals)...])
                } else {
                    name = String(body)
                }
                guard let flag = flag(named: name) else {
                    throw UsageError("unknown flag: --\(name)")
                }
                switch flag.kind {
                case .bool:
                    let text = value ?? "true"
                    guard let boolean = Self.parseBool(text) else {
                        throw UsageError("invalid value \"\(text)\" for --\(name): expected true or false")
                    }
                    parsed.values[name] = boolean ? "true" : "false"
                case .string, .int, .stringList:
                    if value == nil {
                        guard index < arguments.count else {
                            throw UsageError("flag needs an argument: --\(name)")
                        }
                        value = arguments[index]
                        index += 1
                    }
                    if flag.kind == .int, Int(value!) == nil {
                        throw UsageError("invalid value \"\(value!)\" for --\(name): expected a whole number")
                    }
                    if flag.kind == .stringList {
                        let items = value!.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
                        parsed.lists[name, default: []].append(contentsOf: items)
                    }
                    parsed.values[name] = value
                }
                continue
            }
            if argument.hasPrefix("-") && argument.count > 1 {
                let shorthand = argument.dropFirst().first!
                throw UsageError("unknown shorthand flag: '\(shorthand)' in \(argument) (flags start with --)")
            }
            parsed.positionals.append(argument)
        }
        return parsed
    }

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }
}

/// The values given on a command line.
public struct ParsedFlags: Sendable, Hashable {
    /// The last value given for each flag, by name; booleans are `"true"` or `"false"`.
    public var values: [String: String] = [:]
    /// Every value of each list flag, in order, with comma-separated items split.
    public var lists: [String: [String]] = [:]
    /// Arguments that are not flags.
    public var positionals: [String] = []
    /// Whether `-h` or `--help` was given.
    public var helpRequested = false

    public init() {}

    /// Whether the flag was given at all.
    public func isSet(_ name: String) -> Bool { values[name] != nil }

    /// The value of a string flag, or `nil` when it was not given.
    public func string(_ name: String) -> String? { values[name] }

    /// Every value of a list flag (empty when not given).
    public func list(_ name: String) -> [String] { lists[name] ?? [] }

    /// The value of a boolean flag (`false` when not given).
    public func bool(_ name: String) -> Bool { values[name] == "true" }

    /// The value of an integer flag, or `default` when it was not given.
    public func int(_ name: String, default defaultValue: Int) -> Int {
        values[name].flatMap { Int($0) } ?? defaultValue
    }
}
