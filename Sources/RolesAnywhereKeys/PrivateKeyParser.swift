import Crypto
public import RolesAnywhereSigning
import SwiftASN1
package import X509
import _CryptoExtras
public import RolesAnywhereSupport

/// Turns private-key PEM blocks into signing keys: PKCS#1 (`RSA PRIVATE KEY`), SEC1
/// (`EC PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2) and
/// OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED` with AES).
///
/// Only keys IAM Roles Anywhere accepts come out: RSA of 2048 bits or more, EC on P-256, P-384 or
/// P-521, and ML-DSA-44, -65 and -87 (PKCS#8, in any of RFC 9881's three forms). Anything else
/// gets an error that names the key type.
public enum PrivateKeyParser {
    /// The PEM labels that hold a private key.
    public static let keyBlockTypes: Set<String> = [
        "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
    ]

    /// The smallest RSA key accepted.
    public static let minimumRSAKeySize = 2048

    /// Parses a private-key block. `password` is read only if the block is encrypted.
    public static func privateKey(
        from block: PEMBlock,
        password: PasswordSource
    ) throws(CredentialsError) -> SigningKey {
        if block.headers.contains(where: { $0.name == "Proc-Type" && $0.value.hasSuffix("ENCRYPTED") }) {
            let der = try LegacyPEMEncryption.decrypt(block, password: try requirePassword(password))
            return try privateKey(unencryptedType: block.type, der: der)
        }
        if block.type == "ENCRYPTED PRIVATE KEY" {
            let der = try EncryptedPrivateKeyInfo.decrypt(
                derEncoded: block.derBytes,
                password: { () throws(CredentialsError) in try requirePassword(password) }
            )
            return try privateKey(pkcs8: der)
        }
        return try privateKey(unencryptedType: block.type, der: block.derBytes)
    }

    static func requirePassword(_ source: PasswordSource) throws(CredentialsError) -> String {
        guard let password = try source.resolve() else {
            throw CredentialsError(.passwordRequired, "the private key is encrypted: \(PasswordSource.hint)")
        }
        return password
    }

    static func privateKey(unencryptedType type: String, der: [UInt8]) throws(CredentialsError) -> SigningKey {
        switch type {
        case "RSA PRIVATE KEY": return .certificateKey(try rsaKey(pkcs1: der))
        case "EC PRIVATE KEY": return .certificateKey(try ecKey(sec1: der, curve: nil))
        case "PRIVATE KEY": return try privateKey(pkcs8: der)
        default:
            throw CredentialsError(.invalidInput, "a '\(type)' PEM block is not a private key")
        }
    }

    /// Parses a PKCS#8 `PrivateKeyInfo`.
    public static func privateKey(pkcs8 der: [UInt8]) throws(CredentialsError) -> SigningKey {
        let algorithm: AlgorithmIdentifierValue
        let inner: ASN1OctetString
        do {
            (algorithm, inner) = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                _ = try Int(derEncoded: &nodes)
                let algorithm = try AlgorithmIdentifierValue(derEncoded: &nodes)
                let key = try ASN1OctetString(derEncoded: &nodes)
                while nodes.next() != nil {}  // attributes, public key (PKCS#8 v2)
                return (algorithm, key)
            }
        } catch {
            throw CredentialsError(.invalidInput, "the PKCS#8 private key is not valid DER")
        }
        if let set = MLDSAParameterSet(oid: algorithm.algorithm) {
            guard algorithm.parameters == nil else {
                throw CredentialsError(.invalidInput, "the \(set) private key has algorithm parameters, which RFC 9881 forbids")
            }
            return .mlDSA(try MLDSAPrivateKeyInfo.privateKey(field: Array(inner.bytes), parameterSet: set))
        }
        switch algorithm.algorithm {
        case OID.rsaEncryption:
            return .certificateKey(try rsaKey(pkcs1: Array(inner.bytes)))
        case OID.ecPublicKey:
            let curve = try? algorithm.parametersNode().map { try ASN1ObjectIdentifier(derEncoded: $0) }
            return .certificateKey(try ecKey(sec1: Array(inner.bytes), curve: curve ?? nil))
        default:
            throw CredentialsError(
                .unsupportedKey,
                "the private key is \(OID.name(algorithm.algorithm)); IAM Roles Anywhere needs an RSA, EC (P-256, P-384, P-521) or ML-DSA (44, 65, 87) key"
            )
        }
    }

    static func rsaKey(pkcs1 der: [UInt8]) throws(CredentialsError) -> Certificate.PrivateKey {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: der)
        } catch {
            throw CredentialsError(.invalidInput, "the RSA private key is not valid DER (or is smaller than 1024 bits)")
        }
        guard key.keySizeInBits >= minimumRSAKeySize else {
            throw CredentialsError(
                .unsupportedKey,
                "the RSA key has \(key.keySizeInBits) bits; use a key of at least \(minimumRSAKeySize) bits"
            )
        }
        return Certificate.PrivateKey(key)
    }

    /// Parses a SEC1 `ECPrivateKey`. `curve` comes from the PKCS#8 wrapper when there is one.
    static func ecKey(sec1 der: [UInt8], curve outerCurve: ASN1ObjectIdentifier?) throws(CredentialsError) -> Certificate.PrivateKey {
        let scalar: [UInt8]
        let innerCurve: ASN1ObjectIdentifier?
        do {
            (scalar, innerCurve) = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                _ = try Int(derEncoded: &nodes)
                let key = try ASN1OctetString(derEncoded: &nodes)
                let curve = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                    try ASN1ObjectIdentifier(derEncoded: node)
                }
                while nodes.next() != nil {}  // [1] public key
                return (Array(key.bytes), curve)
            }
        } catch {
            throw CredentialsError(.invalidInput, "the EC private key is not valid DER (or has explicit curve parameters)")
        }
        let curve = outerCurve ?? innerCurve ?? Self.curveBySize(scalar.count)
        do {
            switch curve {
            case OID.secp256r1: return Certificate.PrivateKey(try P256.Signing.PrivateKey(rawRepresentation: scalar))
            case OID.secp384r1: return Certificate.PrivateKey(try P384.Signing.PrivateKey(rawRepresentation: scalar))
            case OID.secp521r1: return Certificate.PrivateKey(try P521.Signing.PrivateKey(rawRepresentation: scalar))
            case .some(let other):
                throw CredentialsError(
                    .unsupportedKey,
                    "the EC key is on curve \(OID.name(other)); IAM Roles Anywhere needs P-256, P-384 or P-521"
                )
            case .none:
                throw CredentialsError(.invalidInput, "the EC private key does not name its curve")
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "the EC private key is invalid for its curve")
        }
    }

    private static func curveBySize(_ count: Int) -> ASN1ObjectIdentifier? {
        switch count {
        case 32: OID.secp256r1
        case 48: OID.secp384r1
        case 66: OID.secp521r1
        default: nil
        }
    }
}

extension SigningKey {
    /// The RSA or EC key, for what does not take ML-DSA keys yet (`use` says what, e.g. "a CA key").
    package func classicKey(for use: String) throws(CredentialsError) -> Certificate.PrivateKey {
        guard let key = certificateKey else {
            throw CredentialsError(.unsupportedKey, "\(publicKey) keys cannot be used as \(use) yet; use an RSA or EC key")
        }
        return key
    }
}
