import RolesAnywhereSigning
public import X509

extension Certificate.SerialNumber {
    /// A random positive 128-bit serial number, as CAs should use (RFC 5280 allows up to 20 octets).
    public static func random128() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] &= 0x7f
        if bytes[0] == 0 { bytes[0] = 0x40 }
        return Certificate.SerialNumber(bytes: bytes[...])
    }

    /// Parses a serial number written in hexadecimal (`0123`, `0x0123`, `01:23`).
    public init(hex text: String) throws(PKIError) {
        var digits = text.lowercased().filter { $0 != ":" && $0 != " " }
        if digits.hasPrefix("0x") { digits.removeFirst(2) }
        if digits.count % 2 == 1 { digits = "0" + digits }
        guard !digits.isEmpty, let bytes = Hex.decode(digits) else {
            throw PKIError(.invalidConfiguration, "'\(text)' is not a hexadecimal serial number")
        }
        let trimmed = Array(bytes.drop(while: { $0 == 0 }))
        guard !trimmed.isEmpty else {
            throw PKIError(.invalidConfiguration, "serial number '\(text)' is zero; serial numbers must be positive")
        }
        guard trimmed.count <= 20 || (trimmed.count == 21 && trimmed[0] < 0x80) else {
            throw PKIError(.invalidConfiguration, "serial number '\(text)' is longer than 20 octets (RFC 5280)")
        }
        // A leading 0x00 keeps a serial with its top bit set positive in DER.
        self.init(bytes: ((trimmed[0] & 0x80) != 0 ? [0] + trimmed : trimmed)[...])
    }

    /// Lower-case hexadecimal without leading zeros (even length), as `openssl x509 -serial` shows it.
    public var hexString: String {
        BigEndianInteger.evenHexString(bytes)
    }
}
