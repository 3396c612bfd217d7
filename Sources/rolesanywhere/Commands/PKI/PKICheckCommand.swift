import RolesAnywhereCommandLine
import RolesAnywherePKI

/// `pki check`: every IAM Roles Anywhere requirement, PASS or FAIL, with what to change.
struct PKICheckCommand: HelperCommand {
    static let name = "check"
    static let summary = "Check a CA, a certificate, a chain and a CRL against the IAM Roles Anywhere requirements"
    static let details: String? = """
        Example:
          rolesanywhere pki check --ca ca-cert.pem --certificate cert.pem [--intermediates bundle.pem] [--crl crl.pem] [--json]
        Exits 0 when every requirement is met and 7 when one fails.
        """
    static let flagSet = FlagSet([
        Flag("ca", valueName: "path", help: "The trust anchor's CA certificate(s), PEM or DER (at most 2)"),
        Flag("certificate", valueName: "path", help: "The end-entity certificate"),
        Flag("intermediates", valueName: "path", help: "Intermediate CA certificates between them"),
        Flag("crl", valueName: "path", help: "A CRL of the CA (PEM or DER)"),
        Flag("json", .bool, help: "Print the report as JSON"),
    ])

    var ca: String?
    var certificate: String?
    var intermediates: String?
    var crl: String?
    var json: Bool

    init(flags: ParsedFlags) throws {
        ca = flags.string("ca")
        certificate = flags.string("certificate")
        intermediates = flags.string("intermediates")
        crl = flags.string("crl")
        json = flags.bool("json")
        if ca == nil && certificate == nil { throw UsageError("nothing to check: give --ca, --certificate, or both") }
    }

    func run() throws {
        let (ca, certificate, intermediates, crl) = (ca, certificate, intermediates, crl)
        let report = try runBlocking { try await PKICheck(ca: ca, certificate: certificate, intermediates: intermediates, crl: crl) }
        CommandOutput.write(json ? report.json : report.text)
        if !report.passed {
            throw CheckFailed()
        }
    }
}

/// `pki check` found a failing requirement (the report says which).
struct CheckFailed: Error {}
