import Crypto
package import SwiftASN1
package import X509
package import RolesAnywhereSupport
package import RolesAnywhereSigning

/// The hash of a signature algorithm, for keys in devices (PKCS#11 tokens, TPMs) that sign a digest
/// or need the hash named.
package enum SignatureHash: Sendable, Hashable {
    case sha256, sha384, sha512

    /// The hash of an RSA PKCS#1 v1.5 or ECDSA algorithm; `nil` for others.
    package init?(_ algorithm: Certificate.SignatureAlgorithm) {
        switch algorithm {
        case .sha256WithRSAEncryption, .ecdsaWithSHA256: self = .sha256
        case .sha384WithRSAEncryption, .ecdsaWithSHA384: self = .sha384
        case .sha512WithRSAEncryption, .ecdsaWithSHA512: self = .sha512
        default: return nil
        }
    }

    package func digest(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    /// The algorithms a device key of this kind offers (what `CustomPrivateKey` reports).
    package static func algorithms(rsa: Bool) -> [Certificate.SignatureAlgorithm] {
        rsa ? [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption] : [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512]
    }
}

/// EC public keys on the curves IAM Roles Anywhere accepts, from what devices report.
package enum ECPublicKeys {
    /// The coordinate size of P-256, P-384 or P-521; `nil` for other curves.
    package static func coordinateSize(_ curve: ASN1ObjectIdentifier) -> Int? {
        switch curve {
        case ASN1ObjectIdentifier.NamedCurves.secp256r1: 32
        case ASN1ObjectIdentifier.NamedCurves.secp384r1: 48
        case ASN1ObjectIdentifier.NamedCurves.secp521r1: 66
        default: nil
        }
    }

    /// The key with this uncompressed point (`04 || x || y`), or `nil` for another curve or a point
    /// not on the curve.
    package static func publicKey(curve: ASN1ObjectIdentifier, x963: [UInt8]) -> Certificate.PublicKey? {
        switch curve {
        case ASN1ObjectIdentifier.NamedCurves.secp256r1: (try? P256.Signing.PublicKey(x963Representation: x963)).map { Certificate.PublicKey($0) }
        case ASN1ObjectIdentifier.NamedCurves.secp384r1: (try? P384.Signing.PublicKey(x963Representation: x963)).map { Certificate.PublicKey($0) }
        case ASN1ObjectIdentifier.NamedCurves.secp521r1: (try? P521.Signing.PublicKey(x963Representation: x963)).map { Certificate.PublicKey($0) }
        default: nil
        }
    }

    /// The key with these coordinates, which devices may send without their leading zero bytes.
    package static func publicKey(curve: ASN1ObjectIdentifier, x: [UInt8], y: [UInt8]) -> Certificate.PublicKey? {
        guard let size = coordinateSize(curve), x.count <= size, y.count <= size else { return nil }
        let pad = { (coordinate: [UInt8]) in [UInt8](repeating: 0, count: size - coordinate.count) + coordinate }
        return publicKey(curve: curve, x963: [0x04] + pad(x) + pad(y))
    }
}

/// Keys in devices (PKCS#11 tokens, TPMs) sign RSA and EC only, as in `aws_signing_helper`.
package enum DeviceKeys {
    /// Refuses a certificate whose key is ML-DSA before a device is asked for its key, saying where
    /// such a key goes instead. `device` names it: "a PKCS#11 token", "a TPM".
    package static func refuseMLDSA(_ certificate: EncodedCertificate?, device: String) throws(CredentialsError) {
        guard let set = certificate?.fields.publicKey.mlDSA?.parameterSet else { return }
        throw CredentialsError(
            .unsupportedKey,
            "the certificate has an \(set) key, which cannot be in \(device): keys in PKCS#11 tokens and TPMs sign with RSA or EC only; keep the ML-DSA key in a PKCS#8 file and give it with --private-key"
        )
    }
}
