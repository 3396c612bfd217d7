import FuzzSupport
import RolesAnywhereKeys
import RolesAnywhereSupport

/// Private keys: the first byte picks the form (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 with its
/// PBES2, PBKDF2 and scrypt parameters, or OpenSSL's legacy encrypted PEM as text); the rest is the key.
@_cdecl("FuzzPrivateKey_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        guard let form = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let types = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]
        if Int(form) % 5 == 4 {
            guard let blocks = try? PEMBlock.parseAll(String(decoding: rest, as: UTF8.self)) else { return }
            for block in blocks { _ = try? PrivateKeyParser.privateKey(from: block, password: .value("fuzz")) }
            return
        }
        let block = PEMBlock(type: types[Int(form) % 5], derBytes: rest)
        _ = try? PrivateKeyParser.privateKey(from: block, password: .value("fuzz"))
        _ = try? PrivateKeyParser.privateKey(from: block, password: .none)
    }
}
