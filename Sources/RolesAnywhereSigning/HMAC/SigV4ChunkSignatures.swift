import Crypto

/// The chunk signatures of a signed streaming upload (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, and
/// `...-PAYLOAD-TRAILER` with a signed trailer), as the Java, Go and .NET SDKs send S3 bodies over
/// HTTP. Each chunk's signature chains from the one before it, starting from the request's own
/// (the seed), so no chunk can be dropped, reordered or changed:
///
/// ```
/// AWS4-HMAC-SHA256-PAYLOAD \n <X-Amz-Date> \n <scope> \n <previous signature> \n sha256("") \n sha256(chunk)
/// AWS4-HMAC-SHA256-TRAILER \n <X-Amz-Date> \n <scope> \n <previous signature> \n sha256(trailer lines)
/// ```
public struct SigV4ChunkSignatures: Sendable {
    let signingKey: SigV4SigningKey
    let date: AmzDate
    let scope: CredentialScope
    /// The signature the next chunk must chain from.
    public private(set) var previous: String

    static let emptyHash = Hex.encode(SHA256.hash(data: [UInt8]()))

    /// Starts from the request's signature (the `Signature=` of its `Authorization` header).
    public init(signingKey: SigV4SigningKey, date: AmzDate, scope: CredentialScope, seed: String) {
        self.signingKey = signingKey
        self.date = date
        self.scope = scope
        self.previous = seed.lowercased()
    }

    /// Checks the next chunk's signature (the final, empty chunk included) and moves on.
    public mutating func verifyChunk(_ data: ArraySlice<UInt8>, signature: String) -> Bool {
        let text = "AWS4-HMAC-SHA256-PAYLOAD\n" + date.amzDateTime + "\n" + scope.description + "\n" + previous + "\n" + Self.emptyHash + "\n"
            + Hex.encode(SHA256.hash(data: data))
        return advance(expected: signingKey.signature(for: text), signature: signature)
    }

    /// Checks the trailer's signature: `trailers` as `name:value` lines (lower-case names,
    /// trimmed values, each ending in a newline), the signature line excluded.
    public mutating func verifyTrailer(_ trailers: [(name: String, value: String)], signature: String) -> Bool {
        var lines = ""
        for (name, value) in trailers { lines += name.lowercased() + ":" + value + "\n" }
        let text = "AWS4-HMAC-SHA256-TRAILER\n" + date.amzDateTime + "\n" + scope.description + "\n" + previous + "\n"
            + Hex.encode(SHA256.hash(data: Array(lines.utf8)))
        return advance(expected: signingKey.signature(for: text), signature: signature)
    }

    private mutating func advance(expected: String, signature: String) -> Bool {
        guard SigV4RequestVerifier.constantTimeEquals(expected, signature.lowercased()) else { return false }
        previous = expected
        return true
    }
}
