#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSigning
public import SwiftASN1
import X509

/// Builds and checks the path from an end-entity certificate to a trust anchor, as IAM Roles Anywhere
/// does for CreateSession: through the intermediates the client sends (at most five), to any
/// certificate of the anchor (roots and intermediates alike), with every signature, the validity of
/// every certificate at `now`, the end-entity and CA requirements, path-length and name constraints,
/// critical extensions and the anchor's CRLs.
///
/// The decision is swift-certificates' `Verifier`: it builds the candidate paths (checking every
/// signature) and applies its ``RFC5280Policy`` (version, validity, basic constraints and path
/// length, name constraints on DNS names, IP addresses, email addresses and URIs, critical
/// extensions) together with ``RolesAnywherePathPolicy`` (the Roles Anywhere requirements,
/// directory-name constraints, revocation, the chain length). A path is trusted only when the
/// `Verifier` returns it. When it returns none, the same rules are run once more over the best path
/// that the signatures link, to say precisely what is wrong.
///
/// Our own rules stand in for swift-certificates' in one place: `directoryName` name constraints,
/// which its policy refuses outright (every certificate under a CA that permits only `O=Example`
/// would be refused, where AWS accepts those inside). On a path through such a CA, the RFC 5280
/// policy's other checks are made by ``RolesAnywherePathPolicy`` (validity, basic constraints and
/// path length are Roles Anywhere requirements too); other name forms constrained by the same CA
/// cannot be evaluated there, so a leaf with subject alternative names below it is refused.
public enum CertificatePathValidator {
    /// The most intermediates a request may carry in `X-Amz-X509-Chain`.
    public static let maximumChainLength = 5

    /// One reason a path is not trusted.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: Sendable, Hashable {
            /// No path reaches an anchor.
            case noPath
            /// A certificate on the path fails a requirement (``RolesAnywhereRequirements``).
            case requirement
            /// A CA's pathlen constraint is exceeded.
            case pathLength
            /// A certificate on the path is revoked by an anchor's CRL.
            case revoked
            /// A certificate below the anchor has a critical extension that is not processed
            /// (RFC 5280 §6.1: such a certificate must be rejected).
            case criticalExtension
            /// A certificate is outside the name constraints of a CA above it.
            case nameConstraints
            /// RFC 5280 path validation (swift-certificates' policy) refuses the path for a reason
            /// the Roles Anywhere rules do not name.
            case rfc5280
        }

        public var kind: Kind
        public var message: String
        public var description: String { message }
    }

    /// The outcome: the path, or why there is no trusted one.
    public struct Result: Sendable {
        /// From the end-entity certificate to the anchor certificate, when a path was found.
        public var path: [CertificateFacts]?
        /// Everything wrong with the best path (or why none exists); empty when trusted.
        public var problems: [Problem]
        public var isTrusted: Bool { path != nil && problems.isEmpty }
    }

    /// Validates `leaf` against `anchors`, using `intermediates` to bridge the gap and `crls` to check
    /// revocation (a CRL counts for the certificates its issuer issued, and only if that issuer's key
    /// signed it).
    public static func validate(
        leaf: CertificateFacts,
        intermediates: [CertificateFacts],
        anchors: [CertificateFacts],
        crls: [CertificateRevocationList] = [],
        at now: Date
    ) async -> Result {
        let policy = RolesAnywherePathPolicy(leaf: leaf, intermediates: intermediates, anchors: anchors, crls: crls, at: now)
        let postQuantum = leaf.involvesMLDSA || intermediates.contains(where: \.involvesMLDSA) || anchors.contains(where: \.involvesMLDSA)
        guard let leafCertificate = leaf.certificate else {
            if postQuantum, leaf.fields != nil, let result = validateWithMLDSA(policy: policy, leaf: leaf, intermediates: intermediates, anchors: anchors) {
                return result
            }
            return Result(path: nil, problems: [Problem(kind: .noPath, message: noPathReason(leaf: leaf, intermediates: intermediates, anchors: anchors))])
        }
        var verifier = Verifier(rootCertificates: CertificateStore(anchors.compactMap(\.certificate))) {
            policy
            RFC5280UnlessDirectoryNames(at: now)
        }
        let outcome = await verifier.validate(leaf: leafCertificate, intermediates: CertificateStore(intermediates.compactMap(\.certificate)))
        switch outcome {
        case .validCertificate(let chain):
            if let path = policy.facts(of: Array(chain)) { return Result(path: path, problems: []) }
            return Result(path: nil, problems: [Problem(kind: .noPath, message: "the verified path holds a certificate that was not given")])
        case .couldNotValidate(let failures):
            // A classic leaf may still reach the anchor through ML-DSA CAs (a mixed chain).
            if postQuantum, let result = validateWithMLDSA(policy: policy, leaf: leaf, intermediates: intermediates, anchors: anchors) {
                return result
            }
            return explain(failures, policy: policy, leaf: leaf, intermediates: intermediates, anchors: anchors)
        }
    }

    /// Path validation when an ML-DSA key or signature is among the certificates, which
    /// swift-certificates' `Verifier` cannot hold: the candidate paths are those whose signatures
    /// link (``X509Certificate/isSigned(by:)``, every algorithm), and a path is trusted when
    /// ``RolesAnywherePathPolicy`` finds nothing wrong with it (the Roles Anywhere requirements,
    /// which include validity, basic constraints, key usage and path length; critical extensions;
    /// directory-name constraints; revocation) and no CA on it constrains the other name forms of a
    /// certificate below it (``mlDSANameConstraintProblems(_:)``: refused, not evaluated).
    ///
    /// Paths of RSA and EC certificates only are the `Verifier`'s to judge and are skipped; `nil`
    /// when no path with an ML-DSA certificate links.
    static func validateWithMLDSA(
        policy: RolesAnywherePathPolicy,
        leaf: CertificateFacts,
        intermediates: [CertificateFacts],
        anchors: [CertificateFacts]
    ) -> Result? {
        var paths = [[CertificateFacts]]()
        search([leaf], intermediates: intermediates, anchors: anchors, into: &paths)
        var best: Result?
        for path in paths where path.contains(where: \.involvesMLDSA) {
            let problems = policy.problems(path) + mlDSANameConstraintProblems(path)
            if problems.isEmpty { return Result(path: path, problems: []) }
            if best == nil { best = Result(path: path, problems: problems) }
        }
        return best
    }

    /// On a path with ML-DSA certificates, the name constraints that swift-certificates' RFC 5280
    /// policy would evaluate (DNS names, IP addresses, email addresses, URIs) are not evaluated: a
    /// CA constraining them above a certificate with subject alternative names refuses the path
    /// (fail closed). Directory-name constraints are evaluated by ``check(_:crls:at:)``.
    static func mlDSANameConstraintProblems(_ path: [CertificateFacts]) -> [Problem] {
        var problems = [Problem]()
        for (index, authority) in path.enumerated() where index > 0 {
            guard let constraint = authority.extension(.X509ExtensionID.nameConstraints) else { continue }
            // A malformed extension counts as constraining every form (fail closed).
            let constrainsOtherForms =
                (try? NameConstraints(constraint)).map { constraints in
                    (constraints.permittedSubtrees + constraints.excludedSubtrees).contains { if case .directoryName = $0 { false } else { true } }
                } ?? true
            guard constrainsOtherForms else { continue }
            let below = path[..<index]
            if let named = below.firstIndex(where: { $0.extension(.X509ExtensionID.subjectAlternativeName) != nil }) {
                let name = Self.name(of: index, in: path)
                let subject = Self.name(of: named, in: path)
                problems.append(
                    Problem(
                        kind: .nameConstraints,
                        message: "\(name) constrains DNS names, IP addresses, email addresses or URIs, which are not evaluated on a path with ML-DSA certificates; \(subject) has subject alternative names, so the path is refused"
                    )
                )
            }
        }
        return problems
    }

    /// Why the `Verifier` found no trusted path: the problems of the first path it refused, or (when it
    /// refused every candidate before applying policy, for an unprocessed critical extension or a
    /// signature) of the best path the signatures link.
    static func explain(
        _ failures: [CertificateValidationResult.PolicyFailure],
        policy: RolesAnywherePathPolicy,
        leaf: CertificateFacts,
        intermediates: [CertificateFacts],
        anchors: [CertificateFacts]
    ) -> Result {
        if let failure = failures.first, let path = policy.facts(of: Array(failure.chain)) {
            let problems = policy.problems(path)
            if !problems.isEmpty { return Result(path: path, problems: problems) }
            var reason = "\(failure.policyFailureReason)"
            if reason.hasPrefix("RFC5280Policy: ") { reason.removeFirst("RFC5280Policy: ".count) }
            return Result(path: path, problems: [Problem(kind: .rfc5280, message: "the path does not satisfy RFC 5280 path validation: \(reason)")])
        }
        var paths = [[CertificateFacts]]()
        search([leaf], intermediates: intermediates, anchors: anchors, into: &paths)
        for path in paths {
            let problems = policy.problems(path)
            if !problems.isEmpty { return Result(path: path, problems: problems) }
        }
        if let path = paths.first {
            return Result(path: path, problems: [Problem(kind: .rfc5280, message: "the path does not satisfy RFC 5280 path validation")])
        }
        return Result(path: nil, problems: [Problem(kind: .noPath, message: noPathReason(leaf: leaf, intermediates: intermediates, anchors: anchors))])
    }

    /// Whether `issuer` is named as `subject`'s issuer and its key made `subject`'s signature (RSA,
    /// ECDSA or ML-DSA).
    static func signs(_ issuer: CertificateFacts, _ subject: CertificateFacts) -> Bool {
        guard issuer.subject == subject.issuer, let issuerFields = issuer.fields, let subjectFields = subject.fields else { return false }
        return subjectFields.isSigned(by: issuerFields.publicKey)
    }

    static func search(
        _ path: [CertificateFacts],
        intermediates: [CertificateFacts],
        anchors: [CertificateFacts],
        into paths: inout [[CertificateFacts]]
    ) {
        guard paths.count < 16, let current = path.last else { return }
        if path.count > 1, anchors.contains(where: { $0.derBytes == current.derBytes }) {
            paths.append(path)
            return
        }
        for anchor in anchors where anchor.derBytes != current.derBytes && signs(anchor, current) {
            paths.append(path + [anchor])
        }
        guard path.count <= maximumChainLength else { return }
        for intermediate in intermediates
        where !path.contains(where: { $0.derBytes == intermediate.derBytes }) && signs(intermediate, current) {
            search(path + [intermediate], intermediates: intermediates, anchors: anchors, into: &paths)
        }
    }

    /// The extensions whose rules are enforced (by these checks or by RFC 5280 path validation), so
    /// that they may be critical; the set Go's crypto/x509 processes. Any other critical extension
    /// makes a certificate below the anchor unacceptable.
    public static let processedExtensions: Set<ASN1ObjectIdentifier> = [
        .X509ExtensionID.basicConstraints, .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.subjectAlternativeName, .X509ExtensionID.nameConstraints, .X509ExtensionID.authorityKeyIdentifier,
        .X509ExtensionID.subjectKeyIdentifier, .X509ExtensionID.authorityInformationAccess,
        [2, 5, 29, 31],  // cRLDistributionPoints
        [2, 5, 29, 32],  // certificatePolicies
        [2, 5, 29, 33],  // policyMappings
        [2, 5, 29, 36],  // policyConstraints
        [2, 5, 29, 54],  // inhibitAnyPolicy
    ]

    /// How messages name the certificate at `index` of a path (end entity first, anchor last).
    static func name(of index: Int, in path: [CertificateFacts]) -> String {
        index == 0 ? "the end-entity certificate" : index == path.count - 1 ? "the trust anchor" : "the intermediate \(path[index].label)"
    }

    static func check(_ path: [CertificateFacts], crls: [CertificateRevocationList], at now: Date) -> [Problem] {
        var problems = [Problem]()
        for (index, certificate) in path.enumerated() {
            let role: RolesAnywhereRequirements.Role = index == 0 ? .endEntity : .certificateAuthority
            let name = Self.name(of: index, in: path)
            // Directory-name constraints of a CA apply to every certificate below it.
            if index > 0, let constraint = certificate.extensions.first(where: { $0.oid == .X509ExtensionID.nameConstraints }),
                let constraints = try? NameConstraints(constraint)
            {
                for (below, subject) in path[..<index].enumerated() {
                    // A self-issued intermediate's subject is not constrained (RFC 5280 §4.2.1.10).
                    if below > 0, subject.subject == subject.issuer { continue }
                    if let violation = DirectoryNameConstraints.violation(subject: subject.subject, constraints: constraints) {
                        let subjectName = Self.name(of: below, in: path)
                        problems.append(Problem(kind: .nameConstraints, message: "\(subjectName) is outside the name constraints of \(name): \(violation)"))
                    }
                }
            }
            // The anchor's own extensions are not processed (RFC 5280 §6.1); everything below it is.
            if index < path.count - 1 {
                for unknown in certificate.extensions where unknown.critical && !processedExtensions.contains(unknown.oid) {
                    problems.append(
                        Problem(kind: .criticalExtension, message: "\(name) has the critical extension \(unknown.oid), which is not processed, so the certificate must be rejected (RFC 5280 §6.1)")
                    )
                }
            }
            for finding in RolesAnywhereRequirements.check(certificate, as: role, at: now) where finding.status == .fail {
                problems.append(Problem(kind: .requirement, message: "\(name): \(finding.requirement): \(finding.detail)"))
            }
            if index > 0, case .success(.isCertificateAuthority(maxPathLength: let maximum?)?) = RolesAnywhereRequirements.basicConstraints(certificate),
                index - 1 > maximum
            {
                problems.append(
                    Problem(kind: .pathLength, message: "\(name) allows \(maximum) intermediate CA(s) below it (pathlen), but the path has \(index - 1)")
                )
            }
            // Revocation: the certificate's issuer is the next one in the path.
            if index < path.count - 1, let issuerFields = path[index + 1].fields {
                for crl in crls where crl.issuer == certificate.issuer && crl.isSigned(by: issuerFields) {
                    if let entry = crl.entry(revoking: certificate.serialNumber) {
                        problems.append(
                            Problem(kind: .revoked, message: "\(name) (serial \(entry.serialHex)) is revoked since \(RolesAnywhereRequirements.isoDate(entry.revocationDate))")
                        )
                    }
                }
            }
        }
        return problems
    }

    static func noPathReason(leaf: CertificateFacts, intermediates: [CertificateFacts], anchors: [CertificateFacts]) -> String {
        if leaf.fields == nil {
            return "the end-entity certificate cannot be verified (\(leaf.signatureAlgorithm.name) signature, \(leaf.publicKey) key)"
        }
        let namedIssuers = (anchors + intermediates).filter { $0.subject == leaf.issuer }
        if namedIssuers.isEmpty {
            return "no trust anchor or intermediate is named \(leaf.issuer) (the end-entity certificate's issuer); send the missing intermediate in the chain, or use its CA as the trust anchor"
        }
        return "a certificate named \(leaf.issuer) exists, but its key did not sign the end-entity certificate (or the intermediates do not reach the trust anchor)"
    }
}

extension RolesAnywhereRequirements {
    static func isoDate(_ date: Date) -> String {
        AmzDate(date).iso8601
    }
}
