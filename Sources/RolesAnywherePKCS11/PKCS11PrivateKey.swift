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
    /// Whether the key needs a context-specific login before each signature.
    let alwaysAuthenticate: Bool
    /// `--reuse-pin`: give the user PIN to that login.
    let reusePIN: Bool
    /// The URI that found the key (for messages).
    public let uri: String

    init(
        session: PKCS11Session,
        object: CK_OBJECT_HANDLE,
        keyType: CK_KEY_TYPE,
        publicKey: Certificate.PublicKey,
        alwaysAuthenticate: Bool,
        reusePIN: Bool,
        uri: String
    ) {
        self.session = session
        self.object = object
        self.keyType = keyType
        self.publicKey = publicKey
        self.alwaysAuthenticate = alwaysAuthenticate
        self.reusePIN = reusePIN
        self.uri = uri
    }

    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm {
        keyType == CK.rsaKey ? .sha256WithRSAEncryption : .ecdsaWithSHA256
    }

    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] {
        keyType == CK.rsaKey
            ? [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption]
            : [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512]
    }

    public func signSynchronously(
        bytes: some DataProtocol,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        let data = Array(bytes)
        let contextPIN: String?? = alwaysAuthenticate ? .some(try contextSpecificPIN()) : .none
        switch (keyType, signatureAlgorithm) {
        case (CK.rsaKey, .sha256WithRSAEncryption), (CK.rsaKey, .sha384WithRSAEncryption), (CK.rsaKey, .sha512WithRSAEncryption):
            let mechanism = signatureAlgorithm == .sha256WithRSAEncryption ? CK.sha256RSAPKCS
                : signatureAlgorithm == .sha384WithRSAEncryption ? CK.sha384RSAPKCS : CK.sha512RSAPKCS
            let signature = try session.sign(data, key: object, mechanism: mechanism, contextPIN: contextPIN)
            return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: signature[...]))
        case (CK.ecKey, .ecdsaWithSHA256), (CK.ecKey, .ecdsaWithSHA384), (CK.ecKey, .ecdsaWithSHA512):
            let digest: [UInt8] = switch signatureAlgorithm {
            case .ecdsaWithSHA384: Array(SHA384.hash(data: data))
            case .ecdsaWithSHA512: Array(SHA512.hash(data: data))
            default: Array(SHA256.hash(data: data))
            }
            let raw = try session.sign(digest, key: object, mechanism: CK.ecdsa, contextPIN: contextPIN)
            let der = try Self.derSignature(raw: raw, uri: uri)
            return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: der[...]))
        default:
            throw CredentialsError(.unsupportedKey, "the PKCS#11 key \(uri) cannot sign with \(signatureAlgorithm)")
        }
    }

    private func contextSpecificPIN() throws(CredentialsError) -> String? {
        guard reusePIN else {
            throw CredentialsError(
                .invalidConfiguration,
                "the PKCS#11 key \(uri) asks for the PIN again before every signature (CKA_ALWAYS_AUTHENTICATE): pass --reuse-pin to give it the user PIN"
            )
        }
        return session.pin
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
