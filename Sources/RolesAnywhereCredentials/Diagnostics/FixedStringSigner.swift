import Crypto
public import RolesAnywhereSigning
public import X509
import _CryptoExtras
public import RolesAnywhereSupport

/// What `sign-string` signs: the fixed test string of `aws_signing_helper`,
/// `"AWS Roles Anywhere Credential Helper Signing Test" || "1" || SHA256("IAM RA" || public key)`,
/// where the public key is PKCS#1 DER for RSA, the uncompressed point for EC, and the encoded
/// public key (FIPS 204's `pkEncode`) for ML-DSA.
public enum FixedStringSigner {
    /// The digest RSA and EC keys sign over (`--digest`); the signing core's one.
    public typealias Digest = SignatureDigest

    static let prefix = "AWS Roles Anywhere Credential Helper Signing Test"
    static let version = "1"

    /// The bytes to sign for `publicKey`.
    public static func message(for publicKey: CertificatePublicKey) throws(CredentialsError) -> [UInt8] {
        switch publicKey {
        case .mlDSA(let key):
            return Array((prefix + version).utf8) + Array(SHA256.hash(data: Array("IAM RA".utf8) + key.rawRepresentation))
        case .classic(let key):
            return try message(for: key)
        }
    }

    /// The bytes to sign for an RSA or EC `publicKey`.
    public static func message(for publicKey: Certificate.PublicKey) throws(CredentialsError) -> [UInt8] {
        let keyBytes: [UInt8]
        if let rsa = _RSA.Signing.PublicKey(publicKey) {
            keyBytes = Array(rsa.pkcs1DERRepresentation)
        } else if let p256 = P256.Signing.PublicKey(publicKey) {
            keyBytes = Array(p256.x963Representation)
        } else if let p384 = P384.Signing.PublicKey(publicKey) {
            keyBytes = Array(p384.x963Representation)
        } else if let p521 = P521.Signing.PublicKey(publicKey) {
            keyBytes = Array(p521.x963Representation)
        } else {
            throw CredentialsError(.unsupportedKey, "the key type \(publicKey) cannot be used with IAM Roles Anywhere")
        }
        return Array((prefix + version).utf8) + Array(SHA256.hash(data: Array("IAM RA".utf8) + keyBytes))
    }

    /// Signs the fixed string: RSASSA-PKCS1-v1_5 for RSA keys, DER ECDSA for EC keys (over the
    /// digest), and the deterministic pure ML-DSA signature for ML-DSA keys (which take no digest).
    public static func sign(with key: SigningKey, digest: Digest) throws(CredentialsError) -> [UInt8] {
        switch key {
        case .certificateKey(let key):
            return try sign(with: key, digest: digest)
        case .mlDSA(let key):
            do {
                return try key.signature(for: try message(for: .mlDSA(key.publicKey)))
            } catch let error as CredentialsError {
                throw error
            } catch {
                throw CredentialsError(.unsupportedKey, "the private key could not sign: \(error)")
            }
        }
    }

    /// Signs the fixed string with an RSA or EC key.
    public static func sign(with key: Certificate.PrivateKey, digest: Digest) throws(CredentialsError) -> [UInt8] {
        let message = try message(for: key.publicKey)
        let algorithm = digest.signatureAlgorithm(rsa: _RSA.Signing.PublicKey(key.publicKey) != nil)
        do {
            return try key.sign(bytes: message, signatureAlgorithm: algorithm).rawRepresentation
        } catch let error as CredentialsError {
            throw error  // a key on a device says itself what went wrong
        } catch {
            throw CredentialsError(.unsupportedKey, "the private key could not sign: \(error)")
        }
    }
}
