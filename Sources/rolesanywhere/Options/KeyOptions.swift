import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKCS11
import RolesAnywhereTPM
import RolesAnywhereKeys
import RolesAnywhereSupport

/// Where the certificate and private key come from: the flags of `aws_signing_helper`, plus password
/// sources that work without a terminal.
struct KeyOptions {
    static let flags: [Flag] = [
        Flag(
            "certificate", valueName: "path",
            help: "The end-entity certificate: PEM, DER, PKCS#12 when --private-key is not given, or a PKCS#11 URI"
        ),
        Flag(
            "private-key", valueName: "path",
            help: "The private key: PEM PKCS#1, SEC1, PKCS#8 or encrypted PKCS#8, or a PKCS#11 URI (default: the key of --certificate)"
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
        Flag("pkcs11-lib", valueName: "path", help: "PKCS#11 module for pkcs11: URIs (default: p11-kit-proxy.so)"),
        Flag("reuse-pin", .bool, help: "Give the user PIN again to PKCS#11 keys that ask for it before each signature"),
        Flag("tpm-key-password", valueName: "password", help: "Password of a TPM key (handle:0x81... or a TSS2 key file)"),
        Flag("no-tpm-key-password", .bool, help: "The TPM key has no password"),
    ]

    var certificate: String?
    var privateKey: String?
    var passwordSource: PasswordSource
    /// `--pkcs11-lib` and `--reuse-pin`, for pkcs11: URIs.
    var pkcs11Library: String?
    var reusePIN: Bool
    /// `--tpm-key-password` / `--no-tpm-key-password`, for TPM keys.
    var tpmPassword: TPMIdentitySource.Password

    init(_ flags: ParsedFlags) throws {
        if ["cert-selector", "system-store-name", "system-store-location", "use-latest-expiring-certificate"].contains(where: flags.isSet) {
            throw UsageError(
                "certificate stores (--cert-selector, --system-store-name, --use-latest-expiring-certificate) exist only on macOS and Windows; on Linux pass --certificate and --private-key"
            )
        }
        certificate = flags.string("certificate")
        privateKey = flags.string("private-key")
        pkcs11Library = flags.string("pkcs11-lib")
        reusePIN = flags.bool("reuse-pin")
        if (flags.isSet("pkcs11-lib") || reusePIN) && !PKCS11IdentitySource.applies(certificate: certificate, privateKey: privateKey) {
            throw UsageError("--pkcs11-lib and --reuse-pin are for keys on PKCS#11 tokens: give --certificate or --private-key as a pkcs11: URI")
        }
        switch (flags.string("tpm-key-password"), flags.bool("no-tpm-key-password")) {
        case (.some, true):
            throw UsageError("give either --tpm-key-password or --no-tpm-key-password, not both")
        case (let password?, false): tpmPassword = .value(password)
        case (nil, true): tpmPassword = .none
        case (nil, false): tpmPassword = .unspecified
        }
        if tpmPassword != .unspecified {
            if !TPMIdentitySource.applies(privateKey: privateKey) {
                throw UsageError("--tpm-key-password and --no-tpm-key-password are for TPM keys: give --private-key as handle:0x81... or a TSS2 key file")
            }
            if flags.isSet("pkcs8-password") || flags.isSet("pkcs8-password-file") {
                throw UsageError("--pkcs8-password is for encrypted key files, --tpm-key-password for TPM keys: give one")
            }
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

    /// Where the identity comes from: a TPM for a `handle:` or TSS2 key file, a PKCS#11 token when either
    /// flag is a `pkcs11:` URI, else files.
    func identitySource(intermediates: String?) -> IdentitySource {
        if let privateKey, privateKey.hasPrefix("handle:") {
            return .tpm(TPMIdentitySource(certificatePath: certificate, privateKey: privateKey, intermediatesPath: intermediates, password: tpmPassword))
        }
        // The key file is read once: to tell a TPM key file from a PEM key, and then for the key.
        // An unreadable one is left to the source, which says why.
        let keyContents = privateKey.flatMap { $0.hasPrefix("pkcs11:") ? nil : try? FileReader.read($0, role: "private key") }
        if let privateKey, let keyContents, TPMIdentitySource.holdsTSS2Key(keyContents) {
            return .tpm(TPMIdentitySource(certificatePath: certificate, privateKey: privateKey, intermediatesPath: intermediates, password: tpmPassword))
        }
        if PKCS11IdentitySource.applies(certificate: certificate, privateKey: privateKey) {
            return .pkcs11(
                PKCS11IdentitySource(
                    certificate: certificate,
                    privateKey: privateKey,
                    intermediatesPath: intermediates,
                    modulePath: pkcs11Library,
                    reusePIN: reusePIN
                )
            )
        }
        return .files(
            FileIdentitySource(
                certificatePath: certificate,
                privateKeyPath: privateKey,
                intermediatesPath: intermediates,
                password: passwordSource,
                privateKeyContents: keyContents
            )
        )
    }
}
