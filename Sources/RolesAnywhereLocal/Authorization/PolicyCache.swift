import RolesAnywherePolicy

/// Parsed policy documents by their text: stored documents are parsed once, not on every request.
final class PolicyCache: Sendable {
    private let documents = BoundedCache<String, PolicyDocument>(capacity: 10_000)

    func document(_ text: String, kind: PolicyDocument.Kind) -> PolicyDocument? {
        let prefix: String
        switch kind {
        case .identity: prefix = "I"
        case .trust: prefix = "T"
        case .resource: prefix = "R"
        }
        let key = prefix + text
        if let cached = documents.value(forKey: key) { return cached }
        guard let parsed = try? PolicyDocument(json: text, kind: kind) else { return nil }
        documents.set(parsed, forKey: key)
        return parsed
    }
}
