import Crypto
import SwiftASN1
public import X509
import _CryptoExtras
import RolesAnywhereSupport
import RolesAnywhereKeys

/// Writes private keys as PEM: PKCS#8, or encrypted PKCS#8 (PBES2 with PBKDF2-HMAC-SHA256 and
/// AES-256-CBC) when a password is given. Both open with `openssl pkey` and with the helper.
public enum PrivateKeyPEM {
    /// The PKCS#8 `PrivateKeyInfo` DER of `key`.
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
    public static func encode(_ key: Certificate.PrivateKey, password: String?) throws(PKIError) -> String {
        let der = try pkcs8(key)
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
