import FuzzSupport
import RolesAnywherePKI

/// Certificate revocation lists, as DER or PEM.
@_cdecl("FuzzCRL_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        guard let crl = try? CertificateRevocationList(pemOrDER: bytes, source: "fuzz.crl") else { return }
        _ = crl.entries.count
    }
}
