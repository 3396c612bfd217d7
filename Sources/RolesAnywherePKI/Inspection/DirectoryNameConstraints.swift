import X509

/// RFC 5280 §4.2.1.10 name constraints on directory names (`directoryName` subtrees), which
/// swift-certificates' verifier refuses outright rather than evaluating, so that a CA permitting
/// only `O=Permitted Org` would have no valid leaf at all. A subject is within a subtree when the
/// subtree's relative distinguished names are the first ones of the subject, compared attribute by
/// attribute with case and runs of white space ignored (RFC 5280 §7.1, RFC 4518 in short).
enum DirectoryNameConstraints {
    /// Why `subject` is outside `constraints`' directory-name subtrees, or nil.
    static func violation(subject: DistinguishedName, constraints: NameConstraints) -> String? {
        let permitted = constraints.permittedSubtrees.compactMap { name -> DistinguishedName? in
            if case .directoryName(let subtree) = name { return subtree } else { return nil }
        }
        let excluded = constraints.excludedSubtrees.compactMap { name -> DistinguishedName? in
            if case .directoryName(let subtree) = name { return subtree } else { return nil }
        }
        // An empty subject names nothing to constrain (its names are in subjectAltName).
        guard !subject.isEmpty else { return nil }
        if let hit = excluded.first(where: { isWithin(subject, $0) }) {
            return "its subject \(subject) is in the excluded subtree \(hit)"
        }
        if !permitted.isEmpty, !permitted.contains(where: { isWithin(subject, $0) }) {
            return "its subject \(subject) is not within the permitted subtree\(permitted.count == 1 ? "" : "s") \(permitted.map { "\($0)" }.joined(separator: ", "))"
        }
        return nil
    }

    /// Whether `subtree`'s RDNs are the first RDNs of `name`.
    static func isWithin(_ name: DistinguishedName, _ subtree: DistinguishedName) -> Bool {
        let nameRDNs = Array(name)
        let subtreeRDNs = Array(subtree)
        guard subtreeRDNs.count <= nameRDNs.count else { return false }
        return zip(nameRDNs, subtreeRDNs).allSatisfy { rdnMatches($0, $1) }
    }

    static func rdnMatches(_ lhs: RelativeDistinguishedName, _ rhs: RelativeDistinguishedName) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        return left.allSatisfy { attribute in
            right.contains { $0.type == attribute.type && normalized("\($0.value)") == normalized("\(attribute.value)") }
        }
    }

    /// Case folded, leading and trailing white space dropped, inner runs of it made one space.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}
