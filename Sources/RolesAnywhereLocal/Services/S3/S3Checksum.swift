#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import RolesAnywhereSupport

/// S3's additional checksums (`x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`):
/// the value a client sends, in a header or an aws-chunked trailer, is compared with the body
/// received (400 `BadDigest` when it differs) and echoed in the PutObject response.
enum S3Checksum: String, CaseIterable, Sendable {
    case crc32, crc32c, crc64nvme, sha1, sha256

    /// `x-amz-checksum-crc32`, ...
    var headerName: String { "x-amz-checksum-\(rawValue)" }

    /// How S3 names the algorithm in a BadDigest message.
    var displayName: String {
        switch self {
        case .crc32: "CRC32"
        case .crc32c: "CRC32C"
        case .crc64nvme: "CRC64NVME"
        case .sha1: "sha1"
        case .sha256: "sha256"
        }
    }

    /// The algorithm a header or trailer name (any case) stands for.
    init?(headerName: String) {
        let lowered = headerName.lowercased()
        guard lowered.hasPrefix("x-amz-checksum-") else { return nil }
        self.init(rawValue: String(lowered.dropFirst("x-amz-checksum-".count)))
    }

    /// The checksum of `bytes`, base64-encoded big-endian, as S3 writes it.
    func value(of bytes: [UInt8]) -> String {
        switch self {
        case .crc32: Self.bigEndian(CRCTable.crc32.checksum(bytes), bytes: 4)
        case .crc32c: Self.bigEndian(CRCTable.crc32c.checksum(bytes), bytes: 4)
        case .crc64nvme: Self.bigEndian(CRCTable.crc64nvme.checksum(bytes), bytes: 8)
        case .sha1: Data(Insecure.SHA1.hash(data: bytes)).base64EncodedString()
        case .sha256: Data(SHA256.hash(data: bytes)).base64EncodedString()
        }
    }

    static func bigEndian(_ value: UInt64, bytes count: Int) -> String {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
        return Data(bytes).base64EncodedString()
    }

    /// The declared checksums of a request (headers, then trailers), checked against `body`: the
    /// ones that hold, or BadDigest for the first that does not. More than one algorithm is
    /// InvalidRequest, as on S3.
    static func verify(declared: [(name: String, value: String)], body: [UInt8]) throws(AWSError) -> (S3Checksum, String)? {
        var found: (S3Checksum, String)?
        for (name, value) in declared {
            guard let algorithm = S3Checksum(headerName: name) else { continue }
            if let found, found.0 != algorithm {
                throw AWSError("InvalidRequest", status: 400, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
            }
            let computed = algorithm.value(of: body)
            guard computed == value.trimmingCharacters() else {
                throw AWSError("BadDigest", status: 400, "The \(algorithm.displayName) you specified did not match the calculated checksum.")
            }
            found = (algorithm, computed)
        }
        return found
    }
}

/// A reflected CRC by its 256-entry table (width up to 64 bits).
struct CRCTable: Sendable {
    let table: [UInt64]
    let mask: UInt64

    init(reflectedPolynomial: UInt64, width: Int) {
        mask = width == 64 ? .max : (1 << UInt64(width)) - 1
        table = (0..<256).map { index in
            var crc = UInt64(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1 }
            return crc
        }
    }

    func checksum(_ bytes: [UInt8]) -> UInt64 {
        var crc = mask
        for byte in bytes { crc = table[Int((crc ^ UInt64(byte)) & 0xff)] ^ (crc >> 8) }
        return (crc ^ mask) & mask
    }

    /// CRC-32 (ISO-HDLC, zlib's).
    static let crc32 = CRCTable(reflectedPolynomial: 0xEDB8_8320, width: 32)
    /// CRC-32C (Castagnoli).
    static let crc32c = CRCTable(reflectedPolynomial: 0x82F6_3B78, width: 32)
    /// CRC-64/NVME.
    static let crc64nvme = CRCTable(reflectedPolynomial: 0x9A6C_9329_AC4B_C9B5, width: 64)
}
