import RolesAnywhereCommandLine
import RolesAnywhereCredentials

/// `read-certificate-data`: the certificate's key type, DER, serial number and supported algorithms,
/// as JSON.
struct ReadCertificateDataCommand: HelperCommand {
    static let name = "read-certificate-data"
    static let summary = "Print diagnostic data about a certificate as JSON"
    static let flagSet = FlagSet([
        Flag("certificate", valueName: "path", help: "Path to the certificate (PEM or DER)"),
        Flag("debug", .bool, help: "Log the steps on standard error"),
        Flag("cert-selector", hidden: true, help: "Certificate store selector (macOS and Windows only)"),
        Flag("system-store-name", hidden: true, help: "Windows certificate store name"),
        Flag("pkcs11-lib", hidden: true, help: "PKCS#11 module"),
    ])

    var certificate: String

    init(flags: ParsedFlags) throws {
        if flags.isSet("cert-selector") || flags.isSet("system-store-name") {
            throw UsageError("certificate stores (--cert-selector, --system-store-name) exist only on macOS and Windows; on Linux pass --certificate")
        }
        if flags.isSet("pkcs11-lib") || flags.string("certificate")?.hasPrefix("pkcs11:") == true {
            throw UsageError("PKCS#11 tokens are not supported by this version of rolesanywhere")
        }
        guard let certificate = flags.string("certificate"), !certificate.isEmpty else {
            throw UsageError("no certificate given: pass --certificate")
        }
        self.certificate = certificate
    }

    func run() throws {
        CommandOutput.write(try CertificateData.read(path: certificate).json)
    }
}
