#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A Roles Anywhere resource as stored and as sent: the Codable keys are the wire names of the
/// service model's `*Detail` shapes, so one JSON encoding serves the database and the answers.
public protocol RolesAnywhereResource: Codable, Sendable {
    /// The resource type in ARNs and in the store: `trust-anchor`, `profile`, `crl`, `subject`.
    static var kind: String { get }
    var resourceID: String { get }
    var resourceArn: String { get }
    var createdAt: Date { get }
}

/// `source` of a trust anchor: its type and the certificate bundle (or ACM PCA ARN).
public struct TrustAnchorSource: Codable, Sendable, Hashable {
    public struct SourceData: Codable, Sendable, Hashable {
        public var x509CertificateData: String?
        public var acmPcaArn: String?
    }

    public var sourceType: String
    public var sourceData: SourceData
}

/// A notification setting with who configured it (`NotificationSettingDetail`).
public struct NotificationSettingDetail: Codable, Sendable, Hashable {
    public var enabled: Bool
    public var event: String
    public var threshold: Int?
    public var channel: String?
    public var configuredBy: String?

    /// The defaults a new trust anchor gets: both expiry events, 45 days, on all channels.
    static let defaults: [NotificationSettingDetail] = ["CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY"].map {
        NotificationSettingDetail(enabled: true, event: $0, threshold: 45, channel: "ALL", configuredBy: "rolesanywhere.amazonaws.com")
    }
}

public struct TrustAnchorRecord: RolesAnywhereResource, Hashable {
    public static let kind = "trust-anchor"
    public var trustAnchorId: String
    public var trustAnchorArn: String
    public var name: String
    public var source: TrustAnchorSource
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var notificationSettings: [NotificationSettingDetail]
    /// For an `AWS_ACM_PCA` anchor: the CA's certificate (PEM) as it was at the latest
    /// CreateTrustAnchor or UpdateTrustAnchor, which is what IAM Roles Anywhere honours. Kept in
    /// the store, never sent (the model's `TrustAnchorDetail` has no such member).
    public var acmPcaCertificate: String?

    public var resourceID: String { trustAnchorId }
    public var resourceArn: String { trustAnchorArn }

    /// The CA certificates CreateSession trusts: the bundle, or the Private CA's certificate.
    public var trustedCertificatesPEM: String? { acmPcaCertificate ?? source.sourceData.x509CertificateData }

    enum CodingKeys: String, CodingKey {
        case trustAnchorId, trustAnchorArn, name, source, enabled, createdAt, updatedAt, notificationSettings, acmPcaCertificate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(trustAnchorId, forKey: .trustAnchorId)
        try container.encode(trustAnchorArn, forKey: .trustAnchorArn)
        try container.encode(name, forKey: .name)
        try container.encode(source, forKey: .source)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(notificationSettings, forKey: .notificationSettings)
        if !RolesAnywhereJSON.isWire(encoder) { try container.encodeIfPresent(acmPcaCertificate, forKey: .acmPcaCertificate) }
    }
}

/// One rule of an attribute mapping: which part of a certificate field becomes a principal tag.
public struct MappingRule: Codable, Sendable, Hashable {
    public var specifier: String
}

/// The rules for one certificate field (`x509Subject`, `x509Issuer` or `x509SAN`).
public struct AttributeMapping: Codable, Sendable, Hashable {
    public var certificateField: String
    public var mappingRules: [MappingRule]

    /// What every new profile gets: everything from subject and issuer, and the first DNS name,
    /// URI and directory name of the SAN.
    static let defaults: [AttributeMapping] = [
        AttributeMapping(certificateField: "x509Issuer", mappingRules: [MappingRule(specifier: "*")]),
        AttributeMapping(certificateField: "x509SAN", mappingRules: ["DNS", "URI", "Name/*"].map(MappingRule.init)),
        AttributeMapping(certificateField: "x509Subject", mappingRules: [MappingRule(specifier: "*")]),
    ]
}

public struct ProfileRecord: RolesAnywhereResource, Hashable {
    public static let kind = "profile"
    public var profileId: String
    public var profileArn: String
    public var name: String
    public var requireInstanceProperties: Bool?
    public var enabled: Bool
    public var createdBy: String
    public var sessionPolicy: String?
    public var roleArns: [String]
    public var managedPolicyArns: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var durationSeconds: Int
    public var acceptRoleSessionName: Bool
    public var attributeMappings: [AttributeMapping]

    public var resourceID: String { profileId }
    public var resourceArn: String { profileArn }
}

public struct CRLRecord: RolesAnywhereResource, Hashable {
    public static let kind = "crl"
    public var crlId: String
    public var crlArn: String
    public var name: String
    public var enabled: Bool
    /// The PEM bytes as imported (base64 on the wire).
    public var crlData: Data
    public var trustAnchorArn: String
    public var createdAt: Date
    public var updatedAt: Date

    public var resourceID: String { crlId }
    public var resourceArn: String { crlArn }
}

/// A certificate seen by CreateSession (`CredentialSummary`).
public struct CredentialSummary: Codable, Sendable, Hashable {
    public var seenAt: Date
    public var serialNumber: String
    public var issuer: String
    public var enabled: Bool
    public var x509CertificateData: String
    public var failed: Bool
}

public struct InstanceProperty: Codable, Sendable, Hashable {
    public var seenAt: Date
    public var properties: [String: String]
    public var failed: Bool
}

/// Who has authenticated: one subject per certificate subject DN, with the certificates seen.
public struct SubjectRecord: RolesAnywhereResource, Hashable {
    public static let kind = "subject"
    public var subjectArn: String
    public var subjectId: String
    public var enabled: Bool
    public var x509Subject: String
    public var lastSeenAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var credentials: [CredentialSummary]
    public var instanceProperties: [InstanceProperty]

    public var resourceID: String { subjectId }
    public var resourceArn: String { subjectArn }

    /// The `SubjectSummary` of ListSubjects.
    var summary: SubjectSummary {
        SubjectSummary(
            subjectArn: subjectArn, subjectId: subjectId, enabled: enabled, x509Subject: x509Subject, lastSeenAt: lastSeenAt,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

/// A subject without its credentials and instance properties, as ListSubjects returns it.
public struct SubjectSummary: Codable, Sendable, Hashable {
    public var subjectArn: String
    public var subjectId: String
    public var enabled: Bool
    public var x509Subject: String
    public var lastSeenAt: Date
    public var createdAt: Date
    public var updatedAt: Date
}

/// A resource tag (`Tag`).
public struct ResourceTag: Codable, Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
