import Synchronization

/// Reads that requests repeat (CreateSession's trust anchor, profile, CRLs and role; a session's
/// role and policies), answered from memory while nothing in their domain has been written.
///
/// Each domain has a write generation, advanced after every write to it has committed (or failed).
/// An entry keeps the generation that was current when its read began and counts only while that
/// is still the current one, so a write that commits during the read leaves an entry that is
/// already stale, never a stale entry that looks fresh. This holds because the store is the only
/// writer of its tables: `rolesanywhere-local` holds its state's lock (``StateLock``), and other
/// processes that open it (the tests) only read, or write sessions, which are not cached here.
final class StoreReadCache: Sendable {
    /// A set of tables whose writes invalidate one another's reads.
    enum Domain: Hashable, Sendable {
        /// Roles, inline and managed policies, attachments.
        case iam
        /// One kind of Roles Anywhere resource (`trust-anchor`, `profile`, `crl`, `subject`).
        case rolesAnywhere(String)
    }

    private struct Key: Hashable, Sendable {
        var domain: Domain
        var query: String
        var argument: String
    }

    private struct Entry: Sendable {
        var generation: UInt64
        var value: any Sendable
    }

    private let generations = Mutex<[Domain: UInt64]>([:])
    private let entries = BoundedCache<Key, Entry>(capacity: 20_000)

    /// The answer of `query` for `argument` in `domain`: cached if nothing was written to the
    /// domain since it was read, else `read()`, remembered.
    func value<Value: Sendable>(_ domain: Domain, _ query: String, _ argument: String, read: () throws -> Value) throws -> Value {
        let generation = generations.withLock { $0[domain, default: 0] }
        let key = Key(domain: domain, query: query, argument: argument)
        if let entry = entries.value(forKey: key), entry.generation == generation, let value = entry.value as? Value {
            return value
        }
        let value = try read()
        entries.set(Entry(generation: generation, value: value), forKey: key)
        return value
    }

    /// Marks every cached read of `domain` stale; called once a write to it has ended.
    func advance(_ domain: Domain) {
        generations.withLock { $0[domain, default: 0] &+= 1 }
    }
}
