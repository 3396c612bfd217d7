import Crypto
import Foundation
import RolesAnywhereCredentials
import SwiftASN1
import X509
import Testing
import RolesAnywhereSupport
import RolesAnywhereKeys

@testable import RolesAnywhereTPM

/// TSS2 key files made for the tests.
enum KeyFiles {
    /// A key file with the given parts, as DER inside PEM.
    static func make(type: ASN1ObjectIdentifier = TSS2KeyFile.loadableKey, emptyAuth: Bool? = true, policy: Bool = false, parent: [UInt8] = [0x00, 0x81, 0, 0, 1]) throws -> String {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(type)
            if let emptyAuth {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { try $0.serialize(emptyAuth) }
            }
            if policy {
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { try $0.serialize(ASN1OctetString(contentBytes: [1])) }
            }
            try coder.serialize(ArraySlice(parent.drop(while: { $0 == 0 })))
            try coder.serialize(ASN1OctetString(contentBytes: [0x00, 0x02, 0xAA, 0xBB]))
            try coder.serialize(ASN1OctetString(contentBytes: [0x00, 0x01, 0xCC]))
        }
        return PEMDocument(type: "TSS2 PRIVATE KEY", derBytes: serializer.serializedBytes).pemString + "\n"
    }
}

/// The parts of the TPM support that need no TPM: handles, key files, response codes, public areas.
@Suite("TPM parsing")
struct TPMParsingTests {
    @Test("persistent handles are read as aws_signing_helper writes them; others are refused")
    func handles() throws {
        #expect(try TPMIdentitySource.persistentHandle("handle:0x81000002") == 0x8100_0002)
        #expect(try TPMIdentitySource.persistentHandle("handle:81010001") == 0x8101_0001)
        for text in ["handle:0x80000001", "handle:0x40000001", "handle:", "handle:0xZZ", "handle:0x1810000001"] {
            #expect(throws: CredentialsError.self, "\(text)") { try TPMIdentitySource.persistentHandle(text) }
        }
    }

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tss2-\(UUID().uuidString).pem").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a TSS2 key file: emptyAuth, the parent, and both blobs as they are")
    func keyFile() throws {
        let path = try Self.write(try KeyFiles.make())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try TSS2KeyFile(path: path)
        #expect(file.emptyAuth)
        #expect(file.parent == 0x8100_0001)
        #expect(file.publicBlob == [0x00, 0x02, 0xAA, 0xBB])
        #expect(file.privateBlob == [0x00, 0x01, 0xCC])
        #expect(TPMIdentitySource.applies(privateKey: path))
        #expect(TPMIdentitySource.applies(privateKey: "handle:0x81000001"))
        #expect(!TPMIdentitySource.applies(privateKey: "/nonexistent/key.pem"))
    }

    @Test("key files rolesanywhere cannot use are refused with the reason", arguments: [
        (try! KeyFiles.make(type: [2, 23, 133, 10, 1, 5]), "is not a loadable key"),
        (try! KeyFiles.make(policy: true), "has a policy"),
        (try! KeyFiles.make(parent: [0x01, 0x00, 0x00, 0x00, 0x01]), "not 32 bits"),
        (try! KeyFiles.make(parent: [0x80, 0x00, 0x00, 0x01]), "neither a persistent key nor a hierarchy"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "holds no TSS2 PRIVATE KEY block"),
        ("-----BEGIN TSS2 PRIVATE KEY-----\nMAA=\n-----END TSS2 PRIVATE KEY-----\n", "is not a valid TSS2 key"),
    ])
    func badKeyFiles(text: String, message: String) throws {
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try TSS2KeyFile(path: path)
        } throws: { error in
            (error as? CredentialsError)?.message.contains(message) == true
        }
    }

    @Test("response codes are named, whatever handle or session number they carry")
    func responseCodes() {
        #expect(TPM2.describe(0x98E).hasPrefix("TPM_RC_AUTH_FAIL"))
        #expect(TPM2.describe(0x9A2).hasPrefix("TPM_RC_BAD_AUTH"))
        #expect(TPM2.describe(0x18B).hasPrefix("TPM_RC_HANDLE"))
        #expect(TPM2.describe(0x921).hasPrefix("TPM_RC_LOCKOUT"))
        #expect(TPM2.describe(0x1234) == "TPM response code 0x1234")
        let wrong = TPMIdentitySource.error(TPMCommands.Refusal(code: 0x98E, command: "TPM2_Sign"), key: "handle:0x81000002")
        #expect(wrong.code == .wrongPassword)
        let lockout = TPMIdentitySource.error(TPMCommands.Refusal(code: 0x921, command: "TPM2_Sign"), key: "handle:0x81000002")
        #expect(lockout.message.contains("tpm2_dictionarylockout --clear-lockout"))
    }

    @Test("EC coordinates sent without their leading zero bytes decode to the same key")
    func shortCoordinates() throws {
        var key = P256.Signing.PrivateKey()
        while key.publicKey.x963Representation[1] != 0 { key = P256.Signing.PrivateKey() }
        let point = Array(key.publicKey.x963Representation)
        let x = Array(point[1...32].drop(while: { $0 == 0 }))
        let y = Array(point[33...64])
        let decoded = try #require(ECPublicKeys.publicKey(curve: ASN1ObjectIdentifier.NamedCurves.secp256r1, x: x, y: y))
        #expect(decoded == Certificate.PublicKey(key.publicKey))
        #expect(ECPublicKeys.publicKey(curve: ASN1ObjectIdentifier.NamedCurves.secp256r1, x: x + [0, 0], y: y) == nil)
        #expect(ECPublicKeys.publicKey(curve: [1, 3, 132, 0, 10], x: x, y: y) == nil)  // secp256k1
    }

    @Test("public areas: restricted or non-signing keys and other curves are refused")
    func publicAreas() throws {
        // An ECC P-256 unrestricted signing key with a fixed point (the generator).
        var ecc = TPMWriter()
        ecc.u16(TPM2.algorithmECC)
        ecc.u16(TPM2.algorithmSHA256)
        ecc.u32(0x0004_0072)
        ecc.sized([])
        ecc.u16(TPM2.algorithmNull)
        ecc.u16(TPM2.algorithmECDSA)
        ecc.u16(TPM2.algorithmSHA256)
        ecc.u16(TPM2.curveP256)
        ecc.u16(TPM2.algorithmNull)
        ecc.sized(Array(hex: "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"))
        ecc.sized(Array(hex: "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"))
        let area = try TPMPublicArea(parsing: ecc.bytes)
        #expect(!area.isRSA)
        #expect(throws: CredentialsError.self) {
            var restricted = ecc.bytes
            restricted[5] = 0x05  // restricted | sign
            _ = try TPMIdentitySource.publicArea(restricted, name: "k")
        }
        var otherCurve = ecc.bytes
        otherCurve[otherCurve.count - 72] = 0x00
        otherCurve[otherCurve.count - 71] = 0x10  // TPM_ECC_BN_P256
        #expect(throws: TPMPublicArea.Unsupported.self) { try TPMPublicArea(parsing: otherCurve) }
        #expect(throws: TPMPublicArea.Unsupported.self) { try TPMPublicArea(parsing: Array(ecc.bytes.prefix(20))) }
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
