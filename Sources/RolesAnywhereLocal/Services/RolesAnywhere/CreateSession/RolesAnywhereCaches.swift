#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereCredentials
import RolesAnywherePKI
import Synchronization

/// Parsed trust-anchor certificates and CRLs, kept while the resource is unchanged (keyed by ID and
/// `updatedAt`), so CreateSession does not parse PEM on every call.
final class RolesAnywhereCaches: Sendable {
    private let anchors = Mutex<[String: [CertificateFacts]]>([:])
    private let crls = Mutex<[String: CertificateRevocationList]>([:])

    func anchorCertificates(_ anchor: TrustAnchorRecord) throws(CreateSessionHandler.Denial) -> [CertificateFacts] {
        let key = "\(anchor.trustAnchorId)@\(anchor.updatedAt.timeIntervalSince1970)"
        if let cached = anchors.withLock({ $0[key] }) { return cached }
        guard let pem = anchor.source.sourceData.x509CertificateData,
            let certificates = try? CertificateParser.bundle(pem: pem, source: "trust anchor")
        else {
            throw CreateSessionHandler.Denial(
                error: .accessDeniedException("Untrusted Signing Certificate"),
                reason: "the trust anchor \(anchor.trustAnchorArn) has no usable CA certificate"
            )
        }
        let facts = certificates.map(CertificateFacts.init)
        anchors.withLock { cache in
            if cache.count > 1_000 { cache.removeAll() }
            cache[key] = facts
        }
        return facts
    }

    /// The parsed CRL, or nil if it does not parse (it was checked at import).
    func revocationList(_ record: CRLRecord) -> CertificateRevocationList? {
        let key = "\(record.crlId)@\(record.updatedAt.timeIntervalSince1970)"
        if let cached = crls.withLock({ $0[key] }) { return cached }
        guard let parsed = try? CertificateRevocationList(pemOrDER: Array(record.crlData), source: record.name) else { return nil }
        crls.withLock { cache in
            if cache.count > 1_000 { cache.removeAll() }
            cache[key] = parsed
        }
        return parsed
    }
}
