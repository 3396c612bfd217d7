#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePKI
import RolesAnywhereSupport
import SwiftASN1
import X509

/// IssueCertificate's `ApiPassthrough`: a subject and extensions the caller puts into the
/// certificate, used only by the `APIPassthrough` templates (AWS ignores it with the others). Where
/// the template defines an extension, the template wins and the passed value is dropped, as AWS's
/// "template order of operations" says; the API's subject and subject alternative names win over
/// the CSR's.
struct PrivateCAPassthrough {
    var subject: DistinguishedName?
    var subjectAlternativeNames: SubjectAlternativeNames?
    var keyUsage: KeyUsage?
    var extendedKeyUsages: [ExtendedKeyUsage.Usage]?
    /// The certificate policies extension, DER, built from `CertificatePolicies`.
    var certificatePolicies: Certificate.Extension?
    var customExtensions: [Certificate.Extension] = []

    /// The extensions passed as structured members, by OID (for conflicts with custom ones).
    var structuredOIDs: Set<ASN1ObjectIdentifier> {
        var oids = Set<ASN1ObjectIdentifier>()
        if subjectAlternativeNames != nil { oids.insert(.X509ExtensionID.subjectAlternativeName) }
        if keyUsage != nil { oids.insert(.X509ExtensionID.keyUsage) }
        if extendedKeyUsages != nil { oids.insert(.X509ExtensionID.extendedKeyUsage) }
        if certificatePolicies != nil { oids.insert(Self.certificatePoliciesOID) }
        return oids
    }

    /// The model's `CustomObjectIdentifier` and `Base64String1To4096` patterns.
    static let objectIdentifierPattern = #"([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126})"#
    static let base64Pattern = "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"

    static let certificatePoliciesOID: ASN1ObjectIdentifier = [2, 5, 29, 32]
    static let crlDistributionPointsOID: ASN1ObjectIdentifier = [2, 5, 29, 31]
    static let cpsQualifierOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 2, 1]

    /// Reads `ApiPassthrough` with the model's constraints; InvalidArgsException for what cannot be
    /// put into a certificate (a malformed OID, IP address or extension value, an extension given
    /// twice).
    static func read(_ body: inout PrivateCARequest) throws(AWSError) -> PrivateCAPassthrough {
        var passthrough = PrivateCAPassthrough()
        let subjectBody = body.object("Subject")
        let extensionsBody = body.object("Extensions")
        try body.validate(prefix: "apiPassthrough.")
        if var subject = subjectBody {
            passthrough.subject = try PrivateCASubject.read(&subject, prefix: "apiPassthrough.subject.", what: "ApiPassthrough subject")
                .distinguishedName()
        }
        guard var extensions = extensionsBody else { return passthrough }
        let policies = extensions.objects("CertificatePolicies")
        let extendedKeyUsages = extensions.objects("ExtendedKeyUsage")
        let keyUsage = extensions.object("KeyUsage")
        let names = extensions.objects("SubjectAlternativeNames")
        let custom = extensions.objects("CustomExtensions")
        try extensions.validate(prefix: "apiPassthrough.extensions.")

        if let policies { passthrough.certificatePolicies = try certificatePolicies(policies) }
        if let extendedKeyUsages { passthrough.extendedKeyUsages = try self.extendedKeyUsages(extendedKeyUsages) }
        if var keyUsage { passthrough.keyUsage = try self.keyUsage(&keyUsage) }
        if let names { passthrough.subjectAlternativeNames = try generalNames(names) }
        if let custom {
            guard (1...150).contains(custom.count) else { throw lengthError("customExtensions", 1...150) }
            var seen = passthrough.structuredOIDs
            for (index, var item) in custom.enumerated() {
                let oidText = item.string("ObjectIdentifier", required: true, length: 0...64, pattern: objectIdentifierPattern)
                let valueText = item.string("Value", required: true, length: 1...4096, pattern: base64Pattern)
                let critical = item.bool("Critical") ?? false
                try item.validate(prefix: "apiPassthrough.extensions.customExtensions.\(index + 1).member.")
                guard let oidText, let valueText else { throw PrivateCAErrors.internalValidation }
                let oid = try objectIdentifier(oidText, member: "CustomExtensions.ObjectIdentifier")
                guard let value = Data(base64Encoded: valueText), (try? DER.parse(Array(value))) != nil else {
                    throw PrivateCAErrors.invalidArgs("The value of custom extension \(oidText) must be base64 of a DER-encoded extension value.")
                }
                guard seen.insert(oid).inserted else {
                    throw PrivateCAErrors.invalidArgs("The extension \(oidText) is given more than once in ApiPassthrough; a certificate holds each extension once.")
                }
                passthrough.customExtensions.append(Certificate.Extension(oid: oid, critical: critical, value: ArraySlice(value)))
            }
        }
        return passthrough
    }

    static func lengthError(_ member: String, _ range: ClosedRange<Int>) -> AWSError {
        PrivateCAErrors.validation(
            "1 validation error detected: Value at 'apiPassthrough.extensions.\(member)' failed to satisfy constraint: Member must have length between \(range.lowerBound) and \(range.upperBound)"
        )
    }

    /// A dotted OID the model's pattern has admitted; InvalidArgsException for one it cannot hold
    /// (an arc too large, say).
    static func objectIdentifier(_ text: String, member: String) throws(AWSError) -> ASN1ObjectIdentifier {
        guard let oid = try? ASN1ObjectIdentifier(dotRepresentation: text) else {
            throw PrivateCAErrors.invalidArgs("\(member) \(text) is not an object identifier this server can encode.")
        }
        return oid
    }

    static func keyUsage(_ body: inout PrivateCARequest) throws(AWSError) -> KeyUsage {
        let flags = [
            "DigitalSignature", "NonRepudiation", "KeyEncipherment", "DataEncipherment", "KeyAgreement", "KeyCertSign", "CRLSign",
            "EncipherOnly", "DecipherOnly",
        ].map { body.bool($0) ?? false }
        try body.validate(prefix: "apiPassthrough.extensions.keyUsage.")
        guard flags.contains(true) else { throw PrivateCAErrors.invalidArgs("KeyUsage in ApiPassthrough sets no usage.") }
        return KeyUsage(
            digitalSignature: flags[0], nonRepudiation: flags[1], keyEncipherment: flags[2], dataEncipherment: flags[3], keyAgreement: flags[4],
            keyCertSign: flags[5], cRLSign: flags[6], encipherOnly: flags[7], decipherOnly: flags[8]
        )
    }

    /// `ExtendedKeyUsageType` values and their OIDs.
    static let extendedKeyUsageTypes: [String: ASN1ObjectIdentifier] = [
        "SERVER_AUTH": [1, 3, 6, 1, 5, 5, 7, 3, 1],
        "CLIENT_AUTH": [1, 3, 6, 1, 5, 5, 7, 3, 2],
        "CODE_SIGNING": [1, 3, 6, 1, 5, 5, 7, 3, 3],
        "EMAIL_PROTECTION": [1, 3, 6, 1, 5, 5, 7, 3, 4],
        "TIME_STAMPING": [1, 3, 6, 1, 5, 5, 7, 3, 8],
        "OCSP_SIGNING": [1, 3, 6, 1, 5, 5, 7, 3, 9],
        "SMART_CARD_LOGIN": [1, 3, 6, 1, 4, 1, 311, 20, 2, 2],
        "DOCUMENT_SIGNING": [1, 3, 6, 1, 5, 5, 7, 3, 36],
        "CERTIFICATE_TRANSPARENCY": [1, 3, 6, 1, 4, 1, 11129, 2, 4, 4],
    ]

    static func extendedKeyUsages(_ items: [PrivateCARequest]) throws(AWSError) -> [ExtendedKeyUsage.Usage] {
        guard (1...20).contains(items.count) else { throw lengthError("extendedKeyUsage", 1...20) }
        var usages = [ExtendedKeyUsage.Usage]()
        for (index, var item) in items.enumerated() {
            let type = item.string("ExtendedKeyUsageType")
            let custom = item.string("ExtendedKeyUsageObjectIdentifier", length: 0...64, pattern: objectIdentifierPattern)
            try item.validate(prefix: "apiPassthrough.extensions.extendedKeyUsage.\(index + 1).member.")
            switch (type, custom) {
            case (let type?, nil):
                guard let oid = extendedKeyUsageTypes[type] else {
                    throw PrivateCAErrors.validation(
                        "1 validation error detected: Value '\(type)' at 'apiPassthrough.extensions.extendedKeyUsage.\(index + 1).member.extendedKeyUsageType' failed to satisfy constraint: Member must satisfy enum value set: [\(extendedKeyUsageTypes.keys.sorted().joined(separator: ", "))]"
                    )
                }
                usages.append(ExtendedKeyUsage.Usage(oid: oid))
            case (nil, let custom?):
                usages.append(ExtendedKeyUsage.Usage(oid: try objectIdentifier(custom, member: "ExtendedKeyUsageObjectIdentifier")))
            default:
                throw PrivateCAErrors.invalidArgs("Each ExtendedKeyUsage gives either ExtendedKeyUsageType or ExtendedKeyUsageObjectIdentifier, not both or neither.")
            }
        }
        return usages
    }

    static func generalNames(_ items: [PrivateCARequest]) throws(AWSError) -> SubjectAlternativeNames {
        guard (1...150).contains(items.count) else { throw lengthError("subjectAlternativeNames", 1...150) }
        var names = [GeneralName]()
        for (index, var item) in items.enumerated() {
            let prefix = "apiPassthrough.extensions.subjectAlternativeNames.\(index + 1).member."
            let email = item.string("Rfc822Name", length: 0...256)
            let dns = item.string("DnsName", length: 0...253)
            let uri = item.string("UniformResourceIdentifier", length: 0...253)
            let ip = item.string("IpAddress", length: 0...39)
            let registered = item.string("RegisteredId", length: 0...64, pattern: objectIdentifierPattern)
            let directory = item.object("DirectoryName")
            let unsupported = ["OtherName", "EdiPartyName"].filter { item.has($0) }
            try item.validate(prefix: prefix)
            guard unsupported.isEmpty else {
                throw PrivateCAErrors.invalidArgs("\(unsupported.joined(separator: " and ")) names are not supported by rolesanywhere-local yet.")
            }
            var given = [GeneralName]()
            if let email { given.append(.rfc822Name(email)) }
            if let dns { given.append(.dnsName(dns)) }
            if let uri { given.append(.uniformResourceIdentifier(uri)) }
            if let ip {
                guard let bytes = IPAddressText.parse(ip) else { throw PrivateCAErrors.invalidArgs("IpAddress \(ip) is not an IPv4 or IPv6 address.") }
                given.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
            }
            if let registered { given.append(.registeredID(try objectIdentifier(registered, member: "RegisteredId"))) }
            if var body = directory {
                given.append(.directoryName(try PrivateCASubject.read(&body, prefix: prefix + "directoryName.", what: "DirectoryName").distinguishedName()))
            }
            guard given.count == 1 else {
                throw PrivateCAErrors.invalidArgs("Each GeneralName in SubjectAlternativeNames gives exactly one kind of name; item \(index + 1) gives \(given.count).")
            }
            names.append(given[0])
        }
        return SubjectAlternativeNames(names)
    }

    /// `certificatePolicies` (RFC 5280 4.2.1.4), with CPS URI qualifiers.
    static func certificatePolicies(_ items: [PrivateCARequest]) throws(AWSError) -> Certificate.Extension {
        guard (1...20).contains(items.count) else { throw lengthError("certificatePolicies", 1...20) }
        var policies = [(ASN1ObjectIdentifier, [String])]()
        for (index, var item) in items.enumerated() {
            let prefix = "apiPassthrough.extensions.certificatePolicies.\(index + 1).member."
            let id = item.string("CertPolicyId", required: true, length: 0...64, pattern: objectIdentifierPattern)
            let qualifiers = item.objects("PolicyQualifiers")
            try item.validate(prefix: prefix)
            guard let id else { throw PrivateCAErrors.internalValidation }
            var uris = [String]()
            if let qualifiers {
                guard (1...20).contains(qualifiers.count) else { throw lengthError("certificatePolicies.\(index + 1).member.policyQualifiers", 1...20) }
                for (qualifierIndex, var qualifier) in qualifiers.enumerated() {
                    let qualifierPrefix = prefix + "policyQualifiers.\(qualifierIndex + 1).member."
                    let kind = qualifier.string("PolicyQualifierId", required: true)
                    let qualifierBody = qualifier.object("Qualifier", required: true)
                    try qualifier.validate(prefix: qualifierPrefix)
                    guard kind == "CPS" else {
                        throw PrivateCAErrors.validation(
                            "1 validation error detected: Value '\(kind ?? "")' at '\(qualifierPrefix)policyQualifierId' failed to satisfy constraint: Member must satisfy enum value set: [CPS]"
                        )
                    }
                    guard var value = qualifierBody else { throw PrivateCAErrors.internalValidation }
                    let uri = value.string("CpsUri", required: true, length: 0...256)
                    try value.validate(prefix: qualifierPrefix + "qualifier.")
                    guard let uri, uri.utf8.allSatisfy({ $0 < 0x80 }) else {
                        throw PrivateCAErrors.invalidArgs("A CpsUri must be an ASCII URI.")
                    }
                    uris.append(uri)
                }
            }
            policies.append((try objectIdentifier(id, member: "CertPolicyId"), uris))
        }
        var serializer = DER.Serializer()
        do {
            try serializer.appendConstructedNode(identifier: .sequence) { sequence in
                for (oid, uris) in policies {
                    try sequence.appendConstructedNode(identifier: .sequence) { information in
                        try information.serialize(oid)
                        guard !uris.isEmpty else { return }
                        try information.appendConstructedNode(identifier: .sequence) { qualifiers in
                            for uri in uris {
                                try qualifiers.appendConstructedNode(identifier: .sequence) { qualifier in
                                    try qualifier.serialize(cpsQualifierOID)
                                    try qualifier.serialize(try ASN1IA5String(uri))
                                }
                            }
                        }
                    }
                }
            }
        } catch {
            throw PrivateCAErrors.invalidArgs("The certificate policies cannot be encoded: \(error)")
        }
        return Certificate.Extension(oid: certificatePoliciesOID, critical: false, value: ArraySlice(serializer.serializedBytes))
    }
}
