public import RolesAnywhereSigning
public import RolesAnywhereSupport
import SwiftASN1

/// The `privateKey` field of an ML-DSA PKCS#8 key (RFC 9881, section 6), in its three forms:
///
/// ```
/// ML-DSA-PrivateKey ::= CHOICE {
///     seed         [0] IMPLICIT OCTET STRING (SIZE (32)),
///     expandedKey  OCTET STRING,
///     both         SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
/// ```
///
/// OpenSSL 3.5 writes `both` by default and `aws_signing_helper`'s fixtures hold it; Python's
/// cryptography and this project's PKI write `seed`.
public enum MLDSAPrivateKeyInfo {
    /// How a key is written.
    public enum Form: String, Sendable, Hashable, CaseIterable {
        case seed
        case expanded
        case both
    }

    /// Reads the field's bytes (the contents of PKCS#8's `privateKey` OCTET STRING).
    public static func privateKey(field der: [UInt8], parameterSet set: MLDSAParameterSet) throws(CredentialsError) -> MLDSAPrivateKey {
        let node: ASN1Node
        do {
            node = try DER.parse(der)
        } catch {
            throw CredentialsError(.invalidInput, "the \(set) private key is not valid DER")
        }
        do {
            switch node.identifier {
            case ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific):
                guard case .primitive(let seed) = node.content else { throw formError(set) }
                return try MLDSAPrivateKey(seed: try seedBytes(seed, set), parameterSet: set)
            case .octetString:
                let expanded = try ASN1OctetString(derEncoded: node).bytes
                return try MLDSAPrivateKey(expandedKey: try expandedBytes(expanded, set), parameterSet: set)
            case .sequence:
                let (seed, expanded) = try DER.sequence(node, identifier: .sequence) { nodes in
                    let seed = try ASN1OctetString(derEncoded: &nodes).bytes
                    let expanded = try ASN1OctetString(derEncoded: &nodes).bytes
                    return (seed, expanded)
                }
                do {
                    return try MLDSAPrivateKey(seed: try seedBytes(seed, set), expandedKey: try expandedBytes(expanded, set), parameterSet: set)
                } catch let error as SigningError where error.code == .malformedKey {
                    throw CredentialsError(
                        .invalidInput,
                        "the \(set) private key's expanded form does not match its seed (the file is damaged, or was put together from two keys)"
                    )
                }
            default:
                throw formError(set)
            }
        } catch let error as CredentialsError {
            throw error
        } catch let error as SigningError {
            throw CredentialsError(.invalidInput, "the \(set) private key is not usable: \(error.message)")
        } catch {
            throw formError(set)
        }
    }

    /// The field's bytes for `key` in `form`. The expanded and both forms need the key's seed or
    /// its expansion, which every key has; a key read without its seed has no seed form.
    public static func field(_ key: MLDSAPrivateKey, form: Form) throws(CredentialsError) -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            switch form {
            case .seed:
                guard let seed = key.seed else {
                    throw CredentialsError(.invalidConfiguration, "the \(key.parameterSet) key was read without its seed, so it cannot be written in the seed form; use --key-format expanded")
                }
                serializer.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { $0.append(contentsOf: seed) }
            case .expanded:
                try serializer.serialize(ASN1OctetString(contentBytes: ArraySlice(key.expandedKey())))
            case .both:
                guard let seed = key.seed else {
                    throw CredentialsError(.invalidConfiguration, "the \(key.parameterSet) key was read without its seed, so it cannot be written in the both form; use --key-format expanded")
                }
                try serializer.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(seed)))
                    try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(key.expandedKey())))
                }
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "cannot encode the \(key.parameterSet) private key: \(error)")
        }
        return serializer.serializedBytes
    }

    private static func formError(_ set: MLDSAParameterSet) -> CredentialsError {
        CredentialsError(.invalidInput, "the \(set) private key is in none of RFC 9881's forms (seed, expandedKey, or both)")
    }

    private static func seedBytes(_ bytes: ArraySlice<UInt8>, _ set: MLDSAParameterSet) throws(CredentialsError) -> [UInt8] {
        guard bytes.count == MLDSAParameterSet.seedByteCount else {
            throw CredentialsError(.invalidInput, "the \(set) private key's seed is \(bytes.count) bytes; an ML-DSA seed is 32 bytes (the key is truncated or damaged)")
        }
        return Array(bytes)
    }

    private static func expandedBytes(_ bytes: ArraySlice<UInt8>, _ set: MLDSAParameterSet) throws(CredentialsError) -> [UInt8] {
        guard bytes.count == set.expandedKeyByteCount else {
            throw CredentialsError(.invalidInput, "the \(set) private key's expanded form is \(bytes.count) bytes; an \(set) expanded key is \(set.expandedKeyByteCount) bytes")
        }
        return Array(bytes)
    }
}
