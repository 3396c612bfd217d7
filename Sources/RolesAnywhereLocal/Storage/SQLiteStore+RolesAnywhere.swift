#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB
import Synchronization

/// Trust anchors, profiles, CRLs and subjects: each kept as its JSON document, with tags aside.
extension SQLiteStore {
    static func encodeResource(_ resource: some RolesAnywhereResource) throws -> String {
        String(decoding: try JSONEncoder().encode(resource), as: UTF8.self)
    }

    static func decodeResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, _ text: String) throws -> Resource {
        try JSONDecoder().decode(Resource.self, from: Data(text.utf8))
    }

    static func save(_ resource: some RolesAnywhereResource, document: String, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO ra_resources VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [type(of: resource).kind, resource.resourceID, resource.resourceArn, resource.createdAt.timeIntervalSince1970, document]
        )
    }

    public func saveResource<Resource: RolesAnywhereResource>(_ resource: Resource) async throws {
        let document = try Self.encodeResource(resource)
        try await write(.rolesAnywhere(Resource.kind)) { db in try Self.save(resource, document: document, in: db) }
        decodedResources.remember(resource, kind: Resource.kind, document: document)
    }

    public func resource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws -> Resource? {
        let cache = decodedResources
        return try cachedRead(.rolesAnywhere(Resource.kind), "resource", id) { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT document FROM ra_resources WHERE kind = ? AND id = ?"), arguments: [Resource.kind, id])
                .map { try cache.value(Resource.self, kind: Resource.kind, id: id, document: $0) }
        }
    }

    public func resources<Resource: RolesAnywhereResource>(_ type: Resource.Type) async throws -> [Resource] {
        // Decoded inside the cached read: a cache hit costs neither a SELECT nor a decode.
        let cache = decodedResources
        return try cachedRead(.rolesAnywhere(Resource.kind), "resources", "") { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, document FROM ra_resources WHERE kind = ? ORDER BY created_at, id"), arguments: [Resource.kind])
                .map { try cache.value(Resource.self, kind: Resource.kind, id: $0["id"] as String, document: $0["document"] as String) }
        }
    }

    public func deleteResource<Resource: RolesAnywhereResource>(_ type: Resource.Type, id: String) async throws {
        try await write(.rolesAnywhere(Resource.kind)) { db in
            guard let arn = try String.fetchOne(db.cachedStatement(sql: "SELECT arn FROM ra_resources WHERE kind = ? AND id = ?"), arguments: [Resource.kind, id]) else {
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
            try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM ra_tags WHERE arn = ? ORDER BY key"), arguments: [resourceArn]).map {
                ResourceTag(key: $0["key"], value: $0["value"])
            }
        }
    }

    public func recordCreateSession(
        _ session: SessionRecord?, subjectID: String, update: @Sendable (SubjectRecord?) -> SubjectRecord?
    ) async throws -> SubjectRecord? {
        let cache = decodedResources
        let (subject, document) = try await write(.rolesAnywhere(SubjectRecord.kind)) { db -> (SubjectRecord?, String?) in
            let stored = try String.fetchOne(
                db.cachedStatement(sql: "SELECT document FROM ra_resources WHERE kind = ? AND id = ?"), arguments: [SubjectRecord.kind, subjectID]
            )
            let existing = try stored.map { try cache.value(SubjectRecord.self, kind: SubjectRecord.kind, id: subjectID, document: $0) }
            if let session { try self.insert(session, in: db) }
            guard let updated = update(existing) else { return (existing, nil) }
            let document = try Self.encodeResource(updated)
            try Self.save(updated, document: document, in: db)
            return (updated, document)
        }
        if let subject, let document { cache.remember(subject, kind: SubjectRecord.kind, document: document) }
        return subject
    }
}

/// Decoded resources by kind and ID, each with the JSON text it was decoded from: a read compares
/// the text (a memory comparison) instead of decoding it again, so CreateSession's lookups of its
/// trust anchor and profile cost a SELECT, not a JSON decode.
final class DecodedResourceCache: Sendable {
    private struct Entry: Sendable {
        var document: String
        var value: any Sendable
    }

    private let entries = BoundedCache<String, Entry>(capacity: 20_000)

    func value<Resource: RolesAnywhereResource>(_ type: Resource.Type, kind: String, id: String, document: String) throws -> Resource {
        let key = kind + "/" + id
        if let cached = entries.value(forKey: key), cached.document == document, let value = cached.value as? Resource {
            return value
        }
        let value = try SQLiteStore.decodeResource(Resource.self, document)
        remember(value, kind: kind, document: document)
        return value
    }

    /// Records what was just written, so reading it back needs no decoding.
    func remember(_ value: some RolesAnywhereResource, kind: String, document: String) {
        entries.set(Entry(document: document, value: value), forKey: kind + "/" + value.resourceID)
    }
}
