#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RolesAnywhereCredentials
public import RolesAnywhereSigning
import SwiftASN1
public import X509
public import RolesAnywhereSupport
import RolesAnywhereKeys

/// A signing identity whose key is in a TPM 2.0, as `aws_signing_helper` accepts it:
/// `--private-key handle:0x81000002` (a persistent key) or `--private-key key.tss2.pem` (a
/// `TSS2 PRIVATE KEY` file, loaded under its parent), with the certificate from `--certificate`.
///
/// The TPM is `TPM_DEVICE`, else `/dev/tpmrm0`.
public struct TPMIdentitySource: Sendable {
    /// The key's password: `--tpm-key-password`, `--no-tpm-key-password`, or neither.
    public enum Password: Sendable, Hashable {
        case value(String)
        case none
        case unspecified
    }

    public static let passwordEnvironmentVariable = "ROLESANYWHERE_TPM_KEY_PASSWORD"

    public var certificatePath: String?
    public var privateKey: String
    public var intermediatesPath: String?
    public var password: Password
    public var devicePath: String

    public init(certificatePath: String?, privateKey: String, intermediatesPath: String? = nil, password: Password, devicePath: String? = nil) {
        self.certificatePath = certificatePath.flatMap { $0.isEmpty ? nil : $0 }
        self.privateKey = privateKey
        self.intermediatesPath = intermediatesPath.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password
        self.devicePath = devicePath ?? getenv(TPMDevice.environmentVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? TPMDevice.defaultPath
    }

    /// Whether `--private-key` names a TPM key: a `handle:` or a file holding a `TSS2 PRIVATE KEY`.
    public static func applies(privateKey: String?) -> Bool {
        guard let privateKey else { return false }
        if privateKey.hasPrefix("handle:") { return true }
        guard let bytes = try? FileReader.read(privateKey, role: "private key") else { return false }
        return holdsTSS2Key(bytes)
    }

    /// Whether a key file's contents hold a `TSS2 PRIVATE KEY` block.
    public static func holdsTSS2Key(_ bytes: [UInt8]) -> Bool {
        // A plain byte search: this runs for every file key, so it stays off the string-processing machinery.
        let marker = Array("-----BEGIN TSS2 PRIVATE KEY-----".utf8)
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    /// The certificate, chain and key; the key's public half is read from the TPM and must match the certificate.
    public func load() throws(CredentialsError) -> SigningIdentity {
        guard let certificatePath else {
            throw CredentialsError(.invalidConfiguration, "no certificate given: pass --certificate with the certificate of the TPM key")
        }
        let certificate = try CertificateParser.certificates(file: certificatePath, role: "certificate")[0]
        try DeviceKeys.refuseMLDSA(certificate, device: "a TPM")
        var chain = [EncodedCertificate]()
        if let intermediatesPath {
            chain = try CertificateParser.bundle(
                pem: try FileReader.readText(intermediatesPath, role: "intermediates"),
                source: "the intermediates file '\(intermediatesPath)'"
            )
        }
        return try FileIdentitySource.identity(certificate: certificate, chain: chain, key: .certificateKey(try loadPrivateKey()))
    }

    /// The key alone (for `sign-string` and `pki csr`).
    public func loadPrivateKey() throws(CredentialsError) -> Certificate.PrivateKey {
        let device = try TPMDevice(path: devicePath)
        let commands = TPMCommands(device: device)
        if privateKey.hasPrefix("handle:") {
            let handle = try Self.persistentHandle(privateKey)
            let area: [UInt8]
            switch try commands.readPublic(handle) {
            case .success(let bytes): area = bytes
            case .failure(let refusal):
                throw CredentialsError(
                    .invalidInput,
                    refusal.code & 0xBF == 0x8B || refusal.code & 0xBF == 0x84
                        ? "there is no key at \(privateKey) in the TPM at '\(devicePath)' (list them with tpm2_getcap handles-persistent)"
                        : "cannot read the key at \(privateKey): \(refusal.description)"
                )
            }
            let key = try Self.publicArea(area, name: privateKey)
            let secret = try resolvePassword(emptyAuth: nil)
            return Certificate.PrivateKey(
                TPMPrivateKey(device: device, location: .persistent(handle), password: secret, isRSA: key.isRSA, publicKey: key.publicKey, name: privateKey)
            )
        }
        let file = try TSS2KeyFile(path: privateKey)
        var publicReader = TPMReader(file.publicBlob)
        let area: [UInt8]
        do {
            area = try publicReader.sized()
        } catch {
            throw CredentialsError(.invalidInput, "the TSS2 key file '\(privateKey)' holds a truncated public key")
        }
        let key = try Self.publicArea(area, name: "'\(privateKey)'")
        let secret = try resolvePassword(emptyAuth: file.emptyAuth)
        let tpmKey = TPMPrivateKey(
            device: device, location: .keyFile(parent: file.parent, publicBlob: file.publicBlob, privateBlob: file.privateBlob),
            password: secret, isRSA: key.isRSA, publicKey: key.publicKey, name: "'\(privateKey)'"
        )
        // Load it once now, so a key of another TPM or parent fails at start rather than at the first signature.
        try tpmKey.withLoadedKey(commands) { (_) throws(CredentialsError) in }
        return Certificate.PrivateKey(tpmKey)
    }

    static func persistentHandle(_ text: String) throws(CredentialsError) -> UInt32 {
        var digits = Substring(text.dropFirst("handle:".count))
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard let handle = UInt32(digits, radix: 16), handle >> 24 == 0x81 else {
            throw CredentialsError(
                .invalidConfiguration,
                "'\(text)' is not a persistent TPM handle; they look like handle:0x81000001 (0x81000000 to 0x81FFFFFF)"
            )
        }
        return handle
    }

    static func publicArea(_ bytes: [UInt8], name: String) throws(CredentialsError) -> TPMPublicArea {
        let area: TPMPublicArea
        do {
            area = try TPMPublicArea(parsing: bytes)
        } catch {
            throw CredentialsError(.unsupportedKey, "the TPM key \(name) cannot be used: \(error.reason)")
        }
        guard area.attributes & TPM2.attributeSign != 0, area.attributes & TPM2.attributeRestricted == 0 else {
            throw CredentialsError(
                .unsupportedKey,
                "the TPM key \(name) is not an unrestricted signing key (it needs the sign attribute and not restricted)"
            )
        }
        return area
    }

    /// The key's password: the flag, the environment variable, or empty for a key file that says it
    /// has none. There is never a prompt.
    func resolvePassword(emptyAuth: Bool?) throws(CredentialsError) -> [UInt8] {
        switch password {
        case .value(let value): return Array(value.utf8)
        case .none: return []
        case .unspecified:
            if let value = getenv(Self.passwordEnvironmentVariable) { return Array(String(cString: value).utf8) }
            if emptyAuth == true { return [] }
            throw CredentialsError(
                .passwordRequired,
                "the TPM key \(privateKey) may have a password: pass --tpm-key-password (or set \(Self.passwordEnvironmentVariable)), or --no-tpm-key-password if it has none (rolesanywhere never prompts)"
            )
        }
    }

    static func isHierarchy(_ handle: UInt32) -> Bool {
        [TPM2.ownerHierarchy, TPM2.nullHierarchy, TPM2.endorsementHierarchy, TPM2.platformHierarchy].contains(handle)
    }

    /// What a refused command means for the user.
    static func error(_ refusal: TPMCommands.Refusal, key: String) -> CredentialsError {
        let base = refusal.code & 0x80 != 0 ? (refusal.code & 0x3F) | 0x80 : refusal.code
        switch base {
        case 0x8E, 0xA2:
            return CredentialsError(.wrongPassword, "the password of the TPM key \(key) is wrong (\(TPM2.describe(refusal.code))); check --tpm-key-password: wrong passwords count towards the TPM's lockout")
        case 0x921:
            return CredentialsError(.invalidInput, "the TPM refuses the key \(key) for now (\(TPM2.describe(refusal.code))); wait for the lockout to expire or have the owner reset it (tpm2_dictionarylockout --clear-lockout)")
        case 0x9F, 0x8B:
            return CredentialsError(.invalidInput, "the TPM cannot load the key \(key) (\(TPM2.describe(refusal.code))): it was made for another TPM or parent")
        default:
            return CredentialsError(.invalidInput, "the TPM key \(key): \(refusal.description)")
        }
    }
}

/// A `TSS2 PRIVATE KEY` file (the TPM 2.0 key file format of tpm2-tss-engine, the tpm2 OpenSSL
/// provider and `tpm2_encodeobject`):
/// `SEQUENCE { type OID, [0] emptyAuth BOOLEAN OPTIONAL, [1] policy OPTIONAL, [2] secret OPTIONAL,
/// parent INTEGER, pubkey OCTET STRING, privkey OCTET STRING }`.
struct TSS2KeyFile {
    static let loadableKey: ASN1ObjectIdentifier = [2, 23, 133, 10, 1, 3]

    var emptyAuth: Bool
    var parent: UInt32
    var publicBlob: [UInt8]
    var privateBlob: [UInt8]

    init(path: String) throws(CredentialsError) {
        let text = try FileReader.readText(path, role: "private key")
        let source = "the TSS2 key file '\(path)'"
        guard let block = try PEMBlock.parseAll(text).first(where: { $0.type == "TSS2 PRIVATE KEY" }) else {
            throw CredentialsError(.invalidInput, "\(source) holds no TSS2 PRIVATE KEY block")
        }
        do {
            let root = try DER.parse(block.derBytes)
            var parsed: (Bool, UInt32, [UInt8], [UInt8])?
            try DER.sequence(root, identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                guard type == Self.loadableKey else {
                    throw CredentialsError(.unsupportedKey, "\(source) is not a loadable key (type \(type)); only 2.23.133.10.1.3 keys can sign")
                }
                let emptyAuth = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try Bool(derEncoded: $0) } ?? false
                if try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific, { _ in true }) != nil {
                    throw CredentialsError(.unsupportedKey, "\(source) has a policy; TPM keys with policies are not supported (as in aws_signing_helper)")
                }
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) { _ in true }
                let parentBytes = try ArraySlice<UInt8>(derEncoded: &nodes)
                guard parentBytes.drop(while: { $0 == 0 }).count <= 4 else {
                    throw CredentialsError(.invalidInput, "\(source) names a parent handle that is not 32 bits")
                }
                let parent = parentBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                let publicBlob = try ASN1OctetString(derEncoded: &nodes)
                let privateBlob = try ASN1OctetString(derEncoded: &nodes)
                parsed = (emptyAuth, parent, Array(publicBlob.bytes), Array(privateBlob.bytes))
            }
            guard let parsed else { throw CredentialsError(.invalidInput, "\(source) is empty") }
            (emptyAuth, parent, publicBlob, privateBlob) = parsed
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "\(source) is not a valid TSS2 key (\(error))")
        }
        guard parent >> 24 == 0x81 || TPMIdentitySource.isHierarchy(parent) else {
            throw CredentialsError(.unsupportedKey, "\(source) has the parent 0x\(String(parent, radix: 16)), neither a persistent key nor a hierarchy")
        }
    }
}
