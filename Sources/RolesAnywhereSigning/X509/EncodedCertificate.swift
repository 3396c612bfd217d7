#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import X509
import SwiftASN1

/// A parsed certificate together with the exact DER bytes it came from.
///
/// Requests carry the original bytes (`X-Amz-X509`), never a re-serialisation, so a certificate that
/// swift-certificates would encode differently still reaches the verifier byte for byte.
public struct EncodedCertificate: Sendable, Hashable {
    /// When swift-certificates' model of a certificate is built.
    public enum Modelling: Sendable {
        /// While parsing, so that a certificate swift-certificates cannot read is refused at once
        /// (what a verifier of outside certificates needs).
        case eager
        /// When ``certificate`` is asked for. A client that only sends its certificate never
        /// parses it a second time (for RSA, swift-crypto's reading of the key throws and catches
        /// two errors on the way).
        case onDemand
    }

    private enum Model: Sendable {
        case parsed(Certificate)
        case notModelled
        case onDemand
    }

    private let model: Model

    /// swift-certificates' model of the certificate, or nil when it cannot hold it: an ML-DSA key,
    /// or a signature by an ML-DSA issuer. ``fields`` reads every certificate. Parsed on each use
    /// for a certificate read with ``Modelling/onDemand``.
    public var certificate: Certificate? {
        switch model {
        case .parsed(let certificate): certificate
        case .notModelled: nil
        case .onDemand: try? Certificate(derEncoded: derBytes)
        }
    }
    /// The certificate's fields, read for every key and signature algorithm.
    public let fields: X509Certificate
    public let derBytes: [UInt8]
    /// The serial number in decimal, as SigV4-X509 puts it in `Credential=` (computed once: the
    /// server compares it on every request).
    public let decimalSerialNumber: String
    /// The serial number in lower-case hex, two digits a byte, without DER's sign byte: as
    /// `openssl x509 -serial` prints it (in lower case) and as IAM Roles Anywhere names the role
    /// session. For logs.
    public var hexSerialNumber: String { BigEndianInteger.evenHexString(fields.serialNumber.bytes) }

    /// Parses DER bytes. With `modelling` `.eager`, a certificate with an RSA or EC key, signed with
    /// RSA or ECDSA, must be one swift-certificates reads too; one with ML-DSA in it is read by
    /// ``X509Certificate`` alone.
    public init(derEncoded bytes: [UInt8], modelling: Modelling = .eager) throws {
        let fields = try X509Certificate(derEncoded: bytes)
        if fields.involvesMLDSA {
            self.model = .notModelled
        } else if modelling == .eager {
            self.model = .parsed(try Certificate(derEncoded: bytes))
        } else {
            self.model = .onDemand
        }
        self.fields = fields
        self.derBytes = bytes
        self.decimalSerialNumber = BigEndianInteger.decimalString(fields.serialNumber.bytes)
    }

    /// Wraps a certificate made in memory, serialising it once.
    public init(_ certificate: Certificate) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.model = .parsed(certificate)
        self.derBytes = serializer.serializedBytes
        self.fields = try X509Certificate(derEncoded: derBytes)
        self.decimalSerialNumber = BigEndianInteger.decimalString(certificate.serialNumber.bytes)
    }

    /// Certificates are the same when their bytes are.
    public static func == (lhs: EncodedCertificate, rhs: EncodedCertificate) -> Bool {
        lhs.derBytes == rhs.derBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(derBytes)
    }

    /// Standard base64 of the DER bytes, as in `X-Amz-X509`.
    public var base64: String { Data(derBytes).base64EncodedString() }

    /// Parses the base64 DER of a `X-Amz-X509` header or of one element of `X-Amz-X509-Chain`.
    public init(base64Encoded text: some StringProtocol) throws(SigningError) {
        let trimmed = String(text).trimmingASCIIWhitespace()
        guard let data = Data(base64Encoded: trimmed), !data.isEmpty else {
            throw SigningError(.malformedCertificate, "the certificate is not valid base64")
        }
        do {
            try self.init(derEncoded: Array(data))
        } catch {
            throw SigningError(.malformedCertificate, "the certificate is not a valid DER-encoded X.509 certificate")
        }
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" {
            scalars = scalars.dropFirst()
        }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            scalars = scalars.dropLast()
        }
        return String(scalars)
    }
}
