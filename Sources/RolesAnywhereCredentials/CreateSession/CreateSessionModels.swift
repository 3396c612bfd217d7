#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import RolesAnywhereSupport

/// The parameters of a CreateSession call.
public struct CreateSessionInput: Sendable, Hashable {
    public var trustAnchorArn: ARN
    public var profileArn: ARN
    public var roleArn: ARN
    /// `--session-duration`; the service accepts 900-43200 and caps it by the profile and the role.
    public var durationSeconds: Int?
    /// `--role-session-name`; sent only when set (the profile must accept it).
    public var roleSessionName: String?

    public init(trustAnchorArn: ARN, profileArn: ARN, roleArn: ARN, durationSeconds: Int? = 3600, roleSessionName: String? = nil) {
        self.trustAnchorArn = trustAnchorArn
        self.profileArn = profileArn
        self.roleArn = roleArn
        self.durationSeconds = durationSeconds
        self.roleSessionName = roleSessionName
    }

    /// The query string the official helper sends: the three ARNs, sorted and SigV4-encoded.
    var queryParameters: [(name: String, value: String)] {
        [
            ("profileArn", profileArn.description), ("roleArn", roleArn.description),
            ("trustAnchorArn", trustAnchorArn.description),
        ]
    }

    /// The compact JSON body the official helper sends.
    var body: String {
        var members = [(String, String)]()
        if let durationSeconds { members.append(("durationSeconds", String(durationSeconds))) }
        if let roleSessionName, !roleSessionName.isEmpty { members.append(("roleSessionName", JSONText.string(roleSessionName))) }
        return JSONText.object(members)
    }
}

/// Temporary credentials, as CreateSession returns them.
public struct SessionCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String
    /// The service's expiration string, passed through unchanged (e.g. `2026-11-29T02:23:21Z`).
    public var expiration: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String, expiration: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The `credential_process` output: one line of JSON, no trailing newline, in the official
    /// helper's member order.
    public var credentialProcessJSON: String {
        JSONText.object([
            ("Version", "1"),
            ("AccessKeyId", JSONText.string(accessKeyId)),
            ("SecretAccessKey", JSONText.string(secretAccessKey)),
            ("SessionToken", JSONText.string(sessionToken)),
            ("Expiration", JSONText.string(expiration)),
        ])
    }
}

/// The CreateSession response (HTTP 201).
public struct CreateSessionOutput: Sendable, Hashable, Decodable {
    public struct CredentialSet: Sendable, Hashable, Decodable {
        public struct AssumedRoleUser: Sendable, Hashable, Decodable {
            public var arn: String?
            public var assumedRoleId: String?
        }
        public struct Credentials: Sendable, Hashable, Decodable {
            public var accessKeyId: String?
            public var secretAccessKey: String?
            public var sessionToken: String?
            public var expiration: String?
        }
        public var assumedRoleUser: AssumedRoleUser?
        public var credentials: Credentials?
        public var packedPolicySize: Int?
        public var roleArn: String?
        public var sourceIdentity: String?
    }

    public var credentialSet: [CredentialSet]?
    public var subjectArn: String?

    /// The credentials of the first set, or an error when the response has none.
    public func sessionCredentials() throws(CredentialsError) -> SessionCredentials {
        guard let credentials = credentialSet?.first?.credentials,
            let accessKeyId = credentials.accessKeyId, !accessKeyId.isEmpty,
            let secretAccessKey = credentials.secretAccessKey, !secretAccessKey.isEmpty,
            let sessionToken = credentials.sessionToken, !sessionToken.isEmpty,
            let expiration = credentials.expiration, !expiration.isEmpty
        else {
            throw CredentialsError(.invalidResponse, "unable to obtain temporary security credentials from CreateSession: the response holds no complete credential set")
        }
        return SessionCredentials(
            accessKeyId: accessKeyId,
            secretAccessKey: secretAccessKey,
            sessionToken: sessionToken,
            expiration: expiration
        )
    }
}
