import ArgumentParser
import RolesAnywhereCredentials
import RolesAnywhereSigning

/// `sign-string`: signs the official helper's fixed test string, to check that a key works.
struct SignStringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-string",
        abstract: "Sign a fixed test string with the private key and print the signature.",
        discussion: """
            The string is "AWS Roles Anywhere Credential Helper Signing Test" || "1" || SHA256("IAM RA" || public key), \
            as aws_signing_helper signs it.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, text, bin
    }

    enum Digest: String, ExpressibleByArgument, CaseIterable {
        case sha256 = "SHA256"
        case sha384 = "SHA384"
        case sha512 = "SHA512"

        var signatureDigest: FixedStringSigner.Digest {
            switch self {
            case .sha256: .sha256
            case .sha384: .sha384
            case .sha512: .sha512
            }
        }
    }

    @Option(name: .customLong("format"), help: "Output format: json (default), text or bin.")
    var format: Format = .json

    @Option(name: .customLong("digest"), help: "Digest: SHA256 (default), SHA384 or SHA512.")
    var digest: Digest = .sha256

    @Flag(name: .customLong("debug"), help: "Log the steps on standard error.")
    var debug = false

    @OptionGroup var keys: KeyOptions

    func validate() throws {
        if keys.certificate == nil && keys.privateKey == nil {
            throw ValidationError("no private key given: pass --private-key (or --certificate with a file that also holds the key)")
        }
    }

    func run() throws {
        let source = keys.identitySource(intermediates: nil)
        // With both files, load them together so a key that does not match the certificate is caught.
        let key = keys.certificate != nil && keys.privateKey != nil ? try source.load().privateKey : try source.loadPrivateKey()
        let signature = try FixedStringSigner.sign(with: key, digest: digest.signatureDigest)
        let hex = signature.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
        switch format {
        case .json: CommandOutput.write("\"" + hex + "\"")
        case .text: CommandOutput.write(hex)
        case .bin: CommandOutput.write(bytes: signature)
        }
    }
}
