import Crypto

/// The SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
///
/// It changes once a day per region and service, so verifiers cache it.
public struct SigV4SigningKey: Sendable, Hashable {
    let key: SymmetricKey

    public init(secretAccessKey: String, scope: CredentialScope) {
        var current = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
        for part in [scope.date, scope.region, scope.service, CredentialScope.terminator] {
            current = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: current))
        }
        key = current
    }

    /// The lower-case hex signature of `stringToSign`.
    public func signature(for stringToSign: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    public static func == (lhs: SigV4SigningKey, rhs: SigV4SigningKey) -> Bool {
        lhs.key.withUnsafeBytes { l in rhs.key.withUnsafeBytes { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
