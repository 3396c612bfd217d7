import RolesAnywhereSigning

/// What an S3 request says about its body in `x-amz-content-sha256`, read once before any handler
/// runs, with the declared SHA-256 checked against the body there.
enum S3PayloadHash: Sendable, Equatable {
    /// The hex SHA-256 of the body, checked; with the body's MD5, computed in the same pass.
    case sha256(md5: [UInt8])
    /// `UNSIGNED-PAYLOAD`, and what a presigned URL signs.
    case unsigned
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked, with a checksum trailer.
    case streamingUnsignedTrailer
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (and `-TRAILER`): aws-chunked, every chunk signed.
    case streamingSigned(trailer: Bool)

    /// Whether the body is aws-chunked.
    var isStreaming: Bool {
        switch self {
        case .sha256, .unsigned: false
        case .streamingUnsignedTrailer, .streamingSigned: true
        }
    }

    /// Reads and checks the declaration of `request`. A presigned URL (`signedIn` the query
    /// string) need not declare one: it signs `UNSIGNED-PAYLOAD`. A request signed in its header
    /// must; a declared SHA-256 must be the body's.
    init(_ request: LocalRequest, signedIn location: SignatureLocation) throws(AWSError) {
        guard let declared = request.header("x-amz-content-sha256") else {
            guard location == .queryString else {
                throw AWSError("InvalidRequest", status: 400, "Missing required header for this request: x-amz-content-sha256")
            }
            self = .unsigned
            return
        }
        switch declared {
        case "UNSIGNED-PAYLOAD": self = .unsigned
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": self = .streamingUnsignedTrailer
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": self = .streamingSigned(trailer: false)
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": self = .streamingSigned(trailer: true)
        default:
            guard declared.utf8.count == 64, Hex.decode(declared) != nil else {
                throw AWSError("InvalidArgument", status: 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.")
            }
            let digests = BodyDigests.sha256AndMD5(request.body)
            guard Hex.encode(digests.sha256) == declared.lowercased() else {
                throw AWSError("XAmzContentSHA256Mismatch", status: 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            self = .sha256(md5: Array(digests.md5))
        }
    }
}

extension S3PayloadHash {
    /// The MD5 of the (not aws-chunked) body, when the SHA-256 check computed it.
    var bodyMD5: [UInt8]? {
        if case .sha256(let md5) = self { return md5 }
        return nil
    }
}
