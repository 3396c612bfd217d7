#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Crypto
public import RolesAnywhereSigning
public import X509
import _CryptoExtras

/// What IAM Roles Anywhere requires of certificates (IAM Roles Anywhere User Guide, "Signature
/// validation"): one implementation, used by `rolesanywhere pki` to create and check material and by
/// the emulator to decide trust, so the two cannot disagree.
public enum RolesAnywhereRequirements {
    /// What a certificate is used as.
    public enum Role: Sendable, Hashable {
        /// A trust anchor or an intermediate CA.
        case certificateAuthority
        /// The certificate that signs CreateSession.
        case endEntity
    }

    /// Trust anchors expiring sooner than this get a warning (the service's default notification threshold).
    public static let expiryWarning: TimeInterval = 45 * 86_400

    /// Checks every requirement of `role` at `now`.
    public static func check(_ facts: CertificateFacts, as role: Role, at now: Date) -> [RequirementFinding] {
        var findings = [RequirementFinding]()
        findings.append(version(facts))
        findings.append(signatureAlgorithm(facts))
        switch role {
        case .certificateAuthority:
            findings.append(caBasicConstraints(facts))
            findings.append(caKeyUsage(facts))
        case .endEntity:
            findings.append(endEntityBasicConstraints(facts))
            findings.append(endEntityKeyUsage(facts))
        }
        findings.append(key(facts))
        findings.append(subject(facts))
        findings.append(validity(facts, role: role, at: now))
        return findings
    }

    static func version(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "X.509 version 3"
        if facts.version == 3 {
            return .pass("version", requirement, "version 3")
        }
        return .fail(
            "version", requirement, "version \(facts.version)",
            fix: "reissue it as v3 with extensions (OpenSSL writes v1 when 'openssl x509 -req' gets no -extfile/-extensions)"
        )
    }

    static func signatureAlgorithm(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "signature hash SHA-256 or stronger"
        let algorithm = facts.signatureAlgorithm
        if algorithm.isAccepted {
            return .pass("signature-algorithm", requirement, algorithm.name)
        }
        let why = algorithm.hash.map { "\($0) is rejected" } ?? "not an algorithm IAM Roles Anywhere accepts"
        return .fail(
            "signature-algorithm", requirement, "\(algorithm.name) (\(why))",
            fix: "have the issuer sign it with SHA-256 or stronger (openssl: -sha256)"
        )
    }

    static func basicConstraints(_ facts: CertificateFacts) -> Result<BasicConstraints?, any Error> {
        guard let ext = facts.extension(CertificateFacts.basicConstraintsOID) else { return .success(nil) }
        return Result { try BasicConstraints(ext) }
    }

    static func keyUsage(_ facts: CertificateFacts) -> Result<KeyUsage?, any Error> {
        guard let ext = facts.extension(CertificateFacts.keyUsageOID) else { return .success(nil) }
        return Result { try KeyUsage(ext) }
    }

    static func caBasicConstraints(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "basicConstraints CA:TRUE"
        let fix = "reissue the CA certificate with basicConstraints = critical, CA:TRUE"
        switch basicConstraints(facts) {
        case .success(.isCertificateAuthority(let pathLength)):
            return .pass("basic-constraints", requirement, "CA:TRUE" + (pathLength.map { ", pathlen:\($0)" } ?? ""))
        case .success(.notCertificateAuthority):
            return .fail("basic-constraints", requirement, "CA:FALSE: this is not a CA certificate", fix: fix)
        case .success(nil):
            return .fail("basic-constraints", requirement, "no basicConstraints extension", fix: fix)
        case .failure:
            return .fail("basic-constraints", requirement, "the basicConstraints extension is malformed", fix: fix)
        }
    }

    static func endEntityBasicConstraints(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "basicConstraints CA:FALSE (or absent)"
        switch basicConstraints(facts) {
        case .success(.notCertificateAuthority):
            return .pass("basic-constraints", requirement, "CA:FALSE")
        case .success(nil):
            return .pass("basic-constraints", requirement, "absent")
        case .success(.isCertificateAuthority):
            return .fail(
                "basic-constraints", requirement, "CA:TRUE: a CA certificate cannot sign CreateSession",
                fix: "issue an end-entity certificate with basicConstraints = critical, CA:FALSE"
            )
        case .failure:
            return .fail(
                "basic-constraints", requirement, "the basicConstraints extension is malformed",
                fix: "reissue it with basicConstraints = critical, CA:FALSE"
            )
        }
    }

    static func caKeyUsage(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "keyUsage includes keyCertSign"
        let fix = "reissue the CA certificate with keyUsage = critical, keyCertSign, cRLSign"
        switch keyUsage(facts) {
        case .success(let usage?) where usage.keyCertSign:
            return .pass("key-usage", requirement, describe(usage))
        case .success(let usage?):
            return .fail("key-usage", requirement, "\(describe(usage)), without keyCertSign", fix: fix)
        case .success(nil):
            return .fail("key-usage", requirement, "no keyUsage extension", fix: fix)
        case .failure:
            return .fail("key-usage", requirement, "the keyUsage extension is malformed", fix: fix)
        }
    }

    static func endEntityKeyUsage(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "keyUsage includes digitalSignature"
        let fix = "reissue it with keyUsage = critical, digitalSignature"
        switch keyUsage(facts) {
        case .success(let usage?) where usage.digitalSignature:
            return .pass("key-usage", requirement, describe(usage))
        case .success(let usage?):
            return .fail("key-usage", requirement, "\(describe(usage)), without digitalSignature", fix: fix)
        case .success(nil):
            return .fail("key-usage", requirement, "no keyUsage extension", fix: fix)
        case .failure:
            return .fail("key-usage", requirement, "the keyUsage extension is malformed", fix: fix)
        }
    }

    static func describe(_ usage: KeyUsage) -> String {
        var names = [String]()
        if usage.digitalSignature { names.append("digitalSignature") }
        if usage.nonRepudiation { names.append("nonRepudiation") }
        if usage.keyEncipherment { names.append("keyEncipherment") }
        if usage.dataEncipherment { names.append("dataEncipherment") }
        if usage.keyAgreement { names.append("keyAgreement") }
        if usage.keyCertSign { names.append("keyCertSign") }
        if usage.cRLSign { names.append("cRLSign") }
        if usage.encipherOnly { names.append("encipherOnly") }
        if usage.decipherOnly { names.append("decipherOnly") }
        return names.isEmpty ? "no usages" : names.joined(separator: ", ")
    }

    static func key(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "key type and size (RSA 2048+, EC P-256/P-384/P-521 or ML-DSA)"
        if let problem = keyProblem(facts.publicKey) {
            return .fail("key", requirement, problem, fix: "use an RSA key of 2048 bits or more, an EC key on P-256, P-384 or P-521, or an ML-DSA key")
        }
        return .pass("key", requirement, facts.publicKey.description)
    }

    /// Why Roles Anywhere would refuse a key, or `nil`.
    public static func keyProblem(_ key: PublicKeyInfo) -> String? {
        switch key {
        case .rsa(let bits) where bits >= 2048: nil
        case .rsa(let bits): "RSA \(bits) bits is too small"
        case .ec(let curve) where ["P-256", "P-384", "P-521"].contains(curve): nil
        case .ec(let curve): "EC curve \(curve) is not supported"
        case .mldsa: nil
        case .other(let name): "\(name) keys are not supported"
        }
    }

    /// Why Roles Anywhere would refuse a key, or `nil`.
    public static func keyProblem(_ key: CertificatePublicKey) -> String? {
        switch key {
        case .classic(let key): keyProblem(key)
        case .mlDSA: nil
        }
    }

    /// Why Roles Anywhere would refuse a key, or `nil`.
    public static func keyProblem(_ key: Certificate.PublicKey) -> String? {
        if let rsa = _RSA.Signing.PublicKey(key) { return keyProblem(.rsa(bits: rsa.keySizeInBits)) }
        if P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil || P521.Signing.PublicKey(key) != nil {
            return nil
        }
        return "\(key) keys are not supported"
    }

    static func subject(_ facts: CertificateFacts) -> RequirementFinding {
        let requirement = "non-empty subject"
        if facts.subject.isEmpty {
            return .fail("subject", requirement, "the subject is empty", fix: "give the certificate a subject, at least a CN")
        }
        return .pass("subject", requirement, facts.subject.description)
    }

    static func validity(_ facts: CertificateFacts, role: Role, at now: Date) -> RequirementFinding {
        let requirement = "valid now"
        let window = "\(AmzDate(facts.notBefore).iso8601) to \(AmzDate(facts.notAfter).iso8601)"
        if now < facts.notBefore {
            return .fail("validity", requirement, "not valid until \(AmzDate(facts.notBefore).iso8601)", fix: "wait, or check the issuing host's clock")
        }
        if now > facts.notAfter {
            return .fail(
                "validity", requirement, "expired \(AmzDate(facts.notAfter).iso8601) (\(describe(now.timeIntervalSince(facts.notAfter))) ago)",
                fix: role == .endEntity ? "issue a new certificate" : "renew the CA certificate and update the trust anchor"
            )
        }
        let remaining = facts.notAfter.timeIntervalSince(now)
        if role == .certificateAuthority && remaining < expiryWarning {
            return RequirementFinding(
                id: "validity", requirement: requirement, status: .warn,
                detail: "\(window); expires in \(describe(remaining))",
                fix: "renew the CA certificate and update the trust anchor before it expires"
            )
        }
        return .pass("validity", requirement, "\(window); \(describe(remaining)) left")
    }

    /// `3 d 4 h`, `5 h 2 min`, `40 s`.
    static func describe(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3600
        let minutes = seconds % 3600 / 60
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        if minutes > 0 { return "\(minutes) min" }
        return "\(seconds) s"
    }
}

extension DistinguishedName {
    /// Whether the name has no attributes.
    public var isEmpty: Bool { self.allSatisfy { $0.isEmpty } }
}
