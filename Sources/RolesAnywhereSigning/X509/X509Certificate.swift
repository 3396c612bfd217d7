#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import SwiftASN1
public import X509

/// The fields of an X.509 certificate (RFC 5280), read from DER with swift-asn1 for every key and
/// signature algorithm this project meets, ML-DSA (RFC 9881) included.
///
/// swift-certificates' `Certificate` cannot hold an ML-DSA key or signature, so this is the one
/// model every certificate is read into; names, extensions and serial numbers are swift-certificates'
/// own types, decoded from the same bytes.
public struct X509Certificate: Sendable, Hashable {
    /// 1, 2 or 3.
    public let version: Int
    public let serialNumber: Certificate.SerialNumber
    /// The algorithm the issuer signed with (the outer one, which must equal the TBS's).
    public let signatureAlgorithm: AlgorithmIdentifier
    public let issuer: DistinguishedName
    public let notValidBefore: Date
    public let notValidAfter: Date
    public let subject: DistinguishedName
    public let publicKey: CertificatePublicKey
    public let extensions: Certificate.Extensions
    /// The DER of `tbsCertificate`: what the issuer signed.
    public let tbsCertificateBytes: ArraySlice<UInt8>
    /// The DER of `subjectPublicKeyInfo`.
    public let subjectPublicKeyInfoBytes: ArraySlice<UInt8>
    /// The contents of `signatureValue`.
    public let signatureBytes: ArraySlice<UInt8>

    /// Reads a DER certificate.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/malformedCertificate``, naming what is wrong.
    public init(derEncoded bytes: [UInt8]) throws(SigningError) {
        do {
            try self.init(node: try DER.parse(bytes))
        } catch let error as SigningError {
            throw error
        } catch {
            throw SigningError(.malformedCertificate, "the certificate is not valid DER: \(error)")
        }
    }

    private init(node: ASN1Node) throws {
        func malformed(_ what: String) -> SigningError { SigningError(.malformedCertificate, "the certificate's \(what) is malformed") }
        guard node.identifier == .sequence, case .constructed(let parts) = node.content else { throw malformed("outer SEQUENCE") }
        var outer = parts.makeIterator()
        guard let tbs = outer.next(), let outerAlgorithm = outer.next(), let signatureNode = outer.next(), outer.next() == nil,
            tbs.identifier == .sequence, case .constructed(let fields) = tbs.content
        else { throw malformed("outer SEQUENCE") }
        tbsCertificateBytes = tbs.encodedBytes
        signatureAlgorithm = try AlgorithmIdentifier(derEncoded: outerAlgorithm)
        let signature = try ASN1BitString(derEncoded: signatureNode)
        guard signature.paddingBits == 0 else { throw malformed("signature BIT STRING (it has padding bits)") }
        signatureBytes = signature.bytes

        var iterator = fields.makeIterator()
        var next = iterator.next()
        if let explicit = next, explicit.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            guard case .constructed(let inner) = explicit.content else { throw malformed("version") }
            var versionIterator = inner.makeIterator()
            guard let versionNode = versionIterator.next(), versionIterator.next() == nil else { throw malformed("version") }
            let number = try Int(derEncoded: versionNode)
            guard (0...2).contains(number) else { throw SigningError(.malformedCertificate, "the certificate's version (\(number)) is not 1, 2 or 3") }
            version = number + 1
            next = iterator.next()
        } else {
            version = 1
        }
        guard let serialNode = next else { throw malformed("serial number") }
        serialNumber = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: serialNode))
        guard let innerAlgorithm = iterator.next(), let issuerNode = iterator.next(), let validityNode = iterator.next(),
            let subjectNode = iterator.next(), let spkiNode = iterator.next()
        else { throw malformed("TBSCertificate") }
        guard try AlgorithmIdentifier(derEncoded: innerAlgorithm) == signatureAlgorithm else {
            throw SigningError(.malformedCertificate, "the certificate's two signature algorithms differ")
        }
        issuer = try DistinguishedName(derEncoded: issuerNode)
        (notValidBefore, notValidAfter) = try Self.validity(validityNode)
        subject = try DistinguishedName(derEncoded: subjectNode)
        subjectPublicKeyInfoBytes = spkiNode.encodedBytes
        publicKey = try CertificatePublicKey(subjectPublicKeyInfo: spkiNode)

        var extensions = Certificate.Extensions()
        while let optional = iterator.next() {
            switch optional.identifier {
            case ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific), ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific):
                continue  // issuerUniqueID, subjectUniqueID
            case ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific):
                guard case .constructed(let wrapped) = optional.content else { throw malformed("extensions") }
                var wrappedIterator = wrapped.makeIterator()
                guard let list = wrappedIterator.next(), wrappedIterator.next() == nil, list.identifier == .sequence,
                    case .constructed(let items) = list.content
                else { throw malformed("extensions") }
                var seen = Set<ASN1ObjectIdentifier>()
                for item in items {
                    let parsed = try Certificate.Extension(derEncoded: item)
                    guard seen.insert(parsed.oid).inserted else {
                        throw SigningError(.malformedCertificate, "the certificate has the extension \(parsed.oid) twice")
                    }
                    try extensions.append(parsed)
                }
            default:
                throw malformed("TBSCertificate (an unexpected field)")
            }
        }
        self.extensions = extensions
    }

    /// `Validity ::= SEQUENCE { notBefore Time, notAfter Time }`, `Time ::= CHOICE { UTCTime, GeneralizedTime }`.
    private static func validity(_ node: ASN1Node) throws -> (Date, Date) {
        guard node.identifier == .sequence, case .constructed(let parts) = node.content else {
            throw SigningError(.malformedCertificate, "the certificate's validity is malformed")
        }
        var iterator = parts.makeIterator()
        guard let before = iterator.next(), let after = iterator.next(), iterator.next() == nil else {
            throw SigningError(.malformedCertificate, "the certificate's validity is malformed")
        }
        return (try time(before), try time(after))
    }

    static func time(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return civilDate(year: time.year, month: time.month, day: time.day, hours: time.hours, minutes: time.minutes, seconds: time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            return civilDate(year: time.year, month: time.month, day: time.day, hours: time.hours, minutes: time.minutes, seconds: time.seconds)
                + time.fractionalSeconds
        default:
            throw SigningError(.malformedCertificate, "a certificate time is neither UTCTime nor GeneralizedTime")
        }
    }

    /// Seconds since 1970 of a UTC date and time of the proleptic Gregorian calendar (the day count
    /// of Howard Hinnant's `days_from_civil`); swift-asn1 has already checked the ranges.
    static func civilDate(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) -> Date {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hours * 3_600 + minutes * 60 + seconds))
    }

    /// Whether the certificate has an ML-DSA key or was signed with ML-DSA: swift-certificates'
    /// `Certificate` cannot hold it.
    public var involvesMLDSA: Bool {
        publicKey.mlDSA != nil || MLDSAParameterSet(oid: signatureAlgorithm.algorithm) != nil
    }

    /// Whether `issuer`'s key made this certificate's signature, with the algorithm it names.
    public func isSigned(by issuer: CertificatePublicKey) -> Bool {
        issuer.isValidSignature(signatureBytes, for: tbsCertificateBytes, algorithm: signatureAlgorithm)
    }
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
public struct AlgorithmIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let algorithm: ASN1ObjectIdentifier
    /// The DER of the parameters, if any (`NULL` for RSA, absent for ECDSA and ML-DSA).
    public let parameters: ArraySlice<UInt8>?

    public init(algorithm: ASN1ObjectIdentifier, parameters: ArraySlice<UInt8>? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// Reads an `AlgorithmIdentifier`.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/malformedCertificate`` when it is not one.
    public init(derEncoded node: ASN1Node) throws(SigningError) {
        guard node.identifier == .sequence, case .constructed(let parts) = node.content else {
            throw SigningError(.malformedCertificate, "an AlgorithmIdentifier is not a SEQUENCE")
        }
        var iterator = parts.makeIterator()
        guard let oid = iterator.next() else { throw SigningError(.malformedCertificate, "an AlgorithmIdentifier is empty") }
        do {
            algorithm = try ASN1ObjectIdentifier(derEncoded: oid)
        } catch {
            throw SigningError(.malformedCertificate, "an AlgorithmIdentifier's OID is malformed")
        }
        parameters = iterator.next()?.encodedBytes
        guard iterator.next() == nil else { throw SigningError(.malformedCertificate, "an AlgorithmIdentifier has extra fields") }
    }

    /// Whether the parameters are absent or `NULL`, the two forms RFC 4055 allows for RSA.
    var hasNoParameters: Bool { parameters == nil || parameters.map { Array($0) == [0x05, 0x00] } == true }

    public var description: String {
        MLDSAParameterSet(oid: algorithm)?.name ?? Self.classicSignatureAlgorithms[algorithm].map { "\($0)" } ?? "\(algorithm)"
    }

    /// The signature algorithms swift-certificates verifies, by OID.
    static let classicSignatureAlgorithms: [ASN1ObjectIdentifier: Certificate.SignatureAlgorithm] = [
        [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256,
        [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384,
        [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512,
        [1, 2, 840, 113549, 1, 1, 5]: .sha1WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption,
        [1, 3, 101, 112]: .ed25519,
    ]
}

/// The public key of a certificate: one swift-certificates holds (RSA, EC, Ed25519), or ML-DSA.
public enum CertificatePublicKey: Sendable, Hashable, CustomStringConvertible {
    case classic(Certificate.PublicKey)
    case mlDSA(MLDSAPublicKey)

    /// Reads a `SubjectPublicKeyInfo`.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/malformedCertificate`` for a key neither library reads.
    public init(subjectPublicKeyInfo node: ASN1Node) throws {
        guard node.identifier == .sequence, case .constructed(let parts) = node.content else {
            throw SigningError(.malformedCertificate, "the certificate's public key is not a SEQUENCE")
        }
        var iterator = parts.makeIterator()
        guard let algorithmNode = iterator.next(), let keyNode = iterator.next(), iterator.next() == nil else {
            throw SigningError(.malformedCertificate, "the certificate's public key is malformed")
        }
        let algorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
        if let set = MLDSAParameterSet(oid: algorithm.algorithm) {
            // RFC 9881: the parameters MUST be absent.
            guard algorithm.parameters == nil else {
                throw SigningError(.malformedCertificate, "the \(set) public key has algorithm parameters, which RFC 9881 forbids")
            }
            let key = try ASN1BitString(derEncoded: keyNode)
            guard key.paddingBits == 0 else { throw SigningError(.malformedCertificate, "the \(set) public key BIT STRING has padding bits") }
            self = .mlDSA(try MLDSAPublicKey(rawRepresentation: Array(key.bytes), parameterSet: set))
            return
        }
        if let key = RSASubjectPublicKey.read(algorithm: algorithm, key: keyNode) {
            self = .classic(key)
            return
        }
        do {
            self = .classic(try Certificate.PublicKey(derEncoded: node))
        } catch {
            throw SigningError(.malformedCertificate, "the certificate's public key (algorithm \(algorithm.algorithm)) is not one this tool reads (RSA, EC or ML-DSA): \(error)")
        }
    }

    /// The ML-DSA key, if this is one.
    public var mlDSA: MLDSAPublicKey? {
        if case .mlDSA(let key) = self { key } else { nil }
    }

    /// swift-certificates' key, if it can hold this one.
    public var classic: Certificate.PublicKey? {
        if case .classic(let key) = self { key } else { nil }
    }

    public var description: String {
        switch self {
        case .classic(let key): "\(key)"
        case .mlDSA(let key): "\(key.parameterSet) public key"
        }
    }

    /// Whether `signature` over `bytes` verifies with this key and `algorithm`, which must suit the
    /// key: ML-DSA signatures only with the key's own parameter set, classic ones as
    /// swift-certificates checks them.
    public func isValidSignature(_ signature: ArraySlice<UInt8>, for bytes: ArraySlice<UInt8>, algorithm: AlgorithmIdentifier) -> Bool {
        switch self {
        case .mlDSA(let key):
            guard MLDSAParameterSet(oid: algorithm.algorithm) == key.parameterSet, algorithm.parameters == nil else { return false }
            return key.isValidSignature(signature, for: bytes)
        case .classic(let key):
            guard let classic = AlgorithmIdentifier.classicSignatureAlgorithms[algorithm.algorithm] else { return false }
            let isRSA = algorithm.algorithm.oidComponents.starts(with: [1, 2, 840, 113549])
            guard isRSA ? algorithm.hasNoParameters : algorithm.parameters == nil else { return false }
            return key.isValidSignature(signature, for: bytes, signatureAlgorithm: classic)
        }
    }
}
