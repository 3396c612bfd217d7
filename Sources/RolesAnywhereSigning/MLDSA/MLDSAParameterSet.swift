public import SwiftASN1

/// An ML-DSA parameter set of FIPS 204, with the sizes and object identifiers of its keys and
/// signatures (RFC 9881 for X.509 and PKCS#8).
public enum MLDSAParameterSet: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case mlDSA44
    case mlDSA65
    case mlDSA87

    /// The name NIST, OpenSSL and `aws_signing_helper`'s `keyType` use, e.g. `ML-DSA-65`.
    public var name: String {
        switch self {
        case .mlDSA44: "ML-DSA-44"
        case .mlDSA65: "ML-DSA-65"
        case .mlDSA87: "ML-DSA-87"
        }
    }

    public var description: String { name }

    /// `id-ml-dsa-44` (2.16.840.1.101.3.4.3.17), `-65` (.18), `-87` (.19): both the public-key
    /// algorithm of a certificate and the signature algorithm of what the key signs.
    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .mlDSA44: [2, 16, 840, 1, 101, 3, 4, 3, 17]
        case .mlDSA65: [2, 16, 840, 1, 101, 3, 4, 3, 18]
        case .mlDSA87: [2, 16, 840, 1, 101, 3, 4, 3, 19]
        }
    }

    /// The parameter set an object identifier names, or nil for any other algorithm.
    public init?(oid: ASN1ObjectIdentifier) {
        guard let match = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = match
    }

    /// The parameter set of a name as users type it: `ml-dsa-65`, `ML-DSA-65`, `mldsa65`.
    public init?(name: String) {
        let compact = name.lowercased().filter { $0 != "-" && $0 != "_" }
        guard let match = Self.allCases.first(where: { $0.name.lowercased().filter { $0 != "-" } == compact }) else { return nil }
        self = match
    }

    /// The seed every private key is expanded from (ξ of FIPS 204).
    public static let seedByteCount = 32

    public var publicKeyByteCount: Int {
        switch self {
        case .mlDSA44: 1312
        case .mlDSA65: 1952
        case .mlDSA87: 2592
        }
    }

    /// The length of the expanded private key (FIPS 204's `skEncode`, RFC 9881's `expandedKey`).
    public var expandedKeyByteCount: Int {
        switch self {
        case .mlDSA44: 2560
        case .mlDSA65: 4032
        case .mlDSA87: 4896
        }
    }

    public var signatureByteCount: Int {
        switch self {
        case .mlDSA44: 2420
        case .mlDSA65: 3309
        case .mlDSA87: 4627
        }
    }
}
