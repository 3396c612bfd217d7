#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// IAM's policy listings and versions, and instance profiles (each kept as its JSON document, with
/// the role it holds in a column of its own so DeleteRole can see it).
extension SQLiteStore {
    public func policies(pathPrefix: String) async throws -> [ManagedPolicyRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.policySelect + " WHERE substr(path, 1, length(?)) = ? ORDER BY name COLLATE NOCASE"),
                arguments: [pathPrefix, pathPrefix]
            ).map(Self.policy)
        }
    }

    public func updatePolicy(arn: String, _ change: @Sendable (inout ManagedPolicyRecord) throws -> Void) async throws -> ManagedPolicyRecord {
        try await write(.iam) { db in
            guard var policy = try Row.fetchOne(db.cachedStatement(sql: Self.policySelect + " WHERE arn = ?"), arguments: [arn]).map(Self.policy) else {
                throw StoreError(.notFound, "Policy \(arn) does not exist or is not attachable.")
            }
            try change(&policy)
            try db.execute(
                sql: """
                    UPDATE managed_policies SET description = ?, document = ?, versions = ?, default_version = ?, latest_version = ?,
                    update_date = ?, tags = ? WHERE arn = ?
                    """,
                arguments: [
                    policy.description, policy.document, Self.json(policy.versions), policy.defaultVersionID, policy.latestVersionNumber,
                    policy.updateDate.timeIntervalSince1970, Self.json(policy.tags), arn,
                ]
            )
            return policy
        }
    }

    public func roleNames(attachedTo policyArn: String) async throws -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT r.name FROM role_attachments a JOIN roles r ON r.name = a.role_name WHERE a.policy_arn = ? ORDER BY r.name COLLATE NOCASE"
                ),
                arguments: [policyArn]
            )
        }
    }

    // MARK: - Instance profiles

    static func instanceProfile(_ row: Row) -> InstanceProfileRecord? {
        guard var profile = try? JSONDecoder().decode(InstanceProfileRecord.self, from: Data((row["document"] as String).utf8)) else { return nil }
        profile.roleName = row["role_name"]
        return profile
    }

    public func createInstanceProfile(_ profile: InstanceProfileRecord) async throws {
        do {
            try await write(.iam) { db in
                try db.execute(
                    sql: "INSERT INTO instance_profiles (name, path, role_name, document) VALUES (?, ?, ?, ?)",
                    arguments: [profile.name, profile.path, profile.roleName, Self.json(profile)]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, InstanceProfileRecord.alreadyExistsMessage(profile.name))
        }
    }

    public func instanceProfile(named name: String) async throws -> InstanceProfileRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM instance_profiles WHERE name = ?"), arguments: [name]).flatMap(Self.instanceProfile)
        }
    }

    public func instanceProfiles(pathPrefix: String) async throws -> [InstanceProfileRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM instance_profiles WHERE substr(path, 1, length(?)) = ? ORDER BY name COLLATE NOCASE"),
                arguments: [pathPrefix, pathPrefix]
            ).compactMap(Self.instanceProfile)
        }
    }

    public func instanceProfiles(roleName: String) async throws -> [InstanceProfileRecord] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM instance_profiles WHERE role_name = ? ORDER BY name COLLATE NOCASE"), arguments: [roleName])
                .compactMap(Self.instanceProfile)
        }
    }

    public func deleteInstanceProfile(named name: String) async throws {
        try await write(.iam) { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT role_name FROM instance_profiles WHERE name = ?"), arguments: [name]) else {
                throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(name))
            }
            if (row["role_name"] as String?) != nil { throw StoreError(.conflict, InstanceProfileRecord.roleInProfileMessage) }
            try db.execute(sql: "DELETE FROM instance_profiles WHERE name = ?", arguments: [name])
        }
    }

    public func addRole(_ roleName: String, toInstanceProfile profileName: String) async throws {
        try await write(.iam) { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT role_name FROM instance_profiles WHERE name = ?"), arguments: [profileName]) else {
                throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(profileName))
            }
            guard let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM roles WHERE name = ?"), arguments: [roleName]) else {
                throw StoreError(.notFound, "The role with name \(roleName) cannot be found.")
            }
            if (row["role_name"] as String?) != nil { throw StoreError(.limitExceeded, InstanceProfileRecord.roleLimitMessage) }
            try db.execute(sql: "UPDATE instance_profiles SET role_name = ? WHERE name = ?", arguments: [stored, profileName])
        }
    }

    public func removeRole(_ roleName: String, fromInstanceProfile profileName: String) async throws {
        try await write(.iam) { db in
            // role_name compares NOCASE, as role names do.
            try db.execute(sql: "UPDATE instance_profiles SET role_name = NULL WHERE name = ? AND role_name = ?", arguments: [profileName, roleName])
            guard db.changesCount == 0 else { return }
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM instance_profiles WHERE name = ?"), arguments: [profileName]) != nil else {
                throw StoreError(.notFound, InstanceProfileRecord.notFoundMessage(profileName))
            }
            throw StoreError(.notFound, "The role with name \(roleName) cannot be found.")
        }
    }
}
