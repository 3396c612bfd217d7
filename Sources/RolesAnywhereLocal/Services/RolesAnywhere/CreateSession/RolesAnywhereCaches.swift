#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSigning
import Synchronization

/// Parsed trust-anchor certificates and CRLs, kept while the resource is unchanged (keyed by ID and
/// `updatedAt`), so CreateSession does not parse PEM on every call.
final class RolesAnywhereCaches: Sendable {
    private let anchors = Mutex<[String: [CertificateFacts]]>([:])
    private let crls = Mutex<[String: CertificateRevocationList]>([:])
    /// Client certificates by their base64, and their facts by DER (a workload sends the same
    /// certificate on every call).
    private let certificates = Mutex<[String: EncodedCertificate]>([:])
    private let facts = Mutex<[[UInt8]: CertificateFacts]>([:])

    /// The certificate in `base64`, parsed once.
    func certificate(_ base64: String) throws(SigningError) -> EncodedCertificate {
        if let cached = certificates.withLock({ $0[base64] }) { return cached }
        let certificate = try EncodedCertificate(base64Encoded: base64)
        certificates.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[base64] = certificate
        }
        return certificate
    }

    /// What the path validator needs of a certificate sent in a request, parsed once.
    func facts(_ certificate: EncodedCertificate) -> CertificateFacts {
        if let cached = facts.withLock({ $0[certificate.derBytes] }) { return cached }
        let parsed = CertificateFacts(certificate)
        facts.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[certificate.derBytes] = parsed
        }
        return parsed
    }

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

    /// Path validations by their inputs and the second they were made in: the result is a pure
    /// function of the certificates, the anchor, the CRLs and the time (to the second, the
    /// resolution of X.509 validity), so a workload calling again within the second reuses it.
    let validations = Memo<ValidationKey, CertificatePathValidator.Result>()

    /// Trust-policy decisions by their inputs, to the second (`aws:CurrentTime` has that resolution).
    let trustDecisions = Memo<TrustKey, CreateSessionHandler.Denial?>()

    struct ValidationKey: Hashable, Sendable {
        var certificates: [[UInt8]]
        var anchor: String
        var crls: [String]
        var second: Int64
    }

    struct TrustKey: Hashable, Sendable {
        var policy: String
        var anchor: String
        var tags: [String: String]
        var sourceIdentity: String
        var sessionName: String
        var second: Int64
    }
}

/// A bounded memo table.
final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])

    func value(_ key: Key, _ compute: () throws -> Value) rethrows -> Value {
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let value = try compute()
        entries.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = value
        }
        return value
    }
}
