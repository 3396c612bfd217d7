#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// The Roles Anywhere rules for a certificate path, as a swift-certificates `VerifierPolicy`: every
/// certificate meets its ``RolesAnywhereRequirements`` (end entity or CA) at the request's time, the
/// pathlen constraints hold, no certificate below the anchor has a critical extension that is not
/// processed, subjects are inside the directory-name constraints of the CAs above them, no
/// certificate is revoked by a CRL its issuer signed, and at most
/// ``CertificatePathValidator/maximumChainLength`` intermediates lie between the end entity and the
/// anchor.
///
/// The `Verifier` calls it for every candidate path whose signatures link; the same rules produce
/// the refusal messages (``problems(_:)``).
struct RolesAnywherePathPolicy: VerifierPolicy, Sendable {
    /// The processed extensions, and the critical extensions of the anchors: an anchor's own
    /// extensions are not processed (RFC 5280 §6.1), and below the anchor ``problems(_:)`` refuses
    /// every critical extension outside ``CertificatePathValidator/processedExtensions`` by name.
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier]
    let known: [Certificate: CertificateFacts]
    let crls: [CertificateRevocationList]
    let now: Date

    init(leaf: CertificateFacts, intermediates: [CertificateFacts], anchors: [CertificateFacts], crls: [CertificateRevocationList], at now: Date) {
        var known = [Certificate: CertificateFacts]()
        for facts in [leaf] + intermediates + anchors {
            if let certificate = facts.certificate { known[certificate] = facts }
        }
        self.known = known
        self.crls = crls
        self.now = now
        let anchorsCritical = anchors.flatMap { $0.extensions.filter(\.critical).map(\.oid) }
        verifyingCriticalExtensions = Array(CertificatePathValidator.processedExtensions.union(anchorsCritical))
    }

    /// The facts of each certificate of a path, or nil when one was not among those given.
    func facts(of chain: [Certificate]) -> [CertificateFacts]? {
        var path = [CertificateFacts]()
        path.reserveCapacity(chain.count)
        for certificate in chain {
            guard let facts = known[certificate] else { return nil }
            path.append(facts)
        }
        return path
    }

    /// Everything wrong with `path` (end entity first, anchor last) by these rules.
    func problems(_ path: [CertificateFacts]) -> [CertificatePathValidator.Problem] {
        guard path.count > 1 else {
            return [
                CertificatePathValidator.Problem(
                    kind: .requirement,
                    message: "the end-entity certificate is itself a trust anchor certificate; Roles Anywhere needs it issued by the anchor's CA"
                )
            ]
        }
        var problems = CertificatePathValidator.check(path, crls: crls, at: now)
        let intermediates = path.count - 2
        if intermediates > CertificatePathValidator.maximumChainLength {
            problems.append(
                CertificatePathValidator.Problem(
                    kind: .pathLength,
                    message: "the path has \(intermediates) intermediates; at most \(CertificatePathValidator.maximumChainLength) are allowed between the end-entity certificate and the trust anchor"
                )
            )
        }
        return problems
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        guard let path = facts(of: Array(chain)) else {
            return .failsToMeetPolicy(reason: "the path holds a certificate that was not given")
        }
        let problems = problems(path)
        if problems.isEmpty { return .meetsPolicy }
        let reasons = problems.map(\.message).joined(separator: "; ")
        return .failsToMeetPolicy(reason: reasons)
    }
}

/// swift-certificates' ``RFC5280Policy`` at a fixed time, on every path without `directoryName` name
/// constraints. That policy refuses any path through a CA constraining directory names, rather than
/// evaluating them; on such a path ``RolesAnywherePathPolicy`` checks the directory names, validity,
/// basic constraints and path length itself, and this policy refuses only what neither can evaluate:
/// a certificate with subject alternative names below a CA that constrains directory names together
/// with other name forms (fail closed).
struct RFC5280UnlessDirectoryNames: VerifierPolicy, Sendable {
    let rfc5280: RFC5280Policy

    init(at now: Date) {
        rfc5280 = RFC5280Policy(fixedExpiryValidationTime: now)
    }

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] { rfc5280.verifyingCriticalExtensions }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let certificates = Array(chain)
        let subtrees = certificates.dropFirst().flatMap { certificate -> [GeneralName] in
            guard let constraints = try? certificate.extensions.nameConstraints else { return [] }
            return constraints.permittedSubtrees + constraints.excludedSubtrees
        }
        let isDirectory: (GeneralName) -> Bool = { name in
            if case .directoryName = name { true } else { false }
        }
        guard subtrees.contains(where: isDirectory) else {
            return rfc5280.chainMeetsPolicyRequirements(chain: chain)
        }
        let constrainsOtherForms = subtrees.contains { !isDirectory($0) }
        // By the extension's presence, not its parse: a malformed SAN counts as names (fail closed).
        let hasAlternativeNames = certificates.dropLast().contains { $0.extensions[oid: .X509ExtensionID.subjectAlternativeName] != nil }
        if constrainsOtherForms, hasAlternativeNames {
            return .failsToMeetPolicy(
                reason: "a CA on the path constrains directory names together with other name forms, which cannot be evaluated together here; the path has subject alternative names, so it is refused"
            )
        }
        return .meetsPolicy
    }
}
