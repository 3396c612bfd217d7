public import X509

/// What signs a CreateSession request: the end-entity certificate, the intermediates sent with it,
/// and the private key of the certificate.
///
/// The key may be any `Certificate.PrivateKey`, including `CustomPrivateKey` implementations that keep
/// the key in a device (PKCS#11, TPM).
public struct SigningIdentity: Sendable, Hashable {
    public let certificate: EncodedCertificate
    /// Intermediate certificates, in the order they are sent in `X-Amz-X509-Chain`.
    public let certificateChain: [EncodedCertificate]
    public let privateKey: Certificate.PrivateKey
    /// The SigV4-X509 algorithm the key type implies.
    public let algorithm: X509SigningAlgorithm

    /// Checks that the key type can sign SigV4-X509 requests and that the key belongs to the certificate.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/unsupportedKey`` or ``SigningError/Code-swift.struct/keyMismatch``.
    public init(
        certificate: EncodedCertificate,
        certificateChain: [EncodedCertificate] = [],
        privateKey: Certificate.PrivateKey
    ) throws(SigningError) {
        guard let algorithm = X509SigningAlgorithm(for: privateKey.publicKey) else {
            throw SigningError(
                .unsupportedKey,
                "the private key is of a type IAM Roles Anywhere does not accept (\(privateKey.publicKey)); use an RSA or EC key"
            )
        }
        guard privateKey.publicKey == certificate.certificate.publicKey else {
            throw SigningError(.keyMismatch, "the private key does not belong to the certificate (their public keys differ)")
        }
        self.certificate = certificate
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.algorithm = algorithm
    }
}
