import SwiftASN1
import RolesAnywhereSupport

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
struct AlgorithmIdentifierValue: DERParseable, DERSerializable, Hashable, Sendable {
    var algorithm: ASN1ObjectIdentifier
    var parameters: ASN1Any?

    init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return AlgorithmIdentifierValue(algorithm: algorithm, parameters: parameters)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(algorithm)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// The parameters as a parsed node, or `nil` when absent.
    func parametersNode() throws -> ASN1Node? {
        guard let parameters else { return nil }
        var serializer = DER.Serializer()
        try serializer.serialize(parameters)
        return try DER.parse(serializer.serializedBytes)
    }
}

/// Object identifiers used by key files and PKCS#12.
enum OID {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 10]
    static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    static let ed448: ASN1ObjectIdentifier = [1, 3, 101, 113]
    static let x25519: ASN1ObjectIdentifier = [1, 3, 101, 110]
    static let mldsa44: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 3, 17]
    static let mldsa65: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 3, 18]
    static let mldsa87: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 3, 19]

    static let secp256r1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    static let secp256k1: ASN1ObjectIdentifier = [1, 3, 132, 0, 10]
    static let secp224r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 33]
    static let prime192v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 1]

    static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
    static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
    static let scrypt: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11591, 4, 11]
    static let hmacWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 7]
    static let hmacWithSHA224: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 8]
    static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]
    static let hmacWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 10]
    static let hmacWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 11]
    static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
    static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
    static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    static let desEDE3CBC: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 3, 7]

    /// A readable name for error messages.
    static func name(_ oid: ASN1ObjectIdentifier) -> String {
        let names: [ASN1ObjectIdentifier: String] = [
            rsaEncryption: "RSA", rsassaPSS: "RSASSA-PSS", dsa: "DSA", ecPublicKey: "EC", ed25519: "Ed25519",
            ed448: "Ed448", x25519: "X25519", mldsa44: "ML-DSA-44", mldsa65: "ML-DSA-65", mldsa87: "ML-DSA-87",
            secp256r1: "P-256", secp384r1: "P-384", secp521r1: "P-521", secp256k1: "secp256k1",
            secp224r1: "P-224", prime192v1: "P-192", pbes2: "PBES2", pbkdf2: "PBKDF2", scrypt: "scrypt",
            hmacWithSHA1: "HMAC-SHA1", hmacWithSHA224: "HMAC-SHA224", hmacWithSHA256: "HMAC-SHA256",
            hmacWithSHA384: "HMAC-SHA384", hmacWithSHA512: "HMAC-SHA512", aes128CBC: "AES-128-CBC",
            aes192CBC: "AES-192-CBC", aes256CBC: "AES-256-CBC", desEDE3CBC: "DES-EDE3-CBC",
        ]
        return names[oid] ?? oid.description
    }
}
