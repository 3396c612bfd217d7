import SwiftASN1
package import RolesAnywhereSupport

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279) from the big-endian `r` and `s`
/// that devices return (PKCS#11's raw `r || s`, a TPM's `TPMS_SIGNATURE_ECDSA`).
package enum ECDSASignatureDER {
    package static func encode(r: some Collection<UInt8>, s: some Collection<UInt8>) throws(CredentialsError) -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                // Without leading zeros; swift-asn1 adds the one DER needs before a set top bit.
                try coder.serialize(ArraySlice(r.drop(while: { $0 == 0 })))
                try coder.serialize(ArraySlice(s.drop(while: { $0 == 0 })))
            }
        } catch {
            throw CredentialsError(.invalidInput, "cannot encode an ECDSA signature: \(error)")
        }
        return serializer.serializedBytes
    }
}
