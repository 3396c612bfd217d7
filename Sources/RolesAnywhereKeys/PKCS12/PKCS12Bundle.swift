import Crypto
public import RolesAnywhereSigning
import SwiftASN1
import X509
public import RolesAnywhereSupport

/// The contents of a PKCS#12 (`.p12`/`.pfx`) file: an end-entity certificate, the certificates that
/// come with it, and its private key.
///
/// Both generations of the format are read: OpenSSL 3's default (PBES2 with PBKDF2 and AES, HMAC-SHA256
/// MAC) and the legacy one of OpenSSL 1.x, Windows and Java (`pbeWithSHAAnd3-KeyTripleDES-CBC` for
/// keys, `pbeWithSHAAnd40BitRC2-CBC` for certificates, HMAC-SHA1 MAC). Parsing is done here rather
/// than by a TLS library so that every malformed file gets a clear error instead of a crash.
public struct PKCS12Bundle: Sendable {
    /// The end-entity certificate: the one whose public key matches the private key.
    public var certificate: EncodedCertificate
    /// The other certificates, ordered from the end-entity certificate's issuer upwards where they chain.
    public var chain: [EncodedCertificate]
    public var privateKey: SigningKey

    /// Parses and decrypts a PKCS#12 file. `source` names the file in messages.
    public init(derEncoded bytes: [UInt8], password: PasswordSource, source: String) throws(CredentialsError) {
        let password = try password.resolve()
        let reader = PKCS12Reader(source: source)
        let contents = try reader.read(bytes, password: password)
        guard let key = contents.keys.first else {
            throw CredentialsError(.invalidInput, "\(source) holds no private key")
        }
        guard let leafIndex = contents.certificates.firstIndex(where: { $0.fields.publicKey == key.publicKey }) else {
            throw CredentialsError(
                .keyMismatch,
                contents.certificates.isEmpty
                    ? "\(source) holds no certificate"
                    : "\(source) holds no certificate for its private key"
            )
        }
        var remaining = contents.certificates
        let leaf = remaining.remove(at: leafIndex)
        var chain = [EncodedCertificate]()
        var current = leaf
        while let next = remaining.firstIndex(where: { $0.fields.subject == current.fields.issuer && $0 != current }) {
            current = remaining.remove(at: next)
            chain.append(current)
        }
        chain.append(contentsOf: remaining)
        self.certificate = leaf
        self.chain = chain
        self.privateKey = key
    }
}

/// The PKCS#12 parser behind ``PKCS12Bundle``.
struct PKCS12Reader {
    var source: String

    struct Contents {
        var keys: [SigningKey] = []
        var certificates: [EncodedCertificate] = []
    }

    static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]
    static let encryptedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 6]
    static let keyBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 1]
    static let shroudedKeyBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 2]
    static let certBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 3]
    static let safeContentsBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 6]
    static let x509Certificate: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 22, 1]
    static let pbeSHA1RC4128: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 1]
    static let pbeSHA1RC440: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 2]
    static let pbeSHA13DES: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 3]
    static let pbeSHA12DES: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 4]
    static let pbeSHA1RC2128: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 5]
    static let pbeSHA1RC240: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 1, 6]
    static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    static let sha224: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 4]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]
    static let pbmac1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 14]

    /// Nested content is limited so a hostile file cannot recurse without end.
    static let maximumDepth = 4

    func malformed(_ what: String) -> CredentialsError {
        CredentialsError(.invalidInput, "\(source) is not a valid PKCS#12 file (\(what))")
    }

    func read(_ bytes: [UInt8], password: String?) throws(CredentialsError) -> Contents {
        let pfx: (authSafe: [UInt8], mac: MacData?)
        do {
            pfx = try BER.sequence(try BER.parse(bytes), identifier: .sequence) { nodes in
                let version = try Int(berEncoded: &nodes)
                guard version == 3 else { throw malformed("version \(version), expected 3") }
                let authSafe = try Self.dataContent(try ContentInfo(berEncoded: &nodes), reader: self)
                let mac: MacData? = nodes.peekIsPresent() ? try MacData(berEncoded: &nodes) : nil
                return (authSafe, mac)
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.invalidInput, "\(source) is neither PEM nor a valid PKCS#12 file")
        }

        // Without a password, PKCS#12 tools differ on whether "no password" is an empty BMPString
        // (two NUL bytes) or no bytes at all: try both, as OpenSSL does.
        let candidates: [String?] = password.map { [$0] } ?? ["", nil]
        var chosen = candidates[0]
        if let mac = pfx.mac {
            var verified = false
            for candidate in candidates where try mac.verify(content: pfx.authSafe, password: PKCS12KeyDerivation.bmpPassword(candidate), reader: self) {
                chosen = candidate
                verified = true
                break
            }
            guard verified else {
                if password == nil {
                    throw CredentialsError(.passwordRequired, "\(source) is password-protected: \(PasswordSource.hint)")
                }
                throw CredentialsError(.wrongPassword, "the password of \(source) is wrong (its MAC does not verify)")
            }
        }
        let bmpPassword = PKCS12KeyDerivation.bmpPassword(chosen)
        let textPassword = chosen ?? ""

        var contents = Contents()
        let safes: [ContentInfo]
        do {
            safes = try BER.sequence(of: ContentInfo.self, identifier: .sequence, rootNode: try BER.parse(pfx.authSafe))
        } catch {
            throw malformed("the authenticated safe does not parse")
        }
        for info in safes {
            let safeContents: [UInt8]
            switch info.contentType {
            case Self.data:
                safeContents = try Self.dataContent(info, reader: self)
            case Self.encryptedData:
                safeContents = try decryptContent(info, bmpPassword: bmpPassword, textPassword: textPassword, passwordGiven: password != nil)
            default:
                throw CredentialsError(
                    .unsupportedKey,
                    "\(source) uses public-key protected content (\(info.contentType)), which is not supported"
                )
            }
            try collectBags(safeContents, into: &contents, bmpPassword: bmpPassword, textPassword: textPassword, passwordGiven: password != nil, depth: 0)
        }
        return contents
    }

    static func dataContent(_ info: ContentInfo, reader: PKCS12Reader) throws(CredentialsError) -> [UInt8] {
        guard info.contentType == data, let node = info.content else {
            throw reader.malformed("expected a data content")
        }
        do {
            return Array(try ASN1OctetString(berEncoded: node).bytes)
        } catch {
            throw reader.malformed("the data content is not an OCTET STRING")
        }
    }

    func decryptContent(_ info: ContentInfo, bmpPassword: [UInt8], textPassword: String, passwordGiven: Bool) throws(CredentialsError) -> [UInt8] {
        guard let node = info.content else { throw malformed("encrypted data without content") }
        let algorithm: AlgorithmIdentifierValue
        let ciphertext: [UInt8]
        do {
            (algorithm, ciphertext) = try BER.sequence(node, identifier: .sequence) { nodes in
                _ = try Int(berEncoded: &nodes)
                return try BER.sequence(nodes.next() ?? node, identifier: .sequence) { inner in
                    _ = try ASN1ObjectIdentifier(berEncoded: &inner)
                    let algorithm = try AlgorithmIdentifierValue(derEncoded: &inner)
                    guard let content = inner.next() else { throw malformed("encrypted data has no ciphertext") }
                    let octets = try ASN1OctetString(berEncoded: content, withIdentifier: .init(tagWithNumber: 0, tagClass: .contextSpecific))
                    return (algorithm, Array(octets.bytes))
                }
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw malformed("the encrypted data does not parse")
        }
        return try decrypt(ciphertext, algorithm: algorithm, bmpPassword: bmpPassword, textPassword: textPassword, passwordGiven: passwordGiven)
    }

    func decrypt(
        _ ciphertext: [UInt8],
        algorithm: AlgorithmIdentifierValue,
        bmpPassword: [UInt8],
        textPassword: String,
        passwordGiven: Bool
    ) throws(CredentialsError) -> [UInt8] {
        let wrong = passwordGiven
            ? CredentialsError(.wrongPassword, "the password of \(source) is wrong (decryption failed)")
            : CredentialsError(.passwordRequired, "\(source) is password-protected: \(PasswordSource.hint)")
        if algorithm.algorithm == OID.pbes2 {
            guard let node = try? algorithm.parametersNode() else { throw malformed("PBES2 without parameters") }
            do {
                return try PBES2Parameters(parameters: node).decrypt(ciphertext, password: Array(textPassword.utf8))
            } catch {
                throw error.code == .wrongPassword ? wrong : error
            }
        }
        let salt: [UInt8]
        let iterations: Int
        do {
            guard let node = try algorithm.parametersNode() else { throw malformed("PBE without parameters") }
            (salt, iterations) = try BER.sequence(node, identifier: .sequence) { nodes in
                (Array(try ASN1OctetString(berEncoded: &nodes).bytes), try Int(berEncoded: &nodes))
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw malformed("the PBE parameters do not parse")
        }
        guard iterations >= 1, iterations <= PBES2Parameters.maximumIterations else {
            throw malformed("the PBE iteration count \(iterations) is out of range")
        }
        func derive(_ purpose: PKCS12KeyDerivation.Purpose, _ length: Int) -> [UInt8] {
            PKCS12KeyDerivation.derive(Insecure.SHA1.self, password: bmpPassword, salt: salt, iterations: iterations, purpose: purpose, length: length)
        }
        let plaintext: [UInt8]?
        switch algorithm.algorithm {
        case Self.pbeSHA13DES:
            plaintext = TripleDES.decryptCBC(key: derive(.key, 24), iv: derive(.iv, 8), ciphertext: ciphertext)
        case Self.pbeSHA12DES:
            plaintext = TripleDES.decryptCBC(key: derive(.key, 16), iv: derive(.iv, 8), ciphertext: ciphertext)
        case Self.pbeSHA1RC240:
            plaintext = RC2.decryptCBC(key: derive(.key, 5), effectiveBits: 40, iv: derive(.iv, 8), ciphertext: ciphertext)
        case Self.pbeSHA1RC2128:
            plaintext = RC2.decryptCBC(key: derive(.key, 16), effectiveBits: 128, iv: derive(.iv, 8), ciphertext: ciphertext)
        default:
            throw CredentialsError(
                .unsupportedKey,
                "\(source) is encrypted with \(OID.name(algorithm.algorithm)), which is not supported; re-export it with 'openssl pkcs12 -export' (OpenSSL 3 defaults)"
            )
        }
        guard let plaintext, (try? BER.parse(plaintext)) != nil else { throw wrong }
        return plaintext
    }

    func collectBags(
        _ safeContents: [UInt8],
        into contents: inout Contents,
        bmpPassword: [UInt8],
        textPassword: String,
        passwordGiven: Bool,
        depth: Int
    ) throws(CredentialsError) {
        guard depth <= Self.maximumDepth else { throw malformed("bags are nested too deeply") }
        let bags: [(ASN1ObjectIdentifier, ASN1Node)]
        do {
            bags = try BER.sequence(try BER.parse(safeContents), identifier: .sequence) { nodes in
                var bags = [(ASN1ObjectIdentifier, ASN1Node)]()
                while let bag = nodes.next() {
                    bags.append(
                        try BER.sequence(bag, identifier: .sequence) { fields in
                            let type = try ASN1ObjectIdentifier(berEncoded: &fields)
                            guard let value = fields.next(), value.identifier == .init(tagWithNumber: 0, tagClass: .contextSpecific),
                                case .constructed(let children) = value.content, let inner = children.first(where: { _ in true })
                            else { throw malformed("a bag has no value") }
                            while fields.next() != nil {}  // attributes
                            return (type, inner)
                        }
                    )
                }
                return bags
            }
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw malformed("the safe contents do not parse")
        }
        for (type, value) in bags {
            switch type {
            case Self.keyBag:
                contents.keys.append(try PrivateKeyParser.privateKey(pkcs8: Array(value.encodedBytes)))
            case Self.shroudedKeyBag:
                let (algorithm, ciphertext): (AlgorithmIdentifierValue, [UInt8])
                do {
                    (algorithm, ciphertext) = try BER.sequence(value, identifier: .sequence) { nodes in
                        (try AlgorithmIdentifierValue(derEncoded: &nodes), Array(try ASN1OctetString(berEncoded: &nodes).bytes))
                    }
                } catch {
                    throw malformed("a shrouded key bag does not parse")
                }
                let pkcs8 = try decrypt(ciphertext, algorithm: algorithm, bmpPassword: bmpPassword, textPassword: textPassword, passwordGiven: passwordGiven)
                contents.keys.append(try PrivateKeyParser.privateKey(pkcs8: pkcs8))
            case Self.certBag:
                let der: [UInt8]?
                do {
                    der = try BER.sequence(value, identifier: .sequence) { nodes in
                        let certType = try ASN1ObjectIdentifier(berEncoded: &nodes)
                        guard let wrapped = nodes.next() else { return nil }
                        guard certType == Self.x509Certificate, case .constructed(let children) = wrapped.content,
                            let octets = children.first(where: { _ in true })
                        else { return nil }
                        return Array(try ASN1OctetString(berEncoded: octets).bytes)
                    }
                } catch {
                    throw malformed("a certificate bag does not parse")
                }
                if let der {
                    contents.certificates.append(try CertificateParser.certificate(der: der, source: source))
                }
            case Self.safeContentsBag:
                try collectBags(Array(value.encodedBytes), into: &contents, bmpPassword: bmpPassword, textPassword: textPassword, passwordGiven: passwordGiven, depth: depth + 1)
            default:
                continue  // CRL and secret bags are not needed
            }
        }
    }
}

/// `ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY OPTIONAL }`.
struct ContentInfo: BERParseable {
    var contentType: ASN1ObjectIdentifier
    var content: ASN1Node?

    init(derEncoded node: ASN1Node) throws {
        (contentType, content) = try BER.sequence(node, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(berEncoded: &nodes)
            let content = try BER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            return (type, content)
        }
    }

    init(berEncoded node: ASN1Node) throws {
        try self.init(derEncoded: node)
    }
}

/// `MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }`.
struct MacData: BERParseable {
    var digestAlgorithm: ASN1ObjectIdentifier
    var digest: [UInt8]
    var salt: [UInt8]
    var iterations: Int

    init(derEncoded node: ASN1Node) throws {
        (digestAlgorithm, digest, salt, iterations) = try BER.sequence(node, identifier: .sequence) { nodes in
            let (algorithm, digest) = try BER.sequence(nodes.next() ?? node, identifier: .sequence) { inner in
                (try AlgorithmIdentifierValue(derEncoded: &inner).algorithm, Array(try ASN1OctetString(berEncoded: &inner).bytes))
            }
            let salt = Array(try ASN1OctetString(berEncoded: &nodes).bytes)
            let iterations = nodes.peekIsPresent() ? try Int(berEncoded: &nodes) : 1
            return (algorithm, digest, salt, iterations)
        }
    }

    init(berEncoded node: ASN1Node) throws {
        try self.init(derEncoded: node)
    }

    /// Whether the MAC over `content` verifies with `password` (BMP-encoded).
    func verify(content: [UInt8], password: [UInt8], reader: PKCS12Reader) throws(CredentialsError) -> Bool {
        guard iterations >= 1, iterations <= PBES2Parameters.maximumIterations else {
            throw reader.malformed("the MAC iteration count \(iterations) is out of range")
        }
        func check<H: HashFunction>(_ hash: H.Type) -> Bool {
            let key = PKCS12KeyDerivation.derive(H.self, password: password, salt: salt, iterations: iterations, purpose: .mac, length: H.Digest.byteCount)
            let code = HMAC<H>.authenticationCode(for: content, using: SymmetricKey(data: key))
            return Array(code) == digest
        }
        switch digestAlgorithm {
        case PKCS12Reader.sha1: return check(Insecure.SHA1.self)
        case PKCS12Reader.sha256: return check(SHA256.self)
        case PKCS12Reader.sha384: return check(SHA384.self)
        case PKCS12Reader.sha512: return check(SHA512.self)
        case PKCS12Reader.pbmac1:
            throw CredentialsError(.unsupportedKey, "\(reader.source) uses a PBMAC1 MAC, which is not supported yet; re-export it with '-macalg sha256'")
        default:
            throw CredentialsError(.unsupportedKey, "\(reader.source) uses MAC digest \(digestAlgorithm), which is not supported")
        }
    }
}
