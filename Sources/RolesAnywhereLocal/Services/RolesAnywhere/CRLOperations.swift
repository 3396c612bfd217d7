#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereKeys

/// ImportCrl, GetCrl, UpdateCrl, DeleteCrl, Enable/DisableCrl and ListCrls.
extension RolesAnywhereCall {
    struct CRLAnswer: Encodable {
        var crl: CRLRecord
    }

    struct CRLList: Encodable {
        var crls: [CRLRecord]
        var nextToken: String?
    }

    /// The most CRLs one trust anchor may have (a quota).
    static let maximumCRLsPerAnchor = 2

    /// `crlData`: base64 on the wire of the CRL's PEM, which must parse, and whose signature must
    /// verify when its issuer is one of the anchor's certificates.
    func readCRLData(_ body: inout JSONBody, required: Bool) -> (Data, CertificateRevocationList)? {
        guard let text = body.string("crlData", required: required) else { return nil }
        guard let data = Data(base64Encoded: text), (1...300_000).contains(data.count) else {
            body.errors.add(String(text.prefix(32)) + "...", "crlData", "Member must be base64 of 1 to 300000 bytes (the CRL's PEM)")
            return nil
        }
        do {
            return (data, try CertificateRevocationList(pemOrDER: Array(data), source: "crlData"))
        } catch {
            body.errors.messages.append("crlData is not a CRL: \(error)")
            return nil
        }
    }

    func checkCRL(_ crl: CertificateRevocationList, anchor: TrustAnchorRecord) throws(AWSError) {
        let certificates = (try? CertificateParser.bundle(pem: anchor.trustedCertificatesPEM ?? "", source: "trust anchor")) ?? []
        for certificate in certificates.map(CertificateFacts.init) where certificate.subject == crl.issuer {
            guard let parsed = certificate.fields, crl.isSigned(by: parsed) else {
                throw AWSError.rolesAnywhereValidation("The CRL names \(crl.issuer) as its issuer, but that trust anchor certificate's key did not sign it.")
            }
        }
    }

    func importCRL() async throws -> LocalResponse {
        var body = try body()
        let name = body.string("name", required: true, length: 1...255, pattern: RolesAnywherePatterns.resourceName)
        let crl = readCRLData(&body, required: true)
        let anchorArn = body.string("trustAnchorArn", required: true, length: 1...1011, pattern: RolesAnywherePatterns.trustAnchorArn)
        let enabled = body.bool("enabled")
        let tags = body.tags()
        try body.validate()
        guard let name, let crl, let anchorArn else { throw AWSError.rolesAnywhereValidation("name, crlData and trustAnchorArn are required") }
        let anchor = try await anchor(arn: anchorArn)
        try checkCRL(crl.1, anchor: anchor)
        let existing = try await store.resources(CRLRecord.self).filter { $0.trustAnchorArn == anchor.trustAnchorArn }
        guard existing.count < Self.maximumCRLsPerAnchor else {
            throw AWSError.rolesAnywhereValidation(
                "The trust anchor \(anchor.trustAnchorId) already has \(existing.count) CRLs, the most it may have; update or delete one instead."
            )
        }
        let id = Self.newID()
        let record = CRLRecord(
            crlId: id, crlArn: arn("crl", id), name: name, enabled: enabled ?? false, crlData: crl.0,
            trustAnchorArn: anchor.trustAnchorArn, createdAt: now, updatedAt: now
        )
        try await store.saveResource(record)
        if let tags, !tags.isEmpty { try await store.setTags(tags, resourceArn: record.crlArn) }
        return try RolesAnywhereJSON.response(CRLAnswer(crl: record), status: 201)
    }

    /// The trust anchor an ARN names, in this account and region.
    func anchor(arn: String) async throws -> TrustAnchorRecord {
        guard let id = configuration.rolesAnywhereID(arn, type: TrustAnchorRecord.kind), let anchor = try await store.resource(TrustAnchorRecord.self, id: id) else {
            throw AWSError.resourceNotFound("The trust anchor \(arn) does not exist in account \(configuration.accountID), region \(configuration.region).")
        }
        return anchor
    }

    func getCRL(_ id: String) async throws -> LocalResponse {
        let crl = try await existing(CRLRecord.self, id, member: "crlId", name: "CRL")
        return try RolesAnywhereJSON.response(CRLAnswer(crl: crl))
    }

    func listCRLs() async throws -> LocalResponse {
        let page = try page(try await store.resources(CRLRecord.self))
        return try RolesAnywhereJSON.response(CRLList(crls: page.items, nextToken: page.nextToken))
    }

    func updateCRL(_ id: String) async throws -> LocalResponse {
        var record = try await existing(CRLRecord.self, id, member: "crlId", name: "CRL")
        var body = try body()
        let name = body.string("name", length: 1...255, pattern: RolesAnywherePatterns.resourceName)
        let crl = readCRLData(&body, required: false)
        try body.validate()
        if let crl {
            try checkCRL(crl.1, anchor: try await anchor(arn: record.trustAnchorArn))
            record.crlData = crl.0
        }
        if let name { record.name = name }
        record.updatedAt = now
        try await store.saveResource(record)
        return try RolesAnywhereJSON.response(CRLAnswer(crl: record))
    }

    func deleteCRL(_ id: String) async throws -> LocalResponse {
        let record = try await existing(CRLRecord.self, id, member: "crlId", name: "CRL")
        try await store.deleteResource(CRLRecord.self, id: id)
        return try RolesAnywhereJSON.response(CRLAnswer(crl: record))
    }

    func setCRL(_ id: String, enabled: Bool) async throws -> LocalResponse {
        var record = try await existing(CRLRecord.self, id, member: "crlId", name: "CRL")
        record.enabled = enabled
        record.updatedAt = now
        try await store.saveResource(record)
        return try RolesAnywhereJSON.response(CRLAnswer(crl: record))
    }
}
