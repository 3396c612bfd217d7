#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mints temporary credentials for an assumed role: an `ASIA` access key ID, a secret and a session
/// token, stored with everything the session carries (tags, source identity, session policies).
/// CreateSession mints through this; it is also the internal API tests use.
public struct SessionMinter: Sendable {
    let store: any Store
    let authenticator: Authenticator?

    public init(store: any Store) {
        self.store = store
        self.authenticator = nil
    }

    init(store: any Store, authenticator: Authenticator) {
        self.store = store
        self.authenticator = authenticator
    }

    /// What a new session is for.
    public struct Request: Sendable {
        public var role: RoleRecord
        public var sessionName: String
        public var duration: TimeInterval
        public var sourceIdentity: String?
        public var tags: [String: String]
        public var sessionPolicy: String?
        public var sessionPolicyArns: [String]
        /// The keys of `tags` that pass on in a role chain.
        public var transitiveTagKeys: [String]

        public init(
            role: RoleRecord, sessionName: String, duration: TimeInterval, sourceIdentity: String? = nil, tags: [String: String] = [:],
            sessionPolicy: String? = nil, sessionPolicyArns: [String] = [], transitiveTagKeys: [String] = []
        ) {
            self.transitiveTagKeys = transitiveTagKeys
            self.role = role
            self.sessionName = sessionName
            self.duration = duration
            self.sourceIdentity = sourceIdentity
            self.tags = tags
            self.sessionPolicy = sessionPolicy
            self.sessionPolicyArns = sessionPolicyArns
        }
    }

    /// Mints and stores a session that starts at `now`.
    public func mint(_ request: Request, now: Date = Date()) async throws -> SessionRecord {
        let session = make(request, now: now)
        try await store.insertSession(session)
        authenticator?.remember(session)
        return session
    }

    /// A new session with fresh credentials, not yet stored (CreateSession stores it together with
    /// its subject, then calls ``remember(_:)``).
    func make(_ request: Request, now: Date) -> SessionRecord {
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return SessionRecord(
            accessKeyId: AccessKeyID.make(prefix: "ASIA", account: ARN(request.role.arn)?.accountID ?? ""),
            secretAccessKey: RandomText.base64(30),
            sessionToken: "IQoJb3JpZ2luX2VjE" + RandomText.base64(180),
            roleArn: request.role.arn,
            roleName: request.role.name,
            roleId: request.role.id,
            sessionName: request.sessionName,
            sourceIdentity: request.sourceIdentity,
            tags: request.tags,
            sessionPolicy: request.sessionPolicy,
            sessionPolicyArns: request.sessionPolicyArns,
            issuedAt: issued,
            expiration: issued.addingTimeInterval(request.duration)
        ).withTransitiveTagKeys(request.transitiveTagKeys)
    }

    /// Mints and stores GetSessionToken's session for an IAM user or the account root: the
    /// caller's own permissions, for `duration` from `now`.
    func mintSessionToken(for owner: Caller, duration: TimeInterval, now: Date, configuration: LocalConfiguration) async throws -> SessionRecord {
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let (kind, arn, name, id): (SessionKind, String, String, String) =
            switch owner {
            case .user(let user, _): (.user, user.arn, user.name, user.id)
            default: (.root, owner.arn(in: configuration), "", configuration.accountID)
            }
        let session = SessionRecord(
            accessKeyId: AccessKeyID.make(prefix: "ASIA", account: configuration.accountID), secretAccessKey: RandomText.base64(30),
            sessionToken: "IQoJb3JpZ2luX2VjE" + RandomText.base64(180), roleArn: arn, roleName: name, roleId: id, sessionName: "",
            sourceIdentity: nil, tags: [:], sessionPolicy: nil, sessionPolicyArns: [], issuedAt: issued,
            expiration: issued.addingTimeInterval(duration), kind: kind
        )
        try await store.insertSession(session)
        authenticator?.remember(session)
        return session
    }

    /// Lets the authenticator find a stored session without reading it back.
    func remember(_ session: SessionRecord) {
        authenticator?.remember(session)
    }
}

/// Random identifiers in AWS's alphabets.
enum RandomText {
    /// `count` random bytes from the C library's CSPRNG (`arc4random_buf`: glibc 2.36 and later,
    /// and Darwin), in one call: one `getrandom` per eight bytes made minting a session's 200 bytes
    /// of secrets cost 25 system calls.
    static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 { arc4random_buf(base, count) }
            initialized = count
        }
    }

    /// Upper-case letters and digits 2-7, as in AWS key IDs.
    static func base32(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return String(bytes(count).map { alphabet[Int($0 & 31)] })
    }

    /// Base64 characters (for secrets and tokens).
    static func base64(_ byteCount: Int) -> String {
        Data(bytes(byteCount)).base64EncodedString()
    }

    /// An IAM unique ID: a prefix such as `AROA` and 17 upper-case characters.
    static func iamID(prefix: String) -> String {
        prefix + base32(17)
    }
}

