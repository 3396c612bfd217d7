import Crypto
import Foundation
import RolesAnywhereSigning
import SwiftASN1
import X509
import _CryptoExtras

/// A PKI minted in memory for tests, relative to "now", so tests never depend on certificates that
/// expire.
public enum TestPKI {
    /// The kind of key to generate.
    public enum KeyKind: Sendable, CustomStringConvertible {
        case rsa2048, rsa3072, p256, p384, p521

        public var description: String {
            switch self {
            case .rsa2048: "RSA-2048"
            case .rsa3072: "RSA-3072"
            case .p256: "P-256"
            case .p384: "P-384"
            case .p521: "P-521"
            }
        }
    }

    /// Generates a private key of `kind`.
    public static func makeKey(_ kind: KeyKind) throws -> Certificate.PrivateKey {
        switch kind {
        case .rsa2048: Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case .rsa3072: Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits3072))
        case .p256: Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .p384: Certificate.PrivateKey(P384.Signing.PrivateKey())
        case .p521: Certificate.PrivateKey(P521.Signing.PrivateKey())
        }
    }

    /// A certificate and its private key.
    public struct Issued: Sendable {
        public let certificate: Certificate
        public let privateKey: Certificate.PrivateKey

        /// The certificate in PEM.
        public var certificatePEM: String { try! certificate.serializeAsPEM().pemString + "\n" }
        /// The key in PEM (PKCS#8 for EC, PKCS#1 for RSA, as swift-crypto writes them).
        public var privateKeyPEM: String { try! privateKey.serializeAsPEM().pemString + "\n" }
        /// The DER bytes of the certificate.
        public var certificateDER: [UInt8] {
            var serializer = DER.Serializer()
            try! serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    /// A self-signed root CA.
    public static func makeRoot(
        commonName: String = "Test Root CA",
        key: KeyKind = .p256,
        notValidBefore: Date = Date().addingTimeInterval(-3600),
        notValidAfter: Date = Date().addingTimeInterval(365 * 86_400),
        nameConstraints: NameConstraints? = nil,
        extraExtensions: [Certificate.Extension] = []
    ) throws -> Issued {
        let privateKey = try makeKey(key)
        let name = try DistinguishedName {
            CountryName("US")
            OrganizationName("Example Corp")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: privateKey.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: signatureAlgorithm(for: key),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: privateKey.publicKey)
                if let nameConstraints { Critical(nameConstraints) }
                for extra in extraExtensions { extra }
            },
            issuerPrivateKey: privateKey
        )
        return Issued(certificate: certificate, privateKey: privateKey)
    }

    /// An intermediate CA signed by `issuer`.
    public static func makeIntermediate(
        issuer: Issued,
        commonName: String = "Test Intermediate CA",
        key: KeyKind = .p256,
        extraExtensions: [Certificate.Extension] = []
    ) throws -> Issued {
        let privateKey = try makeKey(key)
        let name = try DistinguishedName {
            CountryName("US")
            OrganizationName("Example Corp")
            CommonName(commonName)
        }
        return try issue(
            subject: name, key: privateKey, issuer: issuer,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(180 * 86_400),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: privateKey.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try? issuer.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                for extra in extraExtensions { extra }
            }
        )
    }

    /// An end-entity certificate signed by `issuer`, as Roles Anywhere accepts it.
    public static func makeLeaf(
        issuer: Issued,
        commonName: String = "myContainer",
        key: KeyKind = .p256,
        serialNumber: Certificate.SerialNumber = .init(),
        notValidBefore: Date = Date().addingTimeInterval(-300),
        notValidAfter: Date = Date().addingTimeInterval(86_400),
        dnsNames: [String] = [],
        organization: String? = nil,
        extraExtensions: [Certificate.Extension] = []
    ) throws -> Issued {
        let privateKey = try makeKey(key)
        let subject = try DistinguishedName {
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
        return try issue(
            subject: subject, key: privateKey, issuer: issuer,
            serialNumber: serialNumber, notValidBefore: notValidBefore, notValidAfter: notValidAfter,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                SubjectKeyIdentifier(hash: privateKey.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try? issuer.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                if !dnsNames.isEmpty {
                    SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) })
                }
                for extra in extraExtensions { extra }
            }
        )
    }

    /// A certificate for `key` signed by `issuer`.
    static func issue(
        subject: DistinguishedName,
        key: Certificate.PrivateKey,
        issuer: Issued,
        serialNumber: Certificate.SerialNumber = .init(),
        notValidBefore: Date,
        notValidAfter: Date,
        extensions: Certificate.Extensions
    ) throws -> Issued {
        let certificate = try Certificate(
            version: .v3,
            serialNumber: serialNumber,
            publicKey: key.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: issuer.certificate.subject,
            subject: subject,
            signatureAlgorithm: issuer.privateKey.defaultSignatureAlgorithmForTests,
            extensions: extensions,
            issuerPrivateKey: issuer.privateKey
        )
        return Issued(certificate: certificate, privateKey: key)
    }

    /// A self-signed TLS server certificate for `127.0.0.1` and `localhost`, for HTTPS test servers.
    /// A TLS server certificate for `localhost` and 127.0.0.1, and for `extraNames` (DNS names).
    public static func makeTLSServer(issuer: Issued, extraNames: [String] = []) throws -> Issued {
        let privateKey = try makeKey(.p256)
        return try issue(
            subject: try DistinguishedName { CommonName("localhost") }, key: privateKey, issuer: issuer,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86_400),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(
                    [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))] + extraNames.map { .dnsName($0) }
                )
            }
        )
    }

    static func signatureAlgorithm(for key: KeyKind) -> Certificate.SignatureAlgorithm {
        switch key {
        case .rsa2048, .rsa3072: .sha256WithRSAEncryption
        case .p256: .ecdsaWithSHA256
        case .p384: .ecdsaWithSHA384
        case .p521: .ecdsaWithSHA512
        }
    }
}

extension Certificate.PrivateKey {
    /// SHA-256 with RSA, or the ECDSA hash matching the curve.
    var defaultSignatureAlgorithmForTests: Certificate.SignatureAlgorithm {
        let key = self.publicKey
        if _RSA.Signing.PublicKey(key) != nil { return .sha256WithRSAEncryption }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(key) != nil { return .ecdsaWithSHA512 }
        return .ecdsaWithSHA256
    }
}

extension TestPKI {
    /// A signing identity: a fresh leaf of `kind` under a fresh root, with an intermediate in between
    /// (sent as the chain) when `chain` is true.
    public static func makeSigningIdentity(_ kind: KeyKind, chain: Bool = false) throws -> SigningIdentity {
        let root = try makeRoot()
        let intermediate = try makeIntermediate(issuer: root)
        let leaf = try makeLeaf(issuer: chain ? intermediate : root, key: kind)
        return try SigningIdentity(
            certificate: EncodedCertificate(leaf.certificate),
            certificateChain: chain ? [try EncodedCertificate(intermediate.certificate)] : [],
            privateKey: leaf.privateKey
        )
    }
}
