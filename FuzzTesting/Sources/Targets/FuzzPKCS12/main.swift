import FuzzSupport
import RolesAnywhereKeys
import RolesAnywhereSupport

/// PKCS#12 files (OpenSSL 3's PBES2/AES form and the legacy 3DES/RC2 form), with and without a password.
@_cdecl("FuzzPKCS12_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        _ = try? PKCS12Bundle(derEncoded: bytes, password: .value("fuzz"), source: "fuzz.p12")
        _ = try? PKCS12Bundle(derEncoded: bytes, password: .none, source: "fuzz.p12")
    }
}
