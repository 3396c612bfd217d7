#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import FuzzSupport
import RolesAnywherePKI
import RolesAnywhereSigning

/// Certificates (DER): CertificateFacts, the Roles Anywhere requirement checks for both roles, and
/// path validation with the certificate as leaf and as its own anchor.
@_cdecl("FuzzCertificate_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    return runFuzzer(argc, argv) { bytes in
        _ = try? EncodedCertificate(derEncoded: bytes)
        guard let facts = try? CertificateFacts(derEncoded: bytes) else { return }
        _ = RolesAnywhereRequirements.check(facts, as: .endEntity, at: now)
        _ = RolesAnywhereRequirements.check(facts, as: .certificateAuthority, at: now)
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = await CertificatePathValidator.validate(leaf: facts, intermediates: [facts], anchors: [facts], at: now)
            done.signal()
        }
        done.wait()
    }
}
