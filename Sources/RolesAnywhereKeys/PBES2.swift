import Crypto
import SwiftASN1
import _CryptoExtras
import RolesAnywhereSupport

/// PBES2 (RFC 8018): a password-based key derivation (PBKDF2 with HMAC-SHA1/224/256/384/512, or
/// scrypt) followed by AES-CBC. It protects encrypted PKCS#8 keys (`ENCRYPTED PRIVATE KEY`) and the
/// bags of modern PKCS#12 files.
struct PBES2Parameters: Hashable, Sendable {
    enum KeyDerivation: Hashable, Sendable {
        case pbkdf2(salt: [UInt8], iterations: Int, keyLength: Int?, prf: ASN1ObjectIdentifier)
        case scrypt(salt: [UInt8], cost: Int, blockSize: Int, parallelization: Int, keyLength: Int?)
    }

    var keyDerivation: KeyDerivation
    /// `aes128CBC`, `aes192CBC` or `aes256CBC`.
    var cipher: ASN1ObjectIdentifier
    var iv: [UInt8]

    /// Work limits that keep a hostile file from hanging the process or exhausting memory.
    static let maximumIterations = 10_000_000
    static let maximumScryptMemory = 1 << 30

    /// Parameters for new encryptions: PBKDF2-HMAC-SHA256, 600,000 iterations (OWASP's 2023 advice), AES-256-CBC.
    static func makeDefault(iterations: Int = 600_000) -> PBES2Parameters {
        PBES2Parameters(
            keyDerivation: .pbkdf2(salt: randomBytes(16), iterations: iterations, keyLength: nil, prf: OID.hmacWithSHA256),
            cipher: OID.aes256CBC,
            iv: randomBytes(16)
        )
    }

    init(keyDerivation: KeyDerivation, cipher: ASN1ObjectIdentifier, iv: [UInt8]) {
        self.keyDerivation = keyDerivation
        self.cipher = cipher
        self.iv = iv
    }

    /// Parses the `parameters` of a PBES2 `AlgorithmIdentifier`.
    init(parameters node: ASN1Node) throws(CredentialsError) {
        do {
            (keyDerivation, cipher, iv) = try DER.sequence(node, identifier: .sequence) { nodes in
                let kdf = try AlgorithmIdentifierValue(derEncoded: &nodes)
                let scheme = try AlgorithmIdentifierValue(derEncoded: &nodes)
                return (try Self.parseKeyDerivation(kdf), scheme.algorithm, try Self.parseIV(scheme))
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "the PBES2 parameters of the encrypted key are malformed")
        }
    }

    private static func parseKeyDerivation(_ kdf: AlgorithmIdentifierValue) throws -> KeyDerivation {
        guard let node = try kdf.parametersNode() else {
            throw CredentialsError(.invalidInput, "the key derivation of the encrypted key has no parameters")
        }
        switch kdf.algorithm {
        case OID.pbkdf2:
            return try DER.sequence(node, identifier: .sequence) { nodes in
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let iterations = try Int(derEncoded: &nodes)
                var keyLength: Int?
                var prf = OID.hmacWithSHA1
                var peek = nodes
                if let next = peek.next(), next.identifier == .integer {
                    keyLength = try Int(derEncoded: &nodes)
                }
                if nodes.peekIsPresent() {
                    prf = try AlgorithmIdentifierValue(derEncoded: &nodes).algorithm
                }
                return .pbkdf2(salt: Array(salt.bytes), iterations: iterations, keyLength: keyLength, prf: prf)
            }
        case OID.scrypt:
            return try DER.sequence(node, identifier: .sequence) { nodes in
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let cost = try Int(derEncoded: &nodes)
                let blockSize = try Int(derEncoded: &nodes)
                let parallelization = try Int(derEncoded: &nodes)
                let keyLength: Int? = nodes.peekIsPresent() ? try Int(derEncoded: &nodes) : nil
                return .scrypt(
                    salt: Array(salt.bytes), cost: cost, blockSize: blockSize,
                    parallelization: parallelization, keyLength: keyLength
                )
            }
        default:
            throw CredentialsError(
                .unsupportedKey,
                "the key is encrypted with key derivation \(OID.name(kdf.algorithm)); only PBKDF2 and scrypt are supported"
            )
        }
    }

    private static func parseIV(_ scheme: AlgorithmIdentifierValue) throws -> [UInt8] {
        guard [OID.aes128CBC, OID.aes192CBC, OID.aes256CBC, OID.desEDE3CBC].contains(scheme.algorithm) else {
            throw CredentialsError(
                .unsupportedKey,
                "the key is encrypted with \(OID.name(scheme.algorithm)); only AES-128/192/256-CBC and DES-EDE3-CBC are supported (re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc')"
            )
        }
        guard let node = try scheme.parametersNode() else {
            throw CredentialsError(.invalidInput, "the \(OID.name(scheme.algorithm)) parameters of the encrypted key have no IV")
        }
        let iv = try ASN1OctetString(derEncoded: node)
        let expected = scheme.algorithm == OID.desEDE3CBC ? 8 : 16
        guard iv.bytes.count == expected else {
            throw CredentialsError(.invalidInput, "the \(OID.name(scheme.algorithm)) IV of the encrypted key is not \(expected) bytes")
        }
        return Array(iv.bytes)
    }

    /// The key length the cipher needs.
    var cipherKeyLength: Int {
        switch cipher {
        case OID.aes128CBC: 16
        case OID.aes192CBC, OID.desEDE3CBC: 24
        default: 32
        }
    }

    /// Derives the AES key from `password` (its UTF-8 bytes).
    func deriveKey(password: [UInt8]) throws(CredentialsError) -> SymmetricKey {
        let length = cipherKeyLength
        do {
            switch keyDerivation {
            case .pbkdf2(let salt, let iterations, let keyLength, let prf):
                if let keyLength, keyLength != length {
                    throw CredentialsError(.invalidInput, "the PBKDF2 key length (\(keyLength)) does not fit \(OID.name(cipher))")
                }
                guard iterations >= 1, iterations <= Self.maximumIterations else {
                    throw CredentialsError(.invalidInput, "the PBKDF2 iteration count \(iterations) is out of range (1-\(Self.maximumIterations))")
                }
                let hash: KDF.Insecure.PBKDF2.HashFunction
                switch prf {
                case OID.hmacWithSHA1: hash = .insecureSHA1
                case OID.hmacWithSHA224: hash = .insecureSHA224
                case OID.hmacWithSHA256: hash = .sha256
                case OID.hmacWithSHA384: hash = .sha384
                case OID.hmacWithSHA512: hash = .sha512
                default:
                    throw CredentialsError(.unsupportedKey, "the PBKDF2 pseudo-random function \(OID.name(prf)) is not supported")
                }
                return try KDF.Insecure.PBKDF2.deriveKey(
                    from: password, salt: salt, using: hash, outputByteCount: length, unsafeUncheckedRounds: iterations
                )
            case .scrypt(let salt, let cost, let blockSize, let parallelization, let keyLength):
                if let keyLength, keyLength != length {
                    throw CredentialsError(.invalidInput, "the scrypt key length (\(keyLength)) does not fit \(OID.name(cipher))")
                }
                // Each bound is checked before the memory is computed from them (N=2^62 with r=1024
                // would overflow): after these, 128 * r * N * p is at most 2^51.
                guard cost > 1, cost & (cost - 1) == 0, blockSize >= 1, parallelization >= 1,
                    blockSize <= 1024, parallelization <= 1024, cost <= 1 << 24
                else {
                    throw CredentialsError(.invalidInput, "the scrypt parameters (N=\(cost), r=\(blockSize), p=\(parallelization)) are out of range")
                }
                let memory = 128 * blockSize * cost * parallelization
                guard memory <= Self.maximumScryptMemory else {
                    throw CredentialsError(
                        .invalidInput,
                        "the scrypt parameters (N=\(cost), r=\(blockSize), p=\(parallelization)) need \(memory >> 20) MiB; at most \(Self.maximumScryptMemory >> 20) MiB are allowed"
                    )
                }
                return try KDF.Scrypt.deriveKey(
                    from: password, salt: salt, outputByteCount: length, rounds: cost, blockSize: blockSize,
                    parallelism: parallelization, maxMemory: memory + (1 << 20)
                )
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "the key derivation failed: \(error)")
        }
    }

    /// Decrypts `ciphertext`. A wrong password shows up as bad padding and is reported as such.
    ///
    /// DES-EDE3-CBC is accepted for reading only: OpenSSL 3's `openssl req -newkey -keyout` still
    /// encrypts keys with it (the walkthrough's leaf key).
    func decrypt(_ ciphertext: some Collection<UInt8>, password: [UInt8]) throws(CredentialsError) -> [UInt8] {
        let key = try deriveKey(password: password)
        let blockSize = cipher == OID.desEDE3CBC ? 8 : 16
        guard !ciphertext.isEmpty, ciphertext.count % blockSize == 0 else {
            throw CredentialsError(.invalidInput, "the encrypted data is not a whole number of cipher blocks")
        }
        if cipher == OID.desEDE3CBC {
            let keyBytes = key.withUnsafeBytes { Array($0) }
            guard let plaintext = TripleDES.decryptCBC(key: keyBytes, iv: iv, ciphertext: Array(ciphertext)) else {
                throw CredentialsError(.wrongPassword, "the password is wrong (decryption failed)")
            }
            return plaintext
        }
        do {
            return Array(try AES._CBC.decrypt(Array(ciphertext), using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw CredentialsError(.wrongPassword, "the password is wrong (decryption failed)")
        }
    }

    /// Encrypts `plaintext` with PKCS#7 padding.
    func encrypt(_ plaintext: [UInt8], password: [UInt8]) throws(CredentialsError) -> [UInt8] {
        guard cipher != OID.desEDE3CBC else {
            throw CredentialsError(.unsupportedKey, "DES-EDE3-CBC is only supported for reading old keys")
        }
        let key = try deriveKey(password: password)
        do {
            return Array(try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw CredentialsError(.invalidInput, "encryption failed: \(error)")
        }
    }

    /// The PBES2 `AlgorithmIdentifier`.
    func algorithmIdentifier() throws -> AlgorithmIdentifierValue {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            switch keyDerivation {
            case .pbkdf2(let salt, let iterations, let keyLength, let prf):
                var params = DER.Serializer()
                try params.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                    try coder.serialize(iterations)
                    if let keyLength { try coder.serialize(keyLength) }
                    if prf != OID.hmacWithSHA1 {
                        try coder.serialize(AlgorithmIdentifierValue(algorithm: prf, parameters: try ASN1Any(erasing: ASN1Null())))
                    }
                }
                try coder.serialize(
                    AlgorithmIdentifierValue(algorithm: OID.pbkdf2, parameters: try ASN1Any(derEncoded: params.serializedBytes[...]))
                )
            case .scrypt(let salt, let cost, let blockSize, let parallelization, let keyLength):
                var params = DER.Serializer()
                try params.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                    try coder.serialize(cost)
                    try coder.serialize(blockSize)
                    try coder.serialize(parallelization)
                    if let keyLength { try coder.serialize(keyLength) }
                }
                try coder.serialize(
                    AlgorithmIdentifierValue(algorithm: OID.scrypt, parameters: try ASN1Any(derEncoded: params.serializedBytes[...]))
                )
            }
            try coder.serialize(
                AlgorithmIdentifierValue(
                    algorithm: cipher,
                    parameters: try ASN1Any(erasing: ASN1OctetString(contentBytes: iv[...]))
                )
            )
        }
        return AlgorithmIdentifierValue(algorithm: OID.pbes2, parameters: try ASN1Any(derEncoded: serializer.serializedBytes[...]))
    }
}

extension ASN1NodeCollection.Iterator {
    /// Whether another node follows, without consuming it.
    func peekIsPresent() -> Bool {
        var copy = self
        return copy.next() != nil
    }
}

extension ASN1Any {
    init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self.init(derEncoded: try DER.parse(bytes))
    }
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
