import SwiftASN1
public import X509
import RolesAnywhereSupport

/// The parts of a distinguished name the PKI commands set from flags (`--cn`, `--o`, `--ou`, `--c`,
/// `--st`, `--l`), in the order OpenSSL writes them.
public struct SubjectName: Sendable, Hashable {
    public var country: String?
    public var stateOrProvince: String?
    public var locality: String?
    public var organization: String?
    public var organizationalUnits: [String]
    public var commonName: String?

    public init(
        commonName: String? = nil,
        organization: String? = nil,
        organizationalUnits: [String] = [],
        country: String? = nil,
        stateOrProvince: String? = nil,
        locality: String? = nil
    ) {
        self.commonName = commonName
        self.organization = organization
        self.organizationalUnits = organizationalUnits
        self.country = country
        self.stateOrProvince = stateOrProvince
        self.locality = locality
    }

    /// The distinguished name, checked: a non-empty subject (Roles Anywhere rejects empty subjects),
    /// a two-letter country, and values within X.520's length limits.
    public func distinguishedName() throws(PKIError) -> DistinguishedName {
        func nonEmpty(_ value: String?) -> String? {
            guard let value = value?.trimmingCharacters(in: " "), !value.isEmpty else { return nil }
            return value
        }
        let units = organizationalUnits.compactMap(nonEmpty)
        guard [country, stateOrProvince, locality, organization, commonName].contains(where: { nonEmpty($0) != nil }) || !units.isEmpty
        else {
            throw PKIError(.invalidConfiguration, "the subject is empty: give at least --cn (IAM Roles Anywhere rejects certificates with an empty subject)")
        }
        var attributes = [RelativeDistinguishedName.Attribute]()
        do {
            if let country = nonEmpty(country) {
                guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    throw PKIError(.invalidConfiguration, "--c '\(country)' must be a two-letter country code such as US")
                }
                attributes.append(try .init(type: .RDNAttributeType.countryName, printableString: country.uppercased()))
            }
            for (value, type, flag, limit) in [
                (nonEmpty(stateOrProvince), ASN1ObjectIdentifier.RDNAttributeType.stateOrProvinceName, "--st", 128),
                (nonEmpty(locality), .RDNAttributeType.localityName, "--l", 128),
                (nonEmpty(organization), .RDNAttributeType.organizationName, "--o", 64),
            ] {
                guard let value else { continue }
                try Self.checkLength(value, flag: flag, limit: limit)
                attributes.append(.init(type: type, utf8String: value))
            }
            for unit in units {
                try Self.checkLength(unit, flag: "--ou", limit: 64)
                attributes.append(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: unit))
            }
            if let commonName = nonEmpty(commonName) {
                try Self.checkLength(commonName, flag: "--cn", limit: 64)
                attributes.append(.init(type: .RDNAttributeType.commonName, utf8String: commonName))
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.invalidConfiguration, "the subject cannot be encoded: \(error)")
        }
        return DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
    }

    static func checkLength(_ value: String, flag: String, limit: Int) throws(PKIError) {
        guard value.count <= limit else {
            throw PKIError(.invalidConfiguration, "\(flag) is \(value.count) characters long; the limit is \(limit)")
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
