import Crypto
import RolesAnywhereSupport

/// The password-based key derivation of PKCS#12 (RFC 7292 appendix B.2), used for the MAC and the
/// legacy `pbeWithSHAAnd...` encryptions.
enum PKCS12KeyDerivation {
    enum Purpose: UInt8 {
        case key = 1
        case iv = 2
        case mac = 3
    }

    /// The password as PKCS#12 wants it: UTF-16 big-endian with a terminating NUL.
    /// An absent password is empty; an empty one is just the terminator (the two differ).
    static func bmpPassword(_ password: String?) -> [UInt8] {
        guard let password else { return [] }
        var bytes = [UInt8]()
        for unit in password.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xff))
        }
        return bytes + [0, 0]
    }

    static func derive<H: HashFunction>(
        _ hash: H.Type,
        password: [UInt8],
        salt: [UInt8],
        iterations: Int,
        purpose: Purpose,
        length: Int
    ) -> [UInt8] {
        let v = H.blockByteCount
        let u = H.Digest.byteCount
        let diversifier = [UInt8](repeating: purpose.rawValue, count: v)
        func fill(_ input: [UInt8]) -> [UInt8] {
            guard !input.isEmpty else { return [] }
            let count = v * ((input.count + v - 1) / v)
            return (0..<count).map { input[$0 % input.count] }
        }
        var i = fill(salt) + fill(password)
        var output = [UInt8]()
        while output.count < length {
            var a = Array(H.hash(data: diversifier + i))
            for _ in 1..<max(iterations, 1) {
                a = Array(H.hash(data: a))
            }
            output.append(contentsOf: a)
            guard output.count < length, !i.isEmpty else { break }
            let b = (0..<v).map { a[$0 % u] }
            // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
            var block = 0
            while block < i.count {
                var carry: UInt16 = 1
                for index in stride(from: v - 1, through: 0, by: -1) {
                    let sum = UInt16(i[block + index]) + UInt16(b[index]) + carry
                    i[block + index] = UInt8(sum & 0xff)
                    carry = sum >> 8
                }
                block += v
            }
        }
        return Array(output.prefix(length))
    }
}
