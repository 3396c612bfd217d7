import FuzzSupport
import RolesAnywherePKI

/// Certificate signing requests (PKCS#10), as PEM or DER, as `pki issue --csr` reads them: the
/// request, its key (RSA, EC or ML-DSA), its extension request and its signature.
@_cdecl("FuzzSigningRequest_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        guard let request = try? SigningRequests.read(bytes, source: "fuzz.csr") else { return }
        _ = request.subjectAlternativeNames
        _ = request.pemString
    }
}
