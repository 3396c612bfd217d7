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
    /// - Throws: ``SigningError/Code-swift.struct/malformedAuthorization`` naming what is missing or wrong.
    public init(parsing header: String) throws(SigningError) {
        let trimmed = header.drop(while: { $0 == " " })
        guard let space = trimmed.firstIndex(of: " ") else {
            throw SigningError(.malformedAuthorization, "the Authorization header has no algorithm and credential parts")
        }
        let algorithm = String(trimmed[..<space])
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        for part in trimmed[space...].split(separator: ",") {
            let item = part.drop(while: { $0 == " " })
            guard let equals = item.firstIndex(of: "=") else {
                throw SigningError(.malformedAuthorization, "the Authorization header has a part without '=': '\(item)'")
            }
            let key = item[..<equals]
            var value = item[item.index(after: equals)...]
            while value.last == " " { value = value.dropLast() }
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
        guard let slash = credential.firstIndex(of: "/"), slash != credential.startIndex,
            let scope = CredentialScope(credential[credential.index(after: slash)...])
        else {
            throw SigningError(
                .malformedAuthorization,
                "the Credential '\(credential)' is not of the form <id>/<yyyymmdd>/<region>/<service>/aws4_request"
            )
        }
        let names = signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy({ !$0.isEmpty && !$0.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) }) else {
            throw SigningError(.malformedAuthorization, "SignedHeaders must be lower-case names separated by ';'")
        }
        guard Hex.decode(signature) != nil else {
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
