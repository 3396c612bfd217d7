#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSigning
import X509
import RolesAnywhereSupport
import RolesAnywhereKeys

/// `pki crl`: a signed X.509 v2 CRL, ready for `aws rolesanywhere import-crl`.
struct PKICRLCommand: HelperCommand {
    static let name = "crl"
    static let summary = "Create a signed CRL listing revoked serial numbers"
    static let details: String? = """
        Example:
          rolesanywhere pki crl --ca-cert ca.pem --ca-key ca.key --revoke 0123 --revoke-certificate old.pem --out crl.pem
          aws rolesanywhere import-crl --name my-crl --crl-data fileb://crl.pem --trust-anchor-arn TA_ARN --enabled
        With --from, the entries of an existing CRL are kept and its CRL number is incremented.
        """
    static let flagSet = FlagSet(
        SigningCAOptions.flags() + [
            Flag("revoke", .stringList, valueName: "hex", help: "Serial number to revoke, in hexadecimal; repeat for several"),
            Flag("revoke-certificate", .stringList, valueName: "path", help: "Certificate to revoke; repeat for several"),
            Flag("from", valueName: "path", help: "Keep the entries of this CRL"),
            Flag("out", valueName: "path", help: "Where to write the CRL (PEM)"),
            Flag("days", .int, default: "30", help: "Days until nextUpdate"),
            Flag("crl-number", .int, help: "CRL number (default 1, or one more than --from's)"),
            Flag("force", .bool, help: "Overwrite an existing output file"),
        ]
    )

    var authority: SigningCAOptions
    var serials: [Certificate.SerialNumber]
    var certificates: [String]
    var from: String?
    var output: String
    var days: Int
    var crlNumber: Int?
    var force: Bool

    init(flags: ParsedFlags) throws {
        authority = try SigningCAOptions(flags, required: true)!
        serials = try flags.list("revoke").map { try Certificate.SerialNumber(hex: $0) }
        certificates = flags.list("revoke-certificate")
        from = flags.string("from")
        output = try requireOutput(flags, "out")
        days = flags.int("days", default: 30)
        crlNumber = flags.string("crl-number").flatMap(Int.init)
        force = flags.bool("force")
        guard (1...3650).contains(days) else { throw UsageError("--days must be from 1 to 3650") }
        if let crlNumber, crlNumber < 0 { throw UsageError("--crl-number must be 0 or more") }
    }

    func run() throws {
        try PKICRLCommand.write(
            authority: try authority.load(), serials: serials, certificates: certificates, from: from,
            output: output, days: days, crlNumber: crlNumber, force: force
        )
    }

    /// Builds the CRL (shared with `pki revoke`).
    static func write(
        authority: CertificateAuthority,
        serials: [Certificate.SerialNumber],
        certificates: [String],
        from: String?,
        output: String,
        days: Int,
        crlNumber: Int?,
        force: Bool
    ) throws {
        try OutputFile.checkWritable(output, role: "CRL", force: force)
        let now = Date()
        var entries = [CertificateRevocationList.Entry]()
        var number = UInt64(crlNumber ?? 1)
        if let from {
            let previous = try CertificateRevocationList(pemOrDER: try FileReader.read(from, role: "CRL"), source: "the CRL '\(from)'")
            guard previous.issuer == authority.certificate.fields.subject,
                previous.isSigned(by: authority.certificate.fields)
            else {
                throw PKIError(.invalidInput, "the CRL '\(from)' was not signed by \(authority.certificate.fields.subject)")
            }
            entries = previous.entries
            if crlNumber == nil { number = (previous.crlNumberValue ?? 0) + 1 }
        }
        var added = [String]()
        func add(_ serial: [UInt8]) {
            let entry = CertificateRevocationList.Entry(serialNumber: serial, revocationDate: now)
            guard !entries.contains(where: { $0.serialNumber == entry.serialNumber }) else { return }
            entries.append(entry)
            added.append(entry.serialHex)
        }
        for serial in serials { add(Array(serial.bytes)) }
        for path in certificates {
            let certificate = try CertificateParser.certificates(file: path, role: "certificate to revoke")[0]
            guard certificate.fields.issuer == authority.certificate.fields.subject else {
                throw PKIError(.invalidInput, "'\(path)' was issued by \(certificate.fields.issuer), not by this CA")
            }
            add(Array(certificate.fields.serialNumber.bytes))
        }
        let crl = try CertificateRevocationList.make(
            authority: authority, entries: entries, thisUpdate: now, nextUpdate: now.addingTimeInterval(Double(days) * 86_400),
            crlNumber: number
        )
        try OutputFile.write(crl.pemString, to: output, role: "CRL", mode: 0o644, force: force)
        CommandOutput.writeError(
            "wrote CRL #\(number) of \(authority.certificate.fields.subject) with \(entries.count) revoked serial\(entries.count == 1 ? "" : "s")"
                + (added.isEmpty ? "" : " (new: \(added.joined(separator: ", ")))") + " to \(output)"
        )
    }
}
