#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB
import NIOPosix
import RolesAnywhereSupport

/// Where S3 bodies live: in files of the state's `.bodies` directory beside an on-disk database
/// (each written and flushed before the row that names it commits, so a crash never leaves a row
/// without its body; a body whose row never committed is removed at the next start), or in the
/// rows themselves for an in-memory database. Rows name their body in `body`; older rows, and
/// in-memory ones, keep it in `data`.
extension SQLiteStore {
    static let bodiesSchema = """
        ALTER TABLE objects ADD COLUMN body TEXT;
        ALTER TABLE object_versions ADD COLUMN body TEXT;
        ALTER TABLE multipart_parts ADD COLUMN body TEXT;
        """

    /// A body as a row stores it: the name of its file, or the bytes.
    struct StoredBody: Sendable {
        var name: String?
        var blob: Data
    }

    /// The threads body files are written and flushed on. A flush waits for the disk; on the
    /// concurrency pool (one thread per core) two uploads flushing at once left every core idle
    /// while other requests waited. Eight threads let that many flushes wait at once.
    static let bodyIO: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// Writes a body where this store keeps them (before its row is written).
    func storeBody(_ bytes: [UInt8]) async throws -> StoredBody {
        guard let bodies else { return StoredBody(name: nil, blob: Data(bytes)) }
        return StoredBody(name: try await Self.bodyIO.runIfActive { try bodies.write(bytes) }, blob: Data())
    }

    /// Writes a body made of pieces (a multipart object's parts), one piece in memory at a time;
    /// returns it and its size.
    func storeBody(pieces: [StoredBody]) async throws -> (StoredBody, size: Int) {
        guard let bodies else {
            var data = Data()
            for piece in pieces { data.append(contentsOf: try loadBody(piece)) }
            return (StoredBody(name: nil, blob: data), data.count)
        }
        return try await Self.bodyIO.runIfActive {
            let writer = try bodies.writer()
            var size = 0
            for piece in pieces {
                let bytes = try Self.loadBody(piece, from: bodies)
                size += bytes.count
                try writer.append(bytes)
            }
            return (StoredBody(name: try writer.finish(), blob: Data()), size)
        }
    }

    func loadBody(_ body: StoredBody) throws -> [UInt8] {
        try Self.loadBody(body, from: bodies)
    }

    static func loadBody(_ body: StoredBody, from bodies: BodyDirectory?) throws -> [UInt8] {
        if let name = body.name {
            guard let bodies else { throw StoreError(.notFound, "the object body \(name) is in a directory this store does not have") }
            return try bodies.read(name)
        }
        return Array(body.blob)
    }

    /// The body a row names (`body` and `data` columns).
    static func storedBody(_ row: Row) -> StoredBody {
        StoredBody(name: row["body"], blob: row["data"] ?? Data())
    }

    /// Removes body files no row names any more (after the transaction that released them).
    func release(_ names: [String]) {
        bodies?.remove(names)
    }

    /// Runs a write that stores `body`; if it fails, the body is removed (it was never named).
    func writing<T: Sendable>(_ body: StoredBody, _ write: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(write)
        } catch {
            if let name = body.name { release([name]) }
            throw error
        }
    }

    /// The body names of the rows `sql` selects (one `body` column).
    static func bodyNames(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try String?.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).compactMap { $0 }
    }

    /// At start-up, by the holder of the state's lock only: body files that no row names (a crash
    /// between a body's write and its row's commit, or between a commit and the release of what it
    /// replaced) are removed. Returns how many.
    @discardableResult
    public func removeOrphanBodies() throws -> Int {
        guard let bodies else { return 0 }
        let named = try database.read { db in
            var names = Set<String>()
            for table in ["objects", "object_versions", "multipart_parts"] {
                for name in try String.fetchAll(db, sql: "SELECT body FROM \(table) WHERE body IS NOT NULL") { names.insert(name) }
            }
            return names
        }
        return bodies.removeAll(except: named)
    }
}
