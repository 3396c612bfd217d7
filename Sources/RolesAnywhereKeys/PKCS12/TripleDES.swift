import RolesAnywhereSupport
/// DES and two- or three-key triple DES in CBC mode (FIPS 46-3, SP 800-67), decryption only.
///
/// Only for reading legacy PKCS#12 files (`pbeWithSHAAnd3-KeyTripleDES-CBC`, the default of OpenSSL
/// 1.x, Windows and Java for years). Nothing new is ever encrypted with it.
enum TripleDES {
    /// Decrypts `ciphertext` with a 16- or 24-byte key and removes PKCS#7 padding; `nil` for bad padding.
    static func decryptCBC(key: [UInt8], iv: [UInt8], ciphertext: [UInt8]) -> [UInt8]? {
        guard key.count == 16 || key.count == 24, iv.count == 8, !ciphertext.isEmpty, ciphertext.count % 8 == 0 else {
            return nil
        }
        let k1 = DES.subkeys(UInt64(bigEndian: key[0..<8]))
        let k2 = DES.subkeys(UInt64(bigEndian: key[8..<16]))
        let k3 = key.count == 24 ? DES.subkeys(UInt64(bigEndian: key[16..<24])) : k1
        var previous = UInt64(bigEndian: iv[0..<8])
        var output = [UInt8]()
        output.reserveCapacity(ciphertext.count)
        var index = 0
        while index < ciphertext.count {
            let block = UInt64(bigEndian: ciphertext[index..<(index + 8)])
            // EDE decryption: D(k1, E(k2, D(k3, c))).
            let plain = DES.crypt(DES.crypt(DES.crypt(block, k3, decrypt: true), k2, decrypt: false), k1, decrypt: true) ^ previous
            output.append(contentsOf: plain.bigEndianBytes)
            previous = block
            index += 8
        }
        return removePKCS7Padding(output, blockSize: 8)
    }
}

/// The DES block cipher, bit by bit as FIPS 46-3 describes it (speed does not matter here).
enum DES {
    static let initialPermutation: [Int] = [
        58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
        62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
        57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
        61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
    ]
    static let finalPermutation: [Int] = [
        40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
        38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
        36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
        34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
    ]
    static let expansion: [Int] = [
        32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
        16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
    ]
    static let permutation: [Int] = [
        16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
        2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
    ]
    static let permutedChoice1: [Int] = [
        57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
    ]
    static let permutedChoice2: [Int] = [
        14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
    ]
    static let shifts: [Int] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1]
    static let sBoxes: [[UInt8]] = [
        [
            14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
            4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
        ],
        [
            15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
            0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
        ],
        [
            10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
            13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
        ],
        [
            7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
            10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
        ],
        [
            2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
            4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
        ],
        [
            12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
            9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
        ],
        [
            4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
            1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
        ],
        [
            13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
            7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
        ],
    ]

    /// Picks bits of `input` (numbered 1 = most significant of `inputWidth`) into a value of `table.count` bits.
    static func permute(_ input: UInt64, _ table: [Int], inputWidth: Int) -> UInt64 {
        var output: UInt64 = 0
        for position in table {
            output = output << 1 | (input >> UInt64(inputWidth - position)) & 1
        }
        return output
    }

    /// The sixteen 48-bit round keys of a 64-bit key.
    static func subkeys(_ key: UInt64) -> [UInt64] {
        let permuted = permute(key, permutedChoice1, inputWidth: 64)
        var c = permuted >> 28 & 0x0fff_ffff
        var d = permuted & 0x0fff_ffff
        var keys = [UInt64]()
        keys.reserveCapacity(16)
        for shift in shifts {
            c = (c << UInt64(shift) | c >> UInt64(28 - shift)) & 0x0fff_ffff
            d = (d << UInt64(shift) | d >> UInt64(28 - shift)) & 0x0fff_ffff
            keys.append(permute(c << 28 | d, permutedChoice2, inputWidth: 56))
        }
        return keys
    }

    static func feistel(_ right: UInt64, _ key: UInt64) -> UInt64 {
        let mixed = permute(right, expansion, inputWidth: 32) ^ key
        var output: UInt64 = 0
        for box in 0..<8 {
            let six = Int(mixed >> UInt64(42 - 6 * box) & 0x3f)
            let row = (six >> 4 & 0x2) | (six & 0x1)
            let column = six >> 1 & 0xf
            output = output << 4 | UInt64(sBoxes[box][row * 16 + column])
        }
        return permute(output, permutation, inputWidth: 32)
    }

    /// Encrypts or decrypts one 64-bit block.
    static func crypt(_ block: UInt64, _ keys: [UInt64], decrypt: Bool) -> UInt64 {
        let permuted = permute(block, initialPermutation, inputWidth: 64)
        var left = permuted >> 32
        var right = permuted & 0xffff_ffff
        for round in 0..<16 {
            let key = keys[decrypt ? 15 - round : round]
            (left, right) = (right, left ^ feistel(right, key))
        }
        return permute(right << 32 | left, finalPermutation, inputWidth: 64)
    }
}

extension UInt64 {
    init(bigEndian bytes: ArraySlice<UInt8>) {
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        self = value
    }

    var bigEndianBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: self >> UInt64(56 - 8 * $0)) }
    }
}

/// Removes PKCS#7 padding, or returns `nil` when it is malformed.
func removePKCS7Padding(_ bytes: [UInt8], blockSize: Int) -> [UInt8]? {
    guard let last = bytes.last, last >= 1, Int(last) <= blockSize, Int(last) <= bytes.count else { return nil }
    let padding = bytes[(bytes.count - Int(last))...]
    guard padding.allSatisfy({ $0 == last }) else { return nil }
    return Array(bytes[..<(bytes.count - Int(last))])
}
