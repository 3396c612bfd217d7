/// The `Authorization` header of a SigV4 or SigV4-X509 request:
///
/// ```
/// <algorithm> Credential=<id>/<scope>, SignedHeaders=<a;b;c>, Signature=<hex>
/// ```
/// `<id>` is an access key ID for SigV4 and the certificate's decimal serial number for SigV4-X509.
public struct SigV4Authorization: Sendable, Hashable, CustomStringConvertible {
    public var algorithm: String
    /// The access key ID, or for SigV4-X509 the decimal serial number.
    public var credentialID: String
    public var scope: CredentialScope
    /// Lower-case header names, in the order given.
    public var signedHeaders: [String]
    /// Lower-case hex signature.
    public var signature: String

    public init(
        algorithm: String,
        credentialID: String,
        scope: CredentialScope,
        signedHeaders: [String],
        signature: String
    ) {
        self.algorithm = algorithm
        self.credentialID = credentialID
        self.scope = scope
        self.signedHeaders = signedHeaders
        self.signature = signature
    }

    /// The header value.
    public var description: String {
        algorithm + " Credential=" + credentialID + "/" + scope.description + ", SignedHeaders="
            + signedHeaders.joined(separator: ";") + ", Signature=" + signature
    }

    /// Parses an `Authorization` header value.
    ///
    /// The parse works on the UTF-8 bytes (every delimiter is ASCII): the server parses this header
    /// on every request.
    ///
    /// - Throws: ``SigningError/Code-swift.struct/malformedAuthorization`` naming what is missing or wrong.
    public init(parsing header: String) throws(SigningError) {
        let utf8 = header.utf8
        let space = UInt8(ascii: " ")
        var start = utf8.startIndex
        while start < utf8.endIndex, utf8[start] == space { start = utf8.index(after: start) }
        guard let algorithmEnd = utf8[start...].firstIndex(of: space) else {
            throw SigningError(.malformedAuthorization, "the Authorization header has no algorithm and credential parts")
        }
        let algorithm = String(header[start..<algorithmEnd])
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        var partStart = algorithmEnd
        while partStart < utf8.endIndex {
            let partEnd = utf8[partStart...].firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
            defer { partStart = partEnd < utf8.endIndex ? utf8.index(after: partEnd) : partEnd }
            // Empty parts (",,") are skipped, as a split would.
            guard partStart < partEnd else { continue }
            var itemStart = partStart
            while itemStart < partEnd, utf8[itemStart] == space { itemStart = utf8.index(after: itemStart) }
            guard let equals = utf8[itemStart..<partEnd].firstIndex(of: UInt8(ascii: "=")) else {
                throw SigningError(.malformedAuthorization, "the Authorization header has a part without '=': '\(header[itemStart..<partEnd])'")
            }
            var valueEnd = partEnd
            let valueStart = utf8.index(after: equals)
            while valueEnd > valueStart, utf8[utf8.index(before: valueEnd)] == space { valueEnd = utf8.index(before: valueEnd) }
            let key = header[itemStart..<equals]
            let value = header[valueStart..<valueEnd]
            switch key {
            case "Credential": credential = value
            case "SignedHeaders": signedHeaders = value
            case "Signature": signature = value
            default:
                throw SigningError(.malformedAuthorization, "the Authorization header has an unknown part '\(key)'")
            }
        }
        guard let credential else {
            throw SigningError(.malformedAuthorization, "the Authorization header has no Credential")
        }
        guard let signedHeaders, !signedHeaders.isEmpty else {
            throw SigningError(.malformedAuthorization, "the Authorization header has no SignedHeaders")
        }
        guard let signature, !signature.isEmpty else {
            throw SigningError(.malformedAuthorization, "the Authorization header has no Signature")
        }
        guard let slash = credential.utf8.firstIndex(of: UInt8(ascii: "/")), slash != credential.startIndex,
            let scope = CredentialScope(credential[credential.utf8.index(after: slash)...])
        else {
            throw SigningError(
                .malformedAuthorization,
                "the Credential '\(credential)' is not of the form <id>/<yyyymmdd>/<region>/<service>/aws4_request"
            )
        }
        var names = [String]()
        var nameStart = signedHeaders.startIndex
        while true {
            let nameEnd = signedHeaders.utf8[nameStart...].firstIndex(of: UInt8(ascii: ";")) ?? signedHeaders.endIndex
            let name = signedHeaders[nameStart..<nameEnd]
            guard !name.isEmpty, !name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
                throw SigningError(.malformedAuthorization, "SignedHeaders must be lower-case names separated by ';'")
            }
            names.append(String(name))
            guard nameEnd < signedHeaders.endIndex else { break }
            nameStart = signedHeaders.utf8.index(after: nameEnd)
        }
        guard signature.utf8.allSatisfy(Hex.isDigit), signature.utf8.count % 2 == 0 else {
            throw SigningError(.malformedAuthorization, "the Signature is not hexadecimal")
        }
        self.init(
            algorithm: algorithm,
            credentialID: String(credential[..<slash]),
            scope: scope,
            signedHeaders: names,
            signature: String(signature)
        )
    }

    /// The string to sign for this algorithm, date, scope and canonical request.
    public static func stringToSign(
        algorithm: String,
        date: AmzDate,
        scope: CredentialScope,
        canonicalRequest: CanonicalRequest
    ) -> String {
        algorithm + "\n" + date.amzDateTime + "\n" + scope.description + "\n" + canonicalRequest.hash
    }
}
