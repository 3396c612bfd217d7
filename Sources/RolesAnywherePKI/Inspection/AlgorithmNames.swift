public import SwiftASN1

/// What a certificate's signature algorithm is, and whether IAM Roles Anywhere accepts its hash.
public struct SignatureAlgorithmInfo: Sendable, Hashable {
    public var oid: ASN1ObjectIdentifier
    /// The OpenSSL-style name, e.g. `sha256WithRSAEncryption`.
    public var name: String
    /// The hash, e.g. `SHA-256`; `nil` when unknown.
    public var hash: String?
    /// SHA-256 or stronger (or a hash-free scheme Roles Anywhere supports, ML-DSA).
    public var isAccepted: Bool

    static let known: [ASN1ObjectIdentifier: (String, String?, Bool)] = [
        [1, 2, 840, 113_549, 1, 1, 4]: ("md5WithRSAEncryption", "MD5", false),
        [1, 2, 840, 113_549, 1, 1, 5]: ("sha1WithRSAEncryption", "SHA-1", false),
        [1, 2, 840, 113_549, 1, 1, 14]: ("sha224WithRSAEncryption", "SHA-224", false),
        [1, 2, 840, 113_549, 1, 1, 11]: ("sha256WithRSAEncryption", "SHA-256", true),
        [1, 2, 840, 113_549, 1, 1, 12]: ("sha384WithRSAEncryption", "SHA-384", true),
        [1, 2, 840, 113_549, 1, 1, 13]: ("sha512WithRSAEncryption", "SHA-512", true),
        [1, 2, 840, 10045, 4, 1]: ("ecdsa-with-SHA1", "SHA-1", false),
        [1, 2, 840, 10045, 4, 3, 1]: ("ecdsa-with-SHA224", "SHA-224", false),
        [1, 2, 840, 10045, 4, 3, 2]: ("ecdsa-with-SHA256", "SHA-256", true),
        [1, 2, 840, 10045, 4, 3, 3]: ("ecdsa-with-SHA384", "SHA-384", true),
        [1, 2, 840, 10045, 4, 3, 4]: ("ecdsa-with-SHA512", "SHA-512", true),
        [1, 2, 840, 10040, 4, 3]: ("dsa-with-SHA1", "SHA-1", false),
        [1, 3, 101, 112]: ("ED25519", nil, false),
        [2, 16, 840, 1, 101, 3, 4, 3, 17]: ("ML-DSA-44", nil, true),
        [2, 16, 840, 1, 101, 3, 4, 3, 18]: ("ML-DSA-65", nil, true),
        [2, 16, 840, 1, 101, 3, 4, 3, 19]: ("ML-DSA-87", nil, true),
    ]

    static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 10]
    static let hashes: [ASN1ObjectIdentifier: (String, Bool)] = [
        [1, 3, 14, 3, 2, 26]: ("SHA-1", false),
        [2, 16, 840, 1, 101, 3, 4, 2, 4]: ("SHA-224", false),
        [2, 16, 840, 1, 101, 3, 4, 2, 1]: ("SHA-256", true),
        [2, 16, 840, 1, 101, 3, 4, 2, 2]: ("SHA-384", true),
        [2, 16, 840, 1, 101, 3, 4, 2, 3]: ("SHA-512", true),
    ]

    init(oid: ASN1ObjectIdentifier, parameters: ASN1Node?) {
        self.oid = oid
        if let (name, hash, accepted) = Self.known[oid] {
            self.name = name
            self.hash = hash
            self.isAccepted = accepted
        } else if oid == Self.rsassaPSS {
            // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, ... }
            var hash = ("SHA-1", false)
            if let parameters,
                let found = try? DER.sequence(parameters, identifier: .sequence, { nodes -> ASN1ObjectIdentifier? in
                    let result = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                        try DER.sequence(node, identifier: .sequence) { inner in
                            let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
                            while inner.next() != nil {}
                            return oid
                        }
                    }
                    while nodes.next() != nil {}
                    return result
                }), let known = Self.hashes[found]
            {
                hash = known
            }
            self.name = "rsassaPss"
            self.hash = hash.0
            self.isAccepted = hash.1
        } else {
            self.name = oid.description
            self.hash = nil
            self.isAccepted = false
        }
    }
}

/// What a certificate's public key is.
public enum PublicKeyInfo: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(curve: String)
    case mldsa(String)
    case other(String)

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA \(bits) bits"
        case .ec(let curve): "EC \(curve)"
        case .mldsa(let name): name
        case .other(let name): name
        }
    }

    static let curveNames: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 10045, 3, 1, 7]: "P-256", [1, 3, 132, 0, 34]: "P-384", [1, 3, 132, 0, 35]: "P-521",
        [1, 3, 132, 0, 10]: "secp256k1", [1, 3, 132, 0, 33]: "P-224", [1, 2, 840, 10045, 3, 1, 1]: "P-192",
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 7]: "brainpoolP256r1", [1, 3, 36, 3, 3, 2, 8, 1, 1, 11]: "brainpoolP384r1",
    ]
}
