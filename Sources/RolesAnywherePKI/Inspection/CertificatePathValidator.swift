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
/// every certificate at `now`, the end-entity and CA requirements, path-length constraints and the
/// anchor's CRLs.
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
    ) -> Result {
        var paths = [[CertificateFacts]]()
        search([leaf], intermediates: intermediates, anchors: anchors, into: &paths)
        guard !paths.isEmpty else {
            return Result(path: nil, problems: [Problem(kind: .noPath, message: noPathReason(leaf: leaf, intermediates: intermediates, anchors: anchors))])
        }
        var first: Result?
        for path in paths {
            let problems = check(path, crls: crls, at: now)
            if problems.isEmpty { return Result(path: path, problems: []) }
            if first == nil { first = Result(path: path, problems: problems) }
        }
        return first!
    }

    static func signs(_ issuer: CertificateFacts, _ subject: CertificateFacts) -> Bool {
        guard issuer.subject == subject.issuer, let issuerCertificate = issuer.certificate,
            let subjectCertificate = subject.certificate
        else { return false }
        return issuerCertificate.publicKey.isValidSignature(subjectCertificate.signature, for: subjectCertificate)
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

    static func check(_ path: [CertificateFacts], crls: [CertificateRevocationList], at now: Date) -> [Problem] {
        var problems = [Problem]()
        for (index, certificate) in path.enumerated() {
            let role: RolesAnywhereRequirements.Role = index == 0 ? .endEntity : .certificateAuthority
            let name = index == 0 ? "the end-entity certificate" : index == path.count - 1 ? "the trust anchor" : "the intermediate \(certificate.label)"
            // Directory-name constraints of a CA apply to every certificate below it.
            if index > 0, let constraint = certificate.extensions.first(where: { $0.oid == .X509ExtensionID.nameConstraints }),
                let constraints = try? NameConstraints(constraint)
            {
                for (below, subject) in path[..<index].enumerated() {
                    // A self-issued intermediate's subject is not constrained (RFC 5280 §4.2.1.10).
                    if below > 0, subject.subject == subject.issuer { continue }
                    if let violation = DirectoryNameConstraints.violation(subject: subject.subject, constraints: constraints) {
                        let subjectName = below == 0 ? "the end-entity certificate" : "the intermediate \(subject.label)"
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
            if index < path.count - 1, let issuerCertificate = path[index + 1].certificate {
                for crl in crls where crl.issuer == certificate.issuer && crl.isSigned(by: issuerCertificate) {
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
        if leaf.certificate == nil {
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
