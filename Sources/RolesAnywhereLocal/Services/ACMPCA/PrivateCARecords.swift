#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywherePKI
import RolesAnywhereSigning

/// A private CA of AWS Private CA (`CertificateAuthority` in the model), as the store keeps it. Its
/// private key is kept sealed (``PrivateCAKeyVault``): the record never holds it in the clear.
public struct PrivateCARecord: Codable, Sendable, Hashable {
    /// `CertificateAuthorityType`.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case root = "ROOT"
        case subordinate = "SUBORDINATE"
    }

    /// `CertificateAuthorityStatus` (CREATING and FAILED never last here: a CA is made at once).
    public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
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
    /// The CA's tags, in the order they were first set.
    public var tags: [PrivateCATag]?
    /// The resource-based policy (PutPolicy), as sent.
    public var policy: String?
    /// While DELETED: until when RestoreCertificateAuthority can bring it back, and the status it had.
    public var restorableUntil: Date?
    public var statusBeforeDeletion: Status?
    /// The CRL configuration while CRLs are enabled (read from `revocationConfiguration`).
    public var crl: PrivateCACRLConfiguration?
    /// The number and time of the last CRL published (the CRL number extension and thisUpdate).
    public var crlNumber: UInt64?
    public var crlPublishedAt: Date?

    /// Whether the CA was deleted and can no longer be restored: from then on it does not exist.
    public func isGone(at now: Date) -> Bool {
        status == .deleted && (restorableUntil.map { $0 <= now } ?? true)
    }

    /// The ID at the end of the ARN (`certificate-authority/ID`), as CRL keys use it.
    public var authorityID: String { String(arn.split(separator: "/").last ?? "") }
}

/// `Tag` of the model: a key and an optional value.
public struct PrivateCATag: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
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
    /// Once revoked (RevokeCertificate): when, and the model's `RevocationReason`.
    public var revokedAt: Date?
    public var revocationReason: PrivateCARevocationReason?
}

/// `RevocationReason` of the model, with the CRLReason (RFC 5280 section 5.3.1) each is written as.
public enum PrivateCARevocationReason: String, Codable, Sendable, Hashable, CaseIterable {
    case unspecified = "UNSPECIFIED"
    case keyCompromise = "KEY_COMPROMISE"
    case certificateAuthorityCompromise = "CERTIFICATE_AUTHORITY_COMPROMISE"
    case affiliationChanged = "AFFILIATION_CHANGED"
    case superseded = "SUPERSEDED"
    case cessationOfOperation = "CESSATION_OF_OPERATION"
    case privilegeWithdrawn = "PRIVILEGE_WITHDRAWN"
    case attributeAuthorityCompromise = "A_A_COMPROMISE"

    /// The reason a CRL entry carries.
    public var crlReason: CertificateRevocationList.Entry.Reason {
        switch self {
        case .unspecified: .unspecified
        case .keyCompromise: .keyCompromise
        case .certificateAuthorityCompromise: .caCompromise
        case .affiliationChanged: .affiliationChanged
        case .superseded: .superseded
        case .cessationOfOperation: .cessationOfOperation
        case .privilegeWithdrawn: .privilegeWithdrawn
        case .attributeAuthorityCompromise: .aaCompromise
        }
    }
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

    /// The usual signing algorithm for keys of this kind (the digest the PKI layer pairs with the
    /// key); for ML-DSA the only one.
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
    /// Whether a key of `algorithm` can make this signature: RSA keys with any SHA-2 digest and
    /// RSA, EC keys with any SHA-2 digest and ECDSA (whatever the curve), an ML-DSA key with its
    /// own parameter set only.
    func canSign(with algorithm: PrivateCAKeyAlgorithm) -> Bool {
        switch self {
        case .sha256WithRSA, .sha384WithRSA, .sha512WithRSA: [.rsa2048, .rsa3072, .rsa4096].contains(algorithm)
        case .sha256WithECDSA, .sha384WithECDSA, .sha512WithECDSA: [.ecPrime256v1, .ecSecp384r1, .ecSecp521r1].contains(algorithm)
        case .mlDSA44, .mlDSA65, .mlDSA87: algorithm.signingAlgorithm == self
        }
    }

    /// The signing algorithms a key of `algorithm` can make, for messages.
    static func names(for algorithm: PrivateCAKeyAlgorithm) -> String {
        allCases.filter { $0.canSign(with: algorithm) }.map(\.rawValue).joined(separator: ", ")
    }

    /// The digest of an RSA or ECDSA signature; nil for ML-DSA (which has none to choose).
    var digest: SignatureDigest? {
        switch self {
        case .sha256WithRSA, .sha256WithECDSA: .sha256
        case .sha384WithRSA, .sha384WithECDSA: .sha384
        case .sha512WithRSA, .sha512WithECDSA: .sha512
        case .mlDSA44, .mlDSA65, .mlDSA87: nil
        }
    }

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
