import RolesAnywhereSupport
/// The RC2 block cipher in CBC mode (RFC 2268), decryption only.
///
/// Only for reading legacy PKCS#12 files, whose certificates OpenSSL 1.x encrypted with
/// `pbeWithSHAAnd40BitRC2-CBC`.
enum RC2 {
    /// PITABLE of RFC 2268 section 2: a permutation of 0...255 derived from the digits of pi.
    static let piTable: [UInt8] = [
        0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
        0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
        0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
        0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
        0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
        0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
        0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
        0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
        0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
        0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
        0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
        0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
        0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
        0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
        0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
        0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
    ]

    /// The 64 expanded key words for `key` with `effectiveBits` of effective key length.
    static func expandKey(_ key: [UInt8], effectiveBits: Int) -> [UInt16] {
        precondition(!key.isEmpty && key.count <= 128 && effectiveBits >= 1 && effectiveBits <= 1024)
        var bytes = [UInt8](repeating: 0, count: 128)
        for (index, byte) in key.enumerated() { bytes[index] = byte }
        let t = key.count
        for index in t..<128 {
            bytes[index] = piTable[Int(bytes[index - 1] &+ bytes[index - t])]
        }
        let t8 = (effectiveBits + 7) / 8
        let tm = UInt8(truncatingIfNeeded: 255 % (1 << (8 + effectiveBits - 8 * t8)))
        bytes[128 - t8] = piTable[Int(bytes[128 - t8] & tm)]
        if 127 - t8 >= 0 {
            for index in stride(from: 127 - t8, through: 0, by: -1) {
                bytes[index] = piTable[Int(bytes[index + 1] ^ bytes[index + t8])]
            }
        }
        return (0..<64).map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }
    }

    private static let rotations: [UInt16] = [1, 2, 3, 5]

    /// Decrypts one 8-byte block in place.
    static func decryptBlock(_ block: inout [UInt16], keys: [UInt16]) {
        var j = 63
        func reverseMix() {
            for i in stride(from: 3, through: 0, by: -1) {
                let s = rotations[i]
                block[i] = block[i] >> s | block[i] << (16 - s)
                block[i] = block[i] &- keys[j] &- (block[(i + 3) % 4] & block[(i + 2) % 4])
                    &- (~block[(i + 3) % 4] & block[(i + 1) % 4])
                j -= 1
            }
        }
        func reverseMash() {
            for i in stride(from: 3, through: 0, by: -1) {
                block[i] = block[i] &- keys[Int(block[(i + 3) % 4] & 63)]
            }
        }
        for _ in 0..<5 { reverseMix() }
        reverseMash()
        for _ in 0..<6 { reverseMix() }
        reverseMash()
        for _ in 0..<5 { reverseMix() }
    }

    /// Decrypts `ciphertext` in CBC mode and removes PKCS#7 padding; `nil` for bad padding.
    static func decryptCBC(key: [UInt8], effectiveBits: Int, iv: [UInt8], ciphertext: [UInt8]) -> [UInt8]? {
        guard !key.isEmpty, key.count <= 128, iv.count == 8, !ciphertext.isEmpty, ciphertext.count % 8 == 0 else { return nil }
        let keys = expandKey(key, effectiveBits: effectiveBits)
        var previous = iv
        var output = [UInt8]()
        output.reserveCapacity(ciphertext.count)
        var index = 0
        while index < ciphertext.count {
            let chunk = Array(ciphertext[index..<(index + 8)])
            var words = (0..<4).map { UInt16(chunk[2 * $0]) | UInt16(chunk[2 * $0 + 1]) << 8 }
            decryptBlock(&words, keys: keys)
            for (position, word) in words.enumerated() {
                output.append(UInt8(truncatingIfNeeded: word) ^ previous[2 * position])
                output.append(UInt8(truncatingIfNeeded: word >> 8) ^ previous[2 * position + 1])
            }
            previous = chunk
            index += 8
        }
        return removePKCS7Padding(output, blockSize: 8)
    }
}
