import FuzzSupport
@testable import RolesAnywhereLocal

/// The small parsers behind S3 and the query protocol, directly: aws-chunked bodies, the
/// CreateBucketConfiguration XML, raw query strings, form bodies, and XML documents (the reader
/// and the DeleteObjects and CompleteMultipartUpload bodies on it). The first byte picks one.
@_cdecl("FuzzS3Body_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let text = String(decoding: rest, as: UTF8.self)
        switch selector % 6 {
        case 0: _ = AWSChunked.decode(rest)
        case 1: _ = try? S3Formats.locationConstraint(in: rest)
        case 2: _ = QueryItem.parse(text)
        case 3: _ = FormEncoding.parse(text, plusIsSpace: true)
        case 4:
            _ = try? XMLTree(parsing: rest)
            _ = try? S3DeleteRequest(rest)
        default: _ = try? S3CompleteRequest(rest)
        }
    }
}
