import SwiftASN1
import X509
import _CryptoExtras

/// An RSA `SubjectPublicKeyInfo` read without swift-crypto's DER probing.
///
/// Given the `RSAPublicKey` bytes of a certificate, swift-crypto first tries to read them as a
/// `SubjectPublicKeyInfo` (to strip PSS parameters) and BoringSSL as one too, before reading them
/// as PKCS#1: two errors built, thrown and caught for every RSA certificate. Reading the modulus and
/// exponent here and handing swift-crypto the numbers costs neither. Anything unusual (other
/// parameters, a non-positive number, a key under 2048 bits) is left to swift-certificates' own
/// reading, which explains what is wrong with it.
enum RSASubjectPublicKey {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let nullParameters: [UInt8] = [0x05, 0x00]

    /// The key, or `nil` when it is not a plain RSA key this fast path reads.
    static func read(algorithm: AlgorithmIdentifier, key node: ASN1Node) -> Certificate.PublicKey? {
        guard algorithm.algorithm == rsaEncryption, let parameters = algorithm.parameters,
              Array(parameters) == nullParameters
        else { return nil }
        guard let bits = try? ASN1BitString(derEncoded: node), bits.paddingBits == 0,
              let sequence = try? DER.parse(bits.bytes), sequence.identifier == .sequence,
              case .constructed(let parts) = sequence.content
        else { return nil }
        var iterator = parts.makeIterator()
        guard let modulusNode = iterator.next(), let exponentNode = iterator.next(), iterator.next() == nil,
              let modulus = positiveInteger(modulusNode), let exponent = positiveInteger(exponentNode),
              modulus.count >= 256
        else { return nil }
        guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) else { return nil }
        return Certificate.PublicKey(key)
    }

    /// The magnitude of a positive DER INTEGER (without its sign byte).
    private static func positiveInteger(_ node: ASN1Node) -> [UInt8]? {
        guard node.identifier == .integer, case .primitive(let bytes) = node.content, let first = bytes.first,
              first & 0x80 == 0
        else { return nil }
        // DER: no redundant leading zero (a 0x00 only before a byte with its top bit set).
        if first == 0 {
            guard bytes.count > 1, bytes[bytes.startIndex + 1] & 0x80 != 0 else { return nil }
            return Array(bytes.dropFirst())
        }
        return Array(bytes)
    }
}
