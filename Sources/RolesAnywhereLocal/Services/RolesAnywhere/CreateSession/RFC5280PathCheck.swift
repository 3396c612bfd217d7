#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// RFC 5280 path validation by swift-certificates' `Verifier` for what ``CertificatePathValidator``
/// does not check itself: name constraints on DNS names, IP addresses, email addresses and URIs.
/// It runs only when a CA on the path constrains those (most PKIs constrain nothing, and then it
/// costs nothing), over exactly the path the validator found, at the request's time.
///
/// Directory-name constraints are checked by ``CertificatePathValidator`` instead: swift-certificates
/// refuses every chain with a `directoryName` constraint rather than evaluating it, which would refuse
/// certificates AWS accepts. A CA constraining both kinds leaves the other forms to no one, so a
/// leaf with subject alternative names under such a CA is refused (fail closed).
enum RFC5280PathCheck {
    /// Declares the extensions ``CertificatePathValidator`` processes, so the `Verifier` does not
    /// refuse them as unhandled critical extensions (the validator already refused any other).
    struct ProcessedExtensions: VerifierPolicy {
        let verifyingCriticalExtensions = Array(CertificatePathValidator.processedExtensions)

        func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
            .meetsPolicy
        }
    }

    /// Why the path fails RFC 5280 validation, or nil when it passes (or carries no name constraints).
    static func problem(path: [CertificateFacts], at now: Date) async -> String? {
        let constraints = path.compactMap { facts in
            facts.extensions.first { $0.oid == .X509ExtensionID.nameConstraints }.flatMap { try? NameConstraints($0) }
        }
        let subtrees = constraints.flatMap { $0.permittedSubtrees + $0.excludedSubtrees }
        let isDirectory: (GeneralName) -> Bool = { name in
            if case .directoryName = name { true } else { false }
        }
        guard subtrees.contains(where: { !isDirectory($0) }) else { return nil }
        if subtrees.contains(where: isDirectory) {
            let hasAlternativeNames = path.dropLast().contains { $0.extensions.contains { $0.oid == .X509ExtensionID.subjectAlternativeName } }
            return hasAlternativeNames
                ? "a CA on the path constrains directory names together with other name forms, which cannot be evaluated together here; the certificate has subject alternative names, so it is refused"
                : nil
        }
        let certificates = path.compactMap(\.certificate)
        guard certificates.count == path.count, let leaf = certificates.first, let anchor = certificates.last else {
            return "a certificate on the path cannot be read for name-constraint checks"
        }
        var verifier = Verifier(rootCertificates: CertificateStore([anchor])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            ProcessedExtensions()
        }
        let intermediates = CertificateStore(certificates.dropFirst().dropLast())
        switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
        case .validCertificate:
            return nil
        case .couldNotValidate(let failures):
            let reasons = Set(failures.map { "\($0.policyFailureReason)" }).sorted()
            guard !reasons.isEmpty else { return "the path does not satisfy RFC 5280 path validation" }
            return "the path does not satisfy the CA's name constraints: " + reasons.joined(separator: "; ")
        }
    }
}
