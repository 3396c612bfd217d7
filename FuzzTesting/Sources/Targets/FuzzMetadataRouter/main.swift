#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
@testable import RolesAnywhereServe

/// serve's IMDSv2 and container-credentials router: methods, paths, token and TTL headers, the
/// container Authorization token, with the token table kept across inputs (so it fills up).
@_cdecl("FuzzMetadataRouter_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let configuration = MetadataServerConfiguration(
        roleName: "bucket-lister", roleArn: "arn:aws:iam::123456789012:role/bucket-lister", region: "us-east-1",
        containerAuthorizationToken: "container-token-0123456789abcdef"
    )
    let router = MetadataRouter(configuration: configuration, tokens: MetadataTokens(capacity: 64))
    return runFuzzer(argc, argv) { bytes in
        let input = FuzzRequest(bytes)
        var headers = [String: String]()
        for (name, value) in input.headers { headers[name.lowercased()] = value }
        let request = MetadataRequest(method: input.method, path: input.path, header: { headers[$0] })
        _ = router.route(request, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(bytes.count)))
    }
}
