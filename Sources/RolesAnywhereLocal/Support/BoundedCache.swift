import Synchronization

/// A thread-safe cache that holds at most `capacity` entries: the one cache of `rolesanywhere-local`
/// (sessions, signing keys, parsed policies, certificates, CRLs, decisions).
///
/// Entries live in two generations. New entries go into the young one; when it holds half the
/// capacity, it becomes the old one and the previous old one is dropped. A hit in the old
/// generation moves the entry back into the young one, so what is used stays and what is not ages
/// out, with O(1) work per call and never more than `capacity` entries (no unbounded growth, and
/// no moment where everything is thrown away at once).
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Generations {
        var young: [Key: Value] = [:]
        var old: [Key: Value] = [:]
    }

    private let generations = Mutex(Generations())
    private let generationSize: Int

    init(capacity: Int) {
        generationSize = max(1, capacity / 2)
    }

    /// The cached value for `key`, if any.
    func value(forKey key: Key) -> Value? {
        generations.withLock { state in
            if let value = state.young[key] { return value }
            guard let value = state.old.removeValue(forKey: key) else { return nil }
            Self.insert(value, forKey: key, into: &state, generationSize: generationSize)
            return value
        }
    }

    /// Stores `value` for `key`.
    func set(_ value: Value, forKey key: Key) {
        generations.withLock { state in
            state.old.removeValue(forKey: key)
            Self.insert(value, forKey: key, into: &state, generationSize: generationSize)
        }
    }

    /// The cached value for `key`, or the one `compute` makes (cached unless it throws).
    func value<Failure: Error>(forKey key: Key, _ compute: () throws(Failure) -> Value) throws(Failure) -> Value {
        if let cached = value(forKey: key) { return cached }
        let value = try compute()
        set(value, forKey: key)
        return value
    }

    /// How many entries are held (for tests).
    var count: Int { generations.withLock { $0.young.count + $0.old.count } }

    private static func insert(_ value: Value, forKey key: Key, into state: inout Generations, generationSize: Int) {
        if state.young[key] == nil, state.young.count >= generationSize {
            state.old = state.young
            state.young = [:]
            state.young.reserveCapacity(generationSize)
        }
        state.young[key] = value
    }
}
