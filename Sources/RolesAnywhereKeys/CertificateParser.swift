public import RolesAnywhereSigning
import X509
public import RolesAnywhereSupport

/// Reads certificates from PEM text (and DER), as `--certificate` and `--intermediates` need.
public enum CertificateParser {
    /// Every `CERTIFICATE` block of `blocks`, parsed.
    package static func certificates(
        in blocks: [PEMBlock], source: String, modelling: EncodedCertificate.Modelling = .eager
    ) throws(CredentialsError) -> [EncodedCertificate] {
        var certificates = [EncodedCertificate]()
        for (index, block) in blocks.enumerated() where block.type == "CERTIFICATE" {
            certificates.append(try certificate(der: block.derBytes, source: "\(source) (block \(index + 1))", modelling: modelling))
        }
        return certificates
    }

    /// Parses one DER certificate.
    package static func certificate(der: [UInt8], source: String, modelling: EncodedCertificate.Modelling = .eager) throws(CredentialsError) -> EncodedCertificate {
        do {
            return try EncodedCertificate(derEncoded: der, modelling: modelling)
        } catch {
            throw CredentialsError(.invalidInput, "\(source) holds a CERTIFICATE block that is not a valid X.509 certificate")
        }
    }

    /// Every certificate of a PEM or DER file; other PEM blocks are ignored.
    public static func certificates(file path: String, role: String) throws(CredentialsError) -> [EncodedCertificate] {
        let bytes = try FileReader.read(path, role: role)
        let source = "the \(role) file '\(path)'"
        if PEMBlock.mayHoldPEM(bytes) {
            let found = try certificates(in: try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)), source: source)
            guard !found.isEmpty else { throw CredentialsError(.invalidInput, "\(source) holds no CERTIFICATE block") }
            return found
        }
        return [try certificate(der: bytes, source: source)]
    }

    /// Parses a certificate bundle (`--intermediates`): every PEM block must be a certificate.
    public static func bundle(
        pem text: String, source: String, modelling: EncodedCertificate.Modelling = .eager
    ) throws(CredentialsError) -> [EncodedCertificate] {
        let blocks = try PEMBlock.parseAll(text)
        if let other = blocks.first(where: { $0.type != "CERTIFICATE" }) {
            throw CredentialsError(
                .invalidInput,
                "\(source) must hold only CERTIFICATE blocks, but it has a '\(other.type)' block"
            )
        }
        let certificates = try certificates(in: blocks, source: source, modelling: modelling)
        guard !certificates.isEmpty else {
            throw CredentialsError(.invalidInput, "\(source) holds no PEM certificate")
        }
        return certificates
    }
}
