@testable import RolesAnywhereKeys
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// DES-EDE3 and RC2 exist only to read legacy PKCS#12 files and old keys; they are checked against
/// OpenSSL's implementations on random data.
struct LegacyCipherTests {
    @Test func desMatchesTheFIPSExample() {
        // The classic worked example: key 133457799BBCDFF1, plaintext 0123456789ABCDEF.
        let keys = DES.subkeys(0x1334_5779_9BBC_DFF1)
        #expect(DES.crypt(0x0123_4567_89AB_CDEF, keys, decrypt: false) == 0x85E8_1354_0F0A_B405)
        #expect(DES.crypt(0x85E8_1354_0F0A_B405, keys, decrypt: true) == 0x0123_4567_89AB_CDEF)
    }

    @Test(arguments: [0, 1, 7, 8, 100, 1000])
    func tripleDESDecryptsWhatOpenSSLEncrypts(length: Int) throws {
        let plaintext = (0..<length).map { _ in UInt8.random(in: 0...255) }
        for keyLength in [24, 16] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255) }
            let iv = (0..<8).map { _ in UInt8.random(in: 0...255) }
            let cipher = keyLength == 24 ? "-des-ede3-cbc" : "-des-ede-cbc"
            let ciphertext = try ChildProcess.openssl(["enc", cipher, "-K", Hex.encode(key), "-iv", Hex.encode(iv)], input: plaintext).stdout
            #expect(TripleDES.decryptCBC(key: key, iv: iv, ciphertext: ciphertext) == plaintext)
        }
    }

    @Test(arguments: [(5, 40, "-rc2-40-cbc"), (8, 64, "-rc2-64-cbc"), (16, 128, "-rc2-cbc")])
    func rc2DecryptsWhatOpenSSLEncrypts(keyLength: Int, effectiveBits: Int, cipher: String) throws {
        for length in [0, 5, 8, 300] {
            let plaintext = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255) }
            let iv = (0..<8).map { _ in UInt8.random(in: 0...255) }
            let ciphertext = try ChildProcess.openssl(
                ["enc", cipher, "-K", Hex.encode(key), "-iv", Hex.encode(iv), "-provider", "legacy", "-provider", "default"],
                input: plaintext
            ).stdout
            #expect(RC2.decryptCBC(key: key, effectiveBits: effectiveBits, iv: iv, ciphertext: ciphertext) == plaintext)
        }
    }

    @Test func badPaddingIsDetected() {
        #expect(removePKCS7Padding([1, 2, 3, 0], blockSize: 8) == nil)
        #expect(removePKCS7Padding([1, 2, 3, 9], blockSize: 8) == nil)
        #expect(removePKCS7Padding([1, 2, 2, 3], blockSize: 8) == nil)
        #expect(removePKCS7Padding([1, 2, 2, 2], blockSize: 8) == [1, 2])
    }
}
