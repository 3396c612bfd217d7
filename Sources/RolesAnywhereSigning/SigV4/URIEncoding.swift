/// Percent-encoding exactly as SigV4 specifies it: every byte except the RFC 3986 unreserved
/// characters `A-Z a-z 0-9 - _ . ~` becomes `%XX` with upper-case hex digits.
public enum URIEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes `text` for SigV4. With `keepSlash`, `/` stays as is (for paths).
    public static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        encode(bytes: text.utf8, keepSlash: keepSlash)
    }

    /// Encodes raw bytes for SigV4. With `keepSlash`, `/` stays as is (for paths).
    public static func encode(bytes: some Sequence<UInt8>, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes. `+` is kept as a literal plus, as in RFC 3986 (not form encoding).
    ///
    /// Returns `nil` for a malformed escape and for bytes that are not valid UTF-8 (never repaired
    /// with U+FFFD, which would make `%ff` and `%fe` the same name).
    public static func decode(_ text: some StringProtocol) -> String? {
        guard let bytes = decodeBytes(text) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The value of one hex digit (either case), or `nil`.
    @inline(__always)
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One query-string name or value in SigV4's canonical form, straight from its bytes as sent:
    /// what ``encode(bytes:keepSlash:)`` makes of what ``decodeBytes(_:)`` makes of it, in one pass
    /// (`nil` for a malformed escape).
    public static func canonicalComponent(_ raw: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            var byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard raw.endIndex - index > 2, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else { return nil }
                byte = high << 4 | low
                index += 3
            } else {
                index += 1
            }
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0f)])
            }
        }
        return out
    }

    /// Decodes `%XX` escapes to raw bytes, or `nil` for a malformed escape.
    public static func decodeBytes(_ text: some StringProtocol) -> [UInt8]? {
        decodeBytes(bytes: Array(text.utf8))
    }

    /// Decodes `%XX` escapes in bytes as sent, or `nil` for a malformed escape.
    public static func decodeBytes(bytes utf8: [UInt8]) -> [UInt8]? {
        guard utf8.contains(UInt8(ascii: "%")) else { return utf8 }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// Decodes `application/x-www-form-urlencoded` text: `+` is a space, then `%XX` escapes.
    public static func decodeForm(_ text: some StringProtocol) -> String? {
        decode(String(text).replacingPlusWithSpace())
    }
}

extension String {
    fileprivate func replacingPlusWithSpace() -> String {
        String(decoding: self.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
