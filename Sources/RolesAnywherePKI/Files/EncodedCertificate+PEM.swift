public import RolesAnywhereSigning
import RolesAnywhereSupport

extension EncodedCertificate {
    /// The certificate as PEM, from its original DER bytes.
    public var pemString: String {
        PEMBlock(type: "CERTIFICATE", derBytes: derBytes).pemString
    }
}
