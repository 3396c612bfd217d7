import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywhereSigning

/// `sign-string`: signs the official helper's fixed test string, to check that a key works.
struct SignStringCommand: HelperCommand {
    static let name = "sign-string"
    static let summary = "Sign a fixed test string with the private key and print the signature"
    static let details: String? = """
        The string is "AWS Roles Anywhere Credential Helper Signing Test" || "1" || SHA256("IAM RA" || public key),
        as aws_signing_helper signs it.
        """
    static let flagSet = FlagSet(
        [
            Flag("format", valueName: "string", default: "json", help: "Output format: json, text or bin"),
            Flag("digest", valueName: "string", default: "SHA256", help: "Digest: SHA256, SHA384 or SHA512"),
            Flag("debug", .bool, help: "Log the steps on standard error"),
        ] + KeyOptions.flags
    )

    enum Format: String, CaseIterable {
        case json, text, bin
    }

    var format: Format
    var digest: FixedStringSigner.Digest
    var keys: KeyOptions

    init(flags: ParsedFlags) throws {
        let formatText = flags.string("format") ?? "json"
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw UsageError("--format \"\(formatText)\" is not one of json, text, bin")
        }
        self.format = format
        let digestText = flags.string("digest") ?? "SHA256"
        switch digestText.uppercased() {
        case "SHA256": digest = .sha256
        case "SHA384": digest = .sha384
        case "SHA512": digest = .sha512
        default: throw UsageError("--digest \"\(digestText)\" is not one of SHA256, SHA384, SHA512")
        }
        keys = try KeyOptions(flags)
        if keys.certificate == nil && keys.privateKey == nil {
            throw UsageError("no private key given: pass --private-key (or --certificate with a file that also holds the key)")
        }
    }

    func run() throws {
        let source = keys.identitySource(intermediates: nil)
        // With both files, load them together so a key that does not match the certificate is caught.
        let key = keys.certificate != nil && keys.privateKey != nil ? try source.load().key : try source.loadPrivateKey()
        let signature = try FixedStringSigner.sign(with: key, digest: digest)
        switch format {
        case .json: CommandOutput.write("\"" + Hex.encode(signature) + "\"")
        case .text: CommandOutput.write(Hex.encode(signature))
        case .bin: CommandOutput.write(bytes: signature)
        }
    }
}
