#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereSupport
import SwiftASN1
import X509

/// The members of an AWS Private CA request (JSON 1.1), read with the service's validation: every
/// problem is collected and reported at once as a ValidationException, with the member paths in
/// lower camel case as AWS writes them (`certificateAuthorityConfiguration.keyAlgorithm`).
struct PrivateCARequest {
    private var body: JSONBody

    init(_ bytes: [UInt8]) throws(AWSError) {
        body = try JSONBody(bytes)
    }

    private init(members: [String: JSONValue]) {
        body = JSONBody(members: members)
    }

    static func wire(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    func has(_ key: String) -> Bool { body.has(key) }

    /// A string member, checked against the model's length and `pattern` (a ValidationException).
    mutating func string(_ key: String, required: Bool = false, length: ClosedRange<Int>? = nil, pattern: String? = nil) -> String? {
        let value = body.string(key, required: required, length: length, pattern: pattern)
        rename(key)
        return value
    }

    mutating func integer(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
        let value = body.integer(key, range: range)
        rename(key)
        return value
    }

    /// A member of a closed set (`KeyAlgorithm`, `CertificateAuthorityType`, ...).
    mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type, required: Bool = false) -> Value?
    where Value.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Value(rawValue: text) else {
            body.errors.add(text, Self.wire(key), "Member must satisfy enum value set: [\(Value.allCases.map(\.rawValue).joined(separator: ", "))]")
            return nil
        }
        return value
    }

    mutating func bool(_ key: String, required: Bool = false) -> Bool? {
        if required, case .null = body.members[key] ?? .null {
            body.errors.add(nil, Self.wire(key), "Member must not be null")
            return nil
        }
        let value = body.bool(key)
        rename(key)
        return value
    }

    /// A list of structures, each read by the caller.
    mutating func objects(_ key: String, required: Bool = false) -> [PrivateCARequest]? {
        switch body.members[key] {
        case nil, .null?:
            if required { body.errors.add(nil, Self.wire(key), "Member must not be null") }
            return nil
        case .array(let items)?:
            var structures = [PrivateCARequest]()
            for item in items {
                guard case .object(let members) = item else {
                    body.errors.add(item.displayText, Self.wire(key), "Member must be a list of structures")
                    return nil
                }
                structures.append(PrivateCARequest(members: members))
            }
            return structures
        case let other?:
            body.errors.add(other.displayText, Self.wire(key), "Member must be a list")
            return nil
        }
    }

    /// A nested structure, read by the caller.
    mutating func object(_ key: String, required: Bool = false) -> PrivateCARequest? {
        switch body.members[key] {
        case nil, .null?:
            if required { body.errors.add(nil, Self.wire(key), "Member must not be null") }
            return nil
        case .object(let members)?:
            return PrivateCARequest(members: members)
        case let other?:
            body.errors.add(other.displayText, Self.wire(key), "Member must be a structure")
            return nil
        }
    }

    /// A member as sent (to echo it).
    func raw(_ key: String) -> JSONValue? {
        if case .null = body.members[key] ?? .null { return nil }
        return body.members[key]
    }

    /// A blob member: base64 in JSON, at most `maximum` bytes decoded.
    mutating func blob(_ key: String, required: Bool = false, maximum: Int) -> [UInt8]? {
        guard let text = string(key, required: required) else { return nil }
        guard let data = Data(base64Encoded: text) else {
            body.errors.add(nil, Self.wire(key), "Member must be base64-encoded")
            return nil
        }
        guard data.count <= maximum else {
            body.errors.add(nil, Self.wire(key), "Member must have length less than or equal to \(maximum)")
            return nil
        }
        return Array(data)
    }

    /// Throws the collected problems, if any, as one ValidationException.
    func validate(prefix: String = "") throws(AWSError) {
        guard !body.errors.messages.isEmpty else { return }
        let messages = body.errors.messages.map { $0.replacing(" at '", with: " at '\(prefix)") }
        let count = messages.count == 1 ? "1 validation error" : "\(messages.count) validation errors"
        throw PrivateCAErrors.validation("\(count) detected: " + messages.joined(separator: "; "))
    }

    /// Member names in messages as AWS writes them.
    private mutating func rename(_ key: String) {
        let wire = Self.wire(key)
        guard wire != key else { return }
        body.errors.messages = body.errors.messages.map { $0.replacing("at '\(key)'", with: "at '\(wire)'") }
    }
}

/// AWS Private CA's errors (all HTTP 400, as its model declares them).
enum PrivateCAErrors {
    static func error(_ code: String, _ message: String) -> AWSError { AWSError(code, status: 400, message) }
    static func validation(_ message: String) -> AWSError { error("ValidationException", message) }
    static func invalidArgs(_ message: String) -> AWSError { error("InvalidArgsException", message) }
    static func invalidState(_ authority: PrivateCARecord, _ action: String) -> AWSError {
        error("InvalidStateException", "The certificate authority \(authority.arn) is in the \(authority.status.rawValue) state and cannot \(action).")
    }
    /// A required member was missing after validation passed (cannot happen: validation reports it).
    static var internalValidation: AWSError { validation("1 validation error detected: a required member is missing") }
}

/// JSON 1.1 answers: timestamps in epoch seconds, `application/x-amz-json-1.1`.
enum PrivateCAJSON {
    static func response(_ value: some Encodable) throws(AWSError) -> LocalResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            return LocalResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.1")], body: Array(try encoder.encode(value)))
        } catch {
            throw AWSError.internalFailure("could not encode the answer: \(error)")
        }
    }

    /// A JSON value as text (to keep it in a record).
    static func text(_ value: JSONValue) -> String {
        let data: Data = (try? JSONEncoder().encode(Echo(value: value))) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Pagination tokens: the offset, base64 (opaque to clients, checked when read back).
    static func token(forOffset offset: Int) -> String { Data("offset:\(offset)".utf8).base64EncodedString() }
    static func offset(fromToken token: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("offset:") else { return nil }
        return Int(text.dropFirst("offset:".count)).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A JSON value written back as it came.
    struct Echo: Encodable {
        let value: JSONValue
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch value {
            case .string(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            case .bool(let flag): try container.encode(flag)
            case .null: try container.encodeNil()
            case .array(let items): try container.encode(items.map(Echo.init))
            case .object(let members): try container.encode(members.mapValues(Echo.init))
            }
        }
    }

    struct Described: Encodable {
        let CertificateAuthority: Authority
    }

    struct Listed: Encodable {
        let CertificateAuthorities: [Authority]
        let NextToken: String?
    }

    /// `CertificateAuthority` of the model.
    struct Authority: Encodable {
        struct Configuration: Encodable {
            let KeyAlgorithm: String
            let SigningAlgorithm: String
            let Subject: [String: String]
        }
        let Arn: String
        let OwnerAccount: String
        let CreatedAt: Date
        let LastStateChangeAt: Date
        let `Type`: String
        let Serial: String?
        let Status: String
        let NotBefore: Date?
        let NotAfter: Date?
        let CertificateAuthorityConfiguration: Configuration
        let RevocationConfiguration: Echo?
        let RestorableUntil: Date?
        let KeyStorageSecurityStandard: String
        let UsageMode: String

        init(_ record: PrivateCARecord, account: String) {
            Arn = record.arn
            OwnerAccount = account
            CreatedAt = record.createdAt
            LastStateChangeAt = record.lastStateChangeAt
            `Type` = record.kind.rawValue
            Serial = record.serial
            Status = record.status.rawValue
            NotBefore = record.notBefore
            NotAfter = record.notAfter
            CertificateAuthorityConfiguration = Configuration(
                KeyAlgorithm: record.keyAlgorithm.rawValue, SigningAlgorithm: record.signingAlgorithm.rawValue, Subject: record.subject
            )
            RevocationConfiguration = record.revocationConfiguration.flatMap { try? JSONValue.parse($0) }.map(Echo.init)
            RestorableUntil = record.status == .deleted ? record.restorableUntil : nil
            KeyStorageSecurityStandard = record.keyStorageSecurityStandard
            UsageMode = record.usageMode.rawValue
        }
    }
}

/// `ASN1Subject`: the members AWS takes, in the order they are written into the name.
struct PrivateCASubject {
    /// One member: its attribute type, maximum length, and whether the value is a PrintableString.
    struct Attribute {
        let member: String
        let oid: ASN1ObjectIdentifier
        let length: Int
        let printable: Bool
    }

    static let attributes: [Attribute] = [
        Attribute(member: "Country", oid: [2, 5, 4, 6], length: 2, printable: true),
        Attribute(member: "Organization", oid: [2, 5, 4, 10], length: 64, printable: false),
        Attribute(member: "OrganizationalUnit", oid: [2, 5, 4, 11], length: 64, printable: false),
        Attribute(member: "DistinguishedNameQualifier", oid: [2, 5, 4, 46], length: 64, printable: true),
        Attribute(member: "State", oid: [2, 5, 4, 8], length: 128, printable: false),
        Attribute(member: "CommonName", oid: [2, 5, 4, 3], length: 64, printable: false),
        Attribute(member: "SerialNumber", oid: [2, 5, 4, 5], length: 64, printable: true),
        Attribute(member: "Locality", oid: [2, 5, 4, 7], length: 128, printable: false),
        Attribute(member: "Title", oid: [2, 5, 4, 12], length: 64, printable: false),
        Attribute(member: "Surname", oid: [2, 5, 4, 4], length: 40, printable: false),
        Attribute(member: "GivenName", oid: [2, 5, 4, 42], length: 16, printable: false),
        Attribute(member: "Initials", oid: [2, 5, 4, 43], length: 5, printable: false),
        Attribute(member: "Pseudonym", oid: [2, 5, 4, 65], length: 128, printable: false),
        Attribute(member: "GenerationQualifier", oid: [2, 5, 4, 44], length: 3, printable: false),
    ]

    var members: [String: String]

    /// Reads a subject; `prefix` names where it is in messages, `what` what it is.
    static func read(
        _ body: inout PrivateCARequest, prefix: String = "certificateAuthorityConfiguration.subject.", what: String = "The CA subject"
    ) throws(AWSError) -> PrivateCASubject {
        var members = [String: String]()
        for attribute in attributes {
            if let value = body.string(attribute.member, length: (attribute.member == "Country" ? 2 : 0)...attribute.length) { members[attribute.member] = value }
        }
        if body.has("CustomAttributes") {
            throw PrivateCAErrors.invalidArgs("CustomAttributes in the subject are not supported by rolesanywhere-local yet.")
        }
        try body.validate(prefix: prefix)
        guard !members.values.allSatisfy(\.isEmpty) else {
            throw PrivateCAErrors.invalidArgs("\(what) is empty: give at least one member (a CommonName, say).")
        }
        return PrivateCASubject(members: members)
    }

    func distinguishedName() throws(AWSError) -> DistinguishedName {
        do {
            var names = [RelativeDistinguishedName.Attribute]()
            for attribute in Self.attributes {
                guard let value = members[attribute.member], !value.isEmpty else { continue }
                names.append(
                    attribute.printable
                        ? try RelativeDistinguishedName.Attribute(type: attribute.oid, printableString: value)
                        : RelativeDistinguishedName.Attribute(type: attribute.oid, utf8String: value)
                )
            }
            return try DistinguishedName(names)
        } catch {
            throw PrivateCAErrors.invalidArgs("The CA subject cannot be encoded: \(error)")
        }
    }
}

/// `Validity`: when a certificate's validity ends (or, for `ValidityNotBefore`, starts).
enum PrivateCAValidity {
    case days(Int), months(Int), years(Int), absolute(Date), endDate(Date)

    static func read(_ body: inout PrivateCARequest, member: String) throws(AWSError) -> PrivateCAValidity {
        let value = body.integer("Value", range: 1...Int.max)
        let type = body.string("Type", required: true)
        try body.validate(prefix: "\(member).")
        guard let value else { throw PrivateCAErrors.validation("1 validation error detected: Value null at '\(member).value' failed to satisfy constraint: Member must not be null") }
        switch type {
        case "DAYS": return .days(value)
        case "MONTHS": return .months(value)
        case "YEARS": return .years(value)
        case "ABSOLUTE": return .absolute(Date(timeIntervalSince1970: TimeInterval(value)))
        case "END_DATE":
            // YYYYMMDDHHMMSS in UTC.
            let digits = String(value)
            guard digits.count == 14, let date = AmzDate(amzDateTime: Self.amzDateTime(digits))?.date else {
                throw PrivateCAErrors.invalidArgs("An END_DATE validity is a date and time as YYYYMMDDHHMMSS (UTC), such as 20301231235959; \(value) is not.")
            }
            return .endDate(date)
        default:
            throw PrivateCAErrors.validation(
                "1 validation error detected: Value '\(type ?? "null")' at '\(member).type' failed to satisfy constraint: Member must satisfy enum value set: [END_DATE, ABSOLUTE, DAYS, MONTHS, YEARS]"
            )
        }
    }

    /// `YYYYMMDDHHMMSS` as `YYYYMMDDTHHMMSSZ`.
    static func amzDateTime(_ digits: String) -> String {
        let d = Array(digits)
        return "\(String(d[0..<4]))\(String(d[4..<6]))\(String(d[6..<8]))T\(String(d[8..<10]))\(String(d[10..<12]))\(String(d[12..<14]))Z"
    }

    /// The instant this validity names, for a certificate issued at `now`.
    func notAfter(from now: Date) -> Date {
        switch self {
        case .days(let days): return now.addingTimeInterval(TimeInterval(min(days, 365 * 1000)) * 86400)
        case .months(let months): return Self.adding(months: min(months, 12 * 1000), to: now)
        case .years(let years): return Self.adding(months: min(years, 1000) * 12, to: now)
        case .absolute(let date), .endDate(let date): return date
        }
    }

    static func adding(months: Int, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(byAdding: .month, value: months, to: date) ?? date.addingTimeInterval(TimeInterval(months) * 30 * 86400)
    }

    static func describe(_ seconds: TimeInterval) -> String {
        seconds >= 86400 ? "\(Int(seconds / 86400)) days and \(Int(seconds.truncatingRemainder(dividingBy: 86400) / 3600)) hours" : "\(Int(seconds / 3600)) hours"
    }
}

extension PrivateCAKeyAlgorithm {
    /// The PKI layer's key of this kind.
    var pkiAlgorithm: KeyAlgorithm {
        switch self {
        case .rsa2048: .rsa(bits: 2048)
        case .rsa3072: .rsa(bits: 3072)
        case .rsa4096: .rsa(bits: 4096)
        case .ecPrime256v1: .ecdsa(.p256)
        case .ecSecp384r1: .ecdsa(.p384)
        case .ecSecp521r1: .ecdsa(.p521)
        case .mlDSA44: .mlDSA(.mlDSA44)
        case .mlDSA65: .mlDSA(.mlDSA65)
        case .mlDSA87: .mlDSA(.mlDSA87)
        }
    }
}
