public import RolesAnywhereSigning
import RolesAnywhereSupport
import SwiftASN1
public import X509

/// A PKCS#10 certificate signing request (RFC 2986) for an RSA, EC or ML-DSA key, whose
/// signature has been verified: what `pki csr` writes and `pki issue --csr` reads.
public struct SigningRequest: Sendable, Hashable {
    public let subject: DistinguishedName
    public let publicKey: CertificatePublicKey
    /// The subject alternative names its extension request asks for, if any.
    public let subjectAlternativeNames: SubjectAlternativeNames?
    public let derBytes: [UInt8]

    /// The request as PEM (`CERTIFICATE REQUEST`).
    public var pemString: String { PEMBlock(type: "CERTIFICATE REQUEST", derBytes: derBytes).pemString }
}

/// Certificate signing requests: made for `pki csr`, read and checked for `pki issue --csr`.
public enum SigningRequests {
    /// `pkcs-9-at-extensionRequest` (RFC 2985).
    static let extensionRequestOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 14]

    /// A CSR for `key` with `subject`, asking for `subjectAlternativeNames` through an extension
    /// request, signed by `key` (SHA-256 or stronger for RSA and EC; ML-DSA keys sign with their
    /// own parameter set); `digest` picks another digest for an RSA or EC key.
    public static func make(
        subject: DistinguishedName,
        key: SigningKey,
        subjectAlternativeNames: SubjectAlternativeNames?,
        digest: SignatureDigest? = nil
    ) throws(PKIError) -> SigningRequest {
        let subjectPublicKeyInfo = try SignedObject.subjectPublicKeyInfo(key.publicKey)
        let der: [UInt8]
        do {
            var info = DER.Serializer()
            try info.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(0)  // v1
                try coder.serialize(subject)
                coder.serializeRawBytes(subjectPublicKeyInfo)
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { attributes in
                    guard let subjectAlternativeNames, !subjectAlternativeNames.isEmpty else { return }
                    let requested = try Certificate.Extension(subjectAlternativeNames, critical: false)
                    try attributes.appendConstructedNode(identifier: .sequence) { attribute in
                        try attribute.serialize(extensionRequestOID)
                        try attribute.appendConstructedNode(identifier: .set) { values in
                            try values.appendConstructedNode(identifier: .sequence) { try $0.serialize(requested) }
                        }
                    }
                }
            }
            der = try SignedObject.sign(info.serializedBytes, with: key, digest: digest)
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.invalidConfiguration, "the CSR cannot be made: \(error)")
        }
        // `sign` verified the signature; the request holds exactly what was given.
        return SigningRequest(subject: subject, publicKey: key.publicKey, subjectAlternativeNames: subjectAlternativeNames, derBytes: der)
    }

    /// Reads a CSR from PEM (`CERTIFICATE REQUEST`) or DER and checks its signature, so a request
    /// that was altered after signing is never issued.
    public static func read(_ bytes: [UInt8], source: String) throws(PKIError) -> SigningRequest {
        var der = bytes
        if PEMBlock.mayHoldPEM(bytes) {
            let blocks: [PEMBlock]
            do {
                blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self))
            } catch {
                throw PKIError(.invalidInput, "\(source): \(error.message)")
            }
            guard let block = blocks.first(where: { $0.type == "CERTIFICATE REQUEST" || $0.type == "NEW CERTIFICATE REQUEST" }) else {
                throw PKIError(.invalidInput, "\(source) holds no 'CERTIFICATE REQUEST' PEM block")
            }
            der = block.derBytes
        }
        let parsed: Parsed
        do {
            parsed = try Parsed(der)
        } catch let error as PKIError {
            throw PKIError(error.code, "\(source) \(error.message)")
        } catch {
            throw PKIError(.invalidInput, "\(source) is not a valid certificate signing request")
        }
        guard parsed.publicKey.isValidSignature(parsed.signature, for: parsed.info, algorithm: parsed.algorithm) else {
            throw PKIError(.invalidInput, "the signature of \(source) does not verify: the request was altered or is corrupt")
        }
        if let problem = RolesAnywhereRequirements.keyProblem(parsed.publicKey) {
            throw PKIError(.rejected, "\(source) asks for a certificate IAM Roles Anywhere would reject: \(problem)")
        }
        return SigningRequest(subject: parsed.subject, publicKey: parsed.publicKey, subjectAlternativeNames: parsed.subjectAlternativeNames, derBytes: der)
    }

    /// The fields of a request, before its signature is checked.
    private struct Parsed {
        var info: ArraySlice<UInt8>
        var subject: DistinguishedName
        var publicKey: CertificatePublicKey
        var subjectAlternativeNames: SubjectAlternativeNames?
        var algorithm: AlgorithmIdentifier
        var signature: ArraySlice<UInt8>

        init(_ der: [UInt8]) throws {
            let root = try DER.parse(der)
            guard root.encodedBytes.count == der.count else { throw PKIError(.invalidInput, "has bytes after the request") }
            (info, subject, publicKey, subjectAlternativeNames, algorithm, signature) = try DER.sequence(root, identifier: .sequence) { nodes in
                let infoNode = try CertificateFacts.required(&nodes)
                let algorithm = try AlgorithmIdentifier(derEncoded: try CertificateFacts.required(&nodes))
                let signature = try ASN1BitString(derEncoded: &nodes)
                guard nodes.next() == nil, signature.paddingBits == 0 else { throw PKIError(.invalidInput, "is malformed") }
                let (subject, publicKey, names) = try DER.sequence(infoNode, identifier: .sequence) { fields in
                    guard try Int(derEncoded: &fields) == 0 else { throw PKIError(.invalidInput, "has a version other than v1 (0)") }
                    let subject = try DistinguishedName(derEncoded: try CertificateFacts.required(&fields))
                    var keyFields = fields
                    let keyNode = try CertificateFacts.required(&fields)
                    let publicKey: CertificatePublicKey
                    do {
                        publicKey = try CertificatePublicKey(subjectPublicKeyInfo: keyNode)
                    } catch {
                        // A key no library here loads (RSA-1024, DSA): say why Roles Anywhere refuses it.
                        if let info = try? CertificateFacts.publicKeyInfo(&keyFields), let problem = RolesAnywhereRequirements.keyProblem(info) {
                            throw PKIError(.rejected, "asks for a certificate IAM Roles Anywhere would reject: \(problem)")
                        }
                        throw PKIError(.invalidInput, "has a public key this tool does not read (RSA, EC or ML-DSA)")
                    }
                    var names: SubjectAlternativeNames?
                    if let attributes = fields.next() {
                        guard attributes.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), fields.next() == nil,
                            case .constructed(let list) = attributes.content
                        else { throw PKIError(.invalidInput, "has malformed attributes") }
                        for attribute in list {
                            try DER.sequence(attribute, identifier: .sequence) { parts in
                                let type = try ASN1ObjectIdentifier(derEncoded: &parts)
                                let values = try CertificateFacts.required(&parts)
                                guard type == SigningRequests.extensionRequestOID, case .constructed(let set) = values.content else { return }
                                for value in set {
                                    let extensions = try Certificate.Extensions(try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: value))
                                    names = try extensions.subjectAlternativeNames
                                }
                            }
                        }
                    }
                    return (subject, publicKey, names)
                }
                return (infoNode.encodedBytes, subject, publicKey, names, algorithm, signature.bytes)
            }
        }
    }
}
