/// Accepts the flag spellings of `aws_signing_helper` (Go's pflag) that swift-argument-parser does not:
/// `--flag=true` and `--flag=false` for boolean flags.
enum CompatibilityArguments {
    static let booleanFlags: Set<String> = [
        "no-verify-ssl", "with-proxy", "debug", "use-latest-expiring-certificate", "reuse-pin",
        "no-tpm-key-password", "once",
    ]

    static func normalize(_ arguments: [String]) -> [String] {
        var result = [String]()
        for argument in arguments {
            if argument == "--" {
                result.append(argument)
                continue
            }
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                let name = String(argument[argument.index(argument.startIndex, offsetBy: 2)..<equals])
                let value = argument[argument.index(after: equals)...].lowercased()
                if booleanFlags.contains(name) {
                    if ["true", "1", "t"].contains(value) {
                        result.append("--" + name)
                        continue
                    }
                    if ["false", "0", "f"].contains(value) {
                        continue
                    }
                }
            }
            result.append(argument)
        }
        return result
    }
}
