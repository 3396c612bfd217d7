#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB
import RolesAnywhereSupport
import Synchronization

/// The SQLite store: a database file in WAL mode (every change is a transaction, so a restart or a
/// `kill -9` loses nothing committed), or an in-memory database for throwaway runs.
public final class SQLiteStore: Store {
    let database: any DatabaseWriter
    /// Roles Anywhere resources decoded from their JSON, reused while the stored text is unchanged.
    let decodedResources = DecodedResourceCache()
    /// Repeated reads of roles, policies and Roles Anywhere resources, kept until their domain is written.
    let reads = StoreReadCache()
    /// When this store last deleted expired sessions, on the minting clock (each store its own).
    let sessionsPruned = Mutex<TimeInterval>(-.infinity)
    /// Where S3 bodies are kept: `STATE.bodies/` beside an on-disk database; nil (in the rows) in memory.
    let bodies: BodyDirectory?

    /// Opens (and migrates) the database at `path`; `:memory:` keeps everything in memory.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // In WAL mode, NORMAL survives a crash of the process (what `kill -9` tests) and syncs
            // at checkpoints rather than at every commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        if path == ":memory:" {
            database = try DatabaseQueue(configuration: configuration)
            bodies = nil
        } else {
            database = try DatabasePool(path: path, configuration: configuration)
            bodies = try BodyDirectory(path: path + ".bodies")
        }
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE roles (
                        name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                        id TEXT NOT NULL, arn TEXT NOT NULL, path TEXT NOT NULL, description TEXT,
                        assume_role_policy TEXT NOT NULL, max_session_duration INTEGER NOT NULL,
                        create_date DOUBLE NOT NULL, tags TEXT NOT NULL);
                    CREATE TABLE role_policies (
                        role_name TEXT NOT NULL COLLATE NOCASE REFERENCES roles(name) ON DELETE CASCADE,
                        policy_name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,
                        PRIMARY KEY (role_name, policy_name));
                    CREATE TABLE managed_policies (
                        arn TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, id TEXT NOT NULL, path TEXT NOT NULL,
                        description TEXT, document TEXT NOT NULL, create_date DOUBLE NOT NULL, update_date DOUBLE NOT NULL);
                    CREATE TABLE role_attachments (
                        role_name TEXT NOT NULL COLLATE NOCASE REFERENCES roles(name) ON DELETE CASCADE,
                        policy_arn TEXT NOT NULL, attached_at DOUBLE NOT NULL,
                        PRIMARY KEY (role_name, policy_arn));
                    CREATE TABLE sessions (
                        access_key_id TEXT NOT NULL PRIMARY KEY, secret TEXT NOT NULL, token TEXT NOT NULL,
                        role_arn TEXT NOT NULL, role_name TEXT NOT NULL, role_id TEXT NOT NULL, session_name TEXT NOT NULL,
                        source_identity TEXT, tags TEXT NOT NULL, session_policy TEXT, session_policy_arns TEXT NOT NULL,
                        issued_at DOUBLE NOT NULL, expiration DOUBLE NOT NULL);
                    CREATE TABLE buckets (name TEXT NOT NULL PRIMARY KEY, region TEXT NOT NULL, creation_date DOUBLE NOT NULL);
                    CREATE TABLE objects (
                        bucket TEXT NOT NULL REFERENCES buckets(name), key TEXT NOT NULL, size INTEGER NOT NULL,
                        etag TEXT NOT NULL, last_modified DOUBLE NOT NULL, content_type TEXT NOT NULL,
                        metadata TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (bucket, key));
                    """
            )
        }
        migrator.registerMigration("v2-rolesanywhere") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ra_resources (
                        kind TEXT NOT NULL, id TEXT NOT NULL, arn TEXT NOT NULL, created_at DOUBLE NOT NULL, document TEXT NOT NULL,
                        PRIMARY KEY (kind, id));
                    CREATE INDEX ra_resources_order ON ra_resources (kind, created_at, id);
                    CREATE TABLE ra_tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
                    CREATE INDEX sessions_expiration ON sessions (expiration);
                    """
            )
        }
        migrator.registerMigration("v3-multipart") { db in
            try db.execute(
                sql: """
                    CREATE TABLE multipart_uploads (
                        upload_id TEXT NOT NULL PRIMARY KEY, bucket TEXT NOT NULL REFERENCES buckets(name), key TEXT NOT NULL,
                        initiated DOUBLE NOT NULL, content_type TEXT NOT NULL, metadata TEXT NOT NULL, checksum_algorithm TEXT);
                    CREATE INDEX multipart_uploads_bucket ON multipart_uploads (bucket, key, initiated);
                    CREATE TABLE multipart_parts (
                        upload_id TEXT NOT NULL REFERENCES multipart_uploads(upload_id), part_number INTEGER NOT NULL,
                        size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified DOUBLE NOT NULL,
                        checksum_algorithm TEXT, checksum_value TEXT, data BLOB NOT NULL, PRIMARY KEY (upload_id, part_number));
                    """
            )
        }
        migrator.registerMigration("v4-permissions-boundary") { db in
            try db.execute(sql: "ALTER TABLE roles ADD COLUMN permissions_boundary TEXT")
        }
        migrator.registerMigration("v5-policy-tags") { db in
            try db.execute(sql: "ALTER TABLE managed_policies ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")
        }
        migrator.registerMigration("v6-private-ca") { db in
            try db.execute(
                sql: """
                    CREATE TABLE pca_authorities (arn TEXT NOT NULL PRIMARY KEY, created_at DOUBLE NOT NULL, document TEXT NOT NULL);
                    CREATE TABLE pca_certificates (
                        arn TEXT NOT NULL PRIMARY KEY, authority_arn TEXT NOT NULL, issued_at DOUBLE NOT NULL, document TEXT NOT NULL
                    );
                    CREATE INDEX pca_certificates_by_authority ON pca_certificates (authority_arn, issued_at);
                    """
            )
        }
        migrator.registerMigration("v7-policy-versions-instance-profiles") { db in
            // `versions` is NULL while a policy has only the `v1` of its `document`.
            try db.execute(
                sql: """
                    ALTER TABLE managed_policies ADD COLUMN versions TEXT;
                    ALTER TABLE managed_policies ADD COLUMN default_version TEXT NOT NULL DEFAULT 'v1';
                    ALTER TABLE managed_policies ADD COLUMN latest_version INTEGER NOT NULL DEFAULT 1;
                    CREATE TABLE instance_profiles (
                        name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, path TEXT NOT NULL, role_name TEXT COLLATE NOCASE, document TEXT NOT NULL
                    );
                    CREATE INDEX instance_profiles_by_role ON instance_profiles (role_name);
                    """
            )
        }
        migrator.registerMigration("v8-bucket-configuration-object-tags") { db in
            // Buckets made before this had S3's defaults, which they now keep explicitly.
            try db.execute(
                sql: """
                    ALTER TABLE buckets ADD COLUMN configuration TEXT NOT NULL DEFAULT '{}';
                    UPDATE buckets SET configuration = ?;
                    ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE multipart_uploads ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                    """,
                arguments: [Self.json(BucketConfiguration.newBucket)]
            )
        }
        migrator.registerMigration("v9-users-groups-access-keys") { db in
            try db.execute(sql: Self.usersSchema)
            // GetSessionToken's sessions belong to a user or the root; the older ones to roles.
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'role'")
            try db.execute(sql: "ALTER TABLE roles ADD COLUMN last_used_date DOUBLE; ALTER TABLE roles ADD COLUMN last_used_region TEXT")
        }
        migrator.registerMigration("v10-object-versions") { db in
            try db.execute(sql: Self.versionsSchema)
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN transitive_tag_keys TEXT NOT NULL DEFAULT '[]'")
        }
        migrator.registerMigration("v11-body-files") { db in
            try db.execute(sql: Self.bodiesSchema)
        }
        return migrator
    }

    /// Runs a read on the calling thread, outside an explicit transaction. Every read here is one
    /// SELECT (atomic on its own, and an indexed lookup), so the `BEGIN`/`COMMIT` pair of GRDB's
    /// `read` and the hop of its asynchronous variant would cost more than the query itself at
    /// thousands of requests a second.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.unsafeRead(body)
    }

    /// A ``read(_:)`` answered from ``reads`` while nothing in `domain` has been written since.
    func cachedRead<T: Sendable>(_ domain: StoreReadCache.Domain, _ query: String, _ argument: String, _ body: (Database) throws -> T) throws -> T {
        try reads.value(domain, query, argument) { try read(body) }
    }

    /// A write transaction to `domain`; its cached reads are stale once it has ended.
    func write<T: Sendable>(_ domain: StoreReadCache.Domain, _ body: @Sendable (Database) throws -> T) async throws -> T {
        defer { reads.advance(domain) }
        return try await database.write(body)
    }

    // MARK: - Encoding helpers

    /// A session's tags (keys sorted), without a `JSONEncoder`: written on every CreateSession.
    static func json(_ value: [String: String]) -> String {
        JSONText.object(value.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, JSONText.string($0.value)) })
    }

    /// A list of strings (a session's policy ARNs), without a `JSONEncoder`.
    static func json(_ value: [String]) -> String {
        "[" + value.map(JSONText.string).joined(separator: ",") + "]"
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, default value: T) -> T {
        // Empty collections, the common case, need no decoder.
        guard let text, text != "[]", text != "{}", let decoded = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else { return value }
        return decoded
    }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSince1970: row[column] as Double)
    }

    func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            || (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
    }

    // MARK: - Roles

    static func role(_ row: Row) -> RoleRecord {
        RoleRecord(
            name: row["name"], id: row["id"], arn: row["arn"], path: row["path"], description: row["description"],
            assumeRolePolicyDocument: row["assume_role_policy"], maxSessionDuration: row["max_session_duration"],
            createDate: date(row, "create_date"), tags: decode([Tag].self, row["tags"], default: []),
            permissionsBoundary: row["permissions_boundary"],
            lastUsed: (row["last_used_date"] as Double?).map { RoleLastUsed(date: Date(timeIntervalSince1970: $0), region: row["last_used_region"] ?? "") }
        )
    }

    public func recordRoleUse(roleName: String, roleId: String, _ used: RoleLastUsed) async throws {
        try await write(.iam) { db in
            try db.execute(
                sql: "UPDATE roles SET last_used_date = ?, last_used_region = ? WHERE name = ? AND id = ?",
                arguments: [used.date.timeIntervalSince1970, used.region, roleName, roleId]
            )
        }
    }

    public func createRole(_ role: RoleRecord) async throws {
        do {
            try await write(.iam) { db in
                try db.execute(
                    sql: """
                        INSERT INTO roles (name, id, arn, path, description, assume_role_policy, max_session_duration, create_date, tags, permissions_boundary)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        role.name, role.id, role.arn, role.path, role.description, role.assumeRolePolicyDocument,
                        role.maxSessionDuration, role.createDate.timeIntervalSince1970, Self.json(role.tags), role.permissionsBoundary,
                    ]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, "Role with name \(role.name) already exists.")
        }
    }

    public func role(named name: String) async throws -> RoleRecord? {
        try cachedRead(.iam, "role", name) { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM roles WHERE name = ?"), arguments: [name]).map(Self.role)
        }
    }

    public func roles(pathPrefix: String) async throws -> [RoleRecord] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM roles WHERE substr(path, 1, length(?)) = ? ORDER BY name COLLATE NOCASE"), arguments: [pathPrefix, pathPrefix])
                .map(Self.role)
        }
    }

    public func updateRole(_ role: RoleRecord) async throws {
        try await write(.iam) { db in
            try db.execute(
                sql: "UPDATE roles SET description = ?, assume_role_policy = ?, max_session_duration = ?, tags = ?, permissions_boundary = ? WHERE name = ?",
                arguments: [role.description, role.assumeRolePolicyDocument, role.maxSessionDuration, Self.json(role.tags), role.permissionsBoundary, role.name]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, "The role with name \(role.name) cannot be found.") }
        }
    }

    public func deleteRole(named name: String) async throws {
        try await write(.iam) { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM role_policies WHERE role_name = ?"), arguments: [name]) ?? 0 > 0 {
                throw StoreError(.conflict, "Cannot delete entity, must delete policies first.")
            }
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM role_attachments WHERE role_name = ?"), arguments: [name]) ?? 0 > 0 {
                throw StoreError(.conflict, "Cannot delete entity, must detach all policies first.")
            }
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM instance_profiles WHERE role_name = ?"), arguments: [name]) ?? 0 > 0 {
                throw StoreError(.conflict, InstanceProfileRecord.roleInProfileMessage)
            }
            try db.execute(sql: "DELETE FROM roles WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "The role with name \(name) cannot be found.") }
        }
    }

    // MARK: - Inline policies

    public func putRolePolicy(roleName: String, policyName: String, document: String) async throws {
        try await write(.iam) { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE name = ?"), arguments: [roleName]) != nil else {
                throw StoreError(.notFound, "The role with name \(roleName) cannot be found.")
            }
            try db.execute(
                sql: "INSERT INTO role_policies VALUES (?, ?, ?) ON CONFLICT (role_name, policy_name) DO UPDATE SET document = excluded.document",
                arguments: [roleName, policyName, document]
            )
        }
    }

    public func rolePolicy(roleName: String, policyName: String) async throws -> String? {
        try read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT document FROM role_policies WHERE role_name = ? AND policy_name = ?"), arguments: [roleName, policyName])
        }
    }

    public func rolePolicies(roleName: String) async throws -> [(name: String, document: String)] {
        let pairs: [[String]] = try cachedRead(.iam, "rolePolicies", roleName) { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT policy_name, document FROM role_policies WHERE role_name = ? ORDER BY policy_name"), arguments: [roleName])
                .map { [$0["policy_name"] as String, $0["document"] as String] }
        }
        return pairs.map { ($0[0], $0[1]) }
    }

    public func deleteRolePolicy(roleName: String, policyName: String) async throws {
        try await write(.iam) { db in
            try db.execute(sql: "DELETE FROM role_policies WHERE role_name = ? AND policy_name = ?", arguments: [roleName, policyName])
            guard db.changesCount == 1 else {
                throw StoreError(.notFound, "The role policy with name \(policyName) cannot be found.")
            }
        }
    }

    // MARK: - Managed policies

    static func policy(_ row: Row) -> ManagedPolicyRecord {
        var policy = ManagedPolicyRecord(
            arn: row["arn"], name: row["name"], id: row["id"], path: row["path"], description: row["description"],
            document: row["document"], createDate: date(row, "create_date"), updateDate: date(row, "update_date"),
            attachmentCount: row["attachments"] ?? 0, permissionsBoundaryUsageCount: row["boundary_uses"] ?? 0,
            tags: decode([Tag].self, row["tags"], default: [])
        )
        let versions = decode([ManagedPolicyVersion].self, row["versions"], default: [])
        if !versions.isEmpty {
            policy.versions = versions
            policy.defaultVersionID = row["default_version"]
            policy.latestVersionNumber = row["latest_version"]
        }
        return policy
    }

    /// A policy row with its attachment and boundary counts.
    static let policySelect = """
        SELECT p.*, (SELECT count(*) FROM role_attachments a WHERE a.policy_arn = p.arn)
        + (SELECT count(*) FROM iam_attachments a WHERE a.policy_arn = p.arn) AS attachments,
        (SELECT count(*) FROM roles r WHERE r.permissions_boundary = p.arn)
        + (SELECT count(*) FROM iam_users u WHERE u.permissions_boundary = p.arn) AS boundary_uses FROM managed_policies p
        """

    public func createPolicy(_ policy: ManagedPolicyRecord) async throws {
        do {
            try await write(.iam) { db in
                try db.execute(
                    sql: """
                        INSERT INTO managed_policies (arn, name, id, path, description, document, create_date, update_date, tags)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        policy.arn, policy.name, policy.id, policy.path, policy.description, policy.document,
                        policy.createDate.timeIntervalSince1970, policy.updateDate.timeIntervalSince1970, Self.json(policy.tags),
                    ]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, "A policy called \(policy.name) already exists. Duplicate names are not allowed.")
        }
    }

    public func policy(arn: String) async throws -> ManagedPolicyRecord? {
        try cachedRead(.iam, "policy", arn) { db in
            try Row.fetchOne(db.cachedStatement(sql: Self.policySelect + " WHERE arn = ?"), arguments: [arn]).map(Self.policy)
        }
    }

    public func deletePolicy(arn: String) async throws {
        try await write(.iam) { db in
            // Attached, or the permissions boundary of a role or user.
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM role_attachments WHERE policy_arn = ?"), arguments: [arn]) ?? 0 > 0
                || Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM iam_attachments WHERE policy_arn = ?"), arguments: [arn]) ?? 0 > 0
                || Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM roles WHERE permissions_boundary = ?"), arguments: [arn]) ?? 0 > 0
                || Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM iam_users WHERE permissions_boundary = ?"), arguments: [arn]) ?? 0 > 0
            {
                throw StoreError(.conflict, "Cannot delete a policy attached to entities.")
            }
            let versions = try String.fetchOne(db.cachedStatement(sql: "SELECT versions FROM managed_policies WHERE arn = ?"), arguments: [arn])
            if Self.decode([ManagedPolicyVersion].self, versions, default: []).count > 1 {
                throw StoreError(.conflict, ManagedPolicyRecord.deleteWithVersionsMessage)
            }
            try db.execute(sql: "DELETE FROM managed_policies WHERE arn = ?", arguments: [arn])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "Policy \(arn) does not exist or is not attachable.") }
        }
    }

    public func attachRolePolicy(roleName: String, policyArn: String) async throws {
        try await write(.iam) { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE name = ?"), arguments: [roleName]) != nil else {
                throw StoreError(.notFound, "The role with name \(roleName) cannot be found.")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO role_attachments VALUES (?, ?, ?)",
                arguments: [roleName, policyArn, Date().timeIntervalSince1970]
            )
        }
    }

    public func detachRolePolicy(roleName: String, policyArn: String) async throws {
        try await write(.iam) { db in
            try db.execute(sql: "DELETE FROM role_attachments WHERE role_name = ? AND policy_arn = ?", arguments: [roleName, policyArn])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "Policy \(policyArn) was not found.") }
        }
    }

    public func attachedPolicyArns(roleName: String) async throws -> [String] {
        try cachedRead(.iam, "attachedPolicyArns", roleName) { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT policy_arn FROM role_attachments WHERE role_name = ? ORDER BY attached_at, policy_arn"), arguments: [roleName])
        }
    }

    // MARK: - Sessions

    public func insertSession(_ session: SessionRecord) async throws {
        try await database.write { db in try self.insert(session, in: db) }
    }

    func insert(_ session: SessionRecord, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(
            arguments: [
                session.accessKeyId, session.secretAccessKey, session.sessionToken, session.roleArn, session.roleName,
                session.roleId, session.sessionName, session.sourceIdentity, Self.json(session.tags), session.sessionPolicy,
                Self.json(session.sessionPolicyArns), session.issuedAt.timeIntervalSince1970, session.expiration.timeIntervalSince1970,
                session.kind.rawValue, Self.json(session.transitiveTagKeys),
            ]
        )
        // Sessions expired for a day are of no further use (an indexed range delete, at most once a
        // minute). "Now" is the clock the sessions are minted on - the new session's issue time -
        // not the wall clock: a server whose clock is pinned or behind must never delete the session
        // it has just minted.
        let now = session.issuedAt.timeIntervalSince1970
        if sessionsPruned.withLock({ last in
            guard now - last > 60 || now < last else { return false }
            last = now
            return true
        }) {
            try db.execute(sql: "DELETE FROM sessions WHERE expiration < ?", arguments: [now - 86_400])
        }
    }

    public func session(accessKeyId: String) async throws -> SessionRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE access_key_id = ?"), arguments: [accessKeyId]).map { row in
                SessionRecord(
                    accessKeyId: row["access_key_id"], secretAccessKey: row["secret"], sessionToken: row["token"],
                    roleArn: row["role_arn"], roleName: row["role_name"], roleId: row["role_id"], sessionName: row["session_name"],
                    sourceIdentity: row["source_identity"], tags: Self.decode([String: String].self, row["tags"], default: [:]),
                    sessionPolicy: row["session_policy"],
                    sessionPolicyArns: Self.decode([String].self, row["session_policy_arns"], default: []),
                    issuedAt: Self.date(row, "issued_at"), expiration: Self.date(row, "expiration"),
                    // A kind this version does not know is read as the narrowest (a role's).
                    kind: SessionKind(rawValue: row["kind"]) ?? .role
                ).withTransitiveTagKeys(Self.decode([String].self, row["transitive_tag_keys"], default: []))
            }
        }
    }

    // MARK: - S3

    public func createBucket(_ bucket: BucketRecord) async throws {
        do {
            try await database.write { db in
                try db.execute(
                    sql: "INSERT INTO buckets (name, region, creation_date, configuration) VALUES (?, ?, ?, ?)",
                    arguments: [bucket.name, bucket.region, bucket.creationDate.timeIntervalSince1970, Self.json(bucket.configuration)]
                )
            }
        } catch where isUniqueViolation(error) {
            throw StoreError(.alreadyExists, "Your previous request to create the named bucket succeeded and you already own it.")
        }
    }

    static func bucket(_ row: Row) -> BucketRecord {
        BucketRecord(
            name: row["name"], region: row["region"], creationDate: date(row, "creation_date"),
            configuration: decode(BucketConfiguration.self, row["configuration"], default: BucketConfiguration())
        )
    }

    public func bucket(named name: String) async throws -> BucketRecord? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM buckets WHERE name = ?"), arguments: [name]).map(Self.bucket)
        }
    }

    public func buckets() async throws -> [BucketRecord] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM buckets ORDER BY name")).map(Self.bucket)
        }
    }

    public func deleteBucket(named name: String) async throws {
        try await database.write { db in
            // Uploads in progress count as content, as on S3: nothing is lost with the bucket.
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1"), arguments: [name]) != nil
                || Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM object_versions WHERE bucket = ? LIMIT 1"), arguments: [name]) != nil
                || Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM multipart_uploads WHERE bucket = ? LIMIT 1"), arguments: [name]) != nil
            {
                throw StoreError(.conflict, "The bucket you tried to delete is not empty")
            }
            try db.execute(sql: "DELETE FROM buckets WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "The specified bucket does not exist") }
        }
    }

    public func updateBucketConfiguration(
        named name: String, _ change: @Sendable (inout BucketConfiguration) throws -> Void
    ) async throws -> BucketConfiguration {
        try await database.write { db in
            guard var bucket = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM buckets WHERE name = ?"), arguments: [name]).map(Self.bucket) else {
                throw StoreError(.notFound, "The specified bucket does not exist")
            }
            try change(&bucket.configuration)
            try db.execute(sql: "UPDATE buckets SET configuration = ? WHERE name = ?", arguments: [Self.json(bucket.configuration), name])
            return bucket.configuration
        }
    }

    public func setObjectTags(_ tags: [Tag], bucket: String, key: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?", arguments: [Self.json(tags), bucket, key])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "The specified key does not exist.") }
        }
    }

    /// The columns of an object's metadata, without its data.
    static let objectColumns = "bucket, key, size, etag, last_modified, content_type, metadata, tags"

    static func object(_ row: Row) -> ObjectRecord {
        ObjectRecord(
            bucket: row["bucket"], key: row["key"], size: row["size"], etag: row["etag"], lastModified: date(row, "last_modified"),
            contentType: row["content_type"], metadata: decode([String: String].self, row["metadata"], default: [:]),
            tags: decode([Tag].self, row["tags"], default: [])
        )
    }

    public func putObject(_ object: ObjectRecord, data: [UInt8]) async throws -> ObjectRecord {
        let body = try await storeBody(data)
        let (stored, released) = try await writing(body) { db in try Self.storeCurrent(object, body: body, db: db) }
        release(released)
        return stored
    }

    public func object(bucket: String, key: String) async throws -> ObjectRecord? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.objectColumns), version_id FROM objects WHERE bucket = ? AND key = ?",
                arguments: [bucket, key]
            ).map { row in
                var record = Self.object(row)
                record.versionId = row["version_id"]
                return record
            }
        }
    }

    public func objectData(bucket: String, key: String) async throws -> [UInt8]? {
        let body = try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT body, data FROM objects WHERE bucket = ? AND key = ?"), arguments: [bucket, key]).map(Self.storedBody)
        }
        return try body.map(loadBody)
    }


    public func objects(bucket: String, prefix: String, after: String?, limit: Int) async throws -> [ObjectRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.objectColumns) FROM objects
                    WHERE bucket = ? AND substr(key, 1, length(?)) = ? AND key > ? ORDER BY key LIMIT ?
                    """,
                arguments: [bucket, prefix, prefix, after ?? "", limit]
            ).map(Self.object)
        }
    }
}
