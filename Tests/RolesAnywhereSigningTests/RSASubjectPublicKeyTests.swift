import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509
import _CryptoExtras

/// RSA keys of certificates are read from their modulus and exponent (so that swift-crypto's
/// probing of the bytes, which throws and catches twice, is skipped): whatever the bytes, the
/// verdict and the key must be those of swift-certificates' own reading.
@Suite("RSA SubjectPublicKeyInfo")
struct RSASubjectPublicKeyTests {
    static let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    static let null: [UInt8] = [0x05, 0x00]

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var bytes: [UInt8] = []
            var count = content.count
            while count > 0 {
                bytes.insert(UInt8(count & 0xFF), at: 0)
                count >>= 8
            }
            length = [0x80 | UInt8(bytes.count)] + bytes
        }
        return [tag] + length + content
    }

    /// A SubjectPublicKeyInfo with these INTEGER contents (as they are, signs and zeros included).
    static func spki(modulus: [UInt8], exponent: [UInt8], parameters: [UInt8]? = null, extra: [UInt8] = []) -> [UInt8] {
        let rsaPublicKey = tlv(0x30, tlv(0x02, modulus) + tlv(0x02, exponent) + extra)
        let algorithm = tlv(0x30, rsaEncryption + (parameters ?? []))
        return tlv(0x30, algorithm + tlv(0x03, [0x00] + rsaPublicKey))
    }

    /// The modulus and exponent INTEGER contents of a real key.
    static func numbers(of key: _RSA.Signing.PublicKey) throws -> (modulus: [UInt8], exponent: [UInt8]) {
        let node = try DER.parse(Array(key.pkcs1DERRepresentation))
        guard case .constructed(let parts) = node.content else { throw TestFailure("not a SEQUENCE") }
        let integers = parts.map { part -> [UInt8] in
            if case .primitive(let bytes) = part.content { return Array(bytes) }
            return []
        }
        return (integers[0], integers[1])
    }

    /// Ours and swift-certificates' reading of `der`: both refuse it, or both read the same key.
    static func expectSameVerdict(_ der: [UInt8], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let theirs = try? Certificate.PublicKey(derEncoded: der)
        let ours = try? CertificatePublicKey(subjectPublicKeyInfo: try DER.parse(der))
        #expect(ours == theirs.map { .classic($0) }, comment, sourceLocation: sourceLocation)
    }

    @Test("keys of 2048, 3072 and 4096 bits are the keys swift-certificates reads")
    func realKeys() throws {
        for size in [_RSA.Signing.KeySize.bits2048, .bits3072, .bits4096] {
            let privateKey = try _RSA.Signing.PrivateKey(keySize: size)
            let der = Array(privateKey.publicKey.derRepresentation)
            let ours = try CertificatePublicKey(subjectPublicKeyInfo: try DER.parse(der))
            #expect(ours == .classic(try Certificate.PublicKey(derEncoded: der)))
            #expect(ours == .classic(Certificate.PublicKey(privateKey.publicKey)))
            // It verifies what the private key signs.
            let message = Array("string to sign".utf8)
            let signature = try privateKey.signature(for: message, padding: .insecurePKCS1v1_5)
            let read = try #require(ours.classic.flatMap { _RSA.Signing.PublicKey($0) })
            #expect(read.isValidSignature(signature, for: message, padding: .insecurePKCS1v1_5))
        }
    }

    @Test("unusual encodings get swift-certificates' verdict")
    func unusualEncodings() throws {
        let (modulus, exponent) = try Self.numbers(of: try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)
        #expect(modulus.first == 0x00, "a 2048-bit modulus has its top bit set, so DER puts a zero before it")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: exponent), "the key as it is")
        try Self.expectSameVerdict(Self.spki(modulus: Array(modulus.dropFirst()), exponent: exponent), "a negative modulus")
        try Self.expectSameVerdict(Self.spki(modulus: [0x00] + modulus, exponent: exponent), "a redundant leading zero")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: [0x00] + exponent), "an exponent with a redundant zero")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: [0x02]), "an even exponent")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: []), "an empty exponent")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: exponent, parameters: nil), "no parameters")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: exponent, parameters: [0x04, 0x00]), "parameters other than NULL")
        try Self.expectSameVerdict(Self.spki(modulus: modulus, exponent: exponent, extra: [0x02, 0x01, 0x01]), "a third INTEGER")
        let (small, smallExponent) = try Self.numbers(of: try _RSA.Signing.PrivateKey(unsafeKeySize: _RSA.Signing.KeySize(bitCount: 1024)).publicKey)
        try Self.expectSameVerdict(Self.spki(modulus: small, exponent: smallExponent), "a 1024-bit key")
        // A modulus shortened below 2048 bits by its top byte.
        try Self.expectSameVerdict(Self.spki(modulus: [0x00] + Array(modulus.dropFirst(2)), exponent: exponent), "a 2040-bit modulus")
    }
}
