import FuzzSupport
import RolesAnywhereSigning

/// SigV4 and SigV4-X509 requests (request line, headers, body): the Authorization header, the
/// canonical request, HMAC verification and X.509 verification (certificates from X-Amz-X509),
/// and presigned URLs (SigV4 and S3's SigV2 in the query string).
@_cdecl("FuzzSigV4_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let credentials = SigV4Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    return runFuzzer(argc, argv) { bytes in
        let input = FuzzRequest(bytes)
        let request = SignableRequest(
            method: input.method, path: input.path, query: input.query, headers: input.headers.map { HTTPHeaderField(name: $0.name, value: $0.value) },
            body: input.body
        )
        if let authorization = request.headers.first(named: "authorization") {
            _ = try? SigV4Authorization(parsing: authorization)
        }
        if let parsed = try? SigV4RequestVerifier.parse(request) {
            _ = parsed.verify(signingKey: SigV4SigningKey(secretAccessKey: credentials.secretAccessKey, scope: parsed.authorization.scope))
        }
        _ = try? X509RequestVerifier.verify(request)
        if let presigned = try? SigV4PresignedRequest.parse(request) {
            _ = presigned.request.verify(secretAccessKey: credentials.secretAccessKey)
        }
        _ = (try? SigV2PresignedRequest(parsing: request))?.verify(secretAccessKey: credentials.secretAccessKey)
        // Signing what was parsed must not fail either.
        _ = try? SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3").sign(request, date: AmzDate(secondsSince1970: 1_800_000_000))
    }
}
