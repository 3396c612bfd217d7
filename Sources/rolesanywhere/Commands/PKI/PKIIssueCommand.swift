import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSigning
import X509
import RolesAnywhereSupport

/// `pki issue`: an end-entity certificate, from a CSR or for a freshly generated key.
struct PKIIssueCommand: HelperCommand {
    static let name = "issue"
    static let summary = "Issue a short-lived end-entity certificate from a CSR or with a new key"
    static let details: String? = """
        Examples:
          rolesanywhere pki issue --ca-cert ca.pem --ca-key ca.key --cn myContainer --out-cert cert.pem --out-key key.pem
          rolesanywhere pki issue --ca-cert ca.pem --ca-key ca.key --csr csr.pem --out-cert cert.pem
        The certificate gets basicConstraints CA:FALSE, keyUsage digitalSignature, a random 128-bit serial
        and, by default, one day of validity. A CSR's subject and subject alternative names are used
        unless flags give others; anything IAM Roles Anywhere would reject is refused.
        """
    static let flagSet = FlagSet(
        SigningCAOptions.flags() + SubjectOptions.flags + SANOptions.flags + NewKeyOptions.flags(defaultType: "rsa2048") + [
            Flag("csr", valueName: "path", help: "Issue for this certificate signing request instead of a new key"),
            Flag("out-cert", valueName: "path", help: "Where to write the certificate (PEM)"),
            Flag("days", .int, help: "Validity in days (default 1)"),
            Flag("hours", .int, help: "Validity in hours"),
            Flag("serial", valueName: "hex", help: "Serial number in hexadecimal (default: random 128-bit)"),
            Flag("force", .bool, help: "Overwrite existing output files"),
        ]
    )

    var authority: SigningCAOptions
    var subject: SubjectOptions
    var names: SubjectAlternativeNameList
    var key: NewKeyOptions
    var csr: String?
    var output: String
    var seconds: Int
    var serial: Certificate.SerialNumber
    var force: Bool

    init(flags: ParsedFlags) throws {
        authority = try SigningCAOptions(flags, required: true)!
        subject = SubjectOptions(flags)
        names = SANOptions(flags).names
        key = try NewKeyOptions(flags, defaultType: "rsa2048")
        csr = flags.string("csr")
        output = try requireOutput(flags, "out-cert")
        seconds = try lifetime(flags, defaultDays: 1, allowHours: true)
        serial = try flags.string("serial").map { try Certificate.SerialNumber(hex: $0) } ?? .random128()
        force = flags.bool("force")
        switch (csr, key.output) {
        case (nil, nil): throw UsageError("--out-key is required to write the new key (or give --csr)")
        case (.some, .some): throw UsageError("with --csr the key stays with the requester: drop --out-key")
        default: break
        }
        if csr == nil && !subject.isGiven { throw UsageError("--cn is required (or give --csr)") }
    }

    func run() throws {
        try OutputFile.checkWritable(output, role: "certificate", force: force)
        if let keyOutput = key.output { try OutputFile.checkWritable(keyOutput, role: "private key", force: force) }
        let ca = try authority.load()
        let publicKey: CertificatePublicKey
        var name: DistinguishedName
        var alternativeNames: SubjectAlternativeNames?
        var newKey: SigningKey?
        if let csr {
            let request = try SigningRequests.read(try FileReader.read(csr, role: "CSR"), source: "the CSR '\(csr)'")
            publicKey = request.publicKey
            name = request.subject
            alternativeNames = request.subjectAlternativeNames
        } else {
            let privateKey = try key.algorithm.generate()
            newKey = privateKey
            publicKey = privateKey.publicKey
            name = try subject.subject.distinguishedName()
        }
        if subject.isGiven { name = try subject.subject.distinguishedName() }
        if !names.isEmpty { alternativeNames = try names.extensionValue() }
        let validity = ValidityPeriod.starting(lasting: Double(seconds))
        let certificate = try ca.issueEndEntity(
            subject: name, publicKey: publicKey, subjectAlternativeNames: alternativeNames, validity: validity, serialNumber: serial
        )
        if let newKey, let keyOutput = key.output {
            try OutputFile.write(try key.encode(newKey), to: keyOutput, role: "private key", mode: 0o600, force: force)
        }
        try OutputFile.write(certificate.pemString, to: output, role: "certificate", mode: 0o644, force: force)
        CommandOutput.writeError(
            "issued \(name) (serial \(serial.hexString), until \(PKIText.date(validity.notAfter))) by \(ca.certificate.fields.subject) to \(output)"
                + (key.output.map { ", key (\(key.algorithm)) to \($0)" } ?? "")
        )
    }
}
