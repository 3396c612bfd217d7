import Crypto
import RolesAnywhereSigning
import SwiftASN1
import _CryptoExtras
import RolesAnywhereSupport

/// OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-256-CBC,<iv>`), as
/// `openssl genrsa -aes256 -traditional` writes it. The key is `EVP_BytesToKey` with MD5 and the
/// first 8 bytes of the IV as salt. AES-128/192/256-CBC and DES-EDE3-CBC are supported.
enum LegacyPEMEncryption {
    static func decrypt(_ block: PEMBlock, password: String) throws(CredentialsError) -> [UInt8] {
        guard let info = block.headers.first(where: { $0.name == "DEK-Info" })?.value else {
            throw CredentialsError(.invalidInput, "the encrypted PEM key has no DEK-Info header")
        }
        let parts = info.split(separator: ",", maxSplits: 1).map { String($0).trimmingSpaces() }
        let keyLength: Int
        switch parts.first?.uppercased() {
        case "AES-128-CBC": keyLength = 16
        case "AES-192-CBC": keyLength = 24
        case "AES-256-CBC": keyLength = 32
        case "DES-EDE3-CBC": keyLength = 24
        default:
            throw CredentialsError(
                .unsupportedKey,
                "the key uses OpenSSL's legacy \(parts.first ?? "?") PEM encryption; convert it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW_KEY'"
            )
        }
        let isDES = keyLength == 24 && parts.first?.uppercased() == "DES-EDE3-CBC"
        guard parts.count == 2, let iv = Hex.decode(parts[1]), iv.count == (isDES ? 8 : 16) else {
            throw CredentialsError(.invalidInput, "the DEK-Info header of the encrypted PEM key has no valid IV")
        }
        let key = bytesToKey(password: Array(password.utf8), salt: Array(iv[0..<8]), length: keyLength)
        if isDES {
            guard let plaintext = TripleDES.decryptCBC(key: key, iv: iv, ciphertext: block.derBytes),
                (try? DER.parse(plaintext)) != nil
            else {
                throw CredentialsError(.wrongPassword, "the password is wrong (decryption failed)")
            }
            return plaintext
        }
        do {
            let plaintext = Array(try AES._CBC.decrypt(block.derBytes, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv)))
            _ = try DER.parse(plaintext)  // padding can pass by chance with a wrong password
            return plaintext
        } catch {
            throw CredentialsError(.wrongPassword, "the password is wrong (decryption failed)")
        }
    }

    /// `EVP_BytesToKey(MD5, count = 1)`.
    static func bytesToKey(password: [UInt8], salt: [UInt8], length: Int) -> [UInt8] {
        var key = [UInt8]()
        var previous = [UInt8]()
        while key.count < length {
            var hasher = Insecure.MD5()
            hasher.update(data: previous)
            hasher.update(data: password)
            hasher.update(data: salt)
            previous = Array(hasher.finalize())
            key.append(contentsOf: previous)
        }
        return Array(key[0..<length])
    }
}
