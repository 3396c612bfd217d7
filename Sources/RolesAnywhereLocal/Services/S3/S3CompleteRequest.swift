/// The body of CompleteMultipartUpload: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
/// <ETag>"..."</ETag><ChecksumCRC32>...</ChecksumCRC32></Part>...</CompleteMultipartUpload>`, with
/// one to 10,000 parts (MalformedXML otherwise, as on S3).
struct S3CompleteRequest: Sendable {
    struct Part: Sendable, Equatable {
        var number: Int
        /// Without quotes.
        var etag: String
        /// A checksum given for the part, if any.
        var checksum: (algorithm: S3Checksum, value: String)?

        static func == (left: Part, right: Part) -> Bool {
            left.number == right.number && left.etag == right.etag && left.checksum?.algorithm == right.checksum?.algorithm
                && left.checksum?.value == right.checksum?.value
        }
    }

    static let maximumParts = 10_000

    var parts: [Part]

    init(_ body: [UInt8]) throws(AWSError) {
        let malformed = S3Formats.malformedXML
        let tree = try S3Formats.document(body, root: "CompleteMultipartUpload")
        let entries = tree.root.children(named: "Part")
        guard (1...Self.maximumParts).contains(entries.count) else { throw malformed }
        var parts = [Part]()
        parts.reserveCapacity(entries.count)
        for entry in entries {
            // At most five digits: anything longer is not a part number, and cannot overflow.
            guard let text = entry.child(named: "PartNumber")?.text.trimmingXMLSpace(), (1...5).contains(text.utf8.count),
                text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let number = Int(text),
                let quoted = entry.child(named: "ETag")?.text.trimmingXMLSpace(), !quoted.isEmpty
            else { throw malformed }
            var checksum: (S3Checksum, String)?
            for algorithm in S3Checksum.allCases {
                if let value = entry.child(named: algorithm.completeElementName)?.text.trimmingXMLSpace() {
                    guard checksum == nil else { throw malformed }
                    checksum = (algorithm, value)
                }
            }
            parts.append(Part(number: number, etag: S3CompleteRequest.unquoted(quoted), checksum: checksum))
        }
        self.parts = parts
    }

    /// An ETag as given, without the quotes clients may or may not keep.
    static func unquoted(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        return String(text)
    }
}

extension S3Checksum {
    /// The element of a part or a result that carries this checksum: `ChecksumCRC32`, ...
    var completeElementName: String {
        switch self {
        case .crc32: "ChecksumCRC32"
        case .crc32c: "ChecksumCRC32C"
        case .crc64nvme: "ChecksumCRC64NVME"
        case .sha1: "ChecksumSHA1"
        case .sha256: "ChecksumSHA256"
        }
    }

    /// The algorithm as `x-amz-checksum-algorithm` and ListParts write it.
    var algorithmName: String { completeElementName.dropFirst("Checksum".count).description }

    /// The algorithm `x-amz-checksum-algorithm` names (any case).
    init?(algorithmName: String) {
        self.init(rawValue: algorithmName.lowercased())
    }
}
