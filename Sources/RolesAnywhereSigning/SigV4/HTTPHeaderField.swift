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
}

extension Array where Element == HTTPHeaderField {
    /// The values of every header called `name` (case-insensitive), in order.
    public func values(named name: String) -> [String] {
        let lowered = name.lowercased()
        return self.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// The first value of the header called `name` (case-insensitive).
    public func first(named name: String) -> String? {
        let lowered = name.lowercased()
        return self.first(where: { $0.name.lowercased() == lowered })?.value
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
