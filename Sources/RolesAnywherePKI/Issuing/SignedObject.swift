#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
public import RolesAnywhereSigning
import SwiftASN1
public import X509
import _CryptoExtras

/// The parts every object the PKI signs shares (certificates, requests, CRLs): the issuer's
/// signature algorithm and signature, and the subject's key as a certificate holds it.
///
/// The DER is written here rather than by swift-certificates because its `Certificate` and
/// `CertificateSigningRequest` cannot hold or sign with ML-DSA keys; RSA and EC objects are
/// written the same way, so every key type takes one path.
public enum SignedObject {
    /// The signature algorithm a CA or requester with `key` signs with: SHA-256 with RSA, the
    /// ECDSA hash that matches the curve (always SHA-256 or stronger, as Roles Anywhere requires),
    /// or the key's own ML-DSA parameter set; with `digest`, that digest for an RSA or EC key
    /// instead (AWS Private CA's `SigningAlgorithm`).
    public static func signatureAlgorithm(of key: SigningKey, digest: SignatureDigest? = nil) -> AlgorithmIdentifier {
        let (oid, _) = algorithmAndDigest(of: key, digest: digest)
        // RSA's parameters are NULL (RFC 4055); ECDSA's and ML-DSA's are absent (RFC 5758, RFC 9881).
        return AlgorithmIdentifier(algorithm: oid, parameters: oid.oidComponents.starts(with: [1, 2, 840, 113_549]) ? [0x05, 0x00] : nil)
    }

    private static func algorithmAndDigest(of key: SigningKey, digest: SignatureDigest? = nil) -> (ASN1ObjectIdentifier, SignatureDigest) {
        switch key {
        case .mlDSA(let key):
            return (key.parameterSet.oid, .sha256)
        case .certificateKey(let key):
            let publicKey = key.publicKey
            let isRSA = _RSA.Signing.PublicKey(publicKey) != nil
            if let digest {
                // sha{256,384,512}WithRSAEncryption (RFC 4055) and ecdsa-with-SHA{256,384,512} (RFC 5758).
                let last: UInt = switch digest {
                case .sha256: isRSA ? 11 : 2
                case .sha384: isRSA ? 12 : 3
                case .sha512: isRSA ? 13 : 4
                }
                return (isRSA ? [1, 2, 840, 113_549, 1, 1, last] : [1, 2, 840, 10045, 4, 3, last], digest)
            }
            if isRSA { return ([1, 2, 840, 113_549, 1, 1, 11], .sha256) }
            if P384.Signing.PublicKey(publicKey) != nil { return ([1, 2, 840, 10045, 4, 3, 3], .sha384) }
            if P521.Signing.PublicKey(publicKey) != nil { return ([1, 2, 840, 10045, 4, 3, 4], .sha512) }
            return ([1, 2, 840, 10045, 4, 3, 2], .sha256)
        }
    }

    /// Writes an `AlgorithmIdentifier`.
    static func serialize(_ algorithm: AlgorithmIdentifier, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { inner in
            try inner.serialize(algorithm.algorithm)
            if let parameters = algorithm.parameters { inner.serializeRawBytes(parameters) }
        }
    }

    /// `SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }`: `tbs` (already DER, with the
    /// same algorithm inside it where the format has one) signed by `key`.
    ///
    /// The signature is verified with `key`'s public key before anything is returned: a key that
    /// signs wrongly (a faulty device or computation) hands out no certificate, request or CRL.
    static func sign(_ tbs: [UInt8], with key: SigningKey, digest requested: SignatureDigest? = nil) throws(PKIError) -> [UInt8] {
        let (_, digest) = algorithmAndDigest(of: key, digest: requested)
        let algorithm = signatureAlgorithm(of: key, digest: requested)
        let signature: [UInt8]
        do {
            signature = try key.signature(for: tbs, digest: digest)
        } catch {
            throw PKIError(.invalidConfiguration, "the issuer's key could not sign: \(error.message)")
        }
        guard key.publicKey.isValidSignature(signature[...], for: tbs[...], algorithm: algorithm) else {
            throw PKIError(.invalidConfiguration, "the signature just made does not verify with the signer's own public key; nothing was written")
        }
        do {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { outer in
                outer.serializeRawBytes(tbs)
                try serialize(algorithm, into: &outer)
                try outer.serialize(ASN1BitString(bytes: signature[...]))
            }
            return coder.serializedBytes
        } catch {
            throw PKIError(.invalidConfiguration, "the signed object cannot be encoded: \(error)")
        }
    }

    /// The `SubjectPublicKeyInfo` DER of `key`.
    public static func subjectPublicKeyInfo(_ key: CertificatePublicKey) throws(PKIError) -> [UInt8] {
        switch key {
        case .classic(let key):
            do {
                var coder = DER.Serializer()
                try coder.serialize(key)
                return coder.serializedBytes
            } catch {
                throw PKIError(.invalidConfiguration, "the public key cannot be encoded: \(error)")
            }
        case .mlDSA(let key):
            do {
                var coder = DER.Serializer()
                try coder.appendConstructedNode(identifier: .sequence) { info in
                    try serialize(AlgorithmIdentifier(algorithm: key.parameterSet.oid), into: &info)
                    try info.serialize(ASN1BitString(bytes: key.rawRepresentation[...]))
                }
                return coder.serializedBytes
            } catch {
                throw PKIError(.invalidConfiguration, "the \(key.parameterSet) public key cannot be encoded: \(error)")
            }
        }
    }

    /// The key identifier of `key`: the SHA-1 of its `subjectPublicKey` bits (RFC 5280 §4.2.1.2,
    /// method 1), as swift-certificates and OpenSSL compute it.
    public static func keyIdentifier(_ key: CertificatePublicKey) -> ArraySlice<UInt8> {
        switch key {
        case .classic(let key): SubjectKeyIdentifier(hash: key).keyIdentifier
        case .mlDSA(let key): ArraySlice(Insecure.SHA1.hash(data: key.rawRepresentation))
        }
    }

    /// A positive INTEGER from big-endian magnitude bytes.
    static func serializeInteger(_ magnitude: some Collection<UInt8>, into coder: inout DER.Serializer) {
        var bytes = Array(magnitude.drop(while: { $0 == 0 }))
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        coder.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: bytes) }
    }

    /// UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5, §5.1.2.4).
    static func serializeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        let c = AmzDate(date).components
        if c.year < 2050 {
            try coder.serialize(UTCTime(year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second))
        } else {
            try coder.serialize(
                GeneralizedTime(year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second, fractionalSeconds: 0)
            )
        }
    }
}
