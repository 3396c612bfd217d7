#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereKeys

/// Parsed trust-anchor certificates and CRLs, kept while the resource is unchanged (keyed by ID and
/// `updatedAt`), so CreateSession does not parse PEM on every call.
final class RolesAnywhereCaches: Sendable {
    private let anchors = BoundedCache<String, [CertificateFacts]>(capacity: 2_000)
    private let crls = BoundedCache<String, CertificateRevocationList>(capacity: 2_000)
    /// Client certificates by their base64 (a workload sends the same certificate on every call),
    /// and what is derived from each, by its DER.
    private let certificates = BoundedCache<String, EncodedCertificate>(capacity: 20_000)
    private let derived = BoundedCache<DERKey, Derived>(capacity: 20_000)
    private let tags = BoundedCache<TagsKey, PrincipalTags.Derivation>(capacity: 20_000)

    /// What is made of a client certificate once: the path validator's facts and the subject record's names.
    private struct Derived: Sendable {
        var facts: CertificateFacts
        var subject: SubjectIdentity
    }

    /// What a subject record says of a certificate: its names, serial and PEM, written out once.
    struct SubjectIdentity: Sendable {
        var name: String
        var id: String
        var serial: String
        var issuer: String
        var pem: String
    }

    private func derived(_ certificate: EncodedCertificate) -> Derived {
        derived.value(forKey: DERKey(certificate.derBytes)) {
            let name = "\(certificate.fields.subject)"
            return Derived(
                facts: CertificateFacts(certificate),
                subject: SubjectIdentity(
                    name: name, id: CreateSessionHandler.subjectID(name), serial: SessionIdentity.serialHex(certificate.fields),
                    issuer: "\(certificate.fields.issuer)", pem: certificate.pemString
                )
            )
        }
    }

    /// The certificate's ``SubjectIdentity``, made once.
    func subject(_ certificate: EncodedCertificate) -> SubjectIdentity {
        derived(certificate).subject
    }

    /// What the path validator needs of a certificate sent in a request, parsed once.
    func facts(_ certificate: EncodedCertificate) -> CertificateFacts {
        derived(certificate).facts
    }

    /// The principal tags `mappings` make of a certificate, derived once per certificate and mappings.
    func principalTags(_ certificate: EncodedCertificate, mappings: [AttributeMapping]) -> PrincipalTags.Derivation {
        tags.value(forKey: TagsKey(certificate: DERKey(certificate.derBytes), mappings: mappings)) {
            PrincipalTags.derive(from: certificate.fields, mappings: mappings)
        }
    }

    private struct TagsKey: Hashable, Sendable {
        var certificate: DERKey
        var mappings: [AttributeMapping]
    }

    /// The certificate in `base64`, parsed once.
    func certificate(_ base64: String) throws(SigningError) -> EncodedCertificate {
        try certificates.value(forKey: base64) { () throws(SigningError) in try EncodedCertificate(base64Encoded: base64) }
    }

    func anchorCertificates(_ anchor: TrustAnchorRecord) throws(CreateSessionHandler.Denial) -> [CertificateFacts] {
        let key = "\(anchor.trustAnchorId)@\(anchor.updatedAt.timeIntervalSince1970)"
        if let cached = anchors.value(forKey: key) { return cached }
        guard let pem = anchor.trustedCertificatesPEM,
            let certificates = try? CertificateParser.bundle(pem: pem, source: "trust anchor")
        else {
            throw CreateSessionHandler.Denial(
                error: .accessDeniedException("Untrusted Signing Certificate"),
                reason: "the trust anchor \(anchor.trustAnchorArn) has no usable CA certificate"
            )
        }
        let facts = certificates.map(CertificateFacts.init)
        anchors.set(facts, forKey: key)
        return facts
    }

    /// The parsed CRL, or nil if it does not parse (it was checked at import).
    func revocationList(_ record: CRLRecord) -> CertificateRevocationList? {
        let key = "\(record.crlId)@\(record.updatedAt.timeIntervalSince1970)"
        if let cached = crls.value(forKey: key) { return cached }
        guard let parsed = try? CertificateRevocationList(pemOrDER: Array(record.crlData), source: record.name) else { return nil }
        crls.set(parsed, forKey: key)
        return parsed
    }

    /// Path validations by their inputs and the second they were made in: the result is a pure
    /// function of the certificates, the anchor, the CRLs and the time (to the second, the
    /// resolution of X.509 validity), so a workload calling again within the second reuses it.
    let validations = BoundedCache<ValidationKey, CertificatePathValidator.Result>(capacity: 20_000)

    /// Trust-policy decisions by their inputs, to the second (`aws:CurrentTime` has that resolution).
    let trustDecisions = BoundedCache<TrustKey, CreateSessionHandler.Denial?>(capacity: 20_000)

    struct ValidationKey: Hashable, Sendable {
        var certificates: [DERKey]
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

/// DER bytes as a dictionary key, hashed as one block of memory: `[UInt8]`'s own `Hashable` feeds
/// the hasher one byte at a time, which for a 1 KB certificate cost more than the lookup it served.
struct DERKey: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
