import CPKCS11
import Crypto
import RolesAnywhereCredentials
public import SwiftASN1
public import X509

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport
import RolesAnywhereKeys

/// A private key that stays on a PKCS#11 token: signing is done by the token (`C_Sign`).
///
/// RSA keys sign with `CKM_SHA256_RSA_PKCS` (or SHA-384/512), hashing on the token; EC keys sign a
/// digest computed here with `CKM_ECDSA`, and the token's raw `r || s` is re-encoded as DER, as
/// `aws_signing_helper` does.
public struct PKCS11PrivateKey: CustomPrivateKey {
    let session: PKCS11Session
    let object: CK_OBJECT_HANDLE
    let keyType: CK_KEY_TYPE
    /// The key's public half, as read from the token (or the certificate when the token has no public part).
    public let publicKey: Certificate.PublicKey
    /// Whether the key needs a context-specific login before each signature; `--reuse-pin` gives it
    /// the user PIN (a key like this is refused at load without the flag).
    let alwaysAuthenticate: Bool
    /// The URI that found the key (for messages).
    public let uri: String

    init(session: PKCS11Session, object: CK_OBJECT_HANDLE, keyType: CK_KEY_TYPE, publicKey: Certificate.PublicKey, alwaysAuthenticate: Bool, uri: String) {
        self.session = session
        self.object = object
        self.keyType = keyType
        self.publicKey = publicKey
        self.alwaysAuthenticate = alwaysAuthenticate
        self.uri = uri
    }

    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm {
        keyType == CK.rsaKey ? .sha256WithRSAEncryption : .ecdsaWithSHA256
    }

    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] {
        SignatureHash.algorithms(rsa: keyType == CK.rsaKey)
    }

    public func signSynchronously(
        bytes: some DataProtocol,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        guard let hash = SignatureHash(signatureAlgorithm), supportedSignatureAlgorithms.contains(signatureAlgorithm) else {
            throw CredentialsError(.unsupportedKey, "the PKCS#11 key \(uri) cannot sign with \(signatureAlgorithm)")
        }
        let contextPIN: String?? = alwaysAuthenticate ? .some(session.pin) : .none
        let signature: [UInt8]
        if keyType == CK.rsaKey {
            // The token hashes: CKM_SHA{256,384,512}_RSA_PKCS.
            let mechanism = switch hash {
            case .sha256: CK.sha256RSAPKCS
            case .sha384: CK.sha384RSAPKCS
            case .sha512: CK.sha512RSAPKCS
            }
            signature = try session.sign(Array(bytes), key: object, mechanism: mechanism, contextPIN: contextPIN)
        } else {
            let raw = try session.sign(hash.digest(Array(bytes)), key: object, mechanism: CK.ecdsa, contextPIN: contextPIN)
            signature = try Self.derSignature(raw: raw, uri: uri)
        }
        return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: signature[...]))
    }

    /// The DER `ECDSA-Sig-Value` of the token's raw `r || s`.
    static func derSignature(raw: [UInt8], uri: String) throws(CredentialsError) -> [UInt8] {
        guard !raw.isEmpty, raw.count % 2 == 0 else {
            throw CredentialsError(.invalidInput, "the PKCS#11 token returned an ECDSA signature of odd length (\(raw.count) bytes) for \(uri)")
        }
        return try ECDSASignatureDER.encode(r: raw[..<(raw.count / 2)], s: raw[(raw.count / 2)...])
    }

    // A token key has no PEM or DER form: it never leaves the token.
    public static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    public func serialize(into coder: inout DER.Serializer) throws {
        throw CredentialsError(.invalidInput, "the PKCS#11 key \(uri) cannot be exported: it never leaves the token")
    }

    public static func == (lhs: PKCS11PrivateKey, rhs: PKCS11PrivateKey) -> Bool {
        lhs.session === rhs.session && lhs.object == rhs.object
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(session))
        hasher.combine(object)
    }
}
