import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSigning
import X509
import RolesAnywhereKeys

/// `--cn`, `--o`, `--ou`, `--c`, `--st`, `--l`.
struct SubjectOptions {
    static let flags: [Flag] = [
        Flag("cn", valueName: "name", help: "Common name (CN)"),
        Flag("o", valueName: "name", help: "Organization (O)"),
        Flag("ou", .stringList, valueName: "name", help: "Organizational unit (OU); repeat for several"),
        Flag("c", valueName: "code", help: "Two-letter country (C)"),
        Flag("st", valueName: "name", help: "State or province (ST)"),
        Flag("l", valueName: "name", help: "Locality (L)"),
    ]

    var subject: SubjectName
    var isGiven: Bool

    init(_ flags: ParsedFlags) {
        subject = SubjectName(
            commonName: flags.string("cn"),
            organization: flags.string("o"),
            organizationalUnits: flags.list("ou"),
            country: flags.string("c"),
            stateOrProvince: flags.string("st"),
            locality: flags.string("l")
        )
        isGiven = ["cn", "o", "ou", "c", "st", "l"].contains(where: flags.isSet)
    }
}

/// `--dns`, `--uri`, `--email`, `--ip`.
struct SANOptions {
    static let flags: [Flag] = [
        Flag("dns", .stringList, valueName: "name", help: "DNS subject alternative name; repeat or separate with commas"),
        Flag("uri", .stringList, valueName: "uri", help: "URI subject alternative name, e.g. a SPIFFE ID"),
        Flag("email", .stringList, valueName: "address", help: "E-mail subject alternative name"),
        Flag("ip", .stringList, valueName: "address", help: "IP address subject alternative name"),
    ]

    var names: SubjectAlternativeNameList

    init(_ flags: ParsedFlags) {
        names = SubjectAlternativeNameList(
            dnsNames: flags.list("dns"), uris: flags.list("uri"), emails: flags.list("email"), ipAddresses: flags.list("ip")
        )
    }
}

/// A new key: its type, where it goes, and the password that encrypts it.
struct NewKeyOptions {
    static func flags(defaultType: String) -> [Flag] {
        [
            Flag("key-type", valueName: "type", default: defaultType, help: "Key to generate: \(KeyAlgorithm.names.joined(separator: ", "))"),
            Flag("key-format", valueName: "form", default: "seed", help: "How an ML-DSA key is written (RFC 9881): seed, expanded or both"),
            Flag("out-key", valueName: "path", help: "Where to write the new private key (mode 0600)"),
            Flag("key-password", valueName: "password", help: "Encrypt the new key (PBES2, AES-256-CBC) with this password"),
            Flag("key-password-file", valueName: "path", help: "Encrypt the new key with the password in this file (or set ROLESANYWHERE_KEY_PASSWORD)"),
        ]
    }

    var algorithm: KeyAlgorithm
    var form: MLDSAPrivateKeyInfo.Form
    var output: String?
    var password: PasswordSource

    init(_ flags: ParsedFlags, defaultType: String) throws {
        algorithm = try KeyAlgorithm(parsing: flags.string("key-type") ?? defaultType)
        let formName = flags.string("key-format") ?? "seed"
        guard let form = MLDSAPrivateKeyInfo.Form(rawValue: formName.lowercased()) else {
            throw UsageError("--key-format must be seed, expanded or both, not '\(formName)'")
        }
        self.form = form
        if flags.isSet("key-format"), case .mlDSA = algorithm {} else if flags.isSet("key-format") {
            throw UsageError("--key-format is for ML-DSA keys (--key-type ml-dsa-44, ml-dsa-65 or ml-dsa-87)")
        }
        output = flags.string("out-key")
        password = try passwordSource(flags, flag: "key-password", environment: "ROLESANYWHERE_KEY_PASSWORD")
    }

    /// The key as PEM (an ML-DSA key in the chosen form), encrypted when a password was given.
    func encode(_ key: SigningKey) throws -> String {
        try PrivateKeyPEM.encode(key, password: try password.resolve(), form: form)
    }
}

/// The CA that signs: `--ca-cert`, `--ca-key` and the key's password.
struct SigningCAOptions {
    static func flags(prefix: String = "ca") -> [Flag] {
        [
            Flag("\(prefix)-cert", valueName: "path", help: "The \(prefix == "ca" ? "CA" : "issuing CA")'s certificate (PEM)"),
            Flag("\(prefix)-key", valueName: "path", help: "The \(prefix == "ca" ? "CA" : "issuing CA")'s private key (PEM, encrypted or not)"),
            Flag("\(prefix)-key-password", valueName: "password", help: "Password of that key"),
            Flag(
                "\(prefix)-key-password-file", valueName: "path",
                help: "File holding that password (or set ROLESANYWHERE_CA_KEY_PASSWORD)"
            ),
        ]
    }

    var certificatePath: String
    var keyPath: String
    var password: PasswordSource

    init?(_ flags: ParsedFlags, prefix: String = "ca", required: Bool) throws {
        let certificate = flags.string("\(prefix)-cert")
        let key = flags.string("\(prefix)-key")
        switch (certificate, key) {
        case (let certificate?, let key?):
            certificatePath = certificate
            keyPath = key
        case (nil, nil) where !required:
            return nil
        case (nil, _):
            throw UsageError("--\(prefix)-cert is required" + (key != nil ? " with --\(prefix)-key" : ""))
        case (_, nil):
            throw UsageError("--\(prefix)-key is required: the \(prefix == "ca" ? "CA" : "issuing CA")'s private key signs")
        }
        password = try passwordSource(flags, flag: "\(prefix)-key-password", environment: "ROLESANYWHERE_CA_KEY_PASSWORD")
    }

    func load() throws -> CertificateAuthority {
        let certificates = try CertificateParser.certificates(file: certificatePath, role: "CA certificate")
        let key = try FileIdentitySource.readKey(path: keyPath, password: password)
        return try CertificateAuthority(certificate: certificates[0], privateKey: key)
    }
}

/// A password from `--NAME`, `--NAME-file`, or an environment variable.
func passwordSource(_ flags: ParsedFlags, flag: String, environment: String) throws -> PasswordSource {
    switch (flags.string(flag), flags.string(flag + "-file")) {
    case (.some, .some): throw UsageError("give either --\(flag) or --\(flag)-file, not both")
    case (let value?, nil): return .value(value)
    case (nil, let file?): return .file(file)
    case (nil, nil): return .environment(environment)
    }
}

/// `--days` / `--hours` into seconds.
func lifetime(_ flags: ParsedFlags, defaultDays: Int, allowHours: Bool) throws -> Int {
    let days = flags.string("days").flatMap(Int.init)
    let hours = allowHours ? flags.string("hours").flatMap(Int.init) : nil
    if days != nil && hours != nil { throw UsageError("give either --days or --hours, not both") }
    if let hours {
        guard hours >= 1 else { throw UsageError("--hours must be 1 or more") }
        return hours * 3600
    }
    let value = days ?? defaultDays
    guard value >= 1, value <= 36_500 else { throw UsageError("--days must be from 1 to 36500") }
    return value * 86_400
}

/// Where an output goes, checked before anything is written.
func requireOutput(_ flags: ParsedFlags, _ name: String) throws -> String {
    guard let path = flags.string(name), !path.isEmpty else { throw UsageError("--\(name) is required") }
    return path
}
