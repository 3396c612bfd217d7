import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKCS11
import RolesAnywhereTPM
import RolesAnywherePKI
import RolesAnywhereSigning
import X509
import RolesAnywhereKeys

/// `pki csr`: a key and a certificate signing request for a workload.
struct PKICSRCommand: HelperCommand {
    static let name = "csr"
    static let summary = "Create a key and a certificate signing request for a workload"
    static let details: String? = """
        Example:
          rolesanywhere pki csr --cn myContainer --uri spiffe://example.org/ns/prod/sa/app --out-csr csr.pem --out-key key.pem
        With --key, the request is for an existing key instead of a new one: a PEM file, or a key on a
        PKCS#11 token named by its URI (pkcs11:token=...;object=...) or a TPM key (handle:0x81... or a
        TSS2 key file, with --tpm-key-password or --no-tpm-key-password), which never leaves the device.
        """
    static let flagSet = FlagSet(
        SubjectOptions.flags + SANOptions.flags + NewKeyOptions.flags(defaultType: "rsa2048") + [
            Flag("out-csr", valueName: "path", help: "Where to write the request (PEM)"),
            Flag("key", valueName: "path", help: "Use this existing private key (a PEM file or a PKCS#11 URI) instead of generating one"),
            Flag("pkcs11-lib", valueName: "path", help: "PKCS#11 module for a pkcs11: --key (default: p11-kit-proxy.so)"),
            Flag("tpm-key-password", valueName: "password", help: "Password of a TPM --key"),
            Flag("no-tpm-key-password", .bool, help: "The TPM --key has no password"),
            Flag("pkcs8-password", valueName: "password", help: "Password of the --key file, if encrypted"),
            Flag("pkcs8-password-file", valueName: "path", help: "File holding that password (or set ROLESANYWHERE_PKCS8_PASSWORD)"),
            Flag("force", .bool, help: "Overwrite existing output files"),
        ]
    )

    var subject: SubjectName
    var names: SubjectAlternativeNameList
    var key: NewKeyOptions
    var existingKey: String?
    var existingKeyPassword: PasswordSource
    var pkcs11Library: String?
    var tpmPassword: TPMIdentitySource.Password
    var output: String
    var force: Bool

    init(flags: ParsedFlags) throws {
        subject = SubjectOptions(flags).subject
        names = SANOptions(flags).names
        key = try NewKeyOptions(flags, defaultType: "rsa2048")
        existingKey = flags.string("key")
        existingKeyPassword = try passwordSource(flags, flag: "pkcs8-password", environment: PasswordSource.defaultEnvironmentVariable)
        output = try requireOutput(flags, "out-csr")
        force = flags.bool("force")
        pkcs11Library = flags.string("pkcs11-lib")
        tpmPassword = flags.string("tpm-key-password").map { .value($0) } ?? (flags.bool("no-tpm-key-password") ? .none : .unspecified)
        if pkcs11Library != nil && !(existingKey.map(PKCS11URI.isURI) ?? false) {
            throw UsageError("--pkcs11-lib is for a key on a PKCS#11 token: give --key as a pkcs11: URI")
        }
        if existingKey == nil && key.output == nil {
            throw UsageError("--out-key is required (or --key to use an existing key)")
        }
        if existingKey != nil && key.output != nil {
            throw UsageError("give either --key (an existing key) or --out-key (a new one), not both")
        }
    }

    func run() throws {
        let name = try subject.distinguishedName()
        let alternativeNames = names.isEmpty ? nil : try names.extensionValue()
        try OutputFile.checkWritable(output, role: "CSR", force: force)
        let privateKey: SigningKey
        if let existingKey {
            if TPMIdentitySource.applies(privateKey: existingKey) {
                privateKey = .certificateKey(try TPMIdentitySource(certificatePath: nil, privateKey: existingKey, password: tpmPassword).loadPrivateKey())
            } else if PKCS11URI.isURI(existingKey) {
                privateKey = .certificateKey(try PKCS11IdentitySource(certificate: nil, privateKey: existingKey, modulePath: pkcs11Library).loadPrivateKey())
            } else {
                privateKey = try FileIdentitySource.readKey(path: existingKey, password: existingKeyPassword)
            }
            if let problem = RolesAnywhereRequirements.keyProblem(privateKey.publicKey) {
                throw PKIError(.rejected, "IAM Roles Anywhere would reject a certificate for this key: \(problem)")
            }
        } else {
            try OutputFile.checkWritable(key.output!, role: "private key", force: force)
            privateKey = try key.algorithm.generate()
        }
        let request = try SigningRequests.make(subject: name, key: privateKey, subjectAlternativeNames: alternativeNames)
        if let keyOutput = key.output {
            try OutputFile.write(try key.encode(privateKey), to: keyOutput, role: "private key", mode: 0o600, force: force)
        }
        try OutputFile.write(request.pemString, to: output, role: "CSR", mode: 0o644, force: force)
        CommandOutput.writeError("wrote a request for \(name) to \(output)" + (key.output.map { ", key (\(key.algorithm)) to \($0)" } ?? ""))
    }
}
