import RolesAnywherePolicy
import Synchronization

/// Parsed policy documents by their text: stored documents are parsed once, not on every request.
final class PolicyCache: Sendable {
    private let documents = Mutex<[String: PolicyDocument]>([:])

    func document(_ text: String, kind: PolicyDocument.Kind) -> PolicyDocument? {
        let key = (kind == .trust ? "T" : "I") + text
        if let cached = documents.withLock({ $0[key] }) { return cached }
        guard let parsed = try? PolicyDocument(json: text, kind: kind) else { return nil }
        documents.withLock { cache in
            if cache.count > 5_000 { cache.removeAll() }
            cache[key] = parsed
        }
        return parsed
    }
}
