import RolesAnywhereCredentials
import SwiftASN1
import X509
import _CryptoExtras
import RolesAnywhereKeys

/// What rolesanywhere needs from a `TPMT_PUBLIC`: the key type, its attributes and the public key.
struct TPMPublicArea {
    var isRSA: Bool
    var attributes: UInt32
    var publicKey: Certificate.PublicKey

    struct Unsupported: Error {
        var reason: String
    }

    /// Parses a `TPMT_PUBLIC` (the content of a `TPM2B_PUBLIC`).
    init(parsing bytes: [UInt8]) throws(Unsupported) {
        var reader = TPMReader(bytes)
        do {
            let type = try reader.u16()
            _ = try reader.u16()  // nameAlg
            attributes = try reader.u32()
            _ = try reader.sized()  // authPolicy
            // The symmetric definition: an algorithm, then key bits and mode unless it is TPM_ALG_NULL.
            if try reader.u16() != TPM2.algorithmNull {
                _ = try reader.u16()
                _ = try reader.u16()
            }
            // The scheme: an algorithm, then its hash unless it is TPM_ALG_NULL.
            if try reader.u16() != TPM2.algorithmNull { _ = try reader.u16() }
            switch type {
            case TPM2.algorithmRSA:
                _ = try reader.u16()  // key bits
                let exponent = try reader.u32()
                let modulus = try reader.sized()
                let e = exponent == 0 ? [0x01, 0x00, 0x01] : Array([UInt8(exponent >> 24), UInt8((exponent >> 16) & 0xFF), UInt8((exponent >> 8) & 0xFF), UInt8(exponent & 0xFF)].drop(while: { $0 == 0 }))
                guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: e) else { throw Unsupported(reason: "its RSA public key is malformed") }
                isRSA = true
                publicKey = Certificate.PublicKey(key)
            case TPM2.algorithmECC:
                let curveID = try reader.u16()
                if try reader.u16() != TPM2.algorithmNull { _ = try reader.u16() }  // kdf
                let x = try reader.sized()
                let y = try reader.sized()
                let curves: [UInt16: ASN1ObjectIdentifier] = [
                    TPM2.curveP256: ASN1ObjectIdentifier.NamedCurves.secp256r1,
                    TPM2.curveP384: ASN1ObjectIdentifier.NamedCurves.secp384r1,
                    TPM2.curveP521: ASN1ObjectIdentifier.NamedCurves.secp521r1,
                ]
                guard let curve = curves[curveID] else {
                    throw Unsupported(reason: "it is on curve 0x\(String(curveID, radix: 16)), not P-256, P-384 or P-521")
                }
                guard let key = ECPublicKeys.publicKey(curve: curve, x: x, y: y) else { throw Unsupported(reason: "its EC point is malformed") }
                isRSA = false
                publicKey = key
            default:
                throw Unsupported(reason: "it is neither an RSA nor an ECC key (type 0x\(String(type, radix: 16)))")
            }
        } catch let error as Unsupported {
            throw error
        } catch {
            throw Unsupported(reason: "its public area is truncated")
        }
    }
}
