import Crypto
import SwiftASN1
public import X509
public import RolesAnywhereSigning
import _CryptoExtras
import RolesAnywhereSupport
public import RolesAnywhereKeys

/// Writes private keys as PEM: PKCS#8, or encrypted PKCS#8 (PBES2 with PBKDF2-HMAC-SHA256 and
/// AES-256-CBC) when a password is given. Both open with `openssl pkey` (ML-DSA keys with
/// OpenSSL 3.5 and later) and with the helper.
public enum PrivateKeyPEM {
    /// The PKCS#8 `PrivateKeyInfo` DER of `key`; an ML-DSA key's private-key field in `form`
    /// (RFC 9881: `seed`, the default, `expanded` or `both`).
    public static func pkcs8(_ key: SigningKey, form: MLDSAPrivateKeyInfo.Form = .seed) throws(PKIError) -> [UInt8] {
        switch key {
        case .certificateKey(let key): return try pkcs8(key)
        case .mlDSA(let key):
            let field: [UInt8]
            do {
                field = try MLDSAPrivateKeyInfo.field(key, form: form)
            } catch {
                throw PKIError(.invalidConfiguration, error.message)
            }
            do {
                var coder = DER.Serializer()
                try coder.appendConstructedNode(identifier: .sequence) { info in
                    try info.serialize(0)
                    try info.appendConstructedNode(identifier: .sequence) { try $0.serialize(key.parameterSet.oid) }
                    try info.serialize(ASN1OctetString(contentBytes: field[...]))
                }
                return coder.serializedBytes
            } catch {
                throw PKIError(.invalidConfiguration, "the \(key.parameterSet) private key cannot be written: \(error)")
            }
        }
    }

    /// The PKCS#8 `PrivateKeyInfo` DER of an RSA or EC key.
    public static func pkcs8(_ key: Certificate.PrivateKey) throws(PKIError) -> [UInt8] {
        let publicKey = key.publicKey
        do {
            let pem = try key.serializeAsPEM()
            if pem.discriminator == "PRIVATE KEY" { return pem.derBytes }
            // swift-crypto writes RSA keys as PKCS#1; re-read them to get PKCS#8.
            if _RSA.Signing.PublicKey(publicKey) != nil {
                return Array(try _RSA.Signing.PrivateKey(derRepresentation: pem.derBytes).pkcs8DERRepresentation)
            }
        } catch {
            throw PKIError(.invalidConfiguration, "the private key cannot be written: \(error)")
        }
        throw PKIError(.invalidConfiguration, "the private key (\(publicKey)) cannot be written as PKCS#8")
    }

    /// `key` as PEM; encrypted when `password` is given.
    public static func encode(_ key: SigningKey, password: String?, form: MLDSAPrivateKeyInfo.Form = .seed) throws(PKIError) -> String {
        let der = try pkcs8(key, form: form)
        guard let password, !password.isEmpty else {
            return PEMBlock(type: "PRIVATE KEY", derBytes: der).pemString
        }
        do {
            let encrypted = try EncryptedPrivateKeyInfo.encrypt(privateKeyInfo: der, password: password)
            return PEMBlock(type: "ENCRYPTED PRIVATE KEY", derBytes: encrypted).pemString
        } catch {
            throw PKIError(.invalidConfiguration, "the private key cannot be encrypted: \(error.message)")
        }
    }
}
