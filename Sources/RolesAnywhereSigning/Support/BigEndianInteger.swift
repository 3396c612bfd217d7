/// Conversions of unsigned big-endian integers (such as certificate serial numbers) to text.
///
/// X.509 serial numbers are up to 20 octets, far beyond `UInt64`; SigV4-X509 puts the serial in the
/// `Credential=` field in decimal, and Roles Anywhere derives session names from its hexadecimal form.
public enum BigEndianInteger {
    /// The decimal representation of the unsigned big-endian integer in `bytes`.
    ///
    /// Leading zero octets (as DER adds to keep a positive INTEGER positive) do not change the value.
    public static func decimalString(_ bytes: some Collection<UInt8>) -> String {
        // Repeated division by 10^9 over base-2^32 limbs.
        var limbs = limbsFromBytes(bytes)
        if limbs.isEmpty { return "0" }
        var chunks = [UInt32]()
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            var quotient = [UInt32]()
            quotient.reserveCapacity(limbs.count)
            for limb in limbs {
                let value = remainder << 32 | UInt64(limb)
                let digit = UInt32(value / 1_000_000_000)
                remainder = value % 1_000_000_000
                if !(quotient.isEmpty && digit == 0) { quotient.append(digit) }
            }
            chunks.append(UInt32(remainder))
            limbs = quotient
        }
        var result = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let text = String(chunk)
            result += String(repeating: "0", count: 9 - text.count) + text
        }
        return result
    }

    /// The lower-case hexadecimal representation without leading zero octets, padded to an even length.
    ///
    /// This is the form Roles Anywhere uses for default role session names and `ID=` source identities
    /// (serial 291 gives `0123`).
    public static func evenHexString(_ bytes: some Collection<UInt8>) -> String {
        let trimmed = bytes.drop(while: { $0 == 0 })
        if trimmed.isEmpty { return "00" }
        return Hex.encode(trimmed)
    }

    private static func limbsFromBytes(_ bytes: some Collection<UInt8>) -> [UInt32] {
        let trimmed = Array(bytes.drop(while: { $0 == 0 }))
        if trimmed.isEmpty { return [] }
        var limbs = [UInt32]()
        let leading = trimmed.count % 4
        var index = 0
        if leading > 0 {
            var limb: UInt32 = 0
            for byte in trimmed[0..<leading] { limb = limb << 8 | UInt32(byte) }
            limbs.append(limb)
            index = leading
        }
        while index < trimmed.count {
            var limb: UInt32 = 0
            for byte in trimmed[index..<index + 4] { limb = limb << 8 | UInt32(byte) }
            limbs.append(limb)
            index += 4
        }
        return limbs
    }
}
