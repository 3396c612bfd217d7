import SwiftASN1
public import RolesAnywhereSupport

/// `EncryptedPrivateKeyInfo` (RFC 5958): the `ENCRYPTED PRIVATE KEY` PEM block that OpenSSL 3 writes
/// for `openssl genrsa -aes256`, `openssl req -newkey` and `openssl pkcs8 -topk8`, and that AWS
/// Certificate Manager exports. Only PBES2 is supported, as in the official helper.
public enum EncryptedPrivateKeyInfo {
    /// Decrypts the DER of an `EncryptedPrivateKeyInfo` and returns the PKCS#8 `PrivateKeyInfo` DER.
    ///
    /// - Throws: ``CredentialsError`` with ``CredentialsError/Code-swift.struct/wrongPassword`` for a wrong
    ///   password, ``CredentialsError/Code-swift.struct/unsupportedKey`` for schemes other than PBES2 with
    ///   PBKDF2/scrypt and AES-CBC, ``CredentialsError/Code-swift.struct/invalidInput`` for malformed DER.
    public static func decrypt(derEncoded bytes: [UInt8], password: String) throws(CredentialsError) -> [UInt8] {
        try decrypt(derEncoded: bytes, password: { () throws(CredentialsError) in password })
    }

    /// Decrypts, asking for the password only once the structure has been checked, so a corrupt
    /// file is reported as corrupt rather than as missing a password.
    static func decrypt(
        derEncoded bytes: [UInt8],
        password: () throws(CredentialsError) -> String
    ) throws(CredentialsError) -> [UInt8] {
        let algorithm: AlgorithmIdentifierValue
        let encrypted: ASN1OctetString
        do {
            (algorithm, encrypted) = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                (try AlgorithmIdentifierValue(derEncoded: &nodes), try ASN1OctetString(derEncoded: &nodes))
            }
        } catch {
            throw CredentialsError(.invalidInput, "the ENCRYPTED PRIVATE KEY is not valid DER")
        }
        guard algorithm.algorithm == OID.pbes2 else {
            throw CredentialsError(
                .unsupportedKey,
                "the key is encrypted with \(OID.name(algorithm.algorithm)), not PBES2; re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'"
            )
        }
        let node: ASN1Node
        do {
            guard let parameters = try algorithm.parametersNode() else { throw CredentialsError(.invalidInput, "") }
            node = parameters
        } catch {
            throw CredentialsError(.invalidInput, "the PBES2 parameters of the encrypted key are missing")
        }
        let parameters = try PBES2Parameters(parameters: node)
        let plaintext = try parameters.decrypt(encrypted.bytes, password: Array(try password().utf8))
        // Padding can pass by chance with a wrong password; the result must still be DER.
        guard (try? DER.parse(plaintext)) != nil else {
            throw CredentialsError(.wrongPassword, "the password is wrong (the decrypted key is not valid)")
        }
        return plaintext
    }

    /// Encrypts a PKCS#8 `PrivateKeyInfo` with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and returns
    /// the `EncryptedPrivateKeyInfo` DER.
    public static func encrypt(
        privateKeyInfo: [UInt8],
        password: String,
        iterations: Int = 600_000
    ) throws(CredentialsError) -> [UInt8] {
        let parameters = PBES2Parameters.makeDefault(iterations: iterations)
        let ciphertext = try parameters.encrypt(privateKeyInfo, password: Array(password.utf8))
        do {
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(try parameters.algorithmIdentifier())
                try coder.serialize(ASN1OctetString(contentBytes: ciphertext[...]))
            }
            return serializer.serializedBytes
        } catch {
            throw CredentialsError(.invalidInput, "the encrypted key could not be encoded: \(error)")
        }
    }
}
