#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import FuzzSupport
import Logging
import RolesAnywhereLocal
import RolesAnywhereSigning
import Synchronization

/// Whole requests to rolesanywhere-local (request line, headers, body), signed with the
/// administrator keys for the service an `X-Fuzz-Service` header names (iam, sts, s3, acm-pca,
/// rolesanywhere; unsigned without one), so that everything behind authentication is reached:
/// operation resolution, query and form parameters, JSON and XML bodies, aws-chunked payloads,
/// policy documents, pagination tokens. The store starts over every 500 inputs.
@_cdecl("FuzzLocalRequest_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let credentials = SigV4Credentials(accessKeyId: LocalConfiguration.defaultAdminAccessKeyID, secretAccessKey: LocalConfiguration.defaultAdminSecretAccessKey)
    let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    let state = Mutex<(service: LocalService?, count: Int)>((nil, 0))
    return runFuzzer(argc, argv) { bytes in
        let service = state.withLock { state -> LocalService in
            state.count += 1
            if state.service == nil || state.count % 500 == 0 {
                state.service = LocalService(configuration: LocalConfiguration(), store: MemoryStore(), logger: logger)
            }
            return state.service!
        }
        let input = FuzzRequest(bytes)
        var headers = [HTTPHeaderField(name: "Host", value: "127.0.0.1:4566")]
        var signingService: String?
        for (name, value) in input.headers {
            if name.lowercased() == "x-fuzz-service" { signingService = value } else { headers.append(HTTPHeaderField(name: name, value: value)) }
        }
        var request = SignableRequest(method: input.method, path: input.path, query: input.query, headers: headers, body: input.body)
        let now = Date()
        if let signingService, !signingService.isEmpty,
            let signed = try? SigV4Signer(credentials: credentials, region: "us-east-1", service: signingService).sign(request, date: AmzDate(now), declaredPayloadHash: request.headers.first(named: "x-amz-content-sha256"))
        {
            request = signed.request
        }
        let local = LocalRequest(method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.body, receivedAt: now)
        let done = DispatchSemaphore(value: 0)
        Task {
            let admission = await service.admit(LocalRequest(method: local.method, path: local.path, query: local.query, headers: local.headers, body: [], receivedAt: now))
            if admission.refusal == nil, local.body.count <= admission.maximumBody {
                _ = await service.handle(local, admission: admission)
            }
            done.signal()
        }
        done.wait()
    }
}
