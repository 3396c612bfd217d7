import CPKCS11
import Crypto
import _CryptoExtras
import RolesAnywhereCredentials
public import RolesAnywhereSigning
import SwiftASN1
import Synchronization
public import X509
public import RolesAnywhereSupport
import RolesAnywhereKeys

/// A signing identity whose key (and possibly certificate) is on a PKCS#11 token, named by RFC 7512
/// URIs in `--certificate` and/or `--private-key`, as `aws_signing_helper` accepts them:
///
/// - `--certificate pkcs11:...` alone: the certificate and its key (the private key with the same
///   `CKA_ID`) on the token;
/// - `--certificate pkcs11:... --private-key pkcs11:...`: each named by its URI;
/// - `--certificate cert.pem --private-key pkcs11:...` (hybrid): the certificate from a file, the key on
///   the token.
///
/// The chain is `--intermediates` when given, else the issuing CA certificates found on the token.
/// Sessions stay open, so `serve` and `update` log in once.
public struct PKCS11IdentitySource: Sendable {
    public var certificate: String?
    public var privateKey: String?
    public var intermediatesPath: String?
    /// `--pkcs11-lib`.
    public var modulePath: String?
    /// `--reuse-pin`.
    public var reusePIN: Bool

    public init(certificate: String?, privateKey: String?, intermediatesPath: String? = nil, modulePath: String? = nil, reusePIN: Bool = false) {
        self.certificate = certificate.flatMap { $0.isEmpty ? nil : $0 }
        self.privateKey = privateKey.flatMap { $0.isEmpty ? nil : $0 }
        self.intermediatesPath = intermediatesPath.flatMap { $0.isEmpty ? nil : $0 }
        self.modulePath = modulePath.flatMap { $0.isEmpty ? nil : $0 }
        self.reusePIN = reusePIN
    }

    /// Whether these flags name a token object (so this source, not files, applies).
    public static func applies(certificate: String?, privateKey: String?) -> Bool {
        [certificate, privateKey].contains { $0.map(PKCS11URI.isURI) ?? false }
    }

    /// Finds the certificate, key and chain, logging in to the token(s).
    public func load() throws(CredentialsError) -> SigningIdentity {
        guard let certificate else {
            throw CredentialsError(
                .invalidConfiguration,
                "no certificate given: pass --certificate with the certificate's file or PKCS#11 URI (the key alone is not enough)"
            )
        }
        if let privateKey, !PKCS11URI.isURI(privateKey) {
            throw CredentialsError(
                .invalidConfiguration,
                "--private-key '\(privateKey)' is a file, but a certificate on a PKCS#11 token needs its key on a token: give --private-key as a pkcs11: URI, or leave it out to use the key with the certificate's CKA_ID"
            )
        }
        let keyURI = try PKCS11URI(parsing: privateKey ?? certificate)
        var found: TokenCertificate?
        let leaf: EncodedCertificate
        if PKCS11URI.isURI(certificate) {
            let certificateURI = try PKCS11URI(parsing: certificate)
            let session = try Self.session(for: certificateURI, objectClass: CK.certificateClass, moduleFlag: modulePath, pinURI: keyURI)
            let match = try Self.singleCertificate(matching: certificateURI, in: session)
            found = match
            leaf = match.certificate
        } else {
            leaf = try CertificateParser.certificates(file: certificate, role: "certificate")[0]
        }
        let session = try Self.session(for: keyURI, objectClass: CK.privateKeyClass, moduleFlag: modulePath, pinURI: keyURI)
        let key = try Self.privateKey(
            matching: keyURI,
            in: session,
            certificateID: privateKey == nil || (keyURI.id == nil && keyURI.object == nil) ? found?.id : nil,
            certificate: leaf,
            reusePIN: reusePIN
        )
        var chain = [EncodedCertificate]()
        if let intermediatesPath {
            chain = try CertificateParser.bundle(
                pem: try FileReader.readText(intermediatesPath, role: "intermediates"),
                source: "the intermediates file '\(intermediatesPath)'"
            )
        } else if let found {
            chain = Self.chain(for: leaf, from: try Self.certificates(in: found.session, label: nil, id: nil))
        }
        return try FileIdentitySource.identity(certificate: leaf, chain: chain, key: .certificateKey(Certificate.PrivateKey(key)))
    }

    /// Only the key (for `sign-string` and `pki csr`); its public half is read from the token.
    public func loadPrivateKey() throws(CredentialsError) -> Certificate.PrivateKey {
        guard let name = privateKey ?? certificate else {
            throw CredentialsError(.invalidConfiguration, "no private key given: pass --private-key with a PKCS#11 URI")
        }
        if let certificate, privateKey != nil || PKCS11URI.isURI(certificate) {
            guard let key = try load().key.certificateKey else {
                throw CredentialsError(.unsupportedKey, "PKCS#11 keys are RSA or EC; the certificate on the token is not")
            }
            return key
        }
        let uri = try PKCS11URI(parsing: name)
        let session = try Self.session(for: uri, objectClass: CK.privateKeyClass, moduleFlag: modulePath, pinURI: uri)
        return Certificate.PrivateKey(try Self.privateKey(matching: uri, in: session, certificateID: nil, certificate: nil, reusePIN: reusePIN))
    }

    // MARK: Tokens

    private static let sessions = SessionRegistry()

    /// The module a URI means: its `module-path`, else `--pkcs11-lib`, else its `module-name`, else p11-kit's proxy.
    static func modulePath(for uri: PKCS11URI, moduleFlag: String?) -> String {
        uri.modulePath ?? moduleFlag ?? uri.moduleName.map { "\($0).so" } ?? PKCS11Module.defaultPath
    }

    /// The module a URI means, loaded, and its initialised tokens.
    static func moduleAndSlots(for uri: PKCS11URI, moduleFlag: String?) throws(CredentialsError) -> (PKCS11Module, [PKCS11Slot]) {
        let module = try PKCS11Module.load(path: modulePath(for: uri, moduleFlag: moduleFlag))
        do {
            return (module, try module.slotsWithTokens())
        } catch {
            throw CredentialsError(.invalidInput, "the PKCS#11 module '\(module.path)' cannot list its slots (\(error.name))")
        }
    }

    /// A logged-in session on the first token that matches `uri` and holds a matching object of `objectClass`.
    static func session(for uri: PKCS11URI, objectClass: CK_OBJECT_CLASS, moduleFlag: String?, pinURI: PKCS11URI) throws(CredentialsError) -> PKCS11Session {
        let (module, slots) = try moduleAndSlots(for: uri, moduleFlag: moduleFlag)
        let matching = slots.filter { $0.matches(uri) }
        guard let slot = matching.first else {
            let available = slots.isEmpty ? "it has no token" : "its tokens: " + slots.map(\.summary).joined(separator: "; ")
            throw CredentialsError(.invalidInput, "no PKCS#11 token matches \(uri) in '\(module.path)' (\(available))")
        }
        if matching.count > 1 && uri.token == nil && uri.serial == nil && uri.slotID == nil {
            // Several tokens: the first one with a matching object wins, as in the official helper.
            for candidate in matching {
                let session = try sessions.session(module: module, slot: candidate, pin: try pinFor(pinURI))
                if !(try session.findObjects(class: objectClass, label: uri.object, id: uri.id)).isEmpty { return session }
            }
        }
        return try sessions.session(module: module, slot: slot, pin: try pinFor(pinURI))
    }

    private static func pinFor(_ uri: PKCS11URI) throws(CredentialsError) -> String? {
        try PKCS11PIN.resolve(uri)
    }

    // MARK: Certificates

    /// A certificate object on a token.
    public struct TokenCertificate: Sendable {
        public var certificate: EncodedCertificate
        public var label: String?
        public var id: [UInt8]?
        /// A URI that names exactly this object.
        public var uri: PKCS11URI
        let session: PKCS11Session

        /// The SHA-1 of the DER, in lower-case hex, as the official helper lists certificates.
        public var sha1Fingerprint: String {
            Hex.encode(Array(Insecure.SHA1.hash(data: certificate.derBytes)))
        }
    }

    static func certificates(in session: PKCS11Session, label: String?, id: [UInt8]?) throws(CredentialsError) -> [TokenCertificate] {
        var found = [TokenCertificate]()
        for object in try session.findObjects(class: CK.certificateClass, label: label, id: id) {
            guard let der = try session.attribute(CK.attributeValue, of: object),
                  let certificate = try? EncodedCertificate(derEncoded: der)
            else { continue }  // not an X.509 certificate, or one that does not parse: skipped, as by the official helper
            let objectLabel = try session.attribute(CK.attributeLabel, of: object).map { String(decoding: $0, as: UTF8.self) }
            let objectID = try session.attribute(CK.attributeID, of: object)
            var uri = PKCS11URI()
            uri.model = session.slot.model
            uri.manufacturer = session.slot.manufacturer
            uri.serial = session.slot.serial
            uri.token = session.slot.label
            uri.object = objectLabel.flatMap { $0.isEmpty ? nil : $0 }
            uri.id = objectID.flatMap { $0.isEmpty ? nil : $0 }
            uri.type = .certificate
            found.append(TokenCertificate(certificate: certificate, label: objectLabel, id: objectID, uri: uri, session: session))
        }
        return found
    }

    static func singleCertificate(matching uri: PKCS11URI, in session: PKCS11Session) throws(CredentialsError) -> TokenCertificate {
        let all = try certificates(in: session, label: uri.object, id: uri.id)
        // With several, prefer end-entity certificates: CA certificates are there for the chain.
        let leaves = all.filter { !isCA($0.certificate.fields) }
        let candidates = leaves.isEmpty ? all : leaves
        guard let first = candidates.first else {
            throw CredentialsError(.invalidInput, "no certificate on the PKCS#11 token \(session.slot.summary) matches \(uri)")
        }
        guard candidates.count == 1 else {
            throw CredentialsError(
                .invalidConfiguration,
                "\(candidates.count) certificates on the PKCS#11 token \(session.slot.summary) match \(uri); name one with object= or id= (see rolesanywhere read-certificate-data --certificate '\(uri)')"
            )
        }
        return first
    }

    /// The certificates that match `uri` on every token that matches it (for `read-certificate-data`).
    public static func listCertificates(uri text: String, moduleFlag: String?) throws(CredentialsError) -> [TokenCertificate] {
        let uri = try PKCS11URI(parsing: text)
        let (module, slots) = try moduleAndSlots(for: uri, moduleFlag: moduleFlag)
        var found = [TokenCertificate]()
        for slot in slots where slot.matches(uri) {
            // Certificates are public objects: log in only when a PIN was given.
            let pin = try PKCS11PIN.resolve(uri)
            let session = try sessions.session(module: module, slot: slot, pin: pin, login: pin != nil)
            found += try certificates(in: session, label: uri.object, id: uri.id)
        }
        return found
    }

    static func isCA(_ certificate: X509Certificate) -> Bool {
        (try? certificate.extensions.basicConstraints).flatMap { constraints -> Bool? in
            if case .isCertificateAuthority = constraints { return true }
            return false
        } ?? false
    }

    /// The issuers of `leaf` among `candidates`, nearest first, up to (not including) a self-signed root.
    static func chain(for leaf: EncodedCertificate, from candidates: [TokenCertificate]) -> [EncodedCertificate] {
        var chain = [EncodedCertificate]()
        var current = leaf.fields
        while chain.count < 5 {
            guard let issuer = candidates.first(where: {
                $0.certificate.fields.subject == current.issuer
                    && $0.certificate.fields != current
                    && current.isSigned(by: $0.certificate.fields.publicKey)
            }) else { break }
            let issuerCertificate = issuer.certificate.fields
            if issuerCertificate.subject == issuerCertificate.issuer { break }  // the root: the trust anchor has it
            chain.append(issuer.certificate)
            current = issuerCertificate
        }
        return chain
    }

    // MARK: Keys

    static func privateKey(
        matching uri: PKCS11URI,
        in session: PKCS11Session,
        certificateID: [UInt8]?,
        certificate: EncodedCertificate?,
        reusePIN: Bool
    ) throws(CredentialsError) -> PKCS11PrivateKey {
        try DeviceKeys.refuseMLDSA(certificate, device: "a PKCS#11 token")
        let label = certificateID == nil ? uri.object : nil
        var keys = [(CK_OBJECT_HANDLE, CK_KEY_TYPE, Certificate.PublicKey?)]()
        for object in try session.findObjects(class: CK.privateKeyClass, label: label, id: certificateID ?? uri.id) {
            // CKA_KEY_TYPE is a CK_ULONG; a module that says otherwise is not trusted with the bytes.
            guard let typeBytes = try session.attribute(CK.attributeKeyType, of: object), typeBytes.count == MemoryLayout<CK_KEY_TYPE>.size else { continue }
            let keyType = typeBytes.withUnsafeBytes { $0.loadUnaligned(as: CK_KEY_TYPE.self) }
            keys.append((object, keyType, try publicKey(of: object, keyType: keyType, in: session)))
        }
        if let certificate, keys.count > 1 {
            keys = keys.filter { $0.2.map { certificate.fields.publicKey == .classic($0) } ?? true }
        }
        guard let (object, keyType, tokenPublicKey) = keys.first else {
            throw CredentialsError(
                .invalidInput,
                "no private key on the PKCS#11 token \(session.slot.summary) matches \(uri)\(session.slot.flags & CK.loginRequired != 0 && session.pin == nil ? " (private keys are visible only after logging in: give the PIN)" : "")"
            )
        }
        guard keys.count == 1 else {
            throw CredentialsError(
                .invalidConfiguration,
                "\(keys.count) private keys on the PKCS#11 token \(session.slot.summary) match \(uri); name one with object= or id="
            )
        }
        guard keyType == CK.rsaKey || keyType == CK.ecKey else {
            if keyType == CK.mlDSAKey {
                throw CredentialsError(
                    .unsupportedKey,
                    "the PKCS#11 key \(uri) is an ML-DSA key: keys on PKCS#11 tokens sign with RSA or EC only (as in aws_signing_helper); keep an ML-DSA key in a PKCS#8 file and give it with --private-key"
                )
            }
            throw CredentialsError(.unsupportedKey, "the PKCS#11 key \(uri) is neither RSA nor EC (CKK 0x\(String(keyType, radix: 16))); IAM Roles Anywhere needs one of them")
        }
        guard let publicKey = tokenPublicKey ?? certificate?.fields.publicKey.classic else {
            throw CredentialsError(
                .invalidInput,
                "the public half of the PKCS#11 key \(uri) is not on the token (no public key object with its CKA_ID); store the public key or give the certificate"
            )
        }
        let always = try session.attribute(CK.attributeAlwaysAuthenticate, of: object).map { $0.first == 1 } ?? false
        if always && !reusePIN {
            throw CredentialsError(
                .invalidConfiguration,
                "the PKCS#11 key \(uri) asks for the PIN again before every signature (CKA_ALWAYS_AUTHENTICATE): pass --reuse-pin to give it the user PIN"
            )
        }
        return PKCS11PrivateKey(
            session: session,
            object: object,
            keyType: keyType,
            publicKey: publicKey,
            alwaysAuthenticate: always,
            uri: uri.description
        )
    }

    /// The key's public half from the token: RSA modulus and exponent, or the EC public key object
    /// with the same `CKA_ID`.
    static func publicKey(of object: CK_OBJECT_HANDLE, keyType: CK_KEY_TYPE, in session: PKCS11Session) throws(CredentialsError) -> Certificate.PublicKey? {
        if keyType == CK.rsaKey,
           let modulus = try session.attribute(CK.attributeModulus, of: object),
           let exponent = try session.attribute(CK.attributePublicExponent, of: object),
           let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) {
            return Certificate.PublicKey(key)
        }
        guard let id = try session.attribute(CK.attributeID, of: object), !id.isEmpty else { return nil }
        for publicObject in try session.findObjects(class: CK.publicKeyClass, label: nil, id: id) {
            if keyType == CK.rsaKey,
               let modulus = try session.attribute(CK.attributeModulus, of: publicObject),
               let exponent = try session.attribute(CK.attributePublicExponent, of: publicObject),
               let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) {
                return Certificate.PublicKey(key)
            }
            if keyType == CK.ecKey,
               let parameters = try session.attribute(CK.attributeECParameters, of: publicObject),
               let point = try session.attribute(CK.attributeECPoint, of: publicObject),
               let key = ecPublicKey(parameters: parameters, point: point) {
                return key
            }
        }
        return nil
    }

    /// An EC public key from `CKA_EC_PARAMS` (the curve's OID) and `CKA_EC_POINT` (the point, usually
    /// wrapped in a DER OCTET STRING).
    static func ecPublicKey(parameters: [UInt8], point: [UInt8]) -> Certificate.PublicKey? {
        guard let curve = try? ASN1ObjectIdentifier(derEncoded: parameters) else { return nil }
        var x963 = point
        if let octets = try? ASN1OctetString(derEncoded: point) {
            x963 = Array(octets.bytes)
        }
        return ECPublicKeys.publicKey(curve: curve, x963: x963)
    }
}

/// One session per token for the life of the process, so a long-running command logs in once.
final class SessionRegistry: Sendable {
    private struct Key: Hashable {
        var module: String
        var slot: CK_SLOT_ID
        var loggedIn: Bool
    }
    private let sessions = Mutex<[Key: PKCS11Session]>([:])

    func session(module: PKCS11Module, slot: PKCS11Slot, pin: String?, login: Bool = true) throws(CredentialsError) -> PKCS11Session {
        let key = Key(module: module.path, slot: slot.id, loggedIn: login)
        let result = sessions.withLock { sessions -> Result<PKCS11Session, CredentialsError> in
            if let session = sessions[key] { return .success(session) }
            do throws(CredentialsError) {
                let session = try PKCS11Session(module: module, slot: slot, pin: pin, login: login)
                sessions[key] = session
                return .success(session)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
