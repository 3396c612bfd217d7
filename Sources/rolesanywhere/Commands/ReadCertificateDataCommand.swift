import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKCS11
import RolesAnywhereSigning
import X509

/// `read-certificate-data`: the certificate's key type, DER, serial number and supported algorithms,
/// as JSON; for a PKCS#11 URI, the list of matching certificates on the token(s), as
/// `aws_signing_helper` prints it.
struct ReadCertificateDataCommand: HelperCommand {
    static let name = "read-certificate-data"
    static let summary = "Print diagnostic data about a certificate as JSON"
    static let flagSet = FlagSet([
        Flag("certificate", valueName: "path", help: "The certificate: a PEM or DER file, or a PKCS#11 URI to list a token's certificates"),
        Flag("debug", .bool, help: "Log the steps on standard error"),
        Flag("cert-selector", hidden: true, help: "Certificate store selector (macOS and Windows only)"),
        Flag("system-store-name", hidden: true, help: "Windows certificate store name"),
        Flag("pkcs11-lib", valueName: "path", help: "PKCS#11 module for a pkcs11: URI (default: p11-kit-proxy.so)"),
    ])

    var certificate: String

    init(flags: ParsedFlags) throws {
        if flags.isSet("cert-selector") || flags.isSet("system-store-name") {
            throw UsageError("certificate stores (--cert-selector, --system-store-name) exist only on macOS and Windows; on Linux pass --certificate")
        }
        guard let certificate = flags.string("certificate"), !certificate.isEmpty else {
            throw UsageError("no certificate given: pass --certificate")
        }
        pkcs11Library = flags.string("pkcs11-lib")
        if pkcs11Library != nil && !PKCS11URI.isURI(certificate) {
            throw UsageError("--pkcs11-lib is for a PKCS#11 token: give --certificate as a pkcs11: URI")
        }
        self.certificate = certificate
    }

    var pkcs11Library: String?

    func run() throws {
        guard PKCS11URI.isURI(certificate) else {
            CommandOutput.write(try CertificateData.read(path: certificate).json)
            return
        }
        let found = try PKCS11IdentitySource.listCertificates(uri: certificate, moduleFlag: pkcs11Library)
        guard !found.isEmpty else {
            CommandOutput.write("No matching identities\n")
            return
        }
        var text = "Matching identities\n"
        for (index, entry) in found.enumerated() {
            text += "\(index + 1)) \(entry.sha1Fingerprint) \"\(entry.certificate.fields.subject)\"\n\tURI: \(entry.uri)\n"
        }
        CommandOutput.write(text)
    }
}
