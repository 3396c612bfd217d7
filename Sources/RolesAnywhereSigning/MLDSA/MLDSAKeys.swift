import CBoringSSLMLDSA
import CCryptoBoringSSL
import Crypto

/// An ML-DSA public key (FIPS 204's `pkEncode` bytes) of one parameter set.
public struct MLDSAPublicKey: Sendable, Hashable {
    public let parameterSet: MLDSAParameterSet
    /// The encoded key, as in a certificate's `subjectPublicKey`.
    public let rawRepresentation: [UInt8]

    /// Checks the length and the encoding (BoringSSL parses it).
    public init(rawRepresentation bytes: [UInt8], parameterSet: MLDSAParameterSet) throws(SigningError) {
        guard bytes.count == parameterSet.publicKeyByteCount else {
            throw SigningError(.malformedKey, "an \(parameterSet) public key is \(parameterSet.publicKeyByteCount) bytes, not \(bytes.count)")
        }
        guard BoringMLDSA.withPublicKey(bytes, parameterSet, { _ in true }) == true else {
            throw SigningError(.malformedKey, "the \(parameterSet) public key does not parse")
        }
        self.parameterSet = parameterSet
        self.rawRepresentation = bytes
    }

    /// Whether `signature` is a pure ML-DSA signature of `message` with an empty context, the
    /// form `AWS4-X509-MLDSA` and RFC 9881 certificates use.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        guard signature.count == parameterSet.signatureByteCount else { return false }
        let signature = Array(signature)
        let message = Array(message)
        return BoringMLDSA.withPublicKey(rawRepresentation, parameterSet) { key in
            BoringMLDSA.verify(parameterSet, key, signature: signature, message: message)
        } ?? false
    }
}

/// An ML-DSA private key, held by BoringSSL (the copy inside swift-crypto), zeroed when released.
///
/// Made from a 32-byte seed (RFC 9881's `seed` form, which this project writes), from the
/// expanded key alone (`expandedKey`), or from both, which must agree. Signatures are FIPS 204's
/// deterministic variant with an empty context, exactly as `aws_signing_helper` makes them, so a
/// key and a string to sign always give the same signature.
public struct MLDSAPrivateKey: Sendable, Hashable {
    public let parameterSet: MLDSAParameterSet
    /// The seed the key was expanded from; nil for a key read from its expanded form only.
    public let seed: [UInt8]?
    public let publicKey: MLDSAPublicKey
    private let storage: BoringMLDSA.PrivateKeyStorage

    /// A new key from 32 random bytes of the system's generator.
    public static func generate(_ parameterSet: MLDSAParameterSet) throws(SigningError) -> MLDSAPrivateKey {
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return try MLDSAPrivateKey(seed: random, parameterSet: parameterSet)
    }

    /// Expands a seed (ξ) into the key FIPS 204's `ML-DSA.KeyGen_internal` makes from it.
    public init(seed: [UInt8], parameterSet: MLDSAParameterSet) throws(SigningError) {
        guard seed.count == MLDSAParameterSet.seedByteCount else {
            throw SigningError(.malformedKey, "an \(parameterSet) seed is 32 bytes, not \(seed.count)")
        }
        let storage = BoringMLDSA.PrivateKeyStorage(parameterSet)
        guard BoringMLDSA.fromSeed(storage, seed) else {
            throw SigningError(.malformedKey, "BoringSSL could not expand the \(parameterSet) seed")
        }
        try self.init(parameterSet: parameterSet, seed: seed, storage: storage)
    }

    /// Reads an expanded key (`skEncode`). Its consistency is checked by signing a test message
    /// and verifying the signature with the public key derived from it: a damaged expanded key
    /// is refused here rather than making signatures that never verify.
    public init(expandedKey: [UInt8], parameterSet: MLDSAParameterSet) throws(SigningError) {
        guard expandedKey.count == parameterSet.expandedKeyByteCount else {
            throw SigningError(.malformedKey, "an expanded \(parameterSet) private key is \(parameterSet.expandedKeyByteCount) bytes, not \(expandedKey.count)")
        }
        let storage = BoringMLDSA.PrivateKeyStorage(parameterSet)
        guard BoringMLDSA.parseExpanded(storage, expandedKey) else {
            throw SigningError(.malformedKey, "the expanded \(parameterSet) private key does not parse (a coefficient is out of range)")
        }
        try self.init(parameterSet: parameterSet, seed: nil, storage: storage)
        let probe = Array("rolesanywhere ML-DSA key check".utf8)
        guard publicKey.isValidSignature(try signature(for: probe), for: probe) else {
            throw SigningError(.malformedKey, "the expanded \(parameterSet) private key is inconsistent: its signatures do not verify with its own public key")
        }
    }

    /// Reads RFC 9881's `both` form: the key is expanded from `seed`, and `expandedKey` must be
    /// exactly that expansion.
    public init(seed: [UInt8], expandedKey: [UInt8], parameterSet: MLDSAParameterSet) throws(SigningError) {
        try self.init(seed: seed, parameterSet: parameterSet)
        guard expandedKey.count == parameterSet.expandedKeyByteCount else {
            throw SigningError(.malformedKey, "an expanded \(parameterSet) private key is \(parameterSet.expandedKeyByteCount) bytes, not \(expandedKey.count)")
        }
        guard Self.constantTimeEqual(try self.expandedKey(), expandedKey) else {
            throw SigningError(.malformedKey, "the expanded \(parameterSet) private key does not match its seed")
        }
    }

    private init(parameterSet: MLDSAParameterSet, seed: [UInt8]?, storage: BoringMLDSA.PrivateKeyStorage) throws(SigningError) {
        guard let publicBytes = BoringMLDSA.publicKey(of: storage) else {
            throw SigningError(.malformedKey, "BoringSSL could not derive the \(parameterSet) public key")
        }
        self.parameterSet = parameterSet
        self.seed = seed
        self.storage = storage
        self.publicKey = try MLDSAPublicKey(rawRepresentation: publicBytes, parameterSet: parameterSet)
    }

    /// The expanded key (`skEncode`), for RFC 9881's `expandedKey` and `both` forms.
    public func expandedKey() throws(SigningError) -> [UInt8] {
        guard let bytes = BoringMLDSA.expanded(storage) else {
            throw SigningError(.signingFailed, "BoringSSL could not encode the expanded \(parameterSet) private key")
        }
        return bytes
    }

    /// The deterministic pure ML-DSA signature of `message`, empty context.
    public func signature(for message: some Collection<UInt8>) throws(SigningError) -> [UInt8] {
        guard let signature = BoringMLDSA.sign(storage, message: Array(message)) else {
            throw SigningError(.signingFailed, "the \(parameterSet) key failed to sign")
        }
        return signature
    }

    /// Keys are the same key when their public keys are.
    public static func == (lhs: MLDSAPrivateKey, rhs: MLDSAPrivateKey) -> Bool { lhs.publicKey == rhs.publicKey }

    public func hash(into hasher: inout Hasher) { hasher.combine(publicKey) }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
