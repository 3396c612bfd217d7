import SwiftASN1
public import X509

/// Subject alternative names from flags: `--dns`, `--uri` (SPIFFE IDs), `--email`, `--ip`.
public struct SubjectAlternativeNameList: Sendable, Hashable {
    public var dnsNames: [String]
    public var uris: [String]
    public var emails: [String]
    public var ipAddresses: [String]

    public init(dnsNames: [String] = [], uris: [String] = [], emails: [String] = [], ipAddresses: [String] = []) {
        self.dnsNames = dnsNames
        self.uris = uris
        self.emails = emails
        self.ipAddresses = ipAddresses
    }

    public var isEmpty: Bool { dnsNames.isEmpty && uris.isEmpty && emails.isEmpty && ipAddresses.isEmpty }

    /// The checked names as an extension value.
    public func extensionValue() throws(PKIError) -> SubjectAlternativeNames {
        var names = [GeneralName]()
        for name in dnsNames {
            guard !name.isEmpty, name.count <= 253, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "*") })
            else {
                throw PKIError(.invalidConfiguration, "--dns '\(name)' is not a DNS name")
            }
            names.append(.dnsName(name))
        }
        for uri in uris {
            guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex, uri.allSatisfy({ $0.isASCII && !$0.isWhitespace }),
                uri[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
            else {
                throw PKIError(.invalidConfiguration, "--uri '\(uri)' is not a URI (for example spiffe://example.org/ns/prod/sa/app)")
            }
            names.append(.uniformResourceIdentifier(uri))
        }
        for email in emails {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw PKIError(.invalidConfiguration, "--email '\(email)' is not an e-mail address")
            }
            names.append(.rfc822Name(email))
        }
        for address in ipAddresses {
            guard let bytes = IPAddressText.parse(address) else {
                throw PKIError(.invalidConfiguration, "--ip '\(address)' is not an IPv4 or IPv6 address")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        return SubjectAlternativeNames(names)
    }
}

/// IPv4 and IPv6 text to bytes.
public enum IPAddressText {
    /// The 4 or 16 bytes of an IPv4 (dotted decimal) or IPv6 address; nil if `text` is neither.
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes = [UInt8]()
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isNumber), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result = [UInt16]()
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var words = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            words += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard words.count == 8 else { return nil }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        var parts = [String]()
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
