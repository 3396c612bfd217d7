#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywhereSigning
import SwiftASN1
public import X509

/// A CA that issues Roles Anywhere-ready certificates: its certificate and private key.
///
/// Every certificate it makes is what IAM Roles Anywhere accepts: X.509 v3, signed with SHA-256 or
/// stronger, CAs with `basicConstraints critical CA:TRUE` and `keyUsage critical keyCertSign, cRLSign`,
/// end-entity certificates with `CA:FALSE` and `keyUsage critical digitalSignature`, and key
/// identifiers on both sides. The CA's key and the subjects' keys may be RSA, EC or ML-DSA, in
/// any mix.
public struct CertificateAuthority: Sendable {
    public let certificate: EncodedCertificate
    public let privateKey: SigningKey

    /// Wraps an existing CA, checking that the key belongs to it and that it can issue what Roles
    /// Anywhere accepts (every requirement of a trust anchor, valid now).
    public init(certificate: EncodedCertificate, privateKey: SigningKey, now: Date = Date()) throws(PKIError) {
        guard certificate.fields.publicKey == privateKey.publicKey else {
            throw PKIError(.invalidInput, "the CA key does not belong to the CA certificate (\(certificate.fields.subject))")
        }
        let failures = RolesAnywhereRequirements.check(CertificateFacts(certificate), as: .certificateAuthority, at: now)
            .filter { $0.status == .fail }
        if let first = failures.first {
            throw PKIError(
                .rejected,
                "the CA certificate \(certificate.fields.subject) cannot issue certificates IAM Roles Anywhere accepts: \(first.detail)\(first.fix.map { "; \($0)" } ?? "")"
            )
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Wraps an existing CA with an RSA or EC key.
    public init(certificate: EncodedCertificate, privateKey: Certificate.PrivateKey, now: Date = Date()) throws(PKIError) {
        try self.init(certificate: certificate, privateKey: .certificateKey(privateKey), now: now)
    }

    /// Creates a self-signed root CA certificate.
    public static func makeRoot(
        subject: DistinguishedName,
        key: SigningKey,
        validity: ValidityPeriod,
        pathLength: Int? = nil,
        serialNumber: Certificate.SerialNumber = .random128()
    ) throws(PKIError) -> CertificateAuthority {
        let certificate = try sign(
            serialNumber: serialNumber,
            publicKey: key.publicKey,
            validity: validity,
            issuer: subject,
            subject: subject,
            extensions: try caExtensions(publicKey: key.publicKey, issuerKeyIdentifier: nil, pathLength: pathLength),
            signer: key
        )
        return try CertificateAuthority(certificate: certificate, privateKey: key, now: validity.notBefore.addingTimeInterval(ValidityPeriod.backdating))
    }

    /// Issues an intermediate CA certificate for `publicKey`.
    public func issueIntermediate(
        subject: DistinguishedName,
        publicKey: CertificatePublicKey,
        validity: ValidityPeriod,
        pathLength: Int? = nil,
        serialNumber: Certificate.SerialNumber = .random128()
    ) throws(PKIError) -> EncodedCertificate {
        try checkWithinLifetime(validity)
        if case .isCertificateAuthority(let maximum?) = try? certificate.fields.extensions.basicConstraints, maximum < 1 {
            throw PKIError(.rejected, "the issuing CA has pathlen \(maximum), so it cannot issue intermediate CAs")
        }
        return try Self.sign(
            serialNumber: serialNumber,
            publicKey: publicKey,
            validity: validity,
            issuer: certificate.fields.subject,
            subject: subject,
            extensions: try Self.caExtensions(publicKey: publicKey, issuerKeyIdentifier: issuerKeyIdentifier, pathLength: pathLength),
            signer: privateKey
        )
    }

    /// Issues an end-entity certificate for `publicKey`.
    public func issueEndEntity(
        subject: DistinguishedName,
        publicKey: CertificatePublicKey,
        subjectAlternativeNames: SubjectAlternativeNames? = nil,
        validity: ValidityPeriod,
        serialNumber: Certificate.SerialNumber = .random128()
    ) throws(PKIError) -> EncodedCertificate {
        try checkWithinLifetime(validity)
        if let problem = RolesAnywhereRequirements.keyProblem(publicKey) {
            throw PKIError(.rejected, "IAM Roles Anywhere would reject the certificate: \(problem)")
        }
        guard !subject.isEmpty else {
            throw PKIError(.rejected, "IAM Roles Anywhere rejects certificates with an empty subject: give --cn")
        }
        let extensions: Certificate.Extensions
        do {
            extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                SubjectKeyIdentifier(keyIdentifier: SignedObject.keyIdentifier(publicKey))
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier)
                if let subjectAlternativeNames, !subjectAlternativeNames.isEmpty {
                    subjectAlternativeNames
                }
            }
        } catch {
            throw PKIError(.invalidConfiguration, "the certificate extensions cannot be encoded: \(error)")
        }
        return try Self.sign(
            serialNumber: serialNumber,
            publicKey: publicKey,
            validity: validity,
            issuer: certificate.fields.subject,
            subject: subject,
            extensions: extensions,
            signer: privateKey
        )
    }

    var issuerKeyIdentifier: ArraySlice<UInt8> {
        (try? certificate.fields.extensions.subjectKeyIdentifier?.keyIdentifier)
            ?? SignedObject.keyIdentifier(privateKey.publicKey)
    }

    func checkWithinLifetime(_ validity: ValidityPeriod) throws(PKIError) {
        guard validity.notAfter > validity.notBefore else {
            throw PKIError(.invalidConfiguration, "the validity period is empty")
        }
        guard validity.notAfter <= certificate.fields.notValidAfter else {
            throw PKIError(
                .rejected,
                "the certificate would outlive its CA, which expires \(Self.format(certificate.fields.notValidAfter)); issue it for less time or renew the CA"
            )
        }
    }

    static func caExtensions(
        publicKey: CertificatePublicKey,
        issuerKeyIdentifier: ArraySlice<UInt8>?,
        pathLength: Int?
    ) throws(PKIError) -> Certificate.Extensions {
        if let pathLength, pathLength < 0 {
            throw PKIError(.invalidConfiguration, "--path-len must be 0 or more")
        }
        let ownIdentifier = SubjectKeyIdentifier(keyIdentifier: SignedObject.keyIdentifier(publicKey))
        do {
            return try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                ownIdentifier
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier ?? ownIdentifier.keyIdentifier)
            }
        } catch {
            throw PKIError(.invalidConfiguration, "the CA extensions cannot be encoded: \(error)")
        }
    }

    /// Writes and signs a v3 `TBSCertificate` (RFC 5280 §4.1) with exactly `extensions`: for
    /// issuers whose extensions are set by a template (rolesanywhere-local's AWS Private CA), not by
    /// Roles Anywhere's rules. The signature is `signer`'s, with `digest` (for RSA and EC keys) or
    /// the digest the key pairs with.
    public static func sign(
        serialNumber: Certificate.SerialNumber,
        publicKey: CertificatePublicKey,
        validity: ValidityPeriod,
        issuer: DistinguishedName,
        subject: DistinguishedName,
        extensions: Certificate.Extensions,
        signer: SigningKey,
        digest: SignatureDigest? = nil
    ) throws(PKIError) -> EncodedCertificate {
        let subjectPublicKeyInfo = try SignedObject.subjectPublicKeyInfo(publicKey)
        let der: [UInt8]
        do {
            var tbs = DER.Serializer()
            try tbs.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { try $0.serialize(2) }
                SignedObject.serializeInteger(serialNumber.bytes, into: &coder)
                try SignedObject.serialize(SignedObject.signatureAlgorithm(of: signer, digest: digest), into: &coder)
                try coder.serialize(issuer)
                try coder.appendConstructedNode(identifier: .sequence) { times in
                    try SignedObject.serializeTime(validity.notBefore, into: &times)
                    try SignedObject.serializeTime(validity.notAfter, into: &times)
                }
                try coder.serialize(subject)
                coder.serializeRawBytes(subjectPublicKeyInfo)
                if !extensions.isEmpty {
                    try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)) { wrapper in
                        try wrapper.appendConstructedNode(identifier: .sequence) { list in
                            for item in extensions { try list.serialize(item) }
                        }
                    }
                }
            }
            der = try SignedObject.sign(tbs.serializedBytes, with: signer, digest: digest)
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.invalidConfiguration, "the certificate cannot be encoded: \(error)")
        }
        do {
            return try EncodedCertificate(derEncoded: der)
        } catch {
            throw PKIError(.invalidConfiguration, "the certificate just signed does not read back: \(error)")
        }
    }

    static func format(_ date: Date) -> String {
        AmzDate(date).iso8601
    }
}
