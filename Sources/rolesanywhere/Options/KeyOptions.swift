import ArgumentParser
import RolesAnywhereCredentials

/// Where the certificate and private key come from: the flags of `aws_signing_helper`, plus password
/// sources that work without a terminal.
struct KeyOptions: ParsableArguments {
    @Option(
        name: .customLong("certificate"),
        help: ArgumentHelp(
            "Path to the end-entity certificate: PEM (the first CERTIFICATE block), or a PKCS#12 file when --private-key is not given.",
            valueName: "path"
        )
    )
    var certificate: String?

    @Option(
        name: .customLong("private-key"),
        help: ArgumentHelp(
            "Path to the private key: PEM PKCS#1, SEC1, PKCS#8 or encrypted PKCS#8. Defaults to a key in the certificate file.",
            valueName: "path"
        )
    )
    var privateKey: String?

    @Option(
        name: .customLong("pkcs8-password"),
        help: ArgumentHelp("Password of an encrypted private key or PKCS#12 file.", valueName: "password")
    )
    var pkcs8Password: String?

    @Option(
        name: .customLong("pkcs8-password-file"),
        help: ArgumentHelp(
            "File holding the password (a mounted secret). Without either flag, ROLESANYWHERE_PKCS8_PASSWORD is read.",
            valueName: "path"
        )
    )
    var pkcs8PasswordFile: String?

    @Option(name: .customLong("cert-selector"), help: .hidden)
    var certSelector: String?

    @Option(name: .customLong("system-store-name"), help: .hidden)
    var systemStoreName: String?

    @Option(name: .customLong("system-store-location"), help: .hidden)
    var systemStoreLocation: String?

    @Flag(name: .customLong("use-latest-expiring-certificate"), help: .hidden)
    var useLatestExpiringCertificate = false

    @Option(name: .customLong("pkcs11-lib"), help: .hidden)
    var pkcs11Lib: String?

    @Flag(name: .customLong("reuse-pin"), help: .hidden)
    var reusePin = false

    @Option(name: .customLong("tpm-key-password"), help: .hidden)
    var tpmKeyPassword: String?

    @Flag(name: .customLong("no-tpm-key-password"), help: .hidden)
    var noTpmKeyPassword = false

    func validate() throws {
        if certSelector != nil || systemStoreName != nil || systemStoreLocation != nil || useLatestExpiringCertificate {
            throw ValidationError(
                "certificate stores (--cert-selector, --system-store-name, --use-latest-expiring-certificate) exist only on macOS and Windows; on Linux pass --certificate and --private-key"
            )
        }
        if pkcs11Lib != nil || reusePin || [certificate, privateKey].contains(where: { $0?.hasPrefix("pkcs11:") == true }) {
            throw ValidationError("PKCS#11 keys (pkcs11: URIs, --pkcs11-lib, --reuse-pin) are not supported by this version of rolesanywhere")
        }
        if tpmKeyPassword != nil || noTpmKeyPassword || privateKey?.hasPrefix("handle:") == true {
            throw ValidationError("TPM keys (handle: keys, --tpm-key-password, --no-tpm-key-password) are not supported by this version of rolesanywhere")
        }
        if pkcs8Password != nil && pkcs8PasswordFile != nil {
            throw ValidationError("give the password with either --pkcs8-password or --pkcs8-password-file, not both")
        }
    }

    var passwordSource: PasswordSource {
        if let pkcs8Password { return .value(pkcs8Password) }
        if let pkcs8PasswordFile { return .file(pkcs8PasswordFile) }
        return .environment(PasswordSource.defaultEnvironmentVariable)
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
