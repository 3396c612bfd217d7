/// AWS access key IDs: a four-letter prefix (`AKIA` long-term, `ASIA` temporary) and 16 base32
/// characters (80 bits). In AWS's current key format the first of those bits is set and the next
/// 40 hold the account number, which is how STS GetAccessKeyInfo answers for any key without a
/// lookup. AWS does not document the layout; it is as published research found it, and every key
/// this server mints follows it, so that GetAccessKeyInfo (here or in any tool that decodes keys)
/// names this server's account.
enum AccessKeyID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// A new random key ID with `prefix` that encodes `account` (12 digits).
    static func make(prefix: String, account: String) -> String {
        let number = UInt64(account) ?? 0
        var bytes = RandomText.bytes(10)
        // The first 48 bits: the current-format bit, the 40-bit account, 7 random bits.
        let head = (UInt64(1) << 47) | ((number & 0xFF_FFFF_FFFF) << 7) | UInt64(bytes[5] & 0x7F)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: head >> (40 - 8 * UInt64(index))) }
        return prefix + encode(bytes)
    }

    /// The account a key ID of the current format encodes, as 12 digits; nil for another length,
    /// characters outside base32, or a key of the older format (whose account is not in it).
    static func account(of keyID: String) -> String? {
        let characters = Array(keyID.utf8)
        guard characters.count == 20 else { return nil }
        // The first 10 characters after the prefix are 50 bits; the first 48 of them are the head.
        var value: UInt64 = 0
        for character in characters[4..<14] {
            guard let digit = alphabet.firstIndex(of: character) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        for character in characters[14...] where !alphabet.contains(character) { return nil }
        let head = value >> 2
        guard head >> 47 == 1 else { return nil }
        let account = String((head >> 7) & 0xFF_FFFF_FFFF)
        return String(repeating: "0", count: max(0, 12 - account.count)) + account
    }

    /// 10 bytes as 16 base32 characters (no padding).
    private static func encode(_ bytes: [UInt8]) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(16)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                characters.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
