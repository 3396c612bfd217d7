#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereCommandLine
import RolesAnywherePKI
import RolesAnywhereSigning
import X509

/// `pki ca`: a self-signed root CA, or an intermediate CA signed by another CA.
struct PKICACommand: HelperCommand {
    static let name = "ca"
    static let summary = "Create a root CA, or an intermediate CA signed by another CA"
    static let details: String? = """
        Example:
          rolesanywhere pki ca --cn "Demo CA" --out-cert ca.pem --out-key ca.key
          rolesanywhere pki ca --cn "Issuing CA" --issuer-cert ca.pem --issuer-key ca.key --out-cert int.pem --out-key int.key
        """
    static let flagSet = FlagSet(
        SubjectOptions.flags + NewKeyOptions.flags(defaultType: "rsa2048") + SigningCAOptions.flags(prefix: "issuer") + [
            Flag("out-cert", valueName: "path", help: "Where to write the CA certificate (PEM)"),
            Flag("days", .int, default: "1095", help: "Validity in days"),
            Flag("path-len", .int, help: "Maximum number of intermediate CAs below this one"),
            Flag("serial", valueName: "hex", help: "Serial number in hexadecimal (default: random 128-bit)"),
            Flag("force", .bool, help: "Overwrite existing output files"),
        ]
    )

    var subject: SubjectName
    var key: NewKeyOptions
    var issuer: SigningCAOptions?
    var certificateOutput: String
    var keyOutput: String
    var seconds: Int
    var daysGiven: Bool
    var pathLength: Int?
    var serial: Certificate.SerialNumber
    var force: Bool

    init(flags: ParsedFlags) throws {
        subject = SubjectOptions(flags).subject
        key = try NewKeyOptions(flags, defaultType: "rsa2048")
        issuer = try SigningCAOptions(flags, prefix: "issuer", required: false)
        certificateOutput = try requireOutput(flags, "out-cert")
        keyOutput = try requireOutput(flags, "out-key")
        seconds = try lifetime(flags, defaultDays: 1095, allowHours: false)
        daysGiven = flags.isSet("days")
        pathLength = flags.string("path-len").flatMap(Int.init)
        serial = try flags.string("serial").map { try Certificate.SerialNumber(hex: $0) } ?? .random128()
        force = flags.bool("force")
        if certificateOutput == keyOutput { throw UsageError("--out-cert and --out-key must be different files") }
    }

    func run() throws {
        let name = try subject.distinguishedName()
        try OutputFile.checkWritable(certificateOutput, role: "CA certificate", force: force)
        try OutputFile.checkWritable(keyOutput, role: "CA key", force: force)
        let authority = try issuer?.load()
        let privateKey = try key.algorithm.generate()
        var validity = ValidityPeriod.starting(lasting: Double(seconds))
        if let authority, !daysGiven {
            // By default an intermediate lives as long as it can: no longer than its issuer.
            validity.notAfter = min(validity.notAfter, authority.certificate.fields.notValidAfter)
        }
        let certificate =
            if let authority {
                try authority.issueIntermediate(subject: name, publicKey: privateKey.publicKey, validity: validity, pathLength: pathLength, serialNumber: serial)
            } else {
                try CertificateAuthority.makeRoot(subject: name, key: privateKey, validity: validity, pathLength: pathLength, serialNumber: serial).certificate
            }
        try OutputFile.write(try key.encode(privateKey), to: keyOutput, role: "CA key", mode: 0o600, force: force)
        try OutputFile.write(certificate.pemString, to: certificateOutput, role: "CA certificate", mode: 0o644, force: force)
        CommandOutput.writeError(
            "wrote \(authority == nil ? "root" : "intermediate") CA \(name) (\(key.algorithm), serial \(serial.hexString), until \(PKIText.date(validity.notAfter))) to \(certificateOutput), key to \(keyOutput)"
        )
    }
}
