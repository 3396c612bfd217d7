import SwiftASN1
public import X509
import RolesAnywhereSupport

/// Certificate signing requests: made for `pki csr`, read and checked for `pki issue --csr`.
public enum SigningRequests {
    /// A CSR for `key` with `subject`, asking for `subjectAlternativeNames` through an extension request.
    public static func make(
        subject: DistinguishedName,
        key: Certificate.PrivateKey,
        subjectAlternativeNames: SubjectAlternativeNames?
    ) throws(PKIError) -> CertificateSigningRequest {
        do {
            var attributes = CertificateSigningRequest.Attributes()
            if let subjectAlternativeNames, !subjectAlternativeNames.isEmpty {
                let extensions = try Certificate.Extensions { subjectAlternativeNames }
                attributes.insert(try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: extensions)))
            }
            return try CertificateSigningRequest(
                version: .v1,
                subject: subject,
                privateKey: key,
                attributes: attributes,
                signatureAlgorithm: key.issuingSignatureAlgorithm
            )
        } catch {
            throw PKIError(.invalidConfiguration, "the CSR cannot be made: \(error)")
        }
    }

    /// Reads a CSR from PEM (`CERTIFICATE REQUEST`) or DER and checks its signature, so a request that
    /// was altered after signing is never issued.
    public static func read(_ bytes: [UInt8], source: String) throws(PKIError) -> CertificateSigningRequest {
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
        let request: CertificateSigningRequest
        do {
            request = try CertificateSigningRequest(derEncoded: der)
        } catch {
            if let key = try? publicKeyInfo(of: der), let problem = RolesAnywhereRequirements.keyProblem(key) {
                throw PKIError(.rejected, "\(source) asks for a certificate IAM Roles Anywhere would reject: \(problem)")
            }
            throw PKIError(.invalidInput, "\(source) is not a valid certificate signing request")
        }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw PKIError(.invalidInput, "the signature of \(source) does not verify: the request was altered or is corrupt")
        }
        if let problem = RolesAnywhereRequirements.keyProblem(request.publicKey) {
            throw PKIError(.rejected, "\(source) asks for a certificate IAM Roles Anywhere would reject: \(problem)")
        }
        return request
    }

    /// The subject alternative names a CSR asks for, if any.
    public static func requestedSubjectAlternativeNames(_ request: CertificateSigningRequest) -> SubjectAlternativeNames? {
        guard let extensions = try? request.attributes.extensionRequest?.extensions else { return nil }
        return try? extensions.subjectAlternativeNames
    }

    /// The key of a CSR that swift-certificates cannot load (for the error message).
    static func publicKeyInfo(of der: [UInt8]) throws -> PublicKeyInfo {
        try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
            let info = try CertificateFacts.required(&nodes)
            while nodes.next() != nil {}
            return try DER.sequence(info, identifier: .sequence) { fields in
                _ = try Int(derEncoded: &fields)
                _ = try CertificateFacts.required(&fields)
                let key = try CertificateFacts.publicKeyInfo(&fields)
                while fields.next() != nil {}
                return key
            }
        }
    }
}

extension CertificateSigningRequest {
    /// The request as PEM (`CERTIFICATE REQUEST`).
    public var pemString: String {
        get throws { try serializeAsPEM().pemString + "\n" }
    }
}
