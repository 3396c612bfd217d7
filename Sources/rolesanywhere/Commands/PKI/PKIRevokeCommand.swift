import RolesAnywhereCommandLine
import RolesAnywherePKI
import X509
#if canImport(Glibc)
import Glibc
#endif

/// `pki revoke`: adds certificates to a CRL file, creating it if needed.
struct PKIRevokeCommand: HelperCommand {
    static let name = "revoke"
    static let summary = "Revoke certificates by adding them to a CRL file (created if missing)"
    static let details: String? = """
        Example:
          rolesanywhere pki revoke --ca-cert ca.pem --ca-key ca.key --crl crl.pem --certificate cert.pem
          aws rolesanywhere update-crl --crl-id CRL_ID --crl-data fileb://crl.pem
        """
    static let flagSet = FlagSet(
        SigningCAOptions.flags() + [
            Flag("crl", valueName: "path", help: "The CRL file to update"),
            Flag("serial", .stringList, valueName: "hex", help: "Serial number to revoke, in hexadecimal"),
            Flag("certificate", .stringList, valueName: "path", help: "Certificate to revoke"),
            Flag("days", .int, default: "30", help: "Days until nextUpdate"),
        ]
    )

    var authority: SigningCAOptions
    var crl: String
    var serials: [Certificate.SerialNumber]
    var certificates: [String]
    var days: Int

    init(flags: ParsedFlags) throws {
        authority = try SigningCAOptions(flags, required: true)!
        crl = try requireOutput(flags, "crl")
        serials = try flags.list("serial").map { try Certificate.SerialNumber(hex: $0) }
        certificates = flags.list("certificate")
        days = flags.int("days", default: 30)
        if serials.isEmpty && certificates.isEmpty { throw UsageError("give --serial or --certificate: what to revoke") }
        guard (1...3650).contains(days) else { throw UsageError("--days must be from 1 to 3650") }
    }

    func run() throws {
        let exists = access(crl, F_OK) == 0
        try PKICRLCommand.write(
            authority: try authority.load(), serials: serials, certificates: certificates, from: exists ? crl : nil,
            output: crl, days: days, crlNumber: nil, force: true
        )
    }
}
