#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
@testable import RolesAnywhereServe

/// serve's IMDSv2 and container-credentials router (and the metrics listener's, which must never
/// route to credentials or answer 200 itself): methods, paths, token and TTL headers, the
/// container Authorization token, with the token table kept across inputs (so it fills up).
@_cdecl("FuzzMetadataRouter_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let configuration = MetadataServerConfiguration(
        roleName: "bucket-lister", roleArn: "arn:aws:iam::123456789012:role/bucket-lister", region: "us-east-1",
        containerAuthorizationToken: "container-token-0123456789abcdef"
    )
    let router = MetadataRouter(configuration: configuration, tokens: MetadataTokens(capacity: 64))
    // The --metrics-port listener's router, which must answer nothing but /metrics and /healthz.
    let metricsRouter = MetadataRouter(configuration: configuration, tokens: router.tokens, listener: .metrics)
    return runFuzzer(argc, argv) { bytes in
        let input = FuzzRequest(bytes)
        var headers = [String: String]()
        for (name, value) in input.headers { headers[name.lowercased()] = value }
        let request = MetadataRequest(method: input.method, path: input.path, header: { headers[$0] })
        let now = Date(timeIntervalSince1970: 1_800_000_000 + Double(bytes.count))
        _ = router.route(request, now: now)
        _ = router.requestPath(input.path)
        switch metricsRouter.route(request, now: now) {
        case .credentials: fatalError("the metrics listener routed \(input.path) to credentials")
        case .respond(let response) where response.status == 200: fatalError("the metrics listener answered \(input.path) with 200")
        default: break
        }
    }
}
