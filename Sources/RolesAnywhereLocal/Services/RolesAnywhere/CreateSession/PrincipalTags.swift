import RolesAnywhereSigning
import SwiftASN1
import X509

/// The principal tags CreateSession derives from a certificate, as the profile's attribute mappings
/// select them: `x509Subject/<RDN>`, `x509Issuer/<RDN>`, and the first DNS name, URI and directory
/// name of the SAN (`x509SAN/DNS`, `x509SAN/URI`, `x509SAN/Name/<RDN>`). Several values of one
/// attribute are joined with `/` in certificate order. A mapped value STS would not accept as a
/// session tag fails CreateSession (SERVICE-SPEC §2.6, as the service behaves), naming the field.
enum PrincipalTags {
    /// Short names of the RDN attributes that become tags.
    static let shortNames: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN", [2, 5, 4, 6]: "C", [2, 5, 4, 10]: "O", [2, 5, 4, 11]: "OU", [2, 5, 4, 8]: "ST", [2, 5, 4, 7]: "L",
        [0, 9, 2342, 19_200_300, 100, 1, 1]: "UID", [0, 9, 2342, 19_200_300, 100, 1, 25]: "DC", [1, 2, 840, 113_549, 1, 9, 1]: "emailAddress",
        [2, 5, 4, 5]: "serialNumber", [2, 5, 4, 12]: "title", [2, 5, 4, 9]: "street", [2, 5, 4, 17]: "postalCode",
        [2, 5, 4, 42]: "GN", [2, 5, 4, 4]: "SN", [2, 5, 4, 43]: "initials", [2, 5, 4, 65]: "pseudonym",
        [2, 5, 4, 46]: "dnQualifier", [2, 5, 4, 44]: "generationQualifier",
    ]

    /// The mapped fields whose values cannot be session tags, by source, as CreateSession names
    /// them when it refuses: RDN short names for the issuer and subject, `DNS/<n>`, `URI/<n>` and
    /// `Name/<RDN>` for the SAN (`n` counts the certificate's names of that kind from 1).
    struct Unmapped: Sendable, Hashable {
        var issuer: [String] = []
        var subject: [String] = []
        var san: [String] = []

        var isEmpty: Bool { issuer.isEmpty && subject.isEmpty && san.isEmpty }

        /// `Issuer: [ CN ]; Subject: [  ]; SAN: [ DNS/2 ]`, as the service writes it.
        var description: String {
            func list(_ names: [String]) -> String { "[ " + names.joined(separator: ", ") + " ]" }
            return "Issuer: \(list(issuer)); Subject: \(list(subject)); SAN: \(list(san))"
        }
    }

    /// A certificate's tags, and the mapped fields that could not become tags.
    typealias Derivation = (tags: [String: String], unmapped: Unmapped)

    /// The tags of `certificate` under `mappings`, and the mapped fields whose values STS would
    /// not accept as session tags (CreateSession fails on any: the service does not drop them).
    static func derive(from certificate: X509Certificate, mappings: [AttributeMapping]) -> Derivation {
        var tags = [String: String]()
        var unmapped = Unmapped()
        func rules(_ field: String) -> Set<String> {
            Set(mappings.filter { $0.certificateField == field }.flatMap { $0.mappingRules.map(\.specifier) })
        }
        func add(_ key: String, _ value: String, failed: () -> Void) {
            if isValidTagKey(key) && isValidTagValue(value) { tags[key] = value } else { failed() }
        }
        let subjectRules = rules("x509Subject")
        for (name, value) in attributes(of: certificate.subject) where subjectRules.contains("*") || subjectRules.contains(name) {
            add("x509Subject/\(name)", value) { unmapped.subject.append(name) }
        }
        let issuerRules = rules("x509Issuer")
        for (name, value) in attributes(of: certificate.issuer) where issuerRules.contains("*") || issuerRules.contains(name) {
            add("x509Issuer/\(name)", value) { unmapped.issuer.append(name) }
        }
        let sanRules = rules("x509SAN")
        if let names = try? certificate.extensions.subjectAlternativeNames {
            // The first DNS name and URI become tags; every one of a mapped kind must be valid.
            let dnsNames = names.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
            let uris = names.compactMap { if case .uniformResourceIdentifier(let uri) = $0 { uri } else { nil } }
            for (kind, values) in [("DNS", dnsNames), ("URI", uris)] where sanRules.contains(kind) || sanRules.contains("*") {
                for (index, value) in values.enumerated() where !isValidTagValue(value) { unmapped.san.append("\(kind)/\(index + 1)") }
                if let first = values.first, isValidTagValue(first) { tags["x509SAN/\(kind)"] = first }
            }
            if let directory = names.lazy.compactMap({ if case .directoryName(let name) = $0 { name } else { nil } }).first {
                for (name, value) in attributes(of: directory) where sanRules.contains("Name/*") || sanRules.contains("Name/\(name)") || sanRules.contains("*") {
                    add("x509SAN/Name/\(name)", value) { unmapped.san.append("Name/\(name)") }
                }
            }
        }
        return (tags, unmapped)
    }

    /// The recognised attributes of a name, multiple values joined with `/` in order.
    static func attributes(of name: DistinguishedName) -> [(String, String)] {
        var order = [String]()
        var values = [String: [String]]()
        for rdn in name {
            for attribute in rdn {
                guard let short = shortNames[attribute.type], let value = String(attribute.value) else { continue }
                if values[short] == nil { order.append(short) }
                values[short, default: []].append(value)
            }
        }
        return order.map { ($0, values[$0]!.joined(separator: "/")) }
    }

    /// STS session tags: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, keys of 1-128 and values of at most 256 characters.
    static func isValidTagKey(_ key: String) -> Bool {
        (1...128).contains(key.count) && key.unicodeScalars.allSatisfy(isTagCharacter)
    }

    static func isValidTagValue(_ value: String) -> Bool {
        value.count <= 256 && value.unicodeScalars.allSatisfy(isTagCharacter)
    }

    static func isTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "_", ".", ":", "/", "=", "+", "-", "@": return true
        default:
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .spaceSeparator, .lineSeparator, .paragraphSeparator,
                .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return false
            }
        }
    }
}

/// The source identity and default session name of a CreateSession.
enum SessionIdentity {
    /// `CN=<cn>` for a CN of at most 61 characters, the bare CN for 62-64, else `ID=<hex serial>`
    /// (also when the CN has characters a source identity cannot hold). The first CN counts.
    static func sourceIdentity(of certificate: X509Certificate) -> String {
        let commonName = certificate.subject.lazy.flatMap { $0 }.first { $0.type == .RDNAttributeType.commonName }.flatMap { String($0.value) }
        if let commonName, !commonName.isEmpty, commonName.count <= 64 {
            let candidate = commonName.count <= 61 ? "CN=\(commonName)" : commonName
            if PrincipalTags.isValidTagValue(candidate) { return candidate }
        }
        return "ID=" + serialHex(certificate)
    }

    /// The serial number in lower-case hex, left-padded with zero to an even length.
    static func serialHex(_ certificate: X509Certificate) -> String {
        BigEndianInteger.evenHexString(certificate.serialNumber.bytes)
    }
}
