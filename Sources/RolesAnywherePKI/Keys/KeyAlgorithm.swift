import Crypto
public import RolesAnywhereSigning
import X509
import _CryptoExtras

/// The kinds of key the PKI commands generate: the ones IAM Roles Anywhere accepts.
public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ecdsa(Curve)
    case mlDSA(MLDSAParameterSet)

    public enum Curve: String, Sendable, Hashable, CaseIterable {
        case p256 = "P-256"
        case p384 = "P-384"
        case p521 = "P-521"
    }

    /// The spellings accepted by `--key-type`.
    public static let names = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521", "ml-dsa-44", "ml-dsa-65", "ml-dsa-87"]

    /// Parses `rsa2048`, `rsa-3072`, `RSA:4096`, `p256`, `ec-p384`, `P-521`, `ec` (P-256), `rsa`
    /// (2048), or `ml-dsa-44`, `mldsa65`, `ML-DSA-87`.
    public init(parsing text: String) throws(PKIError) {
        let normalized = text.lowercased().filter { $0.isLetter || $0.isNumber }
        switch normalized {
        case "rsa", "rsa2048": self = .rsa(bits: 2048)
        case "rsa3072": self = .rsa(bits: 3072)
        case "rsa4096": self = .rsa(bits: 4096)
        case "ec", "ecdsa", "p256", "ecp256", "secp256r1", "prime256v1": self = .ecdsa(.p256)
        case "p384", "ecp384", "secp384r1": self = .ecdsa(.p384)
        case "p521", "ecp521", "secp521r1": self = .ecdsa(.p521)
        case "mldsa44": self = .mlDSA(.mlDSA44)
        case "mldsa65": self = .mlDSA(.mlDSA65)
        case "mldsa87": self = .mlDSA(.mlDSA87)
        default:
            throw PKIError(.invalidConfiguration, "key type '\(text)' is not one of \(Self.names.joined(separator: ", "))")
        }
    }

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA-\(bits)"
        case .ecdsa(let curve): "EC \(curve.rawValue)"
        case .mlDSA(let set): set.name
        }
    }

    /// Generates a new key.
    public func generate() throws(PKIError) -> SigningKey {
        switch self {
        case .rsa(let bits):
            do {
                return .certificateKey(Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))))
            } catch {
                throw PKIError(.invalidConfiguration, "cannot generate an RSA key of \(bits) bits: \(error)")
            }
        case .ecdsa(.p256): return .certificateKey(Certificate.PrivateKey(P256.Signing.PrivateKey()))
        case .ecdsa(.p384): return .certificateKey(Certificate.PrivateKey(P384.Signing.PrivateKey()))
        case .ecdsa(.p521): return .certificateKey(Certificate.PrivateKey(P521.Signing.PrivateKey()))
        case .mlDSA(let set):
            do {
                return .mlDSA(try MLDSAPrivateKey.generate(set))
            } catch {
                throw PKIError(.invalidConfiguration, "cannot generate an \(set) key: \(error.message)")
            }
        }
    }
}
