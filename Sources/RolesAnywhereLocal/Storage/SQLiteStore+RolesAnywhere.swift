#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// Trust anchors, profiles, CRLs and subjects: each kept as its JSON document, with tags aside.
extension SQLiteStore {
    static func encodeResource(_ resource: some RolesAnywhereResource) throws -> String {
        String(decoding: try JSONEncoder().encode(resource), as: UTF8.self)
    }

    static func decodeResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, _ text: String) throws -> Resource {
        try JSONDecoder().decode(Resource.self, from: Data(text.utf8))
    }

    static func save(_ resource: some RolesAnywhereResource, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO ra_resources VALUES (?, ?, ?, ?, ?)",
            arguments: [type(of: resource).kind, resource.resourceID, resource.resourceArn, resource.createdAt.timeIntervalSince1970, try encodeResource(resource)]
        )
    }

    public func saveResource<Resource: RolesAnywhereResource>(_ resource: Resource) async throws {
        try await database.write { db in try Self.save(resource, in: db) }
    }

    public func resource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws -> Resource? {
        let document = try read { db in
            try String.fetchOne(db, sql: "SELECT document FROM ra_resources WHERE kind = ? AND id = ?", arguments: [Resource.kind, id])
        }
        return try document.map { try Self.decodeResource(Resource.self, $0) }
    }

    public func resources<Resource: RolesAnywhereResource>(_ type: Resource.Type) async throws -> [Resource] {
        let documents = try read { db in
            try String.fetchAll(db, sql: "SELECT document FROM ra_resources WHERE kind = ? ORDER BY created_at, id", arguments: [Resource.kind])
        }
        return try documents.map { try Self.decodeResource(Resource.self, $0) }
    }

    public func deleteResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws {
        try await database.write { db in
            guard let arn = try String.fetchOne(db, sql: "SELECT arn FROM ra_resources WHERE kind = ? AND id = ?", arguments: [Resource.kind, id]) else {
                throw StoreError(.notFound, "Resource not found")
            }
            try db.execute(sql: "DELETE FROM ra_resources WHERE kind = ? AND id = ?", arguments: [Resource.kind, id])
            try db.execute(sql: "DELETE FROM ra_tags WHERE arn = ?", arguments: [arn])
        }
    }

    public func setTags(_ tags: [ResourceTag], resourceArn: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM ra_tags WHERE arn = ?", arguments: [resourceArn])
            for tag in tags {
                try db.execute(sql: "INSERT INTO ra_tags VALUES (?, ?, ?)", arguments: [resourceArn, tag.key, tag.value])
            }
        }
    }

    public func tags(resourceArn: String) async throws -> [ResourceTag] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM ra_tags WHERE arn = ? ORDER BY key", arguments: [resourceArn]).map {
                ResourceTag(key: $0["key"], value: $0["value"])
            }
        }
    }

    public func recordCreateSession(_ session: SessionRecord?, subject: SubjectRecord) async throws {
        try await database.write { db in
            if let session { try Self.insert(session, in: db) }
            try Self.save(subject, in: db)
        }
    }
}
