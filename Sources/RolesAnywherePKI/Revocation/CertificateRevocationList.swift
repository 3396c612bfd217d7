#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywhereSigning
import SwiftASN1
public import X509
import RolesAnywhereSupport

/// An X.509 v2 certificate revocation list (RFC 5280 section 5), which swift-certificates does not
/// provide: built and signed for `rolesanywhere pki crl`, parsed and verified for `pki check` and for
/// the emulator's revocation checks (IAM Roles Anywhere imports CRLs with ImportCrl and checks
/// certificates against them; it never fetches CDPs or OCSP).
public struct CertificateRevocationList: Sendable, Hashable {
    /// One revoked certificate.
    public struct Entry: Sendable, Hashable {
        /// The serial number, big-endian without sign padding.
        public var serialNumber: [UInt8]
        public var revocationDate: Date
        /// The reason written as the entry's reasonCode extension when the list is made; nil writes
        /// none (reading does not keep it).
        public var reason: Reason?

        /// `CRLReason` (RFC 5280 section 5.3.1); 7 is not used.
        public enum Reason: UInt8, Sendable, Hashable, CaseIterable {
            case unspecified = 0
            case keyCompromise = 1
            case caCompromise = 2
            case affiliationChanged = 3
            case superseded = 4
            case cessationOfOperation = 5
            case certificateHold = 6
            case removeFromCRL = 8
            case privilegeWithdrawn = 9
            case aaCompromise = 10
        }

        public init(serialNumber: [UInt8], revocationDate: Date, reason: Reason? = nil) {
            self.serialNumber = Array(serialNumber.drop(while: { $0 == 0 }))
            self.revocationDate = revocationDate
            self.reason = reason
        }

        /// The serial in lower-case hexadecimal (even length).
        public var serialHex: String { BigEndianInteger.evenHexString(serialNumber) }
    }

    public var derBytes: [UInt8]
    /// 1 or 2.
    public var version: Int
    public var signatureAlgorithm: SignatureAlgorithmInfo
    public var issuer: DistinguishedName
    public var thisUpdate: Date
    public var nextUpdate: Date?
    public var entries: [Entry]
    /// The CRL number extension, when present.
    public var crlNumber: [UInt8]?
    /// The outer signature algorithm as written, parameters included.
    var signatureAlgorithmIdentifier: AlgorithmIdentifier
    var tbsBytes: [UInt8]
    var signatureBytes: [UInt8]

    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let authorityKeyIdentifierOID: ASN1ObjectIdentifier = [2, 5, 29, 35]
    static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]

    // MARK: - Reading

    /// Parses a CRL from PEM (`X509 CRL`) or DER.
    public init(pemOrDER bytes: [UInt8], source: String) throws(PKIError) {
        var der = bytes
        if PEMBlock.mayHoldPEM(bytes) {
            let blocks: [PEMBlock]
            do {
                blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self))
            } catch {
                throw PKIError(.invalidInput, "\(source): \(error.message)")
            }
            guard let block = blocks.first(where: { $0.type == "X509 CRL" }) else {
                throw PKIError(.invalidInput, "\(source) holds no 'X509 CRL' PEM block")
            }
            der = block.derBytes
        }
        do {
            try self.init(derEncoded: der)
        } catch let error as PKIError {
            throw PKIError(.invalidInput, "\(source) is not a valid X.509 CRL: \(error.message)")
        } catch {
            throw PKIError(.invalidInput, "\(source) is not a valid X.509 CRL")
        }
    }

    /// Parses DER.
    public init(derEncoded bytes: [UInt8]) throws {
        derBytes = bytes
        var parsedTBS: ASN1Node?
        (parsedTBS, signatureAlgorithmIdentifier, signatureBytes) = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
            let tbs = try CertificateFacts.required(&nodes)
            let algorithm = try AlgorithmIdentifier(derEncoded: try CertificateFacts.required(&nodes))
            let signature = try ASN1BitString(derEncoded: &nodes)
            return (tbs, algorithm, Array(signature.bytes))
        }
        signatureAlgorithm = SignatureAlgorithmInfo(
            oid: signatureAlgorithmIdentifier.algorithm, parameters: signatureAlgorithmIdentifier.parameters.flatMap { try? DER.parse(Array($0)) }
        )
        guard let tbs = parsedTBS else { throw PKIError(.invalidInput, "no TBSCertList") }
        tbsBytes = Array(tbs.encodedBytes)
        var version = 1
        var issuer = DistinguishedName()
        var thisUpdate = Date(timeIntervalSince1970: 0)
        var nextUpdate: Date?
        var entries = [Entry]()
        var crlNumber: [UInt8]?
        try DER.sequence(tbs, identifier: .sequence) { fields in
            var peek = fields
            if peek.next()?.identifier == .integer {
                let field = try Int(derEncoded: &fields)
                // RFC 5280 §5.1.2.1: only v2 (1) is written; v1 lists omit the field.
                guard (0...1).contains(field) else {
                    throw PKIError(.invalidInput, "the CRL's version field is \(field); RFC 5280 defines 0 (v1) and 1 (v2)")
                }
                version = field + 1
            }
            _ = try CertificateFacts.algorithm(&fields)
            issuer = try DistinguishedName(derEncoded: try CertificateFacts.required(&fields))
            thisUpdate = try CertificateFacts.time(&fields)
            peek = fields
            if let next = peek.next(), next.identifier == UTCTime.defaultIdentifier || next.identifier == GeneralizedTime.defaultIdentifier {
                nextUpdate = try CertificateFacts.time(&fields)
            }
            peek = fields
            if let next = peek.next(), next.identifier == .sequence {
                _ = fields.next()
                entries = try DER.sequence(next, identifier: .sequence) { list in
                    var entries = [Entry]()
                    while let entry = list.next() {
                        entries.append(
                            try DER.sequence(entry, identifier: .sequence) { parts in
                                guard let serial = parts.next(), serial.identifier == .integer, case .primitive(let bytes) = serial.content else {
                                    throw PKIError(.invalidInput, "an entry has no serial number")
                                }
                                let date = try CertificateFacts.time(&parts)
                                while parts.next() != nil {}
                                return Entry(serialNumber: Array(bytes), revocationDate: date)
                            }
                        )
                    }
                    return entries
                }
            }
            while let node = fields.next() {
                guard node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                    case .constructed(let children) = node.content, let list = children.first(where: { _ in true })
                else { continue }
                let extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: list)
                if let number = extensions.first(where: { $0.oid == Self.crlNumberOID }),
                    case .primitive(let bytes) = try DER.parse(number.value).content
                {
                    crlNumber = Array(bytes)
                }
            }
        }
        self.version = version
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.entries = entries
        self.crlNumber = crlNumber
    }

    /// The CRL as PEM.
    public var pemString: String { PEMBlock(type: "X509 CRL", derBytes: derBytes).pemString }

    /// The entry that revokes `serialNumber`, if any.
    public func entry(revoking serialNumber: some Collection<UInt8>) -> Entry? {
        let trimmed = Array(serialNumber.drop(while: { $0 == 0 }))
        return entries.first { $0.serialNumber == trimmed }
    }

    /// Whether `key` made this CRL's signature, with the algorithm the CRL names (RSA, ECDSA or
    /// ML-DSA).
    public func isSigned(by key: CertificatePublicKey) -> Bool {
        key.isValidSignature(signatureBytes[...], for: tbsBytes[...], algorithm: signatureAlgorithmIdentifier)
    }

    /// Whether the key of `issuer` signed this CRL.
    public func isSigned(by issuer: X509Certificate) -> Bool {
        isSigned(by: issuer.publicKey)
    }

    // MARK: - Writing

    /// Builds and signs a v2 CRL for `authority` listing `entries`, with the authority key identifier
    /// and CRL number extensions; `digest` picks another digest than the key's usual one (RSA, EC).
    public static func make(
        authority: CertificateAuthority,
        entries: [Entry],
        thisUpdate: Date,
        nextUpdate: Date,
        crlNumber: UInt64,
        digest: SignatureDigest? = nil
    ) throws(PKIError) -> CertificateRevocationList {
        let algorithm = SignedObject.signatureAlgorithm(of: authority.privateKey, digest: digest)
        do {
            var tbs = DER.Serializer()
            try tbs.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)  // v2
                try SignedObject.serialize(algorithm, into: &coder)
                try coder.serialize(authority.certificate.fields.subject)
                try SignedObject.serializeTime(thisUpdate, into: &coder)
                try SignedObject.serializeTime(nextUpdate, into: &coder)
                if !entries.isEmpty {
                    try coder.appendConstructedNode(identifier: .sequence) { list in
                        for entry in entries {
                            try list.appendConstructedNode(identifier: .sequence) { item in
                                SignedObject.serializeInteger(entry.serialNumber, into: &item)
                                try SignedObject.serializeTime(entry.revocationDate, into: &item)
                                if let reason = entry.reason {
                                    // CRLReason ::= ENUMERATED, as the entry's only extension.
                                    let value: [UInt8] = [0x0A, 0x01, reason.rawValue]
                                    try item.appendConstructedNode(identifier: .sequence) { list in
                                        try list.serialize(Certificate.Extension(oid: reasonCodeOID, critical: false, value: value[...]))
                                    }
                                }
                            }
                        }
                    }
                }
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { wrapper in
                    try wrapper.appendConstructedNode(identifier: .sequence) { list in
                        try list.serialize(
                            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authority.issuerKeyIdentifier), critical: false)
                        )
                        var number = DER.Serializer()
                        SignedObject.serializeInteger(bigEndian(crlNumber), into: &number)
                        try list.serialize(Certificate.Extension(oid: crlNumberOID, critical: false, value: number.serializedBytes[...]))
                    }
                }
            }
            return try CertificateRevocationList(derEncoded: try SignedObject.sign(tbs.serializedBytes, with: authority.privateKey, digest: digest))
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.invalidConfiguration, "the CRL cannot be built: \(error)")
        }
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    /// The CRL number as an integer, when it fits.
    public var crlNumberValue: UInt64? {
        guard let crlNumber, crlNumber.count <= 8 else { return nil }
        return crlNumber.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
