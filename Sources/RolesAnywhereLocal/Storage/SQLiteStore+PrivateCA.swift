#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// AWS Private CA: each CA and each issued certificate kept as its JSON document (the CA's key in it
/// sealed by the vault, never in the clear).
extension SQLiteStore {
    public func saveCertificateAuthority(_ authority: PrivateCARecord) async throws {
        let document = String(decoding: try JSONEncoder().encode(authority), as: UTF8.self)
        try await database.write { db in
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO pca_authorities VALUES (?, ?, ?)")
                .execute(arguments: [authority.arn, authority.createdAt.timeIntervalSince1970, document])
        }
    }

    public func certificateAuthority(arn: String) async throws -> PrivateCARecord? {
        try await database.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT document FROM pca_authorities WHERE arn = ?"), arguments: [arn])
        }.map { try JSONDecoder().decode(PrivateCARecord.self, from: Data($0.utf8)) }
    }

    public func certificateAuthorities() async throws -> [PrivateCARecord] {
        try await database.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT document FROM pca_authorities ORDER BY created_at, arn"))
        }.map { try JSONDecoder().decode(PrivateCARecord.self, from: Data($0.utf8)) }
    }

    public func saveIssuedCertificate(_ certificate: PrivateCAIssuedCertificate) async throws {
        let document = String(decoding: try JSONEncoder().encode(certificate), as: UTF8.self)
        try await database.write { db in
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO pca_certificates VALUES (?, ?, ?, ?)")
                .execute(arguments: [certificate.arn, certificate.authorityArn, certificate.issuedAt.timeIntervalSince1970, document])
        }
    }

    public func issuedCertificates(authorityArn: String) async throws -> [PrivateCAIssuedCertificate] {
        try await database.read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT document FROM pca_certificates WHERE authority_arn = ? ORDER BY issued_at, arn"), arguments: [authorityArn]
            )
        }.map { try JSONDecoder().decode(PrivateCAIssuedCertificate.self, from: Data($0.utf8)) }
    }

    public func issuedCertificate(arn: String) async throws -> PrivateCAIssuedCertificate? {
        try await database.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT document FROM pca_certificates WHERE arn = ?"), arguments: [arn])
        }.map { try JSONDecoder().decode(PrivateCAIssuedCertificate.self, from: Data($0.utf8)) }
    }
}
