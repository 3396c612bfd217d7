/// Big-endian marshalling of TPM 2.0 structures (TPM 2.0 Library, Part 2), as commands need them.
struct TPMWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func u32(_ value: UInt32) { bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
    /// A `TPM2B_*`: a 16-bit size, then the bytes.
    mutating func sized(_ data: [UInt8]) {
        u16(UInt16(data.count))
        bytes += data
    }
}

/// Reads TPM structures; every read is bounds-checked.
struct TPMReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    struct Truncated: Error {}

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(Truncated) -> UInt8 {
        guard remaining >= 1 else { throw Truncated() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(Truncated) -> UInt16 {
        guard remaining >= 2 else { throw Truncated() }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(Truncated) -> UInt32 {
        guard remaining >= 4 else { throw Truncated() }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func take(_ count: Int) throws(Truncated) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw Truncated() }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func sized() throws(Truncated) -> [UInt8] {
        try take(Int(try u16()))
    }
}

/// TPM 2.0 constants used here (Part 2).
enum TPM2 {
    static let tagNoSessions: UInt16 = 0x8001
    static let tagSessions: UInt16 = 0x8002
    static let tagHashCheck: UInt16 = 0x8024

    static let commandCreatePrimary: UInt32 = 0x131
    static let commandLoad: UInt32 = 0x157
    static let commandSign: UInt32 = 0x15D
    static let commandFlushContext: UInt32 = 0x165
    static let commandReadPublic: UInt32 = 0x173

    static let passwordSession: UInt32 = 0x4000_0009
    static let ownerHierarchy: UInt32 = 0x4000_0001
    static let nullHierarchy: UInt32 = 0x4000_0007
    static let endorsementHierarchy: UInt32 = 0x4000_000B
    static let platformHierarchy: UInt32 = 0x4000_000C

    static let algorithmRSA: UInt16 = 0x0001
    static let algorithmSHA256: UInt16 = 0x000B
    static let algorithmSHA384: UInt16 = 0x000C
    static let algorithmSHA512: UInt16 = 0x000D
    static let algorithmNull: UInt16 = 0x0010
    static let algorithmRSASSA: UInt16 = 0x0014
    static let algorithmECDSA: UInt16 = 0x0018
    static let algorithmECC: UInt16 = 0x0023
    static let algorithmAES: UInt16 = 0x0006
    static let algorithmCFB: UInt16 = 0x0043

    static let curveP256: UInt16 = 0x0003
    static let curveP384: UInt16 = 0x0004
    static let curveP521: UInt16 = 0x0005

    static let attributeSign: UInt32 = 0x0004_0000
    static let attributeRestricted: UInt32 = 0x0001_0000

    /// A response code's name and meaning, for messages.
    static func describe(_ code: UInt32) -> String {
        // Format-one codes carry a parameter, handle or session number; keep the error number.
        let base = code & 0x80 != 0 ? (code & 0x3F) | 0x80 : code
        let names: [UInt32: String] = [
            0x8E: "TPM_RC_AUTH_FAIL (wrong key password)", 0xA2: "TPM_RC_BAD_AUTH (wrong key password)",
            0x8B: "TPM_RC_HANDLE (no such object)", 0x84: "TPM_RC_VALUE", 0x92: "TPM_RC_SCHEME (the key cannot sign with this scheme)",
            0x9C: "TPM_RC_KEY", 0x9F: "TPM_RC_INTEGRITY (the key blob does not belong to this parent or TPM)",
            0x82: "TPM_RC_ATTRIBUTES (the key is not a signing key)", 0x921: "TPM_RC_LOCKOUT (dictionary-attack lockout: too many wrong passwords)",
            0x902: "TPM_RC_OBJECT_MEMORY (no room for another loaded object)", 0x100: "TPM_RC_INITIALIZE (the TPM was not started)",
            0x101: "TPM_RC_FAILURE (the TPM is in failure mode)", 0x908: "TPM_RC_YIELDED", 0x922: "TPM_RC_RETRY",
            0x128: "TPM_RC_AUTH_MISSING", 0x12F: "TPM_RC_AUTH_UNAVAILABLE",
        ]
        let hex = "0x" + String(code, radix: 16, uppercase: true)
        return names[base].map { "\($0), \(hex)" } ?? "TPM response code \(hex)"
    }
}
