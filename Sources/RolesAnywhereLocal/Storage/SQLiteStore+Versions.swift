#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import GRDB

/// S3 versioning on SQLite: `objects` holds each key's current object (its `version_id` NULL for
/// one written before the bucket was ever versioned); `object_versions` holds the noncurrent
/// versions and the delete markers, newest last by `seq`. A key whose newest version is a delete
/// marker has no row in `objects`, so listings and reads of current objects are unchanged.
extension SQLiteStore {
    static let versionsSchema = """
        ALTER TABLE objects ADD COLUMN version_id TEXT;
        CREATE TABLE object_versions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL REFERENCES buckets(name), key TEXT NOT NULL,
            version_id TEXT NOT NULL, delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
            last_modified DOUBLE NOT NULL, content_type TEXT NOT NULL, metadata TEXT NOT NULL, tags TEXT NOT NULL, data BLOB NOT NULL);
        CREATE INDEX object_versions_by_key ON object_versions (bucket, key, seq);
        """

    /// The bucket's versioning, read in the write's transaction; `.notFound` without the bucket.
    static func versioning(bucket: String, db: Database) throws -> BucketVersioning? {
        guard let text = try String.fetchOne(db.cachedStatement(sql: "SELECT configuration FROM buckets WHERE name = ?"), arguments: [bucket]) else {
            throw StoreError(.notFound, "The specified bucket does not exist")
        }
        return decode(BucketConfiguration.self, text, default: BucketConfiguration()).versioning
    }

    /// Stores `object` as the key's current object, as the bucket's versioning says (see
    /// ``S3Store/putObject(_:data:)``). Returns it as stored, and the body files it released.
    static func storeCurrent(_ object: ObjectRecord, body: StoredBody, db: Database) throws -> (ObjectRecord, [String]) {
        var stored = object
        var released = [String]()
        switch try versioning(bucket: object.bucket, db: db) {
        case nil:
            stored.versionId = nil
            released = try bodyNames(db, "SELECT body FROM objects WHERE bucket = ? AND key = ?", [object.bucket, object.key])
        case .enabled:
            stored.versionId = object.versionId ?? ObjectVersion.nullID
            released = try archiveCurrent(bucket: object.bucket, key: object.key, dropNull: false, db: db)
        case .suspended:
            stored.versionId = ObjectVersion.nullID
            released = try archiveCurrent(bucket: object.bucket, key: object.key, dropNull: true, db: db)
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO objects (\(objectColumns), version_id, body, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                stored.bucket, stored.key, stored.size, stored.etag, stored.lastModified.timeIntervalSince1970,
                stored.contentType, json(stored.metadata), json(stored.tags), stored.versionId, body.name, body.blob,
            ]
        )
        return (stored, released)
    }

    /// Moves the key's current object into `object_versions` (as noncurrent); with `dropNull`
    /// (versioning suspended), the key's `null` version goes instead, wherever it is. Returns the
    /// body files of what went.
    static func archiveCurrent(bucket: String, key: String, dropNull: Bool, db: Database) throws -> [String] {
        var released = [String]()
        if dropNull {
            released += try bodyNames(db, "SELECT body FROM object_versions WHERE bucket = ? AND key = ? AND version_id = 'null'", [bucket, key])
            released += try bodyNames(db, "SELECT body FROM objects WHERE bucket = ? AND key = ? AND coalesce(version_id, 'null') = 'null'", [bucket, key])
            try db.execute(sql: "DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = 'null'", arguments: [bucket, key])
            try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND key = ? AND coalesce(version_id, 'null') = 'null'", arguments: [bucket, key])
        }
        try db.execute(
            sql: """
                INSERT INTO object_versions (bucket, key, version_id, delete_marker, size, etag, last_modified, content_type, metadata, tags, body, data)
                SELECT bucket, key, coalesce(version_id, 'null'), 0, size, etag, last_modified, content_type, metadata, tags, body, data
                FROM objects WHERE bucket = ? AND key = ?
                """,
            arguments: [bucket, key]
        )
        try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND key = ?", arguments: [bucket, key])
        return released
    }

    public func deleteObject(bucket: String, key: String, markerVersionId: String, at date: Date) async throws -> ObjectDeletion {
        let (deletion, released) = try await database.write { db -> (ObjectDeletion, [String]) in
            let markerID: String
            var released = [String]()
            switch try Self.versioning(bucket: bucket, db: db) {
            case nil:
                released = try Self.bodyNames(db, "SELECT body FROM objects WHERE bucket = ? AND key = ?", [bucket, key])
                try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND key = ?", arguments: [bucket, key])
                return (ObjectDeletion(deleteMarkerVersionId: nil), released)
            case .enabled:
                markerID = markerVersionId
                released = try Self.archiveCurrent(bucket: bucket, key: key, dropNull: false, db: db)
            case .suspended:
                markerID = ObjectVersion.nullID
                released = try Self.archiveCurrent(bucket: bucket, key: key, dropNull: true, db: db)
            }
            try db.execute(
                sql: """
                    INSERT INTO object_versions (bucket, key, version_id, delete_marker, size, etag, last_modified, content_type, metadata, tags, data)
                    VALUES (?, ?, ?, 1, 0, '', ?, '', '{}', '[]', x'')
                    """,
                arguments: [bucket, key, markerID, date.timeIntervalSince1970.rounded(.down)]
            )
            return (ObjectDeletion(deleteMarkerVersionId: markerID), released)
        }
        release(released)
        return deletion
    }

    static let versionColumns = "seq, delete_marker, bucket, key, size, etag, last_modified, content_type, metadata, tags, version_id"

    static func version(_ row: Row, isLatest: Bool) -> ObjectVersion {
        var record = object(row)
        record.versionId = row["version_id"]
        return ObjectVersion(record: record, isDeleteMarker: row["delete_marker"] as Bool, isLatest: isLatest)
    }

    /// The current object's row, if the key has one.
    static func currentRow(bucket: String, key: String, db: Database) throws -> Row? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT 0 AS seq, 0 AS delete_marker, \(objectColumns), version_id FROM objects WHERE bucket = ? AND key = ?"),
            arguments: [bucket, key]
        )
    }

    /// The newest noncurrent row of a key, if any.
    static func newestArchivedRow(bucket: String, key: String, db: Database) throws -> Row? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(versionColumns) FROM object_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [bucket, key]
        )
    }

    /// One version with `isLatest` decided, from either table.
    static func findVersion(bucket: String, key: String, versionId: String, db: Database) throws -> (version: ObjectVersion, seq: Int64?)? {
        let current = try currentRow(bucket: bucket, key: key, db: db)
        if let current, (current["version_id"] as String?) ?? ObjectVersion.nullID == versionId {
            return (version(current, isLatest: true), nil)
        }
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(versionColumns) FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [bucket, key, versionId]
        ) else { return nil }
        let seq: Int64 = row["seq"]
        let newest: Int64? = try newestArchivedRow(bucket: bucket, key: key, db: db)?["seq"]
        return (version(row, isLatest: current == nil && newest == seq), seq)
    }

    public func objectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion? {
        try read { db in try Self.findVersion(bucket: bucket, key: key, versionId: versionId, db: db)?.version }
    }

    public func objectVersionData(bucket: String, key: String, versionId: String) async throws -> [UInt8]? {
        let body = try read { db -> StoredBody? in
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT body, data FROM objects WHERE bucket = ? AND key = ? AND coalesce(version_id, 'null') = ?"),
                arguments: [bucket, key, versionId]
            ) {
                return Self.storedBody(row)
            }
            return try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT body, data FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0 ORDER BY seq DESC LIMIT 1"
                ),
                arguments: [bucket, key, versionId]
            ).map(Self.storedBody)
        }
        return try body.map(loadBody)
    }

    public func deleteObjectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion? {
        let (found, released) = try await database.write { db -> (ObjectVersion?, [String]) in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [bucket]) != nil else {
                throw StoreError(.notFound, "The specified bucket does not exist")
            }
            guard let (found, seq) = try Self.findVersion(bucket: bucket, key: key, versionId: versionId, db: db) else { return (nil, []) }
            let released: [String]
            if let seq {
                released = try Self.bodyNames(db, "SELECT body FROM object_versions WHERE seq = ?", [seq])
                try db.execute(sql: "DELETE FROM object_versions WHERE seq = ?", arguments: [seq])
            } else {
                released = try Self.bodyNames(db, "SELECT body FROM objects WHERE bucket = ? AND key = ?", [bucket, key])
                try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND key = ?", arguments: [bucket, key])
            }
            // The newest remaining version becomes current, unless a delete marker (which then
            // stays the newest) or a current object remains.
            if found.isLatest, let newest = try Self.newestArchivedRow(bucket: bucket, key: key, db: db), !(newest["delete_marker"] as Bool) {
                try db.execute(
                    sql: """
                        INSERT INTO objects (\(Self.objectColumns), version_id, body, data)
                        SELECT bucket, key, size, etag, last_modified, content_type, metadata, tags, version_id, body, data FROM object_versions WHERE seq = ?
                        """,
                    arguments: [newest["seq"] as Int64]
                )
                try db.execute(sql: "DELETE FROM object_versions WHERE seq = ?", arguments: [newest["seq"] as Int64])
            }
            return (found, released)
        }
        release(released)
        return found
    }

    public func objectVersions(bucket: String, prefix: String, afterKey: String?, keyLimit: Int) async throws -> [ObjectVersion] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    WITH keys AS (
                        SELECT key FROM objects WHERE bucket = ?1 AND substr(key, 1, length(?2)) = ?2 AND key > ?3
                        UNION SELECT key FROM object_versions WHERE bucket = ?1 AND substr(key, 1, length(?2)) = ?2 AND key > ?3
                        ORDER BY key LIMIT ?4)
                    SELECT 0 AS grp, 0 AS seq, 0 AS delete_marker, \(Self.objectColumns), version_id FROM objects WHERE bucket = ?1 AND key IN keys
                    UNION ALL
                    SELECT 1 AS grp, \(Self.versionColumns) FROM object_versions WHERE bucket = ?1 AND key IN keys
                    ORDER BY key, grp, seq DESC
                    """,
                arguments: [bucket, prefix, afterKey ?? "", keyLimit]
            )
            var versions = [ObjectVersion]()
            versions.reserveCapacity(rows.count)
            var previousKey: String?
            for row in rows {
                let key: String = row["key"]
                versions.append(Self.version(row, isLatest: key != previousKey))
                previousKey = key
            }
            return versions
        }
    }
}
