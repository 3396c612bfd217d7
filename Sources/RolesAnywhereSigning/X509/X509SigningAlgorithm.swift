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
    /// ML-DSA keys: the string to sign itself, no pre-hash. Reserved: keys of this type plug in through
    /// `CustomPrivateKey` once swift-certificates can represent them.
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

    /// The X.509 signature algorithm used to produce the request signature with a private key.
    var certificateSignatureAlgorithm: Certificate.SignatureAlgorithm {
        self == .rsaSHA256 ? .sha256WithRSAEncryption : .ecdsaWithSHA256
    }

    public var description: String { name }
}
