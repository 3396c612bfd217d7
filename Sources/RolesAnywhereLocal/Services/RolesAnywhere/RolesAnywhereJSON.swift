#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSigning
import RolesAnywhereSupport

/// REST-JSON answers of the Roles Anywhere service: ISO 8601 timestamps with microseconds, as the
/// service writes them, and unescaped slashes in ARNs.
enum RolesAnywhereJSON {
    static func response(_ value: some Encodable, status: Int = 200) throws(AWSError) -> LocalResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        if let wireKey { encoder.userInfo[wireKey] = true }
        do {
            return LocalResponse.json(String(decoding: try encoder.encode(value), as: UTF8.self), status: status)
        } catch {
            throw AWSError.internalFailure("could not encode the answer: \(error)")
        }
    }

    /// Marks an answer's encoder, so records keep what only the store holds out of answers.
    static let wireKey = CodingUserInfoKey(rawValue: "rolesanywhere.wire")

    /// Whether `encoder` writes an answer (rather than a stored document).
    static func isWire(_ encoder: any Encoder) -> Bool {
        guard let wireKey else { return false }
        return encoder.userInfo[wireKey] != nil
    }

    /// `2022-07-01T18:11:27.380711Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let whole = AmzDate(Date(timeIntervalSince1970: seconds)).iso8601
        let fraction = String(micros)
        return whole.dropLast() + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    /// A time as the service keeps it: to the microsecond.
    static func now(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded(.down) / 1_000_000)
    }
}

/// The members of a JSON request body, read with the service's validation: every problem is
/// collected and reported at once, in AWS's "N validation errors detected" style.
struct JSONBody {
    let members: [String: JSONValue]
    var errors = ValidationErrors()

    init(_ body: [UInt8]) throws(AWSError) {
        guard !body.isEmpty, !body.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) else {
            members = [:]
            return
        }
        guard let text = String(validating: body, as: UTF8.self), let value = try? JSONValue.parse(text) else {
            throw AWSError.rolesAnywhereValidation("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw AWSError.rolesAnywhereValidation("The request body must be a JSON object.")
        }
        members = object
    }

    init(members: [String: JSONValue]) {
        self.members = members
    }

    func has(_ key: String) -> Bool {
        if case .null = members[key] ?? .null { return false }
        return true
    }

    mutating func string(_ key: String, required: Bool = false, length: ClosedRange<Int>? = nil, pattern: String? = nil) -> String? {
        switch members[key] {
        case nil, .null?:
            if required { errors.add(nil, key, "Member must not be null") }
            return nil
        case .string(let text)?:
            errors.check(text, key, length: length, pattern: pattern)
            return text
        case let other?:
            errors.add(other.displayText, key, "Member must be a string")
            return nil
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch members[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            errors.add(other.displayText, key, "Member must be a boolean")
            return nil
        }
    }

    mutating func integer(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
        switch members[key] {
        case nil, .null?: return nil
        case .number(let value)? where value == value.rounded() && abs(value) < 1e15:
            let integer = Int(value)
            if let range {
                if integer < range.lowerBound {
                    errors.add(String(integer), key, "Member must have value greater than or equal to \(range.lowerBound)")
                } else if integer > range.upperBound {
                    errors.add(String(integer), key, "Member must have value less than or equal to \(range.upperBound)")
                }
            }
            return integer
        case let other?:
            errors.add(other.displayText, key, "Member must be an integer")
            return nil
        }
    }

    /// A list of strings, each checked.
    mutating func strings(_ key: String, required: Bool = false, count: ClosedRange<Int>? = nil, length: ClosedRange<Int>? = nil, pattern: String? = nil) -> [String]? {
        switch members[key] {
        case nil, .null?:
            if required { errors.add(nil, key, "Member must not be null") }
            return nil
        case .array(let items)?:
            var values = [String]()
            for item in items {
                guard case .string(let text) = item else {
                    errors.add(item.displayText, key, "Member must be a list of strings")
                    return nil
                }
                values.append(text)
            }
            if let count, !count.contains(values.count) {
                errors.add(JSONValue.array(items).displayText, key, values.count < count.lowerBound ? "Member must have length greater than or equal to \(count.lowerBound)" : "Member must have length less than or equal to \(count.upperBound)")
            }
            for (index, value) in values.enumerated() {
                errors.check(value, "\(key).\(index + 1).member", length: length, pattern: pattern)
            }
            return values
        case let other?:
            errors.add(other.displayText, key, "Member must be a list")
            return nil
        }
    }

    /// A list of objects, each read by `read` with its own body.
    mutating func objects<T>(_ key: String, required: Bool = false, count: ClosedRange<Int>? = nil, _ read: (inout JSONBody) -> T?) -> [T]? {
        switch members[key] {
        case nil, .null?:
            if required { errors.add(nil, key, "Member must not be null") }
            return nil
        case .array(let items)?:
            if let count, !count.contains(items.count) {
                errors.add(JSONValue.array(items).displayText, key, items.count < count.lowerBound ? "Member must have length greater than or equal to \(count.lowerBound)" : "Member must have length less than or equal to \(count.upperBound)")
            }
            var values = [T]()
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item else {
                    errors.add(item.displayText, key, "Member must be a list of objects")
                    return nil
                }
                let path = "\(key).\(index + 1).member"
                var nested = JSONBody(members: members)
                if let value = read(&nested) { values.append(value) }
                errors.messages += nested.errors.messages.map { $0.replacing(" at '", with: " at '\(path).") }
            }
            return values
        case let other?:
            errors.add(other.displayText, key, "Member must be a list")
            return nil
        }
    }

    /// An object member, read by `read`.
    mutating func object<T>(_ key: String, required: Bool = false, _ read: (inout JSONBody) -> T?) -> T? {
        switch members[key] {
        case nil, .null?:
            if required { errors.add(nil, key, "Member must not be null") }
            return nil
        case .object(let members)?:
            var nested = JSONBody(members: members)
            let value = read(&nested)
            errors.messages += nested.errors.messages.map { $0.replacing(" at '", with: " at '\(key).") }
            return value
        case let other?:
            errors.add(other.displayText, key, "Member must be an object")
            return nil
        }
    }

    /// A map of strings (`instanceProperties`): at most `count` entries, keys and values of
    /// `length` characters.
    mutating func stringMap(_ key: String, count: ClosedRange<Int>, length: ClosedRange<Int>) -> [String: String]? {
        switch members[key] {
        case nil, .null?:
            return nil
        case .object(let entries)?:
            guard count.contains(entries.count) else {
                errors.add(nil, key, "Member must have length \(entries.count < count.lowerBound ? "greater than or equal to \(count.lowerBound)" : "less than or equal to \(count.upperBound)")")
                return nil
            }
            var map = [String: String]()
            for (name, value) in entries {
                guard case .string(let text) = value, length.contains(name.count), length.contains(text.count) else {
                    errors.add(nil, key, "Member must be a map of strings of \(length.lowerBound) to \(length.upperBound) characters")
                    return nil
                }
                map[name] = text
            }
            return map
        case let other?:
            errors.add(other.displayText, key, "Member must be an object")
            return nil
        }
    }

    /// `tags`: at most 200 `{key, value}` pairs.
    mutating func tags(_ key: String = "tags") -> [ResourceTag]? {
        objects(key, count: 0...200) { tag in
            let key = tag.string("key", required: true, length: 1...128, pattern: RolesAnywherePatterns.tag)
            let value = tag.string("value", required: true, length: 0...256, pattern: RolesAnywherePatterns.tag)
            guard let key, let value else { return nil }
            return ResourceTag(key: key, value: value)
        }
    }

    /// Throws the collected validation errors, if any.
    func validate() throws(AWSError) {
        try errors.validate()
    }
}

/// Validation failures, rendered as the service renders them.
struct ValidationErrors {
    var messages = [String]()

    mutating func add(_ value: String?, _ member: String, _ constraint: String) {
        let shown = value.map { "'\($0)'" } ?? "null"
        messages.append("Value \(shown) at '\(member)' failed to satisfy constraint: \(constraint)")
    }

    mutating func check(_ text: String, _ member: String, length: ClosedRange<Int>?, pattern: String?) {
        if let length {
            let count = text.count
            if count < length.lowerBound {
                add(text, member, "Member must have length greater than or equal to \(length.lowerBound)")
                return
            }
            if count > length.upperBound {
                add(String(text.prefix(64)) + (count > 64 ? "..." : ""), member, "Member must have length less than or equal to \(length.upperBound)")
                return
            }
        }
        if let pattern, !RolesAnywherePatterns.matches(text, pattern) {
            add(text, member, "Member must satisfy regular expression pattern: \(pattern)")
        }
    }

    func validate() throws(AWSError) {
        guard !messages.isEmpty else { return }
        let count = messages.count == 1 ? "1 validation error" : "\(messages.count) validation errors"
        throw AWSError.rolesAnywhereValidation("\(count) detected: " + messages.joined(separator: "; "))
    }
}

/// The patterns of the service model, with a hand-written matcher each: compiling a `Regex` per
/// check cost CreateSession a fifth of its time.
enum RolesAnywherePatterns {
    static let resourceName = "[ a-zA-Z0-9-_]*"
    static let tag = "[ a-zA-Z0-9_.:/=+@-]*"
    static let uuid = ".*[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}.*"
    static let roleArn = "arn:aws(-[^:]+)?:iam(:.*){2}(:role.*)"
    static let trustAnchorArn = "arn:aws(-[^:]+)?:rolesanywhere(:.*){2}(:trust-anchor.*)"
    static let profileArn = "arn:aws(-[^:]+)?:rolesanywhere(:.*){2}(:profile.*)"
    static let roleSessionName = #"[\w+=,.@-]*"#

    static func matches(_ text: String, _ pattern: String) -> Bool {
        switch pattern {
        case resourceName: return text.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        case tag: return text.utf8.allSatisfy { isAlphanumeric($0) || Array(" _.:/=+@-".utf8).contains($0) }
        case uuid: return containsUUID(text)
        case roleArn: return isARN(text, service: "iam", resource: "role")
        case trustAnchorArn: return isARN(text, service: "rolesanywhere", resource: "trust-anchor")
        case profileArn: return isARN(text, service: "rolesanywhere", resource: "profile")
        case roleSessionName: return text.allSatisfy { $0.isLetter || $0.isNumber || "_+=,.@-".contains($0) }
        default:
            guard let regex = try? Regex(pattern) else { return false }
            return (try? regex.wholeMatch(in: text)) != nil
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `arn:aws[-partition]:<service>:<anything>:<anything>:<resource>...`.
    static func isARN(_ text: String, service: String, resource: String) -> Bool {
        // On the bytes (`:` is ASCII): CreateSession checks three ARNs per call.
        let parts = text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0].elementsEqual("arn".utf8), parts[2].elementsEqual(service.utf8) else { return false }
        let partition = Substring(parts[1])
        guard partition == "aws" || (partition.utf8.starts(with: "aws-".utf8) && partition.unicodeScalars.count > 4) else { return false }
        return parts[5...].contains { $0.starts(with: resource.utf8) }
    }

    /// Somewhere in `text`, 8 hex digits and four groups of 4, 4, 4 and 12 lower-case letters or digits.
    static func containsUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 36 else { return false }
        func lowerAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        for start in 0...(bytes.count - 36) {
            let window = bytes[start..<start + 36]
            let ok = window.enumerated().allSatisfy { offset, byte in
                switch offset {
                case 8, 13, 18, 23: byte == UInt8(ascii: "-")
                case 0..<8: (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                default: lowerAlphanumeric(byte)
                }
            }
            if ok { return true }
        }
        return false
    }
}

extension AWSError {
    static func rolesAnywhereValidation(_ message: String) -> AWSError {
        AWSError("ValidationException", status: 400, message)
    }

    static func resourceNotFound(_ message: String) -> AWSError {
        AWSError("ResourceNotFoundException", status: 404, message)
    }

    static func accessDeniedException(_ message: String) -> AWSError {
        AWSError("AccessDeniedException", status: 403, message)
    }
}

extension JSONValue {
    /// The value as it appears in a validation message.
    var displayText: String {
        switch self {
        case .string(let text): text
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(\.displayText).joined(separator: ", ") + "]"
        case .object: "{...}"
        }
    }
}
