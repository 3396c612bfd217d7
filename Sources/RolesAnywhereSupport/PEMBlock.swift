#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One `-----BEGIN TYPE-----` ... `-----END TYPE-----` block of a PEM file.
///
/// Parsing is as lenient as OpenSSL's and Go's: text before, between and after blocks (comments,
/// `openssl x509 -text` output, "Bag Attributes") is skipped, and RFC 1421 headers such as
/// `Proc-Type` are kept for inspection.
public struct PEMBlock: Sendable, Hashable {
    /// The label, e.g. `CERTIFICATE` or `ENCRYPTED PRIVATE KEY`.
    public var type: String
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`), in order.
    public var headers: [(name: String, value: String)] {
        headerLines.map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]).trimmingSpaces(), parts.count > 1 ? String(parts[1]).trimmingSpaces() : "")
        }
    }
    var headerLines: [String]
    /// The decoded body.
    public var derBytes: [UInt8]

    public init(type: String, derBytes: [UInt8]) {
        self.type = type
        self.derBytes = derBytes
        self.headerLines = []
    }

    /// The block as PEM text with 64-character lines.
    public var pemString: String {
        var text = "-----BEGIN \(type)-----\n"
        let encoded = Array(Data(derBytes).base64EncodedString().utf8)
        var index = 0
        while index < encoded.count {
            let end = min(index + 64, encoded.count)
            text += String(decoding: encoded[index..<end], as: UTF8.self) + "\n"
            index = end
        }
        return text + "-----END \(type)-----\n"
    }

    /// Every PEM block in `text`, in order.
    ///
    /// - Throws: ``CredentialsError/Code-swift.struct/invalidInput`` for a block without its END line or
    ///   with a body that is not base64. A text with no block at all yields an empty array.
    public static func parseAll(_ text: String) throws(CredentialsError) -> [PEMBlock] {
        var blocks = [PEMBlock]()
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: " \t\r") }[...]
        while let beginIndex = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) {
            let begin = lines[beginIndex]
            let type = String(begin.dropFirst("-----BEGIN ".count).dropLast("-----".count))
            let endLine = "-----END \(type)-----"
            lines = lines[(beginIndex + 1)...]
            guard let endIndex = lines.firstIndex(of: endLine) else {
                throw CredentialsError(.invalidInput, "the PEM block '\(type)' has no '\(endLine)' line")
            }
            var body = Array(lines[..<endIndex])
            lines = lines[(endIndex + 1)...]
            var headerLines = [String]()
            if let separator = body.firstIndex(of: ""), body[..<separator].allSatisfy({ $0.contains(":") }) {
                headerLines = Array(body[..<separator])
                body = Array(body[(separator + 1)...])
            } else if let first = body.first, first.contains(":") {
                // Headers without the blank line some tools omit.
                let count = body.prefix(while: { $0.contains(":") }).count
                headerLines = Array(body[..<count])
                body = Array(body[count...])
            }
            let base64 = body.joined()
            guard let data = Data(base64Encoded: base64), !(data.isEmpty && !base64.isEmpty) else {
                throw CredentialsError(.invalidInput, "the PEM block '\(type)' does not hold valid base64")
            }
            var block = PEMBlock(type: type, derBytes: Array(data))
            block.headerLines = headerLines
            blocks.append(block)
        }
        return blocks
    }

    /// Whether `bytes` contain a `-----BEGIN ` line anywhere, and so should be read as PEM rather than DER.
    public static func mayHoldPEM(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    public static func == (lhs: PEMBlock, rhs: PEMBlock) -> Bool {
        lhs.type == rhs.type && lhs.derBytes == rhs.derBytes && lhs.headerLines == rhs.headerLines
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(derBytes)
    }
}

extension String {
    package func trimmingSpaces() -> String { trimmingCharacters(in: " \t\r\n") }
}

extension StringProtocol {
    package func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
