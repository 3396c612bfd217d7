/// One HTTP header line, as sent. Names compare case-insensitively; order and repetition are kept,
/// because SigV4 joins the values of a repeated header in the order they appear.
public struct HTTPHeaderField: Sendable, Hashable {
    /// The header name as written (any case).
    public var name: String
    /// The header value as written (not trimmed).
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The lower-cased name, as used in canonical headers and `SignedHeaders`.
    public var canonicalName: String { name.lowercased() }

    /// Whether the name is `other`, ignoring ASCII case (header names are ASCII tokens), without
    /// allocating: the verifiers look headers up several times per request.
    public func hasName(_ other: String) -> Bool {
        let left = name.utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            let lowerA = a >= 0x41 && a <= 0x5A ? a | 0x20 : a
            let lowerB = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if lowerA != lowerB { return false }
        }
        return true
    }
}

extension Array where Element == HTTPHeaderField {
    /// The values of every header called `name` (case-insensitive), in order.
    public func values(named name: String) -> [String] {
        var values = [String]()
        for field in self where field.hasName(name) { values.append(field.value) }
        return values
    }

    /// The first value of the header called `name` (case-insensitive).
    public func first(named name: String) -> String? {
        self.first(where: { $0.hasName(name) })?.value
    }

    /// Replaces every header called `name` with a single one holding `value`.
    public mutating func replace(named name: String, with value: String) {
        let lowered = name.lowercased()
        if let index = self.firstIndex(where: { $0.name.lowercased() == lowered }) {
            self[index].value = value
            var position = self.index(after: index)
            while position < self.endIndex {
                if self[position].name.lowercased() == lowered {
                    self.remove(at: position)
                } else {
                    position = self.index(after: position)
                }
            }
        } else {
            self.append(HTTPHeaderField(name: name, value: value))
        }
    }

    /// Removes every header called `name`.
    public mutating func remove(named name: String) {
        let lowered = name.lowercased()
        self.removeAll(where: { $0.name.lowercased() == lowered })
    }
}
