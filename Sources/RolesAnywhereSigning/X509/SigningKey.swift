public import X509

/// The private key of a signing identity: one swift-certificates holds (RSA and EC keys in memory,
/// and device keys through `CustomPrivateKey`: PKCS#11, TPM), or an ML-DSA key.
public enum SigningKey: Sendable, Hashable {
    case certificateKey(Certificate.PrivateKey)
    case mlDSA(MLDSAPrivateKey)

    /// swift-certificates' key, for an RSA, EC or device key.
    public var certificateKey: Certificate.PrivateKey? {
        if case .certificateKey(let key) = self { key } else { nil }
    }

    /// The ML-DSA key, if this is one.
    public var mlDSA: MLDSAPrivateKey? {
        if case .mlDSA(let key) = self { key } else { nil }
    }

    /// The public key, as a certificate holds it.
    public var publicKey: CertificatePublicKey {
        switch self {
        case .certificateKey(let key): .classic(key.publicKey)
        case .mlDSA(let key): .mlDSA(key.publicKey)
        }
    }

    /// The SigV4-X509 algorithm the key type implies, or nil for a type Roles Anywhere does not accept.
    public var algorithm: X509SigningAlgorithm? {
        switch self {
        case .certificateKey(let key): X509SigningAlgorithm(for: key.publicKey)
        case .mlDSA: .mldsa
        }
    }

    /// Signs `bytes` as SigV4-X509 signs a string to sign: RSA and ECDSA over its SHA-256 (or the
    /// digest given, for `sign-string --digest`), ML-DSA over the bytes themselves.
    public func signature(for bytes: [UInt8], digest: SignatureDigest = .sha256) throws(SigningError) -> [UInt8] {
        switch self {
        case .mlDSA(let key):
            return try key.signature(for: bytes)
        case .certificateKey(let key):
            guard let algorithm = X509SigningAlgorithm(for: key.publicKey) else {
                throw SigningError(.unsupportedKey, "the private key is of a type IAM Roles Anywhere does not accept (\(key.publicKey)); use an RSA, EC or ML-DSA key")
            }
            do {
                return try key.sign(bytes: bytes, signatureAlgorithm: digest.signatureAlgorithm(rsa: algorithm == .rsaSHA256)).rawRepresentation
            } catch {
                throw SigningError(.signingFailed, "the private key could not sign: \(error)")
            }
        }
    }
}

/// The digest RSA and ECDSA signatures are made over.
public enum SignatureDigest: Sendable, Hashable, CaseIterable {
    case sha256
    case sha384
    case sha512

    /// The X.509 signature algorithm of an RSA (`rsa`) or EC key with this digest.
    package func signatureAlgorithm(rsa: Bool) -> Certificate.SignatureAlgorithm {
        switch self {
        case .sha256: rsa ? .sha256WithRSAEncryption : .ecdsaWithSHA256
        case .sha384: rsa ? .sha384WithRSAEncryption : .ecdsaWithSHA384
        case .sha512: rsa ? .sha512WithRSAEncryption : .ecdsaWithSHA512
        }
    }
}
