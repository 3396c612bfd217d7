#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSigning
import SwiftASN1
import X509
import RolesAnywhereSupport

/// `rolesanywhere pki check`: every Roles Anywhere requirement for a CA, intermediates, an
/// end-entity certificate and a CRL, each with PASS, FAIL or WARN and, when it fails, what to change.
public struct PKICheck: Sendable {
    /// One certificate, the chain, or the CRL, and its findings.
    public struct Section: Sendable, Encodable {
        /// `ca`, `intermediate`, `certificate`, `chain` or `crl`.
        public var kind: String
        public var file: String?
        public var subject: String?
        public var serialNumber: String?
        public var findings: [Finding]
    }

    /// A finding, as it appears in the report.
    public struct Finding: Sendable, Encodable {
        public var id: String
        public var requirement: String
        public var status: String
        public var detail: String
        public var fix: String?

        init(_ finding: RequirementFinding) {
            id = finding.id
            requirement = finding.requirement
            status = finding.status.rawValue
            detail = finding.detail
            fix = finding.fix
        }
    }

    public var sections: [Section]

    /// Whether no requirement failed.
    public var passed: Bool { !sections.contains { $0.findings.contains { $0.status == "FAIL" } } }

    /// Checks the files given. At least a CA or a certificate is needed.
    public init(ca: String?, certificate: String?, intermediates: String?, crl: String?, at now: Date = Date()) async throws(PKIError) {
        guard ca != nil || certificate != nil else {
            throw PKIError(.invalidConfiguration, "nothing to check: give --ca, --certificate, or both")
        }
        var sections = [Section]()
        var anchors = [CertificateFacts]()
        var chain = [CertificateFacts]()
        var leaf: CertificateFacts?
        if let ca {
            anchors = try Self.readCertificates(ca, role: "CA certificate")
            if anchors.count > 2 {
                throw PKIError(.invalidInput, "the CA file '\(ca)' holds \(anchors.count) certificates; a trust anchor holds at most 2")
            }
            for anchor in anchors {
                sections.append(Self.section("ca", file: ca, anchor, RolesAnywhereRequirements.check(anchor, as: .certificateAuthority, at: now)))
            }
        }
        if let intermediates {
            chain = try Self.readCertificates(intermediates, role: "intermediates")
            for intermediate in chain {
                sections.append(Self.section("intermediate", file: intermediates, intermediate, RolesAnywhereRequirements.check(intermediate, as: .certificateAuthority, at: now)))
            }
        }
        if let certificate {
            let facts = try Self.readCertificates(certificate, role: "certificate")[0]
            leaf = facts
            sections.append(Self.section("certificate", file: certificate, facts, RolesAnywhereRequirements.check(facts, as: .endEntity, at: now)))
        }
        var revocationLists = [CertificateRevocationList]()
        if let crl {
            let list = try CertificateRevocationList(pemOrDER: try Self.read(crl, role: "CRL"), source: "the CRL file '\(crl)'")
            revocationLists = [list]
            sections.append(Section(kind: "crl", file: crl, subject: list.issuer.description, serialNumber: nil, findings: Self.crlFindings(list, issuers: anchors + chain, leaf: leaf, now: now).map(Finding.init)))
        }
        if let leaf, !anchors.isEmpty {
            let result = await CertificatePathValidator.validate(leaf: leaf, intermediates: chain, anchors: anchors, crls: revocationLists, at: now)
            let finding: RequirementFinding
            let requirement = "chain builds to the CA"
            if let path = result.path {
                let described = path.map(\.label).joined(separator: " <- ")
                // Failing requirements are already reported per certificate; name only what is not.
                let own = result.problems.filter { $0.kind != .requirement }.map(\.message)
                let others = result.problems.count - own.count
                if own.isEmpty {
                    // The signatures link; failing requirements of certificates on it are their own findings.
                    finding = .pass("chain", requirement, described + (others > 0 ? " (see the failures above)" : ""))
                } else {
                    finding = .fail("chain", requirement, "\(described): \(own.joined(separator: "; "))", fix: "issue a new certificate, or fix the CA")
                }
            } else {
                finding = .fail(
                    "chain", requirement, result.problems.map(\.message).joined(separator: "; "),
                    fix: "issue the certificate from this CA, or pass the missing intermediates with --intermediates"
                )
            }
            sections.append(Section(kind: "chain", file: nil, subject: nil, serialNumber: nil, findings: [Finding(finding)]))
        }
        self.sections = sections
    }

    static func section(_ kind: String, file: String, _ facts: CertificateFacts, _ findings: [RequirementFinding]) -> Section {
        Section(kind: kind, file: file, subject: facts.label, serialNumber: facts.serialHex, findings: findings.map(Finding.init))
    }

    static func crlFindings(_ crl: CertificateRevocationList, issuers: [CertificateFacts], leaf: CertificateFacts?, now: Date) -> [RequirementFinding] {
        var findings = [RequirementFinding]()
        let signer = issuers.first { $0.subject == crl.issuer && $0.fields.map(crl.isSigned(by:)) == true }
        if let signer {
            findings.append(.pass("crl-signature", "signed by its issuer", "signed by \(signer.label) with \(crl.signatureAlgorithm.name)"))
        } else if issuers.contains(where: { $0.subject == crl.issuer }) {
            findings.append(.fail("crl-signature", "signed by its issuer", "the signature does not verify with the key of \(crl.issuer)", fix: "regenerate the CRL with the CA's key"))
        } else {
            findings.append(
                .fail(
                    "crl-signature", "signed by its issuer", "no CA given is named \(crl.issuer)",
                    fix: issuers.isEmpty ? "pass the CRL's CA with --ca" : "use the CRL of this CA"
                )
            )
        }
        if !crl.signatureAlgorithm.isAccepted {
            findings.append(.fail("crl-algorithm", "signature hash SHA-256 or stronger", crl.signatureAlgorithm.name, fix: "sign the CRL with SHA-256 or stronger"))
        }
        if let nextUpdate = crl.nextUpdate, nextUpdate < now {
            findings.append(
                RequirementFinding(
                    id: "crl-next-update", requirement: "current", status: .warn,
                    detail: "its nextUpdate (\(RolesAnywhereRequirements.isoDate(nextUpdate))) has passed",
                    fix: "publish a fresh CRL and import it with update-crl"
                )
            )
        }
        if let leaf {
            if leaf.issuer != crl.issuer {
                findings.append(.pass("not-revoked", "certificate not revoked", "the CRL is \(crl.issuer)'s, not the certificate issuer's"))
            } else if let entry = crl.entry(revoking: leaf.serialNumber) {
                findings.append(
                    .fail(
                        "not-revoked", "certificate not revoked",
                        "serial \(entry.serialHex) is revoked since \(RolesAnywhereRequirements.isoDate(entry.revocationDate))",
                        fix: "issue a new certificate"
                    )
                )
            } else {
                findings.append(.pass("not-revoked", "certificate not revoked", "serial \(leaf.serialHex) is not among the \(crl.entries.count) revoked"))
            }
        }
        return findings
    }

    static func read(_ path: String, role: String) throws(PKIError) -> [UInt8] {
        do {
            return try FileReader.read(path, role: role)
        } catch {
            throw PKIError(.invalidInput, error.message)
        }
    }

    /// Every certificate of a PEM or DER file, judged by our own parser.
    static func readCertificates(_ path: String, role: String) throws(PKIError) -> [CertificateFacts] {
        let bytes = try read(path, role: role)
        let source = "the \(role) file '\(path)'"
        var ders = [[UInt8]]()
        if PEMBlock.mayHoldPEM(bytes) {
            do {
                ders = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)).filter { $0.type == "CERTIFICATE" }.map(\.derBytes)
            } catch {
                throw PKIError(.invalidInput, "\(source): \(error.message)")
            }
            guard !ders.isEmpty else { throw PKIError(.invalidInput, "\(source) holds no CERTIFICATE block") }
        } else {
            ders = [bytes]
        }
        var result = [CertificateFacts]()
        for der in ders {
            do {
                result.append(try CertificateFacts(derEncoded: der))
            } catch {
                throw PKIError(.invalidInput, "\(source): \(error.message)")
            }
        }
        return result
    }

    // MARK: - Rendering

    /// The checklist for people.
    public var text: String {
        var out = ""
        let titles = ["ca": "CA certificate", "intermediate": "Intermediate", "certificate": "Certificate", "chain": "Chain", "crl": "CRL"]
        for section in sections {
            var heading = titles[section.kind] ?? section.kind
            if let file = section.file { heading += " \(file)" }
            if let subject = section.subject { heading += " (\(section.kind == "crl" ? "issuer " : "")\(subject))" }
            out += heading + "\n"
            for finding in section.findings {
                out += "  \(finding.status.padding(4))  \(finding.requirement): \(finding.detail)\n"
                if let fix = finding.fix, finding.status != "PASS" {
                    out += "        -> \(fix)\n"
                }
            }
        }
        let failures = sections.flatMap(\.findings).filter { $0.status == "FAIL" }.count
        let warnings = sections.flatMap(\.findings).filter { $0.status == "WARN" }.count
        out += failures == 0
            ? "Result: every IAM Roles Anywhere requirement is met" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : "") + "\n"
            : "Result: \(failures) requirement\(failures == 1 ? "" : "s") failed\n"
        return out
    }

    /// The report for machines.
    public var json: String {
        struct Report: Encodable {
            var passed: Bool
            var sections: [Section]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Report(passed: passed, sections: sections))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
