#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning
import RolesAnywhereSupport

/// Dates and names in S3's formats.
enum S3Formats {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// `2026-11-29T03:00:00.000Z`, as S3 XML writes dates.
    static func xmlDate(_ date: Date) -> String {
        let text = AmzDate(date).iso8601
        return String(text.dropLast()) + ".000Z"
    }

    /// `Sun, 29 Nov 2026 03:00:00 GMT`, for `Last-Modified`.
    static func httpDate(_ date: Date) -> String {
        let c = AmzDate(date).components
        let days = Int((AmzDate(date).secondsSince1970 / 86_400) % 7)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][c.month - 1]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(c.day)) \(month) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }

    /// Bucket naming rules (the general-purpose ones).
    /// S3's answer to a body that is not the document an operation takes.
    static var malformedXML: AWSError {
        AWSError("MalformedXML", status: 400, "The XML you provided was not well-formed or did not validate against our published schema")
    }

    /// A request body read with the strict XML reader, whose root element must be `root`
    /// (namespace prefixes aside); MalformedXML otherwise.
    static func document(_ body: [UInt8], root: String) throws(AWSError) -> XMLTree {
        guard let tree = try? XMLTree(parsing: body), tree.root.localName == root else { throw malformedXML }
        return tree
    }

    /// The `LocationConstraint` of a CreateBucket body: nil for an empty body or no constraint;
    /// MalformedXML for anything but a `CreateBucketConfiguration` document.
    static func locationConstraint(in body: [UInt8]) throws(AWSError) -> String? {
        guard body.contains(where: { !XMLTree.Reader.isSpace($0) }) else { return nil }
        let tree = try document(body, root: "CreateBucketConfiguration")
        guard let constraint = tree.root.child(named: "LocationConstraint") else { return nil }
        // A constraint holds text only.
        guard constraint.children.isEmpty else { throw malformedXML }
        return constraint.text
    }

    static func isValidBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count),
            name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }),
            let first = name.first, first.isLetter || first.isNumber,
            let last = name.last, last.isLetter || last.isNumber,
            !name.contains(".."),
            IPv4Check.isAddress(name) == false
        else { return false }
        return true
    }
}

enum IPv4Check {
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// Decodes `aws-chunked` bodies (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, and the signed
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`): `size[;chunk-signature=sig]\r\ndata\r\n`...
/// then a zero-size chunk and optional trailers (`x-amz-checksum-crc32:...\r\n`, and for a signed
/// trailer `x-amz-trailer-signature:...`).
enum AWSChunked {
    struct Decoded: Sendable {
        var payload: [UInt8]
        /// The trailers, `x-amz-trailer-signature` aside.
        var trailers: [(name: String, value: String)]
        /// Each chunk's byte range in `payload` and its `chunk-signature`, the final empty chunk last.
        var chunks: [(range: Range<Int>, signature: String?)] = []
        var trailerSignature: String?
    }

    static func decode(_ body: [UInt8]) -> Decoded? {
        var output = [UInt8]()
        var chunks = [(range: Range<Int>, signature: String?)]()
        var index = 0
        while true {
            guard let lineEnd = crlf(in: body, from: index) else { return nil }
            let header = String(decoding: body[index..<lineEnd], as: UTF8.self)
            let parts = header.split(separator: ";", maxSplits: 1)
            let sizeText = parts.first.map(String.init) ?? ""
            // At most 16 hex digits: a longer size is not one, and cannot overflow.
            guard sizeText.utf8.count <= 16, let size = Int(sizeText.trimmingCharacters(), radix: 16), size >= 0 else { return nil }
            var signature: String?
            if parts.count == 2 {
                let ext = parts[1].trimmingPrefix(" ")
                if ext.hasPrefix("chunk-signature=") { signature = String(ext.dropFirst("chunk-signature=".count)) }
            }
            index = lineEnd + 2
            if size == 0 {
                chunks.append((output.count..<output.count, signature))
                guard var trailers = trailers(in: body, from: index) else { return nil }
                let trailerSignature = trailers.last { $0.name.lowercased() == "x-amz-trailer-signature" }?.value
                trailers.removeAll { $0.name.lowercased() == "x-amz-trailer-signature" }
                return Decoded(payload: output, trailers: trailers, chunks: chunks, trailerSignature: trailerSignature)
            }
            // The size comes from the client: compare it with what is left, never add to it.
            guard size <= body.count - index, body.count - index - size >= 2, body[index + size] == 13, body[index + size + 1] == 10 else { return nil }
            chunks.append((output.count..<(output.count + size), signature))
            output.append(contentsOf: body[index..<(index + size)])
            index += size + 2
        }
    }

    /// `name:value` lines up to an empty line or the end of the body.
    static func trailers(in body: [UInt8], from start: Int) -> [(name: String, value: String)]? {
        var trailers = [(name: String, value: String)]()
        var index = start
        while index < body.count {
            let lineEnd = crlf(in: body, from: index) ?? body.count
            if lineEnd == index { break }
            guard let line = String(validating: body[index..<lineEnd], as: UTF8.self), let colon = line.firstIndex(of: ":") else { return nil }
            trailers.append((String(line[..<colon]).trimmingCharacters(), String(line[line.index(after: colon)...]).trimmingCharacters()))
            index = lineEnd + 2
        }
        return trailers
    }

    static func crlf(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    func trimmingCharacters() -> String {
        var result = Substring(self)
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return String(result)
    }

    /// Without leading and trailing XML white space (space, tab, CR, LF).
    func trimmingXMLSpace() -> String {
        let space: Set<Character> = [" ", "\t", "\r", "\n", "\r\n"]
        var result = Substring(self)
        while let first = result.first, space.contains(first) { result = result.dropFirst() }
        while let last = result.last, space.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
