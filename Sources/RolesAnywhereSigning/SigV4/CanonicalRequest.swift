import Crypto

/// The SigV4 canonical request: the exact text whose SHA-256 is signed.
///
/// ```
/// Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n PayloadHash
/// ```
/// where `CanonicalHeaders` is one `name:value\n` line per signed header. Signer and verifier build it
/// with the same code, so they cannot disagree.
public struct CanonicalRequest: Sendable, Hashable, CustomStringConvertible {
    /// How the path becomes the canonical URI.
    public enum PathEncoding: Sendable, Hashable {
        /// Every service but S3: remove dot segments and empty segments, then percent-encode the
        /// already-encoded path a second time (`%20` becomes `%2520`).
        case normalizedDoubleEncoded
        /// S3: the path exactly as sent.
        case raw
    }

    public var method: String
    public var canonicalURI: String
    public var canonicalQueryString: String
    /// The lower-cased names of the signed headers, sorted, as in `SignedHeaders=`.
    public var signedHeaders: [String]
    /// One `name:value` entry per signed header, in `signedHeaders` order.
    public var canonicalHeaderLines: [String]
    /// Lower-case hex SHA-256 of the body, or the value a protocol puts in its place (S3's `UNSIGNED-PAYLOAD`).
    public var payloadHash: String

    /// Builds the canonical request for `request`, signing exactly `signedHeaders` (lower-case).
    ///
    /// - Throws: ``SigningError/Code-swift.struct/missingSignedHeader`` when a listed header is not in the request,
    ///   ``SigningError/Code-swift.struct/malformedRequest`` for a query with a bad percent-escape.
    public init(
        request: SignableRequest,
        signedHeaders: [String],
        pathEncoding: PathEncoding = .normalizedDoubleEncoded,
        payloadHash: String? = nil
    ) throws(SigningError) {
        self.method = request.method
        self.canonicalURI = Self.canonicalURI(path: request.path, encoding: pathEncoding)
        self.canonicalQueryString = try Self.canonicalQueryString(request.query)
        self.signedHeaders = signedHeaders
        var lines = [String]()
        lines.reserveCapacity(signedHeaders.count)
        for name in signedHeaders {
            let values = request.headers.values(named: name)
            guard !values.isEmpty else {
                throw SigningError(.missingSignedHeader, "the header '\(name)' is listed in SignedHeaders but is not in the request")
            }
            lines.append(name + ":" + values.map(Self.canonicalHeaderValue).joined(separator: ","))
        }
        self.canonicalHeaderLines = lines
        self.payloadHash = payloadHash ?? Hex.encode(SHA256.hash(data: request.body))
    }

    /// The canonical request text.
    public var description: String {
        var text = method + "\n" + canonicalURI + "\n" + canonicalQueryString + "\n"
        for line in canonicalHeaderLines {
            text += line + "\n"
        }
        text += "\n" + signedHeaders.joined(separator: ";") + "\n" + payloadHash
        return text
    }

    /// Lower-case hex SHA-256 of the canonical request text, the last line of the string to sign.
    public var hash: String {
        Hex.encode(SHA256.hash(data: Array(description.utf8)))
    }

    // MARK: - Components

    /// The signed-headers list for a request: every header present, lower-cased, de-duplicated, sorted,
    /// except those in `excluding` (lower-case).
    public static func signedHeaderNames(of headers: [HTTPHeaderField], excluding: Set<String>) -> [String] {
        var names = Set<String>()
        for header in headers {
            let name = header.canonicalName
            if !excluding.contains(name) { names.insert(name) }
        }
        return names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// A header value as SigV4 canonicalises it: leading and trailing white space removed and every
    /// run of white space inside collapsed to one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        // Most values (dates, hashes, a certificate in base64) have no whitespace: nothing to do.
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        }
        if !value.utf8.contains(where: isSpace) { return value }
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if isSpace(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical URI for `path` (as sent on the wire).
    public static func canonicalURI(path: String, encoding: PathEncoding) -> String {
        switch encoding {
        case .raw:
            return path.isEmpty ? "/" : path
        case .normalizedDoubleEncoded:
            return URIEncoding.encode(removingDotSegments(path), keepSlash: true)
        }
    }

    /// RFC 3986 dot-segment removal plus the collapsing of empty segments AWS services expect.
    static func removingDotSegments(_ path: String) -> String {
        if path.isEmpty { return "/" }
        var output = [Substring]()
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                continue
            }
            output.append(segment)
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return leading + output.joined(separator: "/") + trailing
    }

    /// The canonical query string: each name and value decoded, re-encoded per SigV4, then sorted by
    /// name and by value (byte order), joined with `&`. A parameter without `=` gets an empty value.
    public static func canonicalQueryString(_ query: String) throws(SigningError) -> String {
        if query.isEmpty { return "" }
        // One pass over the bytes: each name and value is decoded and re-encoded escape by escape
        // (`%xx` of an unreserved byte becomes the byte, every other byte `%XX`), with no
        // intermediate strings; the pairs are then sorted by their encoded bytes.
        var text = query
        var pairs = [(name: [UInt8], value: [UInt8])]()
        let wellFormed = text.withUTF8 { bytes -> Bool in
            for parameter in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let equals = parameter.firstIndex(of: UInt8(ascii: "="))
                let name = equals.map { parameter[..<$0] } ?? parameter
                let value = equals.map { parameter[parameter.index(after: $0)...] } ?? parameter[parameter.endIndex...]
                guard let encodedName = URIEncoding.canonicalComponent(name), let encodedValue = URIEncoding.canonicalComponent(value) else {
                    return false
                }
                pairs.append((encodedName, encodedValue))
            }
            return true
        }
        guard wellFormed else { throw SigningError(.malformedRequest, "the query string has a malformed percent-escape") }
        pairs.sort { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.value.lexicographicallyPrecedes(rhs.value)
        }
        var out = [UInt8]()
        out.reserveCapacity(query.utf8.count + 16)
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.name)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical query string for name/value pairs given unencoded.
    public static func canonicalQueryString(parameters: [(name: String, value: String)]) -> String {
        canonicalQueryString(encodedPairs: parameters.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) })
    }

    private static func canonicalQueryString(encodedPairs: [(String, String)]) -> String {
        // Encoded text is ASCII, so comparing UTF-8 bytes is comparing code points.
        let sorted = encodedPairs.sorted { lhs, rhs in
            if lhs.0 != rhs.0 { return lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8) }
            return lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }
        return sorted.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }
}
