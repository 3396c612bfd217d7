#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereSupport
import SwiftASN1
import X509

/// The certificate templates of AWS Private CA this server issues with, and exactly the extensions
/// AWS documents for each (the Private CA user guide, "template definitions"). The subject and
/// subject alternative names come from the CSR, or with the `APIPassthrough` templates from
/// `ApiPassthrough` when it gives them; those templates also take the API's other extensions where
/// the template defines none (the template wins, as AWS's "template order of operations" says). The
/// CRL distribution point, which AWS adds while the CA publishes CRLs, is added by the caller.
enum PrivateCATemplate: Hashable {
    /// `EndEntityCertificate/V1` (the default): key usage critical digitalSignature and
    /// keyEncipherment; extended key usage serverAuth and clientAuth.
    case endEntity
    /// `EndEntityClientAuthCertificate/V1`: as EndEntityCertificate, extended key usage clientAuth only.
    case endEntityClientAuth
    /// `EndEntityServerAuthCertificate/V1`: extended key usage serverAuth only.
    case endEntityServerAuth
    /// `RootCACertificate/V1`: a root CA's own certificate: basic constraints critical CA:TRUE without
    /// a path length, key usage critical digitalSignature, keyCertSign and cRLSign; no authority key identifier.
    case rootCA
    /// `SubordinateCACertificate_PathLenN/V1`, N from 0 to 3: CA:TRUE with that path length.
    case subordinateCA(pathLength: Int)
    /// `EndEntityCertificate_APIPassthrough/V1` and its client- and server-auth siblings: the base
    /// template's extensions, plus the API's subject, names and extensions the template does not define.
    case endEntityAPIPassthrough(EndEntityUsage)
    /// `BlankEndEntityCertificate_APIPassthrough/V1` (and `_CriticalBasicConstraints_`): only basic
    /// constraints CA:FALSE and the key identifiers; key usage, extended key usage, names, policies
    /// and custom extensions from the API.
    case blankEndEntityAPIPassthrough(criticalBasicConstraints: Bool)

    /// The extended key usage of an end-entity template.
    enum EndEntityUsage: Hashable, CaseIterable {
        case both, clientAuth, serverAuth

        var prefix: String {
            switch self {
            case .both: "EndEntityCertificate"
            case .clientAuth: "EndEntityClientAuthCertificate"
            case .serverAuth: "EndEntityServerAuthCertificate"
            }
        }

        var usages: [ExtendedKeyUsage.Usage] {
            switch self {
            case .both: [.serverAuth, .clientAuth]
            case .clientAuth: [.clientAuth]
            case .serverAuth: [.serverAuth]
            }
        }
    }

    var name: String {
        switch self {
        case .endEntity: "EndEntityCertificate/V1"
        case .endEntityClientAuth: "EndEntityClientAuthCertificate/V1"
        case .endEntityServerAuth: "EndEntityServerAuthCertificate/V1"
        case .rootCA: "RootCACertificate/V1"
        case .subordinateCA(let length): "SubordinateCACertificate_PathLen\(length)/V1"
        case .endEntityAPIPassthrough(let usage): "\(usage.prefix)_APIPassthrough/V1"
        case .blankEndEntityAPIPassthrough(let critical):
            critical ? "BlankEndEntityCertificate_CriticalBasicConstraints_APIPassthrough/V1" : "BlankEndEntityCertificate_APIPassthrough/V1"
        }
    }

    /// Whether `ApiPassthrough` is used (AWS ignores it with the other templates).
    var takesAPIPassthrough: Bool {
        switch self {
        case .endEntityAPIPassthrough, .blankEndEntityAPIPassthrough: true
        default: false
        }
    }

    func arn(_ partition: ARN.Partition) -> String { "arn:\(partition.rawValue):acm-pca:::template/\(name)" }

    static let all: [PrivateCATemplate] =
        [.endEntity, .endEntityClientAuth, .endEntityServerAuth, .rootCA] + (0...3).map { .subordinateCA(pathLength: $0) }
        + EndEntityUsage.allCases.map { .endEntityAPIPassthrough($0) } + [false, true].map { .blankEndEntityAPIPassthrough(criticalBasicConstraints: $0) }

    /// The template an ARN names (`arn:aws:acm-pca:::template/NAME`).
    init(arn: String) throws(AWSError) {
        let prefix = ":acm-pca:::template/"
        guard arn.hasPrefix("arn:"), let range = arn.firstRange(of: prefix) else {
            throw PrivateCAErrors.error("InvalidArnException", "The template ARN \(arn) is not valid (arn:aws:acm-pca:::template/NAME).")
        }
        let name = String(arn[range.upperBound...])
        guard let template = Self.all.first(where: { $0.name == name }) else {
            throw PrivateCAErrors.invalidArgs(
                "The template \(name) does not exist or is not supported by rolesanywhere-local; it issues with \(Self.all.map(\.name).joined(separator: ", "))."
            )
        }
        self = template
    }

    /// The extensions of a certificate for `subjectKey`; `passthrough` is the request's
    /// `ApiPassthrough` (nil unless the template takes it).
    func extensions(
        subjectKey: CertificatePublicKey, issuerKeyIdentifier: ArraySlice<UInt8>, subjectAlternativeNames: SubjectAlternativeNames?,
        passthrough: PrivateCAPassthrough? = nil
    ) throws -> Certificate.Extensions {
        let ownIdentifier = SubjectKeyIdentifier(keyIdentifier: SignedObject.keyIdentifier(subjectKey))
        // The API's names win over the CSR's.
        let names = (passthrough?.subjectAlternativeNames ?? subjectAlternativeNames).flatMap { $0.isEmpty ? nil : $0 }
        var extensions: Certificate.Extensions
        switch self {
        case .endEntity, .endEntityClientAuth, .endEntityServerAuth, .endEntityAPIPassthrough:
            let usages: [ExtendedKeyUsage.Usage] =
                switch self {
                case .endEntityClientAuth: EndEntityUsage.clientAuth.usages
                case .endEntityServerAuth: EndEntityUsage.serverAuth.usages
                case .endEntityAPIPassthrough(let usage): usage.usages
                default: EndEntityUsage.both.usages
                }
            extensions = try Certificate.Extensions {
                if let names { names }
                BasicConstraints.notCertificateAuthority
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier)
                ownIdentifier
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage(usages)
            }
        case .blankEndEntityAPIPassthrough(let critical):
            extensions = try Certificate.Extensions {
                if let names { names }
                if critical { Critical(BasicConstraints.notCertificateAuthority) } else { BasicConstraints.notCertificateAuthority }
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier)
                ownIdentifier
                if let keyUsage = passthrough?.keyUsage { Critical(keyUsage) }
                if let usages = passthrough?.extendedKeyUsages { try ExtendedKeyUsage(usages) }
            }
        case .rootCA:
            return try Certificate.Extensions {
                if let names { names }
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                ownIdentifier
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            }
        case .subordinateCA(let pathLength):
            return try Certificate.Extensions {
                if let names { names }
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength))
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier)
                ownIdentifier
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            }
        }
        // The API's other extensions, where the template defines none of that kind (the template
        // wins; the CRL distribution point is the CA configuration's).
        if let passthrough {
            let additional = (passthrough.certificatePolicies.map { [$0] } ?? []) + passthrough.customExtensions
            // Only ..._CriticalBasicConstraints_APIPassthrough takes a CRL distribution point from the API.
            let takesDistributionPoint = self == .blankEndEntityAPIPassthrough(criticalBasicConstraints: true)
            for item in additional where extensions[oid: item.oid] == nil && (item.oid != PrivateCAPassthrough.crlDistributionPointsOID || takesDistributionPoint) {
                try extensions.append(item)
            }
        }
        return extensions
    }
}

/// Reading and checking the certificates ImportCertificateAuthorityCertificate is given.
enum PrivateCACertificates {
    /// The one certificate of a PEM (or DER) blob.
    static func single(_ bytes: [UInt8], what: String) throws(AWSError) -> EncodedCertificate {
        let certificates = try all(bytes, what: what)
        guard certificates.count == 1 else {
            throw PrivateCAErrors.error("MalformedCertificateException", "The \(what) must be one certificate; it holds \(certificates.count).")
        }
        return certificates[0]
    }

    /// Every certificate of a PEM (or DER) blob, in order.
    static func all(_ bytes: [UInt8], what: String) throws(AWSError) -> [EncodedCertificate] {
        do {
            if PEMBlock.mayHoldPEM(bytes) {
                let blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)).filter { $0.type == "CERTIFICATE" }
                guard !blocks.isEmpty else {
                    throw PrivateCAErrors.error("MalformedCertificateException", "The \(what) holds no PEM CERTIFICATE block.")
                }
                return try blocks.map { block throws in try EncodedCertificate(derEncoded: block.derBytes) }
            }
            return [try EncodedCertificate(derEncoded: bytes)]
        } catch let error as AWSError {
            throw error
        } catch {
            throw PrivateCAErrors.error("MalformedCertificateException", "The \(what) is not a valid X.509 certificate: \(error)")
        }
    }

    /// Whether the certificate names itself as issuer and its own key made its signature.
    static func isSelfSigned(_ certificate: EncodedCertificate) -> Bool {
        certificate.fields.issuer == certificate.fields.subject && certificate.fields.isSigned(by: certificate.fields.publicKey)
    }

    /// A CA certificate: basic constraints critical CA:TRUE (as AWS requires of imported CA certificates).
    static func checkCAExtensions(_ certificate: EncodedCertificate) throws(AWSError) {
        guard let constraints = certificate.fields.extensions[oid: .X509ExtensionID.basicConstraints], constraints.critical,
            case .isCertificateAuthority? = try? BasicConstraints(constraints)
        else {
            throw PrivateCAErrors.error("InvalidRequestException", "A CA certificate must have a critical basic constraints extension with CA:TRUE.")
        }
    }

    /// A subordinate's certificate and its chain: each signed by the next, the last a self-signed root.
    static func checkChain(_ certificate: EncodedCertificate, chain: [EncodedCertificate]) throws(AWSError) {
        guard !chain.isEmpty else {
            throw PrivateCAErrors.error("InvalidRequestException", "A SUBORDINATE CA's certificate is imported with its CertificateChain: the issuing CA's certificate, up to the root.")
        }
        var current = certificate
        for (index, issuer) in chain.enumerated() {
            guard current.fields.issuer == issuer.fields.subject, current.fields.isSigned(by: issuer.fields.publicKey) else {
                throw PrivateCAErrors.error(
                    "InvalidRequestException",
                    "The certificate chain is not in order: certificate \(index + 1) of the chain (\(issuer.fields.subject)) did not sign \(current.fields.subject)."
                )
            }
            if chain.contains(where: { $0.derBytes == certificate.derBytes }) {
                throw PrivateCAErrors.error("InvalidRequestException", "The certificate chain must not include the certificate being imported.")
            }
            current = issuer
        }
        guard isSelfSigned(current) else {
            throw PrivateCAErrors.error("InvalidRequestException", "The certificate chain must end with the self-signed root CA certificate.")
        }
    }

    /// A serial as the service writes it: lower-case hex pairs separated by colons.
    static func serialText(_ certificate: EncodedCertificate) -> String {
        let hex = certificate.fields.serialNumber.hexString.lowercased()
        var pairs = [String]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            pairs.append(String(hex[index..<next]))
            index = next
        }
        return pairs.joined(separator: ":")
    }
}
