import ArgumentParser
import RolesAnywhereCredentials

/// `read-certificate-data`: the certificate's key type, DER, serial number and supported algorithms,
/// as JSON.
struct ReadCertificateDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read-certificate-data",
        abstract: "Print diagnostic data about a certificate as JSON."
    )

    @Option(name: .customLong("certificate"), help: ArgumentHelp("Path to the certificate (PEM or DER).", valueName: "path"))
    var certificate: String?

    @Option(name: .customLong("cert-selector"), help: .hidden)
    var certSelector: String?

    @Option(name: .customLong("system-store-name"), help: .hidden)
    var systemStoreName: String?

    @Option(name: .customLong("pkcs11-lib"), help: .hidden)
    var pkcs11Lib: String?

    @Flag(name: .customLong("debug"), help: "Log the steps on standard error.")
    var debug = false

    func validate() throws {
        if certSelector != nil || systemStoreName != nil {
            throw ValidationError("certificate stores (--cert-selector, --system-store-name) exist only on macOS and Windows; on Linux pass --certificate")
        }
        if pkcs11Lib != nil || certificate?.hasPrefix("pkcs11:") == true {
            throw ValidationError("PKCS#11 tokens are not supported by this version of rolesanywhere")
        }
        guard let certificate, !certificate.isEmpty else {
            throw ValidationError("no certificate given: pass --certificate")
        }
    }

    func run() throws {
        let data = try CertificateData.read(path: certificate ?? "")
        CommandOutput.write(data.json)
    }
}
