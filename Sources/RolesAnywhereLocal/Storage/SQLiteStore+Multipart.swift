#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// S3 multipart uploads: one row per upload, one per part with its data.
extension SQLiteStore {
    static func upload(_ row: Row) -> MultipartUploadRecord {
        MultipartUploadRecord(
            uploadID: row["upload_id"], bucket: row["bucket"], key: row["key"], initiated: date(row, "initiated"),
            contentType: row["content_type"], metadata: decode([String: String].self, row["metadata"], default: [:]),
            checksumAlgorithm: row["checksum_algorithm"], tags: decode([Tag].self, row["tags"], default: [])
        )
    }

    static func part(_ row: Row) -> PartRecord {
        PartRecord(
            uploadID: row["upload_id"], partNumber: row["part_number"], size: row["size"], etag: row["etag"],
            lastModified: date(row, "last_modified"), checksumAlgorithm: row["checksum_algorithm"], checksumValue: row["checksum_value"]
        )
    }

    static let uploadColumns = "upload_id, bucket, key, initiated, content_type, metadata, checksum_algorithm, tags"
    static let partColumns = "upload_id, part_number, size, etag, last_modified, checksum_algorithm, checksum_value"

    public func createMultipartUpload(_ upload: MultipartUploadRecord) async throws {
        try await database.write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [upload.bucket]) != nil else {
                throw StoreError(.notFound, "The specified bucket does not exist")
            }
            try db.execute(
                sql: "INSERT INTO multipart_uploads (\(Self.uploadColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    upload.uploadID, upload.bucket, upload.key, upload.initiated.timeIntervalSince1970, upload.contentType,
                    Self.json(upload.metadata), upload.checksumAlgorithm, Self.json(upload.tags),
                ]
            )
        }
    }

    public func multipartUpload(id: String) async throws -> MultipartUploadRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.uploadColumns) FROM multipart_uploads WHERE upload_id = ?"), arguments: [id])
                .map(Self.upload)
        }
    }

    public func multipartUploads(bucket: String) async throws -> [MultipartUploadRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.uploadColumns) FROM multipart_uploads WHERE bucket = ? ORDER BY key, initiated, upload_id"),
                arguments: [bucket]
            ).map(Self.upload)
        }
    }

    public func putPart(_ part: PartRecord, data: [UInt8]) async throws {
        let body = try await storeBody(data)
        let released = try await writing(body) { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM multipart_uploads WHERE upload_id = ?"), arguments: [part.uploadID]) != nil
            else {
                throw StoreError(.notFound, "The specified upload does not exist.")
            }
            let released = try Self.bodyNames(
                db, "SELECT body FROM multipart_parts WHERE upload_id = ? AND part_number = ?", [part.uploadID, part.partNumber]
            )
            try db.execute(
                sql: "INSERT OR REPLACE INTO multipart_parts (\(Self.partColumns), body, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    part.uploadID, part.partNumber, part.size, part.etag, part.lastModified.timeIntervalSince1970,
                    part.checksumAlgorithm, part.checksumValue, body.name, body.blob,
                ]
            )
            return released
        }
        release(released)
    }

    public func parts(uploadID: String) async throws -> [PartRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.partColumns) FROM multipart_parts WHERE upload_id = ? ORDER BY part_number"), arguments: [uploadID]
            ).map(Self.part)
        }
    }

    /// The parts named are read and written as one body first (outside the write transaction);
    /// the transaction then checks that each is still stored with its ETag, stores the object, and
    /// ends the upload.
    public func completeMultipartUpload(id: String, parts: [(number: Int, etag: String)], object: ObjectRecord) async throws -> ObjectRecord {
        let pieces = try read { db -> [StoredBody] in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM multipart_uploads WHERE upload_id = ?"), arguments: [id]) != nil else {
                throw StoreError(.notFound, "The specified upload does not exist.")
            }
            return try parts.map { part in
                guard let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT etag, body, data FROM multipart_parts WHERE upload_id = ? AND part_number = ?"), arguments: [id, part.number]
                ), row["etag"] as String == part.etag
                else {
                    throw StoreError(.conflict, "part \(part.number) is not stored with the ETag given")
                }
                return Self.storedBody(row)
            }
        }
        let (body, size) = try await storeBody(pieces: pieces)
        let assembled = { var record = object; record.size = size; return record }()
        let (stored, released) = try await writing(body) { db -> (ObjectRecord, [String]) in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM multipart_uploads WHERE upload_id = ?"), arguments: [id]) != nil else {
                throw StoreError(.notFound, "The specified upload does not exist.")
            }
            for part in parts {
                guard try String.fetchOne(
                    db.cachedStatement(sql: "SELECT etag FROM multipart_parts WHERE upload_id = ? AND part_number = ?"), arguments: [id, part.number]
                ) == part.etag
                else {
                    throw StoreError(.conflict, "part \(part.number) is not stored with the ETag given")
                }
            }
            var (stored, released) = try Self.storeCurrent(assembled, body: body, db: db)
            released += try Self.bodyNames(db, "SELECT body FROM multipart_parts WHERE upload_id = ?", [id])
            try db.execute(sql: "DELETE FROM multipart_parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM multipart_uploads WHERE upload_id = ?", arguments: [id])
            return (stored, released)
        }
        release(released)
        return stored
    }

    public func abortMultipartUpload(id: String) async throws {
        let released = try await database.write { db -> [String] in
            let released = try Self.bodyNames(db, "SELECT body FROM multipart_parts WHERE upload_id = ?", [id])
            try db.execute(sql: "DELETE FROM multipart_parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM multipart_uploads WHERE upload_id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "The specified upload does not exist.") }
            return released
        }
        release(released)
    }
}
