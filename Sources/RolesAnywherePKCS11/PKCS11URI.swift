import RolesAnywhereCredentials
public import RolesAnywhereSupport

/// A PKCS#11 URI (RFC 7512) naming a token object: `pkcs11:token=my-token;object=my-key?pin-value=1234`.
///
/// Path attributes select the token and the object; query attributes say how to log in and which
/// module to load. Every attribute is percent-decoded; `id` may hold any bytes.
public struct PKCS11URI: Sendable, Hashable, CustomStringConvertible {
    /// The object classes a URI can name with `type=`.
    public enum ObjectType: String, Sendable, Hashable {
        case certificate = "cert"
        case privateKey = "private"
        case publicKey = "public"
        case secretKey = "secret-key"
        case data
    }

    // Token and slot (path attributes)
    public var token: String?
    public var manufacturer: String?
    public var model: String?
    public var serial: String?
    public var slotDescription: String?
    public var slotManufacturer: String?
    public var slotID: UInt?
    public var libraryManufacturer: String?
    public var libraryDescription: String?
    public var libraryVersion: String?
    // Object (path attributes)
    /// `CKA_LABEL`.
    public var object: String?
    /// `CKA_ID`, as bytes.
    public var id: [UInt8]?
    public var type: ObjectType?
    // Query attributes
    /// The user PIN itself (`pin-value`).
    public var pinValue: String?
    /// Where the PIN is (`pin-source`): a file path or a `file:` URI.
    public var pinSource: String?
    /// The module to load (`module-path`), which wins over `--pkcs11-lib`.
    public var modulePath: String?
    /// The module's name (`module-name`), looked up as `<name>.so` in the library path.
    public var moduleName: String?

    public init() {}

    static let pathAttributes: Set<String> = [
        "token", "manufacturer", "model", "serial", "slot-description", "slot-manufacturer", "slot-id",
        "library-manufacturer", "library-description", "library-version", "object", "id", "type",
    ]
    static let queryAttributes: Set<String> = ["pin-value", "pin-source", "module-path", "module-name"]

    /// Whether `text` is meant as a PKCS#11 URI (starts with `pkcs11:`).
    public static func isURI(_ text: String) -> Bool {
        text.lowercased().hasPrefix("pkcs11:")
    }

    /// Parses a URI.
    ///
    /// - Throws: ``CredentialsError`` (`invalidConfiguration`) naming the attribute that is malformed,
    ///   unknown or repeated.
    public init(parsing text: String) throws(CredentialsError) {
        guard Self.isURI(text) else {
            throw CredentialsError(.invalidConfiguration, "'\(text)' is not a PKCS#11 URI (they start with 'pkcs11:')")
        }
        let body = text.dropFirst("pkcs11:".count)
        let parts = body.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var seen = Set<String>()
        for attribute in parts[0].split(separator: ";") where !attribute.isEmpty {
            let (name, value) = try Self.attribute(attribute, in: text, allowed: Self.pathAttributes, seen: &seen)
            try set(name, value)
        }
        if parts.count == 2 {
            for attribute in parts[1].split(separator: "&") where !attribute.isEmpty {
                let (name, value) = try Self.attribute(attribute, in: text, allowed: Self.queryAttributes, seen: &seen)
                try set(name, value)
            }
        }
        if pinValue != nil && pinSource != nil {
            throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI has both pin-value and pin-source; keep one")
        }
    }

    private static func attribute(
        _ attribute: Substring,
        in uri: String,
        allowed: Set<String>,
        seen: inout Set<String>
    ) throws(CredentialsError) -> (String, [UInt8]) {
        guard let equals = attribute.firstIndex(of: "=") else {
            throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI attribute '\(attribute)' has no '=value'")
        }
        let name = attribute[..<equals].lowercased()
        guard allowed.contains(name) else {
            let isQuery = queryAttributes.contains(name)
            let isPath = pathAttributes.contains(name)
            throw CredentialsError(
                .invalidConfiguration,
                isQuery || isPath
                    ? "the PKCS#11 URI attribute '\(name)' belongs in the \(isQuery ? "query (after '?')" : "path (before '?')")"
                    : "the PKCS#11 URI attribute '\(name)' is not one rolesanywhere knows (path: \(pathAttributes.sorted().joined(separator: ", ")); query: \(queryAttributes.sorted().joined(separator: ", ")))"
            )
        }
        guard seen.insert(name).inserted else {
            throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI gives '\(name)' twice")
        }
        guard let value = percentDecode(attribute[attribute.index(after: equals)...]) else {
            throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI attribute '\(name)' has a malformed %-escape")
        }
        return (name, value)
    }

    private mutating func set(_ name: String, _ bytes: [UInt8]) throws(CredentialsError) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch name {
        case "token": token = text
        case "manufacturer": manufacturer = text
        case "model": model = text
        case "serial": serial = text
        case "slot-description": slotDescription = text
        case "slot-manufacturer": slotManufacturer = text
        case "slot-id":
            guard let value = UInt(text) else {
                throw CredentialsError(.invalidConfiguration, "the PKCS#11 URI's slot-id '\(text)' is not a decimal number")
            }
            slotID = value
        case "library-manufacturer": libraryManufacturer = text
        case "library-description": libraryDescription = text
        case "library-version": libraryVersion = text
        case "object": object = text
        case "id": id = bytes
        case "type":
            guard let value = ObjectType(rawValue: text) else {
                throw CredentialsError(
                    .invalidConfiguration,
                    "the PKCS#11 URI's type '\(text)' is not one of cert, private, public, secret-key, data"
                )
            }
            type = value
        case "pin-value": pinValue = text
        case "pin-source": pinSource = text
        case "module-path": modulePath = text
        case "module-name": moduleName = text
        default: break
        }
    }

    /// The URI with the PIN left out, in canonical attribute order (for messages and listings).
    public var description: String {
        var path = [String]()
        func add(_ name: String, _ value: String?) {
            if let value { path.append("\(name)=\(Self.percentEncode(Array(value.utf8)))") }
        }
        add("model", model)
        add("manufacturer", manufacturer)
        add("serial", serial)
        add("token", token)
        add("slot-description", slotDescription)
        add("slot-manufacturer", slotManufacturer)
        add("slot-id", slotID.map { String($0) })
        add("object", object)
        if let id { path.append("id=" + Self.percentEncode(id, everything: true)) }
        add("type", type?.rawValue)
        var query = [String]()
        if let modulePath { query.append("module-path=\(Self.percentEncode(Array(modulePath.utf8), query: true))") }
        if let moduleName { query.append("module-name=\(Self.percentEncode(Array(moduleName.utf8), query: true))") }
        return "pkcs11:" + path.joined(separator: ";") + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    static func percentDecode(_ text: Substring) -> [UInt8]? {
        var bytes = [UInt8]()
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes what RFC 7512 does not allow unescaped in an attribute value (or every byte).
    /// Query values may also hold `/`, `?` and `|`.
    static func percentEncode(_ bytes: [UInt8], everything: Bool = false, query: Bool = false) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for byte in bytes {
            let unreserved = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || Array("-._~:[]@!$'()*+,=".utf8).contains(byte)
                || (query && Array("/?|".utf8).contains(byte))
            if unreserved && !everything {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
