public import X509

/// What signs a CreateSession request: the end-entity certificate, the intermediates sent with it,
/// and the private key of the certificate.
///
/// The key may be any `Certificate.PrivateKey`, including `CustomPrivateKey` implementations that keep
/// the key in a device (PKCS#11, TPM), or an ML-DSA key.
public struct SigningIdentity: Sendable, Hashable {
    public let certificate: EncodedCertificate
    /// Intermediate certificates, in the order they are sent in `X-Amz-X509-Chain`.
    public let certificateChain: [EncodedCertificate]
    public let key: SigningKey
    /// The SigV4-X509 algorithm the key type implies.
    public let algorithm: X509SigningAlgorithm

    /// Checks that the key type can sign SigV4-X509 requests and that the key belongs to the certificate.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/unsupportedKey`` or ``SigningError/Code-swift.struct/keyMismatch``.
    public init(certificate: EncodedCertificate, certificateChain: [EncodedCertificate] = [], key: SigningKey) throws(SigningError) {
        guard let algorithm = key.algorithm else {
            throw SigningError(
                .unsupportedKey,
                "the private key is of a type IAM Roles Anywhere does not accept (\(key.publicKey)); use an RSA, EC or ML-DSA key"
            )
        }
        guard key.publicKey == certificate.fields.publicKey else {
            throw SigningError(.keyMismatch, "the private key does not belong to the certificate (their public keys differ)")
        }
        self.certificate = certificate
        self.certificateChain = certificateChain
        self.key = key
        self.algorithm = algorithm
    }

    /// An identity with a key swift-certificates holds (RSA, EC, or a device key).
    public init(
        certificate: EncodedCertificate,
        certificateChain: [EncodedCertificate] = [],
        privateKey: Certificate.PrivateKey
    ) throws(SigningError) {
        try self.init(certificate: certificate, certificateChain: certificateChain, key: .certificateKey(privateKey))
    }
}
