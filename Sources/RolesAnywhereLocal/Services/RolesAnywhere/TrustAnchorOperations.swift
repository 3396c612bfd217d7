#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereKeys
import RolesAnywhereSupport

/// CreateTrustAnchor, GetTrustAnchor, UpdateTrustAnchor, DeleteTrustAnchor, Enable/DisableTrustAnchor,
/// ListTrustAnchors, and the notification settings.
extension RolesAnywhereCall {
    struct TrustAnchorAnswer: Encodable {
        var trustAnchor: TrustAnchorRecord
    }

    struct TrustAnchorList: Encodable {
        var trustAnchors: [TrustAnchorRecord]
        var nextToken: String?
    }

    /// The most CA certificates a bundle may hold (a quota that cannot be raised).
    static let maximumAnchorCertificates = 2

    func createTrustAnchor() async throws -> LocalResponse {
        var body = try body()
        let name = body.string("name", required: true, length: 1...255, pattern: RolesAnywherePatterns.resourceName)
        let source = body.object("source", required: true) { readSource(&$0) }
        let enabled = body.bool("enabled")
        let tags = body.tags()
        let settings = body.objects("notificationSettings", count: 0...50) { readNotificationSetting(&$0) }
        try body.validate()
        guard let name, let source else { throw AWSError.rolesAnywhereValidation("name and source are required") }
        let pcaCertificate = try await checkSource(source)
        let id = Self.newID()
        var anchor = TrustAnchorRecord(
            trustAnchorId: id, trustAnchorArn: arn("trust-anchor", id), name: name, source: source,
            // Omitted means disabled: fail closed, and say so when a CreateSession is refused.
            enabled: enabled ?? false, createdAt: now, updatedAt: now, notificationSettings: NotificationSettingDetail.defaults
        )
        if let settings { anchor.notificationSettings = merge(settings, into: anchor.notificationSettings) }
        anchor.acmPcaCertificate = pcaCertificate
        try await store.saveResource(anchor)
        if let tags, !tags.isEmpty { try await store.setTags(tags, resourceArn: anchor.trustAnchorArn) }
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor), status: 201)
    }

    func readSource(_ source: inout JSONBody) -> TrustAnchorSource? {
        let type = source.string("sourceType", required: true)
        if let type, !["AWS_ACM_PCA", "CERTIFICATE_BUNDLE", "SELF_SIGNED_REPOSITORY"].contains(type) {
            source.errors.add(type, "sourceType", "Member must satisfy enum value set: [AWS_ACM_PCA, CERTIFICATE_BUNDLE, SELF_SIGNED_REPOSITORY]")
        }
        let data = source.object("sourceData", required: true) { data -> TrustAnchorSource.SourceData? in
            let certificate = data.string("x509CertificateData", length: 1...16000)
            let pca = data.string("acmPcaArn")
            if (certificate == nil) == (pca == nil) {
                data.errors.messages.append("sourceData must hold exactly one of x509CertificateData or acmPcaArn")
            }
            return TrustAnchorSource.SourceData(x509CertificateData: certificate, acmPcaArn: pca)
        }
        guard let type, let data else { return nil }
        return TrustAnchorSource(sourceType: type, sourceData: data)
    }

    /// Checks a trust anchor's source; for `AWS_ACM_PCA`, returns the Private CA's certificate as it
    /// is now, which the anchor keeps (IAM Roles Anywhere honours the CA certificate found at the
    /// latest CreateTrustAnchor or UpdateTrustAnchor).
    func checkSource(_ source: TrustAnchorSource) async throws -> String? {
        switch source.sourceType {
        case "CERTIFICATE_BUNDLE":
            guard let pem = source.sourceData.x509CertificateData else {
                throw AWSError.rolesAnywhereValidation("A CERTIFICATE_BUNDLE source needs sourceData.x509CertificateData (PEM).")
            }
            try checkAnchorCertificates(pem)
            return nil
        case "AWS_ACM_PCA":
            guard let arn = source.sourceData.acmPcaArn else {
                throw AWSError.rolesAnywhereValidation("An AWS_ACM_PCA source needs sourceData.acmPcaArn (the ARN of an AWS Private CA).")
            }
            return try await privateCACertificate(arn)
        default:
            throw AWSError.rolesAnywhereValidation(
                "rolesanywhere-local does not support \(source.sourceType) trust anchors; use CERTIFICATE_BUNDLE or AWS_ACM_PCA"
            )
        }
    }

    /// The certificate of the ACTIVE AWS Private CA `arn` names, in this account and region.
    func privateCACertificate(_ arn: String) async throws -> String {
        guard let parsed = ARN(arn), parsed.service == "acm-pca", parsed.resource.hasPrefix("certificate-authority/"),
            parsed.region == configuration.region, parsed.accountID == configuration.accountID
        else {
            throw AWSError.rolesAnywhereValidation(
                "acmPcaArn \(arn) is not the ARN of an AWS Private CA in account \(configuration.accountID), region \(configuration.region)."
            )
        }
        guard let authority = try await store.certificateAuthority(arn: arn), !authority.isGone(at: now) else {
            throw AWSError.rolesAnywhereValidation("The AWS Private CA \(arn) does not exist.")
        }
        guard authority.status == .active, let pem = authority.certificatePEM else {
            throw AWSError.rolesAnywhereValidation(
                "The AWS Private CA \(arn) is \(authority.status.rawValue); a trust anchor needs an ACTIVE CA with its certificate installed."
            )
        }
        try checkAnchorCertificates(pem)
        return pem
    }

    /// The bundle must be PEM CA certificates that IAM Roles Anywhere accepts, at most two.
    func checkAnchorCertificates(_ pem: String) throws(AWSError) {
        let certificates: [EncodedCertificate]
        do {
            certificates = try CertificateParser.bundle(pem: pem, source: "x509CertificateData")
        } catch {
            throw AWSError.rolesAnywhereValidation("x509CertificateData is not a PEM certificate bundle: \(error)")
        }
        guard !certificates.isEmpty else { throw AWSError.rolesAnywhereValidation("x509CertificateData holds no certificate.") }
        guard certificates.count <= Self.maximumAnchorCertificates else {
            throw AWSError.rolesAnywhereValidation(
                "x509CertificateData holds \(certificates.count) certificates; a trust anchor holds at most \(Self.maximumAnchorCertificates) CA certificates."
            )
        }
        for certificate in certificates {
            let facts = CertificateFacts(certificate)
            let failures = RolesAnywhereRequirements.check(facts, as: .certificateAuthority, at: now)
                .filter { $0.status == .fail && $0.id != "validity" }
            if let failure = failures.first {
                throw AWSError.rolesAnywhereValidation(
                    "The certificate \(facts.subject) cannot be a trust anchor: \(failure.requirement): \(failure.detail)"
                        + (failure.fix.map { " (\($0))" } ?? "")
                )
            }
        }
    }

    func getTrustAnchor(_ id: String) async throws -> LocalResponse {
        let anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }

    func listTrustAnchors() async throws -> LocalResponse {
        let page = try page(try await store.resources(TrustAnchorRecord.self))
        return try RolesAnywhereJSON.response(TrustAnchorList(trustAnchors: page.items, nextToken: page.nextToken))
    }

    func updateTrustAnchor(_ id: String) async throws -> LocalResponse {
        var anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        var body = try body()
        let name = body.string("name", length: 1...255, pattern: RolesAnywherePatterns.resourceName)
        let source = body.object("source") { readSource(&$0) }
        try body.validate()
        if let source {
            // For an AWS Private CA anchor this captures the CA's certificate again (a renewed one, say).
            anchor.acmPcaCertificate = try await checkSource(source)
            anchor.source = source
        }
        if let name { anchor.name = name }
        anchor.updatedAt = now
        try await store.saveResource(anchor)
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }

    func deleteTrustAnchor(_ id: String) async throws -> LocalResponse {
        let anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        // The anchor's CRLs go with it.
        for crl in try await store.resources(CRLRecord.self) where crl.trustAnchorArn == anchor.trustAnchorArn {
            try await store.deleteResource(CRLRecord.self, id: crl.crlId)
        }
        try await store.deleteResource(TrustAnchorRecord.self, id: id)
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }

    func setTrustAnchor(_ id: String, enabled: Bool) async throws -> LocalResponse {
        var anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        anchor.enabled = enabled
        anchor.updatedAt = now
        try await store.saveResource(anchor)
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }

    // MARK: Notification settings

    func readNotificationSetting(_ setting: inout JSONBody) -> NotificationSettingDetail? {
        let enabled = setting.bool("enabled")
        if !setting.has("enabled") { setting.errors.add(nil, "enabled", "Member must not be null") }
        let event = readEvent(&setting)
        let threshold = setting.integer("threshold", range: 1...360)
        let channel = readChannel(&setting)
        guard let enabled, let event else { return nil }
        return NotificationSettingDetail(enabled: enabled, event: event, threshold: threshold, channel: channel, configuredBy: configuration.accountID)
    }

    func readEvent(_ body: inout JSONBody) -> String? {
        let event = body.string("event", required: true)
        if let event, !["CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY"].contains(event) {
            body.errors.add(event, "event", "Member must satisfy enum value set: [CA_CERTIFICATE_EXPIRY, END_ENTITY_CERTIFICATE_EXPIRY]")
        }
        return event
    }

    func readChannel(_ body: inout JSONBody) -> String? {
        let channel = body.string("channel")
        if let channel, channel != "ALL" {
            body.errors.add(channel, "channel", "Member must satisfy enum value set: [ALL]")
        }
        return channel
    }

    /// Replaces the settings for the same event (and channel) with `settings`.
    func merge(_ settings: [NotificationSettingDetail], into current: [NotificationSettingDetail]) -> [NotificationSettingDetail] {
        var result = current
        for setting in settings {
            var setting = setting
            setting.channel = setting.channel ?? "ALL"
            let defaults = NotificationSettingDetail.defaults.first { $0.event == setting.event }
            setting.threshold = setting.threshold ?? defaults?.threshold
            if let index = result.firstIndex(where: { $0.event == setting.event && ($0.channel ?? "ALL") == setting.channel }) {
                result[index] = setting
            } else {
                result.append(setting)
            }
        }
        return result
    }

    func putNotificationSettings() async throws -> LocalResponse {
        var body = try body()
        let id = body.string("trustAnchorId", required: true, length: 36...36)
        let settings = body.objects("notificationSettings", required: true, count: 0...50) { readNotificationSetting(&$0) }
        try body.validate()
        guard let id, let settings else { throw AWSError.rolesAnywhereValidation("trustAnchorId and notificationSettings are required") }
        var anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        anchor.notificationSettings = merge(settings, into: anchor.notificationSettings)
        anchor.updatedAt = now
        try await store.saveResource(anchor)
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }

    func resetNotificationSettings() async throws -> LocalResponse {
        var body = try body()
        let id = body.string("trustAnchorId", required: true, length: 36...36)
        let keys = body.objects("notificationSettingKeys", required: true, count: 0...50) { key -> (String, String)? in
            let event = readEvent(&key)
            let channel = readChannel(&key)
            return event.map { ($0, channel ?? "ALL") }
        }
        try body.validate()
        guard let id, let keys else { throw AWSError.rolesAnywhereValidation("trustAnchorId and notificationSettingKeys are required") }
        var anchor = try await existing(TrustAnchorRecord.self, id, member: "trustAnchorId", name: "trust anchor")
        for (event, channel) in keys {
            anchor.notificationSettings.removeAll { $0.event == event && ($0.channel ?? "ALL") == channel }
            if let original = NotificationSettingDetail.defaults.first(where: { $0.event == event }) {
                anchor.notificationSettings.append(original)
            }
        }
        anchor.updatedAt = now
        try await store.saveResource(anchor)
        return try RolesAnywhereJSON.response(TrustAnchorAnswer(trustAnchor: anchor))
    }
}
