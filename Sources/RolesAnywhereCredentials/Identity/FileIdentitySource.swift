public import RolesAnywhereSigning
import X509
public import RolesAnywhereSupport
public import RolesAnywhereKeys

/// A signing identity read from files: the `--certificate`, `--private-key` and `--intermediates`
/// of the official helper, with the same rules.
///
/// - `--certificate` holds a PEM certificate (the first `CERTIFICATE` block is the end-entity
///   certificate). Without `--private-key` the key is looked for in the same PEM file; a file that is
///   not PEM is read as PKCS#12 (certificate, chain and key in one file).
/// - `--private-key` holds a PEM key: PKCS#1, SEC1, PKCS#8 or encrypted PKCS#8.
/// - `--intermediates` holds PEM certificates only, sent in order as `X-Amz-X509-Chain`.
///
/// The files are read again on every ``load()``, so a certificate rotated on disk is used by the
/// next session without a restart.
public struct FileIdentitySource: Sendable, Hashable {
    public var certificatePath: String?
    public var privateKeyPath: String?
    public var intermediatesPath: String?
    public var password: PasswordSource
    /// The contents of `privateKeyPath` when the caller has read it already (to tell a TPM key file
    /// from a PEM one), so that a one-shot command reads each file once. `nil` reads the file on
    /// every ``load()``, as a source that follows rotation must.
    public var privateKeyContents: [UInt8]?

    public init(
        certificatePath: String?,
        privateKeyPath: String? = nil,
        intermediatesPath: String? = nil,
        password: PasswordSource = .none,
        privateKeyContents: [UInt8]? = nil
    ) {
        self.certificatePath = certificatePath.flatMap { $0.isEmpty ? nil : $0 }
        self.privateKeyPath = privateKeyPath.flatMap { $0.isEmpty ? nil : $0 }
        self.intermediatesPath = intermediatesPath.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password
        self.privateKeyContents = self.privateKeyPath == nil ? nil : privateKeyContents
    }

    /// This source reading every file afresh on each load (for `serve` and `update`).
    public var rereadingFiles: FileIdentitySource {
        var source = self
        source.privateKeyContents = nil
        return source
    }

    /// Reads and checks the certificate, chain and key.
    public func load() throws(CredentialsError) -> SigningIdentity {
        guard let certificatePath else {
            throw CredentialsError(
                .invalidConfiguration,
                privateKeyPath == nil
                    ? "no certificate given: pass --certificate (and --private-key unless the certificate file also holds the key)"
                    : "no certificate given: pass --certificate with the certificate that belongs to --private-key"
            )
        }
        let certificateBytes = try FileReader.read(certificatePath, role: "certificate")
        let text = String(decoding: certificateBytes, as: UTF8.self)
        let blocks = PEMBlock.mayHoldPEM(certificateBytes) ? try PEMBlock.parseAll(text) : []
        let source = "the certificate file '\(certificatePath)'"

        guard let certificateBlock = blocks.first(where: { $0.type == "CERTIFICATE" }) else {
            if blocks.isEmpty && privateKeyPath == nil {
                guard intermediatesPath == nil else {
                    throw CredentialsError(
                        .invalidConfiguration,
                        "--intermediates cannot be used with a PKCS#12 file: put the chain inside the PKCS#12 file"
                    )
                }
                let bundle = try PKCS12Bundle(derEncoded: certificateBytes, password: password, source: source)
                return try Self.identity(certificate: bundle.certificate, chain: bundle.chain, key: bundle.privateKey)
            }
            if blocks.isEmpty, let der = try? EncodedCertificate(derEncoded: certificateBytes, modelling: .onDemand) {
                return try identity(certificate: der, inlineKeyBlocks: [])
            }
            throw CredentialsError(
                .invalidInput,
                blocks.isEmpty
                    ? "\(source) is neither a PEM certificate nor a DER certificate\(privateKeyPath == nil ? " nor a PKCS#12 file" : "")"
                    : "\(source) has no CERTIFICATE block (it has: \(blocks.map(\.type).joined(separator: ", ")))"
            )
        }
        // Only sent, never verified here: swift-certificates' model is not built (see Modelling).
        let certificate = try CertificateParser.certificate(der: certificateBlock.derBytes, source: source, modelling: .onDemand)
        return try identity(certificate: certificate, inlineKeyBlocks: blocks.filter { PrivateKeyParser.keyBlockTypes.contains($0.type) })
    }

    /// Reads only the private key (for `sign-string`): from `--private-key`, or from the certificate
    /// file when it also holds the key (combined PEM or PKCS#12).
    public func loadPrivateKey() throws(CredentialsError) -> SigningKey {
        if privateKeyPath == nil, certificatePath != nil {
            return try load().key
        }
        guard let privateKeyPath else {
            throw CredentialsError(.invalidConfiguration, "no private key given: pass --private-key")
        }
        return try Self.readKey(path: privateKeyPath, password: password, contents: privateKeyContents)
    }

    private func identity(certificate: EncodedCertificate, inlineKeyBlocks: [PEMBlock]) throws(CredentialsError) -> SigningIdentity {
        let key: SigningKey
        if let privateKeyPath {
            key = try Self.readKey(path: privateKeyPath, password: password, contents: privateKeyContents)
        } else if let block = inlineKeyBlocks.first {
            key = try PrivateKeyParser.privateKey(from: block, password: password)
        } else {
            throw CredentialsError(
                .invalidConfiguration,
                "no private key given: pass --private-key (the certificate file '\(certificatePath ?? "")' holds no key)"
            )
        }
        var chain = [EncodedCertificate]()
        if let intermediatesPath {
            chain = try CertificateParser.bundle(
                pem: try FileReader.readText(intermediatesPath, role: "intermediates"),
                source: "the intermediates file '\(intermediatesPath)'",
                modelling: .onDemand
            )
        }
        return try Self.identity(certificate: certificate, chain: chain, key: key)
    }

    /// A ``SigningIdentity``, with the key checked against the certificate and errors in the helper's words.
    package static func identity(
        certificate: EncodedCertificate,
        chain: [EncodedCertificate],
        key: SigningKey
    ) throws(CredentialsError) -> SigningIdentity {
        do {
            return try SigningIdentity(certificate: certificate, certificateChain: chain, key: key)
        } catch {
            switch error.code {
            case .keyMismatch:
                throw CredentialsError(
                    .keyMismatch,
                    "the private key does not belong to the certificate (\(certificate.fields.subject)); check --certificate and --private-key"
                )
            default:
                throw CredentialsError(.unsupportedKey, error.message)
            }
        }
    }

    /// Reads the first private key of a PEM file (any of the supported forms, encrypted or not).
    /// Reads the key of the PEM file at `path`, or of `contents` when they were read from it already.
    public static func readKey(path: String, password: PasswordSource, contents: [UInt8]? = nil) throws(CredentialsError) -> SigningKey {
        let bytes: [UInt8]
        if let contents { bytes = contents } else { bytes = try FileReader.read(path, role: "private key") }
        let source = "the private key file '\(path)'"
        guard PEMBlock.mayHoldPEM(bytes) else {
            throw CredentialsError(.invalidInput, "\(source) is not PEM (expected a '-----BEGIN ... PRIVATE KEY-----' block)")
        }
        let blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self))
        guard let block = blocks.first(where: { PrivateKeyParser.keyBlockTypes.contains($0.type) }) else {
            throw CredentialsError(
                .invalidInput,
                blocks.isEmpty
                    ? "\(source) holds no PEM block"
                    : "\(source) holds no private key (it has: \(blocks.map(\.type).joined(separator: ", ")))"
            )
        }
        do {
            return try PrivateKeyParser.privateKey(from: block, password: password)
        } catch {
            var error = error
            if error.code == .invalidInput { error.message = "\(source): \(error.message)" }
            throw error
        }
    }
}
