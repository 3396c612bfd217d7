import RolesAnywhereCommandLine
import RolesAnywhereCredentials

/// Where the certificate and private key come from: the flags of `aws_signing_helper`, plus password
/// sources that work without a terminal.
struct KeyOptions {
    static let flags: [Flag] = [
        Flag(
            "certificate", valueName: "path",
            help: "Path to the end-entity certificate: PEM, DER, or PKCS#12 when --private-key is not given"
        ),
        Flag(
            "private-key", valueName: "path",
            help: "Path to the private key: PEM PKCS#1, SEC1, PKCS#8 or encrypted PKCS#8 (default: a key in the certificate file)"
        ),
        Flag("pkcs8-password", valueName: "password", help: "Password of an encrypted private key or PKCS#12 file"),
        Flag(
            "pkcs8-password-file", valueName: "path",
            help: "File holding that password (without either flag, ROLESANYWHERE_PKCS8_PASSWORD is read)"
        ),
        Flag("cert-selector", hidden: true, help: "Certificate store selector (macOS and Windows only)"),
        Flag("system-store-name", hidden: true, help: "Windows certificate store name"),
        Flag("system-store-location", hidden: true, help: "Windows certificate store location"),
        Flag("use-latest-expiring-certificate", .bool, hidden: true, help: "Certificate store selection"),
        Flag("pkcs11-lib", hidden: true, help: "PKCS#11 module"),
        Flag("reuse-pin", .bool, hidden: true, help: "PKCS#11 PIN reuse"),
        Flag("tpm-key-password", hidden: true, help: "TPM key password"),
        Flag("no-tpm-key-password", .bool, hidden: true, help: "TPM key without password"),
    ]

    var certificate: String?
    var privateKey: String?
    var passwordSource: PasswordSource

    init(_ flags: ParsedFlags) throws {
        if ["cert-selector", "system-store-name", "system-store-location", "use-latest-expiring-certificate"].contains(where: flags.isSet) {
            throw UsageError(
                "certificate stores (--cert-selector, --system-store-name, --use-latest-expiring-certificate) exist only on macOS and Windows; on Linux pass --certificate and --private-key"
            )
        }
        certificate = flags.string("certificate")
        privateKey = flags.string("private-key")
        if flags.isSet("pkcs11-lib") || flags.isSet("reuse-pin") || [certificate, privateKey].contains(where: { $0?.hasPrefix("pkcs11:") == true }) {
            throw UsageError("PKCS#11 keys (pkcs11: URIs, --pkcs11-lib, --reuse-pin) are not supported by this version of rolesanywhere")
        }
        if flags.isSet("tpm-key-password") || flags.isSet("no-tpm-key-password") || privateKey?.hasPrefix("handle:") == true {
            throw UsageError("TPM keys (handle: keys, --tpm-key-password, --no-tpm-key-password) are not supported by this version of rolesanywhere")
        }
        switch (flags.string("pkcs8-password"), flags.string("pkcs8-password-file")) {
        case (.some, .some):
            throw UsageError("give the password with either --pkcs8-password or --pkcs8-password-file, not both")
        case (let password?, nil):
            passwordSource = .value(password)
        case (nil, let file?):
            passwordSource = .file(file)
        case (nil, nil):
            passwordSource = .environment(PasswordSource.defaultEnvironmentVariable)
        }
    }

    func identitySource(intermediates: String?) -> FileIdentitySource {
        FileIdentitySource(
            certificatePath: certificate,
            privateKeyPath: privateKey,
            intermediatesPath: intermediates,
            password: passwordSource
        )
    }
}
