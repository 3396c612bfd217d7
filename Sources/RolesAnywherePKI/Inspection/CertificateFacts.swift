#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywhereSigning
public import SwiftASN1
public import X509

/// What the Roles Anywhere rules need to know about a certificate, read from its DER by our own
/// parser. Certificates that swift-certificates refuses to load (an RSA-1024 key, an ECDSA-SHA1 or
/// MD5 signature) can still be judged; ``certificate`` is then `nil` and signatures by or of them
/// cannot be checked.
public struct CertificateFacts: Sendable, Hashable {
    public var derBytes: [UInt8]
    /// 1, 2 or 3.
    public var version: Int
    public var serialNumber: [UInt8]
    public var signatureAlgorithm: SignatureAlgorithmInfo
    public var issuer: DistinguishedName
    public var subject: DistinguishedName
    public var notBefore: Date
    public var notAfter: Date
    public var publicKey: PublicKeyInfo
    /// The extensions, or `[]` for a certificate without any.
    public var extensions: [Certificate.Extension]
    /// The parsed certificate, when swift-certificates accepts it: never for a certificate with an
    /// ML-DSA key or signature, which it cannot hold.
    public var certificate: Certificate?
    /// The certificate as ``X509Certificate`` reads it (every RSA, EC and ML-DSA certificate), which
    /// checks signatures by and of it; `nil` for a key neither library reads (RSA-1024, DSA).
    public var fields: X509Certificate?

    static let basicConstraintsOID: ASN1ObjectIdentifier = [2, 5, 29, 19]
    static let keyUsageOID: ASN1ObjectIdentifier = [2, 5, 29, 15]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]

    /// The facts of a certificate that has already been parsed.
    public init(_ encoded: EncodedCertificate) {
        // The DER of a parsed certificate always parses again.
        self = (try? CertificateFacts(derEncoded: encoded.derBytes, known: encoded)) ?? CertificateFacts(fallback: encoded)
    }

    private init(fallback encoded: EncodedCertificate) {
        let fields = encoded.fields
        derBytes = encoded.derBytes
        version = fields.version
        serialNumber = Array(fields.serialNumber.bytes)
        signatureAlgorithm = SignatureAlgorithmInfo(oid: fields.signatureAlgorithm.algorithm, parameters: fields.signatureAlgorithm.parameters.flatMap { try? DER.parse(Array($0)) })
        issuer = fields.issuer
        subject = fields.subject
        notBefore = fields.notValidBefore
        notAfter = fields.notValidAfter
        switch fields.publicKey {
        case .mlDSA(let key): publicKey = .mldsa(key.parameterSet.name)
        case .classic(let key): publicKey = .other("\(key)")
        }
        extensions = Array(fields.extensions)
        self.certificate = encoded.certificate
        self.fields = fields
    }

    /// Parses DER. Throws only when the bytes are not a certificate at all.
    public init(derEncoded bytes: [UInt8]) throws(PKIError) {
        try self.init(derEncoded: bytes, known: nil)
    }

    /// Parses DER; the readings of `known` (the same bytes, already parsed) are reused.
    private init(derEncoded bytes: [UInt8], known: EncodedCertificate?) throws(PKIError) {
        do {
            let parsed: CertificateFacts = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                guard let tbs = nodes.next() else { throw PKIError(.invalidInput, "no TBSCertificate") }
                let outerAlgorithm = try Self.algorithm(&nodes)
                _ = try ASN1BitString(derEncoded: &nodes)
                return try DER.sequence(tbs, identifier: .sequence) { fields in
                    let version = try DER.decodeDefaultExplicitlyTagged(
                        &fields, tagNumber: 0, tagClass: .contextSpecific, defaultValue: 0
                    ) as Int
                    // X.509 defines 0 (v1) to 2 (v3); anything else is not a certificate (and
                    // must not reach `version + 1` below).
                    guard (0...2).contains(version) else {
                        throw PKIError(.invalidInput, "the certificate's version field is \(version); X.509 defines 0 (v1) to 2 (v3)")
                    }
                    guard let serialNode = fields.next(), serialNode.identifier == .integer,
                        case .primitive(let serial) = serialNode.content
                    else { throw PKIError(.invalidInput, "no serial number") }
                    _ = try Self.algorithm(&fields)
                    let issuer = try DistinguishedName(derEncoded: Self.required(&fields))
                    let (notBefore, notAfter) = try DER.sequence(fields.next() ?? serialNode, identifier: .sequence) { times in
                        (try Self.time(&times), try Self.time(&times))
                    }
                    let subject = try DistinguishedName(derEncoded: Self.required(&fields))
                    let publicKey = try Self.publicKeyInfo(&fields)
                    var extensions = [Certificate.Extension]()
                    while let node = fields.next() {
                        if node.identifier == ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific) {
                            guard case .constructed(let children) = node.content, let list = children.first(where: { _ in true }) else {
                                throw PKIError(.invalidInput, "malformed extensions")
                            }
                            extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: list)
                        }
                    }
                    let fields = known?.fields ?? (try? X509Certificate(derEncoded: bytes))
                    let certificate = known.map(\.certificate) ?? (fields?.involvesMLDSA == true ? nil : try? Certificate(derEncoded: bytes))
                    return CertificateFacts(
                        derBytes: bytes,
                        version: version + 1,
                        serialNumber: Array(serial),
                        signatureAlgorithm: outerAlgorithm,
                        issuer: issuer,
                        subject: subject,
                        notBefore: notBefore,
                        notAfter: notAfter,
                        publicKey: publicKey,
                        extensions: extensions,
                        certificate: certificate,
                        fields: fields
                    )
                }
            }
            self = parsed
        } catch let error as PKIError {
            throw PKIError(.invalidInput, "not a valid X.509 certificate (\(error.message))")
        } catch {
            throw PKIError(.invalidInput, "not a valid X.509 certificate")
        }
    }

    private init(
        derBytes: [UInt8], version: Int, serialNumber: [UInt8], signatureAlgorithm: SignatureAlgorithmInfo,
        issuer: DistinguishedName, subject: DistinguishedName, notBefore: Date, notAfter: Date,
        publicKey: PublicKeyInfo, extensions: [Certificate.Extension], certificate: Certificate?, fields: X509Certificate?
    ) {
        self.derBytes = derBytes
        self.version = version
        self.serialNumber = serialNumber
        self.signatureAlgorithm = signatureAlgorithm
        self.issuer = issuer
        self.subject = subject
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.publicKey = publicKey
        self.extensions = extensions
        self.certificate = certificate
        self.fields = fields
    }

    // MARK: - Derived facts

    /// Whether the certificate has an ML-DSA key or an ML-DSA signature.
    public var involvesMLDSA: Bool { fields?.involvesMLDSA ?? false }

    /// The extension with `oid`, if present.
    public func `extension`(_ oid: ASN1ObjectIdentifier) -> Certificate.Extension? {
        extensions.first { $0.oid == oid }
    }

    /// The serial number in lower-case hexadecimal, without leading zeros (even length).
    public var serialHex: String { BigEndianInteger.evenHexString(serialNumber) }

    /// Whether issuer and subject are the same name.
    public var isSelfIssued: Bool { issuer == subject }

    /// A short label such as `CN=myContainer` for messages.
    public var label: String {
        subject.isEmpty ? "(empty subject)" : subject.description
    }

    // MARK: - Parsing helpers

    static func required(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1Node {
        guard let node = nodes.next() else { throw PKIError(.invalidInput, "a field is missing") }
        return node
    }

    static func algorithm(_ nodes: inout ASN1NodeCollection.Iterator) throws -> SignatureAlgorithmInfo {
        try DER.sequence(nodes.next() ?? ASN1Node.emptySequence, identifier: .sequence) { inner in
            let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
            let parameters = inner.next()
            return SignatureAlgorithmInfo(oid: oid, parameters: parameters)
        }
    }

    static func time(_ nodes: inout ASN1NodeCollection.Iterator) throws -> Date {
        guard let node = nodes.next() else { throw PKIError(.invalidInput, "missing time") }
        let date: AmzDate?
        if node.identifier == UTCTime.defaultIdentifier {
            let time = try UTCTime(derEncoded: node)
            date = AmzDate(year: time.year, month: time.month, day: time.day, hour: time.hours, minute: time.minutes, second: time.seconds)
        } else {
            let time = try GeneralizedTime(derEncoded: node)
            date = AmzDate(year: time.year, month: time.month, day: time.day, hour: time.hours, minute: time.minutes, second: time.seconds)
        }
        guard let date else { throw PKIError(.invalidInput, "invalid time") }
        return date.date
    }

    static func publicKeyInfo(_ nodes: inout ASN1NodeCollection.Iterator) throws -> PublicKeyInfo {
        try DER.sequence(nodes.next() ?? ASN1Node.emptySequence, identifier: .sequence) { spki in
            let (oid, parameters) = try DER.sequence(spki.next() ?? ASN1Node.emptySequence, identifier: .sequence) { inner in
                (try ASN1ObjectIdentifier(derEncoded: &inner), inner.next())
            }
            let key = try ASN1BitString(derEncoded: &spki)
            switch oid {
            case rsaEncryption:
                let bits = (try? DER.sequence(try DER.parse(Array(key.bytes)), identifier: .sequence) { fields -> Int in
                    guard let modulus = fields.next(), case .primitive(let bytes) = modulus.content else { return 0 }
                    while fields.next() != nil {}
                    let trimmed = bytes.drop(while: { $0 == 0 })
                    guard let first = trimmed.first else { return 0 }
                    return trimmed.count * 8 - first.leadingZeroBitCount
                }) ?? 0
                return .rsa(bits: bits)
            case ecPublicKey:
                guard let parameters, let curve = try? ASN1ObjectIdentifier(derEncoded: parameters) else {
                    return .ec(curve: "explicit parameters")
                }
                return .ec(curve: PublicKeyInfo.curveNames[curve] ?? curve.description)
            case [2, 16, 840, 1, 101, 3, 4, 3, 17]: return .mldsa("ML-DSA-44")
            case [2, 16, 840, 1, 101, 3, 4, 3, 18]: return .mldsa("ML-DSA-65")
            case [2, 16, 840, 1, 101, 3, 4, 3, 19]: return .mldsa("ML-DSA-87")
            case [1, 3, 101, 112]: return .other("Ed25519")
            case [1, 3, 101, 113]: return .other("Ed448")
            case [1, 2, 840, 10040, 4, 1]: return .other("DSA")
            default: return .other(oid.description)
            }
        }
    }
}

extension ASN1Node {
    /// An empty SEQUENCE, used where a required node is missing so that parsing fails cleanly.
    static let emptySequence: ASN1Node = try! DER.parse([0x30, 0x00])
}
