#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// IAM users, groups, their memberships, inline and attached policies, and access keys. Users and
/// groups are kept as JSON documents beside the columns that are searched (path, boundary); the
/// lookups an authenticated request makes are cached until IAM is next written.
extension SQLiteStore {
    static let usersSchema = """
        CREATE TABLE iam_users (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, path TEXT NOT NULL, permissions_boundary TEXT, document TEXT NOT NULL);
        CREATE TABLE iam_groups (name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, path TEXT NOT NULL, document TEXT NOT NULL);
        CREATE TABLE iam_group_members (
            group_name TEXT NOT NULL COLLATE NOCASE REFERENCES iam_groups(name),
            user_name TEXT NOT NULL COLLATE NOCASE REFERENCES iam_users(name), PRIMARY KEY (group_name, user_name));
        CREATE INDEX iam_group_members_by_user ON iam_group_members (user_name);
        CREATE TABLE iam_inline_policies (
            kind TEXT NOT NULL, principal TEXT NOT NULL COLLATE NOCASE, policy_name TEXT NOT NULL COLLATE NOCASE,
            document TEXT NOT NULL, PRIMARY KEY (kind, principal, policy_name));
        CREATE TABLE iam_attachments (
            kind TEXT NOT NULL, principal TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL, attached_at DOUBLE NOT NULL,
            PRIMARY KEY (kind, principal, policy_arn));
        CREATE INDEX iam_attachments_by_policy ON iam_attachments (policy_arn);
        CREATE TABLE iam_access_keys (
            access_key_id TEXT NOT NULL PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE REFERENCES iam_users(name),
            secret TEXT NOT NULL, status TEXT NOT NULL, create_date DOUBLE NOT NULL);
        CREATE INDEX iam_access_keys_by_user ON iam_access_keys (user_name, create_date);
        """

    // MARK: - Users

    static func user(_ row: Row) -> UserRecord? {
        try? JSONDecoder().decode(UserRecord.self, from: Data((row["document"] as String).utf8))
    }

    public func createUser(_ user: UserRecord) async throws {
        do {
            try await write(.iam) { db in
                try db.execute(
                    sql: "INSERT INTO iam_users (name, path, permissions_boundary, document) VALUES (?, ?, ?, ?)",
                    arguments: [user.name, user.path, user.permissionsBoundary, Self.json(user)]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, UserRecord.alreadyExistsMessage(user.name))
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        try cachedRead(.iam, "user", name) { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT document FROM iam_users WHERE name = ?"), arguments: [name]).flatMap(Self.user)
        }
    }

    public func users(pathPrefix: String) async throws -> [UserRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT document FROM iam_users WHERE substr(path, 1, length(?)) = ? ORDER BY name COLLATE NOCASE"),
                arguments: [pathPrefix, pathPrefix]
            ).compactMap(Self.user)
        }
    }

    public func updateUser(_ user: UserRecord) async throws {
        try await write(.iam) { db in
            guard var stored = try Row.fetchOne(db.cachedStatement(sql: "SELECT document FROM iam_users WHERE name = ?"), arguments: [user.name]).flatMap(Self.user)
            else { throw StoreError(.notFound, UserRecord.notFoundMessage(user.name)) }
            stored.tags = user.tags
            stored.permissionsBoundary = user.permissionsBoundary
            try db.execute(
                sql: "UPDATE iam_users SET permissions_boundary = ?, document = ? WHERE name = ?",
                arguments: [stored.permissionsBoundary, Self.json(stored), user.name]
            )
        }
    }

    public func deleteUser(named name: String) async throws {
        try await write(.iam) { db in
            let principal = IAMPrincipal.user(name)
            func exists(_ sql: String, _ arguments: StatementArguments) throws -> Bool {
                try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) != nil
            }
            guard try exists("SELECT 1 FROM iam_users WHERE name = ?", [name]) else { throw StoreError(.notFound, UserRecord.notFoundMessage(name)) }
            if try exists("SELECT 1 FROM iam_access_keys WHERE user_name = ? LIMIT 1", [name]) {
                throw StoreError(.conflict, UserRecord.hasAccessKeysMessage)
            }
            try Self.checkNoPolicies(principal, db: db)
            if try exists("SELECT 1 FROM iam_group_members WHERE user_name = ? LIMIT 1", [name]) {
                throw StoreError(.conflict, UserRecord.inGroupsMessage)
            }
            try db.execute(sql: "DELETE FROM iam_users WHERE name = ?", arguments: [name])
        }
    }

    /// DeleteUser's and DeleteGroup's refusal while policies remain.
    static func checkNoPolicies(_ principal: IAMPrincipal, db: Database) throws {
        let arguments: StatementArguments = [principal.kind.rawValue, principal.name]
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM iam_inline_policies WHERE kind = ? AND principal = ? LIMIT 1"), arguments: arguments) != nil {
            throw StoreError(.conflict, "Cannot delete entity, must delete policies first.")
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM iam_attachments WHERE kind = ? AND principal = ? LIMIT 1"), arguments: arguments) != nil {
            throw StoreError(.conflict, "Cannot delete entity, must detach all policies first.")
        }
    }

    // MARK: - Groups

    static func group(_ row: Row) -> GroupRecord? {
        try? JSONDecoder().decode(GroupRecord.self, from: Data((row["document"] as String).utf8))
    }

    public func createGroup(_ group: GroupRecord) async throws {
        do {
            try await write(.iam) { db in
                try db.execute(
                    sql: "INSERT INTO iam_groups (name, path, document) VALUES (?, ?, ?)", arguments: [group.name, group.path, Self.json(group)]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, GroupRecord.alreadyExistsMessage(group.name))
        }
    }

    public func group(named name: String) async throws -> GroupRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT document FROM iam_groups WHERE name = ?"), arguments: [name]).flatMap(Self.group)
        }
    }

    public func groups(pathPrefix: String) async throws -> [GroupRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT document FROM iam_groups WHERE substr(path, 1, length(?)) = ? ORDER BY name COLLATE NOCASE"),
                arguments: [pathPrefix, pathPrefix]
            ).compactMap(Self.group)
        }
    }

    public func deleteGroup(named name: String) async throws {
        try await write(.iam) { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM iam_groups WHERE name = ?"), arguments: [name]) != nil else {
                throw StoreError(.notFound, GroupRecord.notFoundMessage(name))
            }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM iam_group_members WHERE group_name = ? LIMIT 1"), arguments: [name]) != nil {
                throw StoreError(.conflict, GroupRecord.hasMembersMessage)
            }
            try Self.checkNoPolicies(.group(name), db: db)
            try db.execute(sql: "DELETE FROM iam_groups WHERE name = ?", arguments: [name])
        }
    }

    /// The stored name of a user or group (as created), or `.notFound`.
    static func storedName(_ principal: IAMPrincipal, db: Database) throws -> String {
        let table = if case .user = principal { "iam_users" } else { "iam_groups" }
        guard let name = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM \(table) WHERE name = ?"), arguments: [principal.name]) else {
            throw StoreError(.notFound, principal.notFoundMessage)
        }
        return name
    }

    public func addUser(_ userName: String, toGroup groupName: String) async throws {
        try await write(.iam) { db in
            let group = try Self.storedName(.group(groupName), db: db)
            let user = try Self.storedName(.user(userName), db: db)
            try db.execute(sql: "INSERT OR IGNORE INTO iam_group_members (group_name, user_name) VALUES (?, ?)", arguments: [group, user])
        }
    }

    public func removeUser(_ userName: String, fromGroup groupName: String) async throws {
        try await write(.iam) { db in
            _ = try Self.storedName(.group(groupName), db: db)
            try db.execute(sql: "DELETE FROM iam_group_members WHERE group_name = ? AND user_name = ?", arguments: [groupName, userName])
            guard db.changesCount == 1 else { throw StoreError(.notFound, UserRecord.notFoundMessage(userName)) }
        }
    }

    public func groups(ofUser userName: String) async throws -> [GroupRecord] {
        try cachedRead(.iam, "groupsOfUser", userName) { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT g.document FROM iam_group_members m JOIN iam_groups g ON g.name = m.group_name WHERE m.user_name = ? ORDER BY g.name COLLATE NOCASE"
                ),
                arguments: [userName]
            ).compactMap(Self.group)
        }
    }

    public func users(inGroup groupName: String) async throws -> [UserRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT u.document FROM iam_group_members m JOIN iam_users u ON u.name = m.user_name WHERE m.group_name = ? ORDER BY u.name COLLATE NOCASE"
                ),
                arguments: [groupName]
            ).compactMap(Self.user)
        }
    }

    // MARK: - Inline and attached policies

    public func putInlinePolicy(_ principal: IAMPrincipal, policyName: String, document: String) async throws {
        try await write(.iam) { db in
            let name = try Self.storedName(principal, db: db)
            try db.execute(
                sql: """
                    INSERT INTO iam_inline_policies (kind, principal, policy_name, document) VALUES (?, ?, ?, ?)
                    ON CONFLICT (kind, principal, policy_name) DO UPDATE SET document = excluded.document
                    """,
                arguments: [principal.kind.rawValue, name, policyName, document]
            )
        }
    }

    public func inlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws -> String? {
        try read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT document FROM iam_inline_policies WHERE kind = ? AND principal = ? AND policy_name = ?"),
                arguments: [principal.kind.rawValue, principal.name, policyName]
            )
        }
    }

    public func inlinePolicies(_ principal: IAMPrincipal) async throws -> [(name: String, document: String)] {
        let pairs: [[String]] = try cachedRead(.iam, "inlinePolicies/" + principal.kind.rawValue, principal.name) { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT policy_name, document FROM iam_inline_policies WHERE kind = ? AND principal = ? ORDER BY policy_name"),
                arguments: [principal.kind.rawValue, principal.name]
            ).map { [$0["policy_name"] as String, $0["document"] as String] }
        }
        return pairs.map { ($0[0], $0[1]) }
    }

    public func deleteInlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws {
        try await write(.iam) { db in
            try db.execute(
                sql: "DELETE FROM iam_inline_policies WHERE kind = ? AND principal = ? AND policy_name = ?",
                arguments: [principal.kind.rawValue, principal.name, policyName]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, principal.inlinePolicyNotFoundMessage(policyName)) }
        }
    }

    public func attachPolicy(_ policyArn: String, to principal: IAMPrincipal) async throws {
        try await write(.iam) { db in
            let name = try Self.storedName(principal, db: db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO iam_attachments (kind, principal, policy_arn, attached_at) VALUES (?, ?, ?, ?)",
                arguments: [principal.kind.rawValue, name, policyArn, Date().timeIntervalSince1970]
            )
        }
    }

    public func detachPolicy(_ policyArn: String, from principal: IAMPrincipal) async throws {
        try await write(.iam) { db in
            try db.execute(
                sql: "DELETE FROM iam_attachments WHERE kind = ? AND principal = ? AND policy_arn = ?", arguments: [principal.kind.rawValue, principal.name, policyArn]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, "Policy \(policyArn) was not found.") }
        }
    }

    public func attachedPolicyArns(_ principal: IAMPrincipal) async throws -> [String] {
        try cachedRead(.iam, "attached/" + principal.kind.rawValue, principal.name) { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT policy_arn FROM iam_attachments WHERE kind = ? AND principal = ? ORDER BY attached_at, policy_arn"),
                arguments: [principal.kind.rawValue, principal.name]
            )
        }
    }

    public func principalNames(attachedTo policyArn: String, groups: Bool) async throws -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT principal FROM iam_attachments WHERE policy_arn = ? AND kind = ? ORDER BY principal COLLATE NOCASE"),
                arguments: [policyArn, groups ? "group" : "user"]
            )
        }
    }

    // MARK: - Access keys

    static func accessKey(_ row: Row) -> AccessKeyRecord? {
        guard let status = AccessKeyStatus(rawValue: row["status"]) else { return nil }
        return AccessKeyRecord(
            accessKeyId: row["access_key_id"], secretAccessKey: row["secret"], userName: row["user_name"], status: status,
            createDate: date(row, "create_date")
        )
    }

    public func createAccessKey(_ key: AccessKeyRecord) async throws {
        try await write(.iam) { db in
            let user = try Self.storedName(.user(key.userName), db: db)
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM iam_access_keys WHERE user_name = ?"), arguments: [user]) ?? 0
            guard count < AccessKeyRecord.limitPerUser else { throw StoreError(.limitExceeded, AccessKeyRecord.limitMessage) }
            try db.execute(
                sql: "INSERT INTO iam_access_keys (access_key_id, user_name, secret, status, create_date) VALUES (?, ?, ?, ?, ?)",
                arguments: [key.accessKeyId, user, key.secretAccessKey, key.status.rawValue, key.createDate.timeIntervalSince1970]
            )
        }
    }

    public func accessKey(id: String) async throws -> AccessKeyRecord? {
        try cachedRead(.iam, "accessKey", id) { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM iam_access_keys WHERE access_key_id = ?"), arguments: [id]).flatMap(Self.accessKey)
        }
    }

    public func accessKeys(userName: String) async throws -> [AccessKeyRecord] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM iam_access_keys WHERE user_name = ? ORDER BY create_date, access_key_id"), arguments: [userName]
            ).compactMap(Self.accessKey)
        }
    }

    public func updateAccessKey(id: String, userName: String, status: AccessKeyStatus) async throws {
        try await write(.iam) { db in
            try db.execute(
                sql: "UPDATE iam_access_keys SET status = ? WHERE access_key_id = ? AND user_name = ?", arguments: [status.rawValue, id, userName]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, AccessKeyRecord.notFoundMessage(id)) }
        }
    }

    public func deleteAccessKey(id: String, userName: String) async throws {
        try await write(.iam) { db in
            try db.execute(sql: "DELETE FROM iam_access_keys WHERE access_key_id = ? AND user_name = ?", arguments: [id, userName])
            guard db.changesCount == 1 else { throw StoreError(.notFound, AccessKeyRecord.notFoundMessage(id)) }
        }
    }
}
