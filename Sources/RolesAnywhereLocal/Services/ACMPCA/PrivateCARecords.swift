#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A private CA of AWS Private CA (`CertificateAuthority` in the model), as the store keeps it. Its
/// private key is kept sealed (``PrivateCAKeyVault``): the record never holds it in the clear.
public struct PrivateCARecord: Codable, Sendable, Hashable {
    /// `CertificateAuthorityType`.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case root = "ROOT"
        case subordinate = "SUBORDINATE"
    }

    /// `CertificateAuthorityStatus` (CREATING and FAILED never last here: a CA is made at once).
    public enum Status: String, Codable, Sendable, Hashable {
        case pendingCertificate = "PENDING_CERTIFICATE"
        case active = "ACTIVE"
        case disabled = "DISABLED"
        case deleted = "DELETED"
        case expired = "EXPIRED"
    }

    /// `CertificateAuthorityUsageMode`.
    public enum UsageMode: String, Codable, Sendable, Hashable, CaseIterable {
        case generalPurpose = "GENERAL_PURPOSE"
        case shortLivedCertificate = "SHORT_LIVED_CERTIFICATE"
    }

    public var arn: String
    public var kind: Kind
    public var status: Status
    public var usageMode: UsageMode
    public var keyAlgorithm: PrivateCAKeyAlgorithm
    public var signingAlgorithm: PrivateCASigningAlgorithm
    /// `ASN1Subject` members as given (model member name -> value).
    public var subject: [String: String]
    /// `KeyStorageSecurityStandard`, as given or defaulted.
    public var keyStorageSecurityStandard: String
    /// `RevocationConfiguration` as sent, to echo it (JSON text), or nil.
    public var revocationConfiguration: String?
    public var createdAt: Date
    public var lastStateChangeAt: Date
    /// The private key, sealed by the vault (AES-GCM, the ARN as associated data).
    public var sealedKey: [UInt8]
    /// The CSR of the CA's key (PEM), signed with it.
    public var csrPEM: String
    /// The CA certificate once installed (PEM), with its chain for a subordinate CA.
    public var certificatePEM: String?
    public var certificateChainPEM: String?
    /// Of the installed certificate: its serial (hex, colon-separated as the service writes it) and validity.
    public var serial: String?
    public var notBefore: Date?
    public var notAfter: Date?
    /// `IdempotencyToken` of the create call and when it was made.
    public var idempotencyToken: String?
}

/// A certificate a private CA issued.
public struct PrivateCAIssuedCertificate: Codable, Sendable, Hashable {
    /// `arn:...:certificate-authority/ID/certificate/SERIAL`.
    public var arn: String
    public var authorityArn: String
    public var serialHex: String
    public var certificatePEM: String
    public var issuedAt: Date
    public var notAfter: Date
    public var idempotencyToken: String?
}

/// `KeyAlgorithm` of the model: the ones this server generates.
public enum PrivateCAKeyAlgorithm: String, Codable, Sendable, Hashable, CaseIterable {
    case rsa2048 = "RSA_2048"
    case rsa3072 = "RSA_3072"
    case rsa4096 = "RSA_4096"
    case ecPrime256v1 = "EC_prime256v1"
    case ecSecp384r1 = "EC_secp384r1"
    case ecSecp521r1 = "EC_secp521r1"
    case mlDSA44 = "ML_DSA_44"
    case mlDSA65 = "ML_DSA_65"
    case mlDSA87 = "ML_DSA_87"

    /// The signing algorithm this server signs with for keys of this kind (the digest the PKI
    /// layer pairs with the key).
    var signingAlgorithm: PrivateCASigningAlgorithm {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096: .sha256WithRSA
        case .ecPrime256v1: .sha256WithECDSA
        case .ecSecp384r1: .sha384WithECDSA
        case .ecSecp521r1: .sha512WithECDSA
        case .mlDSA44: .mlDSA44
        case .mlDSA65: .mlDSA65
        case .mlDSA87: .mlDSA87
        }
    }
}

/// `SigningAlgorithm` of the model (SM3WITHSM2 aside: no SM2 keys here).
public enum PrivateCASigningAlgorithm: String, Codable, Sendable, Hashable, CaseIterable {
    case sha256WithECDSA = "SHA256WITHECDSA"
    case sha384WithECDSA = "SHA384WITHECDSA"
    case sha512WithECDSA = "SHA512WITHECDSA"
    case sha256WithRSA = "SHA256WITHRSA"
    case sha384WithRSA = "SHA384WITHRSA"
    case sha512WithRSA = "SHA512WITHRSA"
    case mlDSA44 = "ML_DSA_44"
    case mlDSA65 = "ML_DSA_65"
    case mlDSA87 = "ML_DSA_87"
}
