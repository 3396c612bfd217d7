#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning
import RolesAnywhereSupport

/// One condition of a statement: an operator, a key and the values it compares with
/// (`"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "myContainer"}`).
public struct Condition: Sendable, Hashable {
    public enum SetQualifier: Sendable, Hashable {
        case none, forAnyValue, forAllValues
    }

    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case numericEquals = "NumericEquals"
        case numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan"
        case numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan"
        case numericGreaterThanEquals = "NumericGreaterThanEquals"
        case dateEquals = "DateEquals"
        case dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan"
        case dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan"
        case dateGreaterThanEquals = "DateGreaterThanEquals"
        case bool = "Bool"
        case binaryEquals = "BinaryEquals"
        case ipAddress = "IpAddress"
        case notIpAddress = "NotIpAddress"
        case arnEquals = "ArnEquals"
        case arnLike = "ArnLike"
        case arnNotEquals = "ArnNotEquals"
        case arnNotLike = "ArnNotLike"
        case null = "Null"

        /// Negated operators are true when no value matches (and when the key is missing).
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals,
                .notIpAddress, .arnNotEquals, .arnNotLike:
                true
            default:
                false
            }
        }
    }

    public var qualifier: SetQualifier
    public var `operator`: Operator
    public var ifExists: Bool
    /// The condition key as written, e.g. `aws:PrincipalTag/x509Subject/CN`.
    public var key: String
    public var values: [String]

    /// Parses one operator block, e.g. `"StringEquals": {"k1": "v", "k2": ["a", "b"]}`.
    static func parse(operator text: String, _ block: JSONValue) throws(PolicyError) -> [Condition] {
        var name = Substring(text)
        var qualifier = SetQualifier.none
        if name.hasPrefix("ForAnyValue:") {
            qualifier = .forAnyValue
            name = name.dropFirst("ForAnyValue:".count)
        } else if name.hasPrefix("ForAllValues:") {
            qualifier = .forAllValues
            name = name.dropFirst("ForAllValues:".count)
        }
        var ifExists = false
        if name.hasSuffix("IfExists") {
            ifExists = true
            name = name.dropLast("IfExists".count)
        }
        guard let op = Operator(rawValue: String(name)), !(ifExists && op == .null) else {
            throw PolicyError("Invalid Condition type : \(text).")
        }
        guard case .object(let keys) = block, !keys.isEmpty else {
            throw PolicyError("Syntax errors in policy: the \(text) condition must map keys to values.")
        }
        var conditions = [Condition]()
        for (key, value) in keys.sorted(by: { $0.key < $1.key }) {
            guard key.contains(":"), !key.hasPrefix(":") else {
                throw PolicyError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
            }
            let values: [String]
            switch value {
            case .array(let items):
                values = try items.map { item throws(PolicyError) in
                    guard let text = item.scalarText else { throw PolicyError("Syntax errors in policy: condition values must be scalars.") }
                    return text
                }
            default:
                guard let text = value.scalarText else { throw PolicyError("Syntax errors in policy: condition values must be scalars.") }
                values = [text]
            }
            conditions.append(Condition(qualifier: qualifier, operator: op, ifExists: ifExists, key: key, values: values))
        }
        return conditions
    }

    /// Whether the condition holds for `context`.
    func evaluate(_ context: RequestContext, substituteVariables: Bool) -> Bool {
        let contextValues = context.values(key)
        if `operator` == .null {
            let wantsMissing = values.contains { $0.lowercased() == "true" }
            let missing = contextValues == nil || contextValues!.isEmpty
            return wantsMissing == missing
        }
        guard let contextValues, !contextValues.isEmpty else {
            if ifExists { return true }
            switch qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case .none: return `operator`.isNegated
            }
        }
        func satisfies(_ contextValue: String) -> Bool {
            let matchesAny = values.contains { policyValue in compare(policyValue, contextValue, context, substituteVariables) }
            return `operator`.isNegated ? !matchesAny : matchesAny
        }
        switch qualifier {
        case .forAllValues:
            return contextValues.allSatisfy(satisfies)
        case .forAnyValue:
            return contextValues.contains(where: satisfies)
        case .none:
            if `operator`.isNegated {
                return contextValues.allSatisfy(satisfies)
            }
            return contextValues.contains(where: satisfies)
        }
    }

    /// The positive comparison of one policy value with one request value.
    private func compare(_ policyValue: String, _ value: String, _ context: RequestContext, _ substitute: Bool) -> Bool {
        switch `operator` {
        case .stringEquals, .stringNotEquals:
            return PolicyVariables.text(policyValue, context: context, substitute: substitute)?.hasSameCodePoints(as: value) ?? false
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            return PolicyVariables.text(policyValue, context: context, substitute: substitute)?.lowercased().hasSameCodePoints(as: value.lowercased()) ?? false
        case .stringLike, .stringNotLike:
            return PolicyVariables.pattern(policyValue, context: context, substitute: substitute)?.matches(value) ?? false
        case .arnEquals, .arnLike, .arnNotEquals, .arnNotLike:
            guard let pattern = PolicyVariables.pattern(policyValue, context: context, substitute: substitute) else { return false }
            return ARNPattern.matches(pattern, value)
        case .numericEquals, .numericNotEquals:
            return Self.number(policyValue).flatMap { p in Self.number(value).map { $0 == p } } ?? false
        case .numericLessThan:
            return Self.number(policyValue).flatMap { p in Self.number(value).map { $0 < p } } ?? false
        case .numericLessThanEquals:
            return Self.number(policyValue).flatMap { p in Self.number(value).map { $0 <= p } } ?? false
        case .numericGreaterThan:
            return Self.number(policyValue).flatMap { p in Self.number(value).map { $0 > p } } ?? false
        case .numericGreaterThanEquals:
            return Self.number(policyValue).flatMap { p in Self.number(value).map { $0 >= p } } ?? false
        case .dateEquals, .dateNotEquals:
            return Self.date(policyValue).flatMap { p in Self.date(value).map { $0 == p } } ?? false
        case .dateLessThan:
            return Self.date(policyValue).flatMap { p in Self.date(value).map { $0 < p } } ?? false
        case .dateLessThanEquals:
            return Self.date(policyValue).flatMap { p in Self.date(value).map { $0 <= p } } ?? false
        case .dateGreaterThan:
            return Self.date(policyValue).flatMap { p in Self.date(value).map { $0 > p } } ?? false
        case .dateGreaterThanEquals:
            return Self.date(policyValue).flatMap { p in Self.date(value).map { $0 >= p } } ?? false
        case .bool:
            return policyValue.lowercased().hasSameCodePoints(as: value.lowercased())
        case .binaryEquals:
            return Data(base64Encoded: policyValue) != nil && policyValue.hasSameCodePoints(as: value)
        case .ipAddress, .notIpAddress:
            guard let network = IPNetwork(policyValue), let address = IPNetwork.address(value) else { return false }
            return network.contains(address)
        case .null:
            return false
        }
    }

    static func number(_ text: String) -> Double? { Double(text.trimmingCharacters()) }

    /// ISO 8601 (`2026-11-29T01:02:03Z`, with fractions, or a date alone) or seconds since the epoch.
    static func date(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters()
        if let seconds = Int64(trimmed) { return seconds }
        if let date = AmzDate(iso8601: trimmed) { return date.secondsSince1970 }
        let parts = trimmed.split(separator: "-")
        if parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = AmzDate(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        {
            return date.secondsSince1970
        }
        return nil
    }
}

extension String {
    func trimmingCharacters() -> String {
        var result = Substring(self)
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return String(result)
    }
}

/// An IPv4 or IPv6 network in CIDR notation (a bare address is a /32 or /128).
struct IPNetwork: Sendable, Hashable {
    var address: [UInt8]
    var prefixLength: Int

    init?(_ text: String) {
        let parts = text.trimmingCharacters().split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = Self.address(String(first)) else { return nil }
        let maximum = address.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    func contains(_ other: [UInt8]) -> Bool {
        guard other.count == address.count else { return false }
        var remaining = prefixLength
        for index in address.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xff : ~(0xff >> UInt8(bits))
            if address[index] & mask != other[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func address(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
            guard halves.count <= 2 else { return nil }
            func groups(_ part: String) -> [UInt16]? {
                if part.isEmpty { return [] }
                var result = [UInt16]()
                for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                    guard let value = UInt16(group, radix: 16), group.count <= 4 else { return nil }
                    result.append(value)
                }
                return result
            }
            guard let head = groups(halves[0]) else { return nil }
            var words = head
            if halves.count == 2 {
                guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
                words += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
            }
            guard words.count == 8 else { return nil }
            return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes = [UInt8]()
        for part in parts {
            guard let value = UInt8(part), part.count <= 3 else { return nil }
            bytes.append(value)
        }
        return bytes
    }
}

extension String {
    /// Equality of code points, as IAM compares strings. Swift's `==` treats canonically equivalent
    /// text as equal (`café` with U+00E9 equals `cafe` + U+0301), which would let a request escape a
    /// `StringNotEquals` deny with a look-alike value.
    func hasSameCodePoints(as other: String) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}
