import Crypto
public import RolesAnywhereSigning
import X509
import _CryptoExtras
public import RolesAnywhereSupport
import RolesAnywhereKeys

/// What `read-certificate-data` prints for a certificate file, in `aws_signing_helper`'s JSON shape:
/// `{"keyType":"RSA","certificateData":"<base64 DER>","serialNumber":"<decimal>","supportedAlgorithms":[...]}`.
public struct CertificateData: Sendable, Hashable {
    public var keyType: String
    public var certificate: EncodedCertificate

    /// Reads the first certificate of a PEM file (or a DER file).
    public static func read(path: String) throws(CredentialsError) -> CertificateData {
        let bytes = try FileReader.read(path, role: "certificate")
        let source = "the certificate file '\(path)'"
        let certificate: EncodedCertificate
        if PEMBlock.mayHoldPEM(bytes) {
            let blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self))
            guard let block = blocks.first(where: { $0.type == "CERTIFICATE" }) else {
                throw CredentialsError(.invalidInput, "\(source) has no CERTIFICATE block")
            }
            certificate = try CertificateParser.certificate(der: block.derBytes, source: source)
        } else {
            guard let der = try? EncodedCertificate(derEncoded: bytes) else {
                throw CredentialsError(.invalidInput, "\(source) is neither a PEM nor a DER certificate")
            }
            certificate = der
        }
        return CertificateData(certificate: certificate)
    }

    public init(certificate: EncodedCertificate) {
        switch certificate.fields.publicKey {
        case .mlDSA(let key):
            keyType = key.parameterSet.name
        case .classic(let key):
            if _RSA.Signing.PublicKey(key) != nil {
                keyType = "RSA"
            } else if P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil || P521.Signing.PublicKey(key) != nil {
                keyType = "EC"
            } else {
                keyType = ""
            }
        }
        self.certificate = certificate
    }

    /// The JSON, with no trailing newline. An ML-DSA key signs without a digest, so its one
    /// algorithm is its parameter set (`["ML-DSA-65"]`).
    public var json: String {
        let names = certificate.fields.publicKey.mlDSA != nil ? [keyType] : ["SHA256", "SHA384", "SHA512"].map { keyType + $0 }
        let algorithms = names.map { JSONText.string($0) }.joined(separator: ",")
        return JSONText.object([
            ("keyType", JSONText.string(keyType)),
            ("certificateData", JSONText.string(certificate.base64)),
            ("serialNumber", JSONText.string(certificate.decimalSerialNumber)),
            ("supportedAlgorithms", "[" + algorithms + "]"),
        ])
    }
}
