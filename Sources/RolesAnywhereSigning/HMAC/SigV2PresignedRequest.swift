#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// S3's legacy query-string signature (SigV2): `AWSAccessKeyId`, `Expires` (seconds since 1970)
/// and `Signature` (base64 HMAC-SHA1), which `aws s3 presign` and boto3's
/// `generate_presigned_url` make by default in regions that accept it, us-east-1 among them.
///
/// The string to sign is `METHOD\nContent-MD5\nContent-Type\nExpires\n`, then the `x-amz-*`
/// values (headers, and parameters of the query, where presigners put them), lower-case and
/// sorted, one `name:value` line each, then the path as sent with the sub-resource parameters S3
/// lists (`uploadId`, `partNumber`, `response-content-type`, ...), sorted.
public struct SigV2PresignedRequest: Sendable, Hashable {
    public var accessKeyID: String
    /// Seconds since 1970 after which the URL is refused.
    public var expires: Int64
    public var stringToSign: String
    /// The base64 signature sent.
    public var signature: String

    /// The query parameters that name a sub-resource or a response override, and so are signed.
    static let subresources: Set<String> = [
        "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location", "logging", "metrics",
        "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type", "response-expires",
        "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions",
        "website",
    ]

    /// Whether the query string carries a SigV2 signature (`AWSAccessKeyId` and `Signature`).
    public static func isPresigned(query: String) -> Bool {
        let names = Set(SigV4PresignedRequest.parameters(query).map(\.name))
        return names.contains("AWSAccessKeyId") && names.contains("Signature")
    }

    /// Parses a SigV2 presigned request and rebuilds its string to sign.
    ///
    /// - Throws: ``SigningError`` naming the parameter that is missing or wrong.
    public init(parsing request: SignableRequest) throws(SigningError) {
        let pairs = SigV4PresignedRequest.parameters(request.query)
        func single(_ name: String) throws(SigningError) -> String { try SigV4PresignedRequest.single(name, in: pairs) }
        accessKeyID = try single("AWSAccessKeyId")
        signature = try single("Signature")
        let expiresText = try single("Expires")
        // At most twelve digits (the year 33658): anything longer is not a time and cannot overflow.
        guard expiresText.utf8.count <= 12, expiresText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let expires = Int64(expiresText)
        else {
            throw SigningError(.malformedDate, "Expires must be a time in seconds since 1970")
        }
        self.expires = expires
        func standard(_ name: String) -> String {
            (request.headers.first(named: name) ?? pairs.first { $0.name.lowercased() == name }?.value ?? "").trimmingASCIIWhitespace()
        }
        var amz = [String: [String]]()
        for header in request.headers where header.canonicalName.hasPrefix("x-amz-") {
            amz[header.canonicalName, default: []].append(header.value.trimmingASCIIWhitespace())
        }
        for pair in pairs where pair.name.lowercased().hasPrefix("x-amz-") {
            guard let value = pair.value else { throw SigningError(.malformedRequest, "the query string has a malformed percent-escape") }
            amz[pair.name.lowercased(), default: []].append(value.trimmingASCIIWhitespace())
        }
        var text = request.method.uppercased() + "\n" + standard("content-md5") + "\n" + standard("content-type") + "\n" + expiresText + "\n"
        for name in amz.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            text += name + ":" + (amz[name] ?? []).joined(separator: ",") + "\n"
        }
        text += request.path
        var signed = [(String, String?)]()
        for pair in pairs where Self.subresources.contains(pair.name) {
            guard let value = pair.value else { throw SigningError(.malformedRequest, "the query string has a malformed percent-escape") }
            signed.append((pair.name, pair.raw.contains("=") ? value : nil))
        }
        if !signed.isEmpty {
            signed.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            text += "?" + signed.map { name, value in value.map { name + "=" + $0 } ?? name }.joined(separator: "&")
        }
        stringToSign = text
    }

    /// Whether the signature is the one `secretAccessKey` makes (compared in constant time).
    public func verify(secretAccessKey: String) -> Bool {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secretAccessKey.utf8)))
        return SigV4RequestVerifier.constantTimeEquals(Data(mac).base64EncodedString(), signature)
    }
}
