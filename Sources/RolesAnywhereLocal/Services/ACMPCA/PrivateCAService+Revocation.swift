#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereSupport
import X509

/// RevokeCertificate, UpdateCertificateAuthority and the CRLs a CA publishes: DER, signed by the CA,
/// written to the configured bucket of this same server at `crl/<CA-ID>.crl` (AWS's key) when CRLs
/// are enabled, when the CA gets its certificate, and at once on each revocation (AWS takes about
/// 30 minutes; offline, waiting would only slow tests down).
extension PrivateCAService {
    // MARK: - RevokeCertificate

    func revoke(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let serialText = body.string("CertificateSerial", required: true, length: 0...128)
        let reason = body.enumeration("RevocationReason", PrivateCARevocationReason.self, required: true)
        try body.validate()
        guard let serialText, let reason else { throw PrivateCAErrors.internalValidation }
        guard authority.status == .active || authority.status == .disabled else {
            throw PrivateCAErrors.invalidState(authority, "revoke certificates")
        }
        guard let serial = Self.serialHex(serialText) else {
            throw PrivateCAErrors.error("InvalidRequestException", "The certificate serial \(serialText) is not a hexadecimal serial number.")
        }
        let issued = try await Self.storeCall { try await store.issuedCertificates(authorityArn: authority.arn) }
        guard var certificate = issued.first(where: { Self.serialHex($0.serialHex) == serial }) else {
            throw PrivateCAErrors.error("ResourceNotFoundException", "Could not find a certificate with serial \(serialText) issued by \(authority.arn).")
        }
        if authority.kind == .root, let own = authority.certificatePEM, own == certificate.certificatePEM {
            throw PrivateCAErrors.error("InvalidRequestException", "A root CA's self-signed certificate cannot be revoked; disable or delete the CA instead.")
        }
        guard certificate.revokedAt == nil else {
            throw PrivateCAErrors.error("RequestAlreadyProcessedException", "The certificate with serial \(serialText) has already been revoked.")
        }
        certificate.revokedAt = now
        certificate.revocationReason = reason
        let revoked = certificate
        try await Self.storeCall { try await store.saveIssuedCertificate(revoked) }
        if authority.crl != nil {
            authority = try await publishCRL(authority, now: now)
            let updated = authority
            try await Self.storeCall { try await store.saveCertificateAuthority(updated) }
        }
        return try PrivateCAJSON.response([String: String]())
    }

    /// A serial number in lower-case hexadecimal without separators or leading zeros; nil if not hex.
    static func serialHex(_ text: String) -> String? {
        let digits = text.lowercased().filter { $0 != ":" }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ Hex.isDigit($0) }) else { return nil }
        let trimmed = digits.drop(while: { $0 == "0" })
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    // MARK: - UpdateCertificateAuthority

    func update(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let revocationMembers = body.object("RevocationConfiguration")
        let revocation = body.raw("RevocationConfiguration")
        let status = body.enumeration("Status", PrivateCARecord.Status.self)
        try body.validate()
        guard authority.status == .active || authority.status == .disabled else {
            throw PrivateCAErrors.invalidState(authority, "be updated (only an ACTIVE or DISABLED CA can)")
        }
        if let status {
            guard status == .active || status == .disabled else {
                throw PrivateCAErrors.invalidArgs("UpdateCertificateAuthority sets the status to ACTIVE or DISABLED, not \(status.rawValue).")
            }
            if status == .active, let notAfter = authority.notAfter, notAfter <= now {
                throw PrivateCAErrors.invalidState(authority, "be made ACTIVE: its certificate expired at \(AmzDate(notAfter).iso8601)")
            }
        }
        if var revocationMembers, let revocation {
            let crl = try PrivateCACRLConfiguration.read(&revocationMembers)
            if let crl { try await checkBucket(crl) }
            authority.crl = crl
            authority.revocationConfiguration = PrivateCAJSON.text(revocation)
        }
        if let status, status != authority.status {
            authority.status = status
            authority.lastStateChangeAt = now
        }
        if authority.crl != nil, authority.certificatePEM != nil, revocation != nil {
            authority = try await publishCRL(authority, now: now)
        }
        let updated = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(updated) }
        return try PrivateCAJSON.response([String: String]())
    }

    /// The CRL bucket must exist on this server (AWS checks that it can write to it).
    func checkBucket(_ crl: PrivateCACRLConfiguration) async throws(AWSError) {
        guard try await Self.storeCall({ try await store.bucket(named: crl.bucket) }) != nil else {
            throw PrivateCAErrors.invalidArgs(
                "The S3 bucket \(crl.bucket) does not exist, so the CRL cannot be written to it; create it first (aws s3 mb s3://\(crl.bucket))."
            )
        }
    }

    // MARK: - Publishing

    /// Signs the CA's CRL (every certificate it revoked that had not expired at the previous CRL, so a
    /// revoked certificate appears until it expires and in one CRL after) and writes it, DER, to the
    /// configured bucket. Returns the CA with the new CRL's number and time, for the caller to save.
    func publishCRL(_ authority: PrivateCARecord, now: Date) async throws(AWSError) -> PrivateCARecord {
        guard let crl = authority.crl, let pem = authority.certificatePEM else { return authority }
        try await checkBucket(crl)
        let since = authority.crlPublishedAt ?? now
        let entries = try await Self.storeCall { try await store.issuedCertificates(authorityArn: authority.arn) }
            .compactMap { certificate -> CertificateRevocationList.Entry? in
                guard let revokedAt = certificate.revokedAt, certificate.notAfter > since else { return nil }
                return CertificateRevocationList.Entry(
                    serialNumber: Hex.decode(certificate.serialHex.count % 2 == 0 ? certificate.serialHex : "0" + certificate.serialHex) ?? [],
                    revocationDate: revokedAt, reason: certificate.revocationReason?.crlReason
                )
            }
        // AWS numbers CRLs with the time in milliseconds; each number is larger than the last.
        let number = max((authority.crlNumber ?? 0) + 1, UInt64(max(0, now.timeIntervalSince1970 * 1000)))
        let list: CertificateRevocationList
        do {
            let certificate = try PrivateCACertificates.single(Array(pem.utf8), what: "CA certificate")
            let signer = try CertificateAuthority(certificate: certificate, privateKey: try signingKey(of: authority), now: now)
            list = try CertificateRevocationList.make(
                authority: signer, entries: entries, thisUpdate: now,
                nextUpdate: now.addingTimeInterval(TimeInterval(crl.expirationInDays) * 86400), crlNumber: number,
                digest: authority.signingAlgorithm.digest
            )
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("the CRL of \(authority.arn) could not be signed: \(error)")
        }
        let object = ObjectRecord(
            bucket: crl.bucket, key: crl.objectKey(authorityID: authority.authorityID), size: list.derBytes.count,
            etag: Hex.encode(Insecure.MD5.hash(data: list.derBytes)), lastModified: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)),
            contentType: "application/pkix-crl", metadata: [:]
        )
        try await Self.storeCall { try await store.putObject(object, data: list.derBytes) }
        var published = authority
        published.crlNumber = number
        published.crlPublishedAt = now
        return published
    }

    /// The CRL distribution points extension the certificates a CA issues carry while its CRLs are
    /// enabled (unless the configuration omits it).
    func distributionPointExtension(_ authority: PrivateCARecord) throws -> Certificate.Extension? {
        guard let crl = authority.crl, !crl.omitExtension else { return nil }
        return try CRLDistributionPoints.extension(
            uri: crl.distributionPoint(authorityID: authority.authorityID, region: configuration.region, partition: configuration.partition)
        )
    }
}
