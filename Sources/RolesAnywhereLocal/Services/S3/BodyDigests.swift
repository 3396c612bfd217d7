import Crypto

/// The SHA-256 and MD5 of a body in one pass over it: 64 KiB at a time into both, so that each
/// piece is still in the cache for the second hash (a 1 MiB PutObject's body is read once, not
/// once for `x-amz-content-sha256` and again for its ETag).
enum BodyDigests {
    static let chunk = 64 * 1024

    static func sha256AndMD5(_ body: [UInt8]) -> (sha256: SHA256.Digest, md5: Insecure.MD5.Digest) {
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        body.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let end = min(offset + chunk, buffer.count)
                let piece = UnsafeRawBufferPointer(rebasing: buffer[offset..<end])
                sha256.update(bufferPointer: piece)
                md5.update(bufferPointer: piece)
                offset = end
            }
        }
        return (sha256.finalize(), md5.finalize())
    }
}
