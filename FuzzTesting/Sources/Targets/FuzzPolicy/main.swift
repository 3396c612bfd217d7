import FuzzSupport
import RolesAnywherePolicy

/// IAM policy documents (and the JSON parser under them), as identity and trust policies, then
/// evaluated against a request with condition keys.
@_cdecl("FuzzPolicy_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var context = RequestContext(action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", principalARN: "arn:aws:sts::123456789012:assumed-role/r/s")
    context.set("aws:PrincipalTag/x509Subject/CN", "myContainer")
    context.set("aws:SourceIp", "127.0.0.1")
    context.set("aws:CurrentTime", "2026-12-01T00:00:00Z")
    context.set("s3:prefix", values: ["a/", "caf\u{E9}"])
    let request = context
    return runFuzzer(argc, argv) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let identity = try? PolicyDocument(json: text, kind: .identity) {
            _ = PolicyEvaluator.evaluate(identity: [PolicyEvaluator.Policy(identity, name: "fuzz")], session: nil, context: request)
        }
        if let trust = try? PolicyDocument(json: text, kind: .trust) {
            _ = PolicyEvaluator.evaluate(resourcePolicy: PolicyEvaluator.Policy(trust, name: "fuzz"), context: request)
        }
    }
}
