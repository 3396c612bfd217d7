import FuzzSupport
import RolesAnywhereKeys
import RolesAnywhereSupport

/// PEM text: blocks, their headers and base64, and every private-key block through the key parser.
@_cdecl("FuzzPEM_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { bytes in
        guard let blocks = try? PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)) else { return }
        for block in blocks where PrivateKeyParser.keyBlockTypes.contains(block.type) {
            _ = try? PrivateKeyParser.privateKey(from: block, password: .value("fuzz"))
        }
    }
}
