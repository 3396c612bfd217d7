public import X509
import Crypto
import _CryptoExtras

/// The SigV4-X509 algorithms of IAM Roles Anywhere. The algorithm follows the key type, never the
/// certificate's own signature algorithm, and the request digest is always SHA-256.
public struct X509SigningAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// The name in `Authorization`, e.g. `AWS4-X509-RSA-SHA256`.
    public let name: String

    private init(uncheckedName name: String) { self.name = name }

    /// RSA keys: RSASSA-PKCS1-v1_5 over SHA-256 of the string to sign.
    public static let rsaSHA256 = X509SigningAlgorithm(uncheckedName: "AWS4-X509-RSA-SHA256")
    /// EC keys (any curve): ECDSA over SHA-256 of the string to sign, DER-encoded `(r, s)`.
    public static let ecdsaSHA256 = X509SigningAlgorithm(uncheckedName: "AWS4-X509-ECDSA-SHA256")
    /// ML-DSA keys (44, 65, 87): pure ML-DSA over the string to sign itself, no pre-hash, empty context.
    public static let mldsa = X509SigningAlgorithm(uncheckedName: "AWS4-X509-MLDSA")

    /// Every algorithm this library knows.
    public static let all: [X509SigningAlgorithm] = [.rsaSHA256, .ecdsaSHA256, .mldsa]

    /// The algorithm called `name` in an `Authorization` header, or `nil`.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    /// The algorithm to use for a key, or `nil` when Roles Anywhere cannot use the key type (Ed25519).
    public init?(for publicKey: Certificate.PublicKey) {
        if _RSA.Signing.PublicKey(publicKey) != nil {
            self = .rsaSHA256
        } else if P256.Signing.PublicKey(publicKey) != nil || P384.Signing.PublicKey(publicKey) != nil
            || P521.Signing.PublicKey(publicKey) != nil
        {
            self = .ecdsaSHA256
        } else {
            return nil
        }
    }


    public var description: String { name }
}

extension CertificatePublicKey {
    /// The SigV4-X509 algorithm a certificate with this key signs with, or nil when Roles Anywhere
    /// cannot use the key type (Ed25519).
    public var sigV4X509Algorithm: X509SigningAlgorithm? {
        switch self {
        case .classic(let key): X509SigningAlgorithm(for: key)
        case .mlDSA: .mldsa
        }
    }

    /// Whether `signature` is this key's SigV4-X509 signature of `stringToSign` with `algorithm`
    /// (which must be the key's, ``sigV4X509Algorithm``): RSASSA-PKCS1-v1_5 or ECDSA over its
    /// SHA-256, or pure ML-DSA over the bytes themselves.
    public func isValidSigV4X509Signature(_ signature: [UInt8], for stringToSign: [UInt8], algorithm: X509SigningAlgorithm) -> Bool {
        switch (self, algorithm) {
        case (.mlDSA(let key), .mldsa):
            return key.isValidSignature(signature, for: stringToSign)
        case (.classic(let key), .rsaSHA256):
            return key.isValidSignature(signature, for: stringToSign, signatureAlgorithm: .sha256WithRSAEncryption)
        case (.classic(let key), .ecdsaSHA256):
            return key.isValidSignature(signature, for: stringToSign, signatureAlgorithm: .ecdsaWithSHA256)
        default:
            return false
        }
    }
}
