import RolesAnywhereCredentials
public import SwiftASN1
public import X509

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport
import RolesAnywhereKeys

/// A private key inside a TPM 2.0: a persistent handle, or a TSS2 key file loaded under its parent for
/// each signature and flushed afterwards (as `aws_signing_helper` does).
///
/// The digest is computed here; the TPM signs it with RSASSA-PKCS1-v1_5 or ECDSA, and ECDSA's `r` and
/// `s` are encoded as DER.
public struct TPMPrivateKey: CustomPrivateKey {
    enum Location: Hashable {
        case persistent(UInt32)
        case keyFile(parent: UInt32, publicBlob: [UInt8], privateBlob: [UInt8])
    }

    let device: TPMDevice
    let location: Location
    let password: [UInt8]
    let isRSA: Bool
    public let publicKey: Certificate.PublicKey
    /// How the key was named (for messages).
    public let name: String

    init(device: TPMDevice, location: Location, password: [UInt8], isRSA: Bool, publicKey: Certificate.PublicKey, name: String) {
        self.device = device
        self.location = location
        self.password = password
        self.isRSA = isRSA
        self.publicKey = publicKey
        self.name = name
    }

    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { isRSA ? .sha256WithRSAEncryption : .ecdsaWithSHA256 }

    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] {
        SignatureHash.algorithms(rsa: isRSA)
    }

    public func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        guard let hash = SignatureHash(signatureAlgorithm), supportedSignatureAlgorithms.contains(signatureAlgorithm) else {
            throw CredentialsError(.unsupportedKey, "the TPM key \(name) cannot sign with \(signatureAlgorithm)")
        }
        let digest = hash.digest(Array(bytes))
        let hashAlgorithm = switch hash {
        case .sha256: TPM2.algorithmSHA256
        case .sha384: TPM2.algorithmSHA384
        case .sha512: TPM2.algorithmSHA512
        }
        let commands = TPMCommands(device: device)
        let signature = try withLoadedKey(commands) { (handle) throws(CredentialsError) in
            switch try commands.sign(key: handle, password: password, digest: digest, scheme: isRSA ? TPM2.algorithmRSASSA : TPM2.algorithmECDSA, hash: hashAlgorithm) {
            case .success(let signature): return signature
            case .failure(let refusal): throw TPMIdentitySource.error(refusal, key: name)
            }
        }
        switch signature {
        case .rsa(let bytes):
            return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: bytes[...]))
        case .ecdsa(let r, let s):
            let der = try ECDSASignatureDER.encode(r: r, s: s)
            return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: der[...]))
        }
    }

    /// Runs `body` with the key's handle: the persistent one, or the key loaded under its parent (and
    /// the parent created, for a hierarchy), flushing what was loaded.
    func withLoadedKey<T>(_ commands: TPMCommands, _ body: (UInt32) throws(CredentialsError) -> T) throws(CredentialsError) -> T {
        switch location {
        case .persistent(let handle):
            return try body(handle)
        case .keyFile(let parent, let publicBlob, let privateBlob):
            var parentHandle = parent
            var createdParent: UInt32?
            if TPMIdentitySource.isHierarchy(parent) {
                switch try commands.createStoragePrimary(hierarchy: parent) {
                case .success(let handle): parentHandle = handle; createdParent = handle
                case .failure(let refusal): throw TPMIdentitySource.error(refusal, key: name)
                }
            }
            defer { if let createdParent { commands.flush(createdParent) } }
            let loaded: UInt32
            switch try commands.load(parent: parentHandle, parentPassword: [], privateBlob: privateBlob, publicBlob: publicBlob) {
            case .success(let handle): loaded = handle
            case .failure(let refusal): throw TPMIdentitySource.error(refusal, key: name)
            }
            defer { commands.flush(loaded) }
            return try body(loaded)
        }
    }

    // A TPM key has no PEM or DER form: it never leaves the TPM.
    public static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    public func serialize(into coder: inout DER.Serializer) throws {
        throw CredentialsError(.invalidInput, "the TPM key \(name) cannot be exported: it never leaves the TPM")
    }

    public static func == (lhs: TPMPrivateKey, rhs: TPMPrivateKey) -> Bool {
        lhs.device === rhs.device && lhs.location == rhs.location && lhs.password == rhs.password
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(device))
        hasher.combine(location)
    }
}
