import Crypto
public import RolesAnywhereSigning
import RolesAnywhereSupport

/// Everything that decides which credentials CreateSession returns, hashed into the name of a
/// ``CredentialCache`` entry: a rotated certificate or any changed flag gives another key.
public struct CredentialCacheKey: Sendable, Hashable {
    /// The SHA-256 fingerprint of the end-entity certificate's DER bytes.
    public var certificateFingerprint: [UInt8]
    /// The SHA-256 fingerprints of the intermediates sent with it, in order.
    public var chainFingerprints: [[UInt8]]
    public var trustAnchorArn: String
    public var profileArn: String
    public var roleArn: String
    public var region: String
    public var endpoint: String
    public var roleSessionName: String?
    public var durationSeconds: Int?

    public init(
        certificateFingerprint: [UInt8], chainFingerprints: [[UInt8]] = [], trustAnchorArn: String, profileArn: String, roleArn: String,
        region: String, endpoint: String, roleSessionName: String?, durationSeconds: Int?
    ) {
        self.certificateFingerprint = certificateFingerprint
        self.chainFingerprints = chainFingerprints
        self.trustAnchorArn = trustAnchorArn
        self.profileArn = profileArn
        self.roleArn = roleArn
        self.region = region
        self.endpoint = endpoint
        self.roleSessionName = roleSessionName
        self.durationSeconds = durationSeconds
    }

    /// The key of a CreateSession request as `credential-process` makes it.
    public init(identity: SigningIdentity, input: CreateSessionInput, configuration: RolesAnywhereClientConfiguration) {
        self.init(
            certificateFingerprint: Array(SHA256.hash(data: identity.certificate.derBytes)),
            chainFingerprints: identity.certificateChain.map { Array(SHA256.hash(data: $0.derBytes)) },
            trustAnchorArn: input.trustAnchorArn.description, profileArn: input.profileArn.description, roleArn: input.roleArn.description,
            region: configuration.region, endpoint: configuration.endpoint.description, roleSessionName: input.roleSessionName,
            durationSeconds: input.durationSeconds
        )
    }

    /// The hex SHA-256 of every field, each length-prefixed so that no two keys share an encoding.
    public var digest: String {
        var hasher = SHA256()
        func add(_ bytes: some Collection<UInt8>) {
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(bytes))
        }
        add("rolesanywhere credential cache v1".utf8)
        add(certificateFingerprint)
        add(String(chainFingerprints.count).utf8)
        for fingerprint in chainFingerprints { add(fingerprint) }
        for field in [trustAnchorArn, profileArn, roleArn, region, endpoint] { add(field.utf8) }
        add((roleSessionName.map { "name:" + $0 } ?? "none").utf8)
        add((durationSeconds.map { "seconds:\($0)" } ?? "none").utf8)
        return Hex.encode(Array(hasher.finalize()))
    }
}
