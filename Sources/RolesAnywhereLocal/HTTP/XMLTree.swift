/// A small, strict XML reader for request bodies (S3's REST-XML inputs such as `<Delete>`): elements,
/// attributes, text, CDATA, comments and the XML declaration. There is no DOCTYPE and so no entity
/// but the five predefined ones and character references: a body with a DTD is refused, which rules
/// out external entities and entity expansion. Nesting and the number of elements are bounded, so a
/// hostile body costs at most its own length.
struct XMLTree: Sendable {
    /// One element: its name (with any prefix), attributes, child elements and the text directly inside it.
    struct Element: Sendable, Equatable {
        var name: String
        var attributes: [String: String]
        var children: [Element]
        var text: String

        /// The name without a namespace prefix (`s3:Key` is `Key`).
        var localName: Substring { name.split(separator: ":", maxSplits: 1).last ?? Substring(name) }

        /// The child elements with this local name.
        func children(named name: String) -> [Element] { children.filter { $0.localName == name } }

        /// The first child element with this local name.
        func child(named name: String) -> Element? { children.first { $0.localName == name } }
    }

    /// Why a body is not well-formed XML, with the byte offset where it went wrong.
    struct Malformed: Error, Sendable, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    static let maximumDepth = 64
    static let maximumElements = 100_000

    var root: Element

    /// Parses a whole document (one root element, surrounded only by white space, comments and the declaration).
    init(parsing bytes: [UInt8]) throws(Malformed) {
        var reader = Reader(bytes: bytes)
        reader.skipMisc(allowDeclaration: true)
        guard reader.peek() == UInt8(ascii: "<") else { throw reader.malformed("no root element") }
        root = try reader.element(depth: 0)
        reader.skipMisc(allowDeclaration: false)
        guard reader.atEnd else { throw reader.malformed("content after the root element") }
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0
        var elements = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var atEnd: Bool { index >= bytes.count }

        func peek(_ offset: Int = 0) -> UInt8? {
            guard offset <= bytes.count - index - 1 else { return nil }
            return bytes[index + offset]
        }

        func malformed(_ reason: String) -> Malformed { Malformed(offset: index, reason: reason) }

        func hasPrefix(_ text: String) -> Bool {
            let utf8 = Array(text.utf8)
            guard utf8.count <= bytes.count - index else { return false }
            return bytes[index..<(index + utf8.count)].elementsEqual(utf8)
        }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."), 0x80...0xFF:
                true
            default: false
            }
        }

        mutating func skipSpace() {
            while let byte = peek(), Self.isSpace(byte) { index += 1 }
        }

        /// Advances past `terminator`, or to the end when it never comes (the caller then fails).
        mutating func skip(past terminator: String) -> Bool {
            while !atEnd {
                if hasPrefix(terminator) {
                    index += terminator.utf8.count
                    return true
                }
                index += 1
            }
            return false
        }

        /// White space, comments and (first) the declaration; a DOCTYPE stops here and is refused by the caller.
        mutating func skipMisc(allowDeclaration: Bool) {
            while true {
                skipSpace()
                if allowDeclaration, hasPrefix("<?") {
                    guard skip(past: "?>") else { return }
                } else if hasPrefix("<!--") {
                    guard skip(past: "-->") else { return }
                } else {
                    return
                }
            }
        }

        mutating func name() throws(Malformed) -> String {
            let start = index
            while let byte = peek(), Self.isNameByte(byte) { index += 1 }
            guard index > start, let text = String(validating: bytes[start..<index], as: UTF8.self) else { throw malformed("a name was expected") }
            return text
        }

        mutating func element(depth: Int) throws(Malformed) -> Element {
            guard depth < XMLTree.maximumDepth else { throw malformed("elements nested more than \(XMLTree.maximumDepth) deep") }
            elements += 1
            guard elements <= XMLTree.maximumElements else { throw malformed("more than \(XMLTree.maximumElements) elements") }
            guard peek() == UInt8(ascii: "<") else { throw malformed("an element was expected") }
            if hasPrefix("<!DOCTYPE") || hasPrefix("<!doctype") { throw malformed("a DOCTYPE is not allowed") }
            index += 1
            var element = Element(name: try name(), attributes: [:], children: [], text: "")
            // Attributes.
            while true {
                let hadSpace = peek().map(Self.isSpace) ?? false
                skipSpace()
                guard let byte = peek() else { throw malformed("unterminated start tag <\(element.name)") }
                if byte == UInt8(ascii: "/") {
                    guard peek(1) == UInt8(ascii: ">") else { throw malformed("'/' must end the tag") }
                    index += 2
                    return element
                }
                if byte == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                guard hadSpace else { throw malformed("attributes must be separated by white space") }
                let attribute = try name()
                skipSpace()
                guard peek() == UInt8(ascii: "=") else { throw malformed("'=' expected after the attribute \(attribute)") }
                index += 1
                skipSpace()
                guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw malformed("a quoted value expected") }
                index += 1
                let value = try characterData(until: quote)
                index += 1
                guard element.attributes.updateValue(value, forKey: attribute) == nil else { throw malformed("the attribute \(attribute) is repeated") }
            }
            // Content.
            var text = ""
            while true {
                guard !atEnd else { throw malformed("<\(element.name)> is not closed") }
                if hasPrefix("</") {
                    index += 2
                    let closing = try name()
                    guard closing == element.name else { throw malformed("</\(closing)> closes <\(element.name)>") }
                    skipSpace()
                    guard peek() == UInt8(ascii: ">") else { throw malformed("unterminated end tag </\(closing)") }
                    index += 1
                    element.text = text
                    return element
                } else if hasPrefix("<!--") {
                    guard skip(past: "-->") else { throw malformed("unterminated comment") }
                } else if hasPrefix("<![CDATA[") {
                    index += 9
                    let start = index
                    guard skip(past: "]]>") else { throw malformed("unterminated CDATA section") }
                    guard let data = String(validating: bytes[start..<(index - 3)], as: UTF8.self) else { throw malformed("CDATA is not UTF-8") }
                    text += data
                } else if hasPrefix("<?") {
                    guard skip(past: "?>") else { throw malformed("unterminated processing instruction") }
                } else if peek() == UInt8(ascii: "<") {
                    element.children.append(try self.element(depth: depth + 1))
                } else {
                    text += try characterData(until: UInt8(ascii: "<"))
                }
            }
        }

        /// Text up to (not including) `terminator`, with references resolved; `<` inside an
        /// attribute value and `&` without a valid reference are errors.
        mutating func characterData(until terminator: UInt8) throws(Malformed) -> String {
            var output = [UInt8]()
            while let byte = peek(), byte != terminator {
                if byte == UInt8(ascii: "<") { throw malformed("'<' is not allowed here") }
                if byte == UInt8(ascii: "&") {
                    output += try reference()
                } else {
                    output.append(byte)
                    index += 1
                }
            }
            guard terminator == UInt8(ascii: "<") || !atEnd else { throw malformed("unterminated attribute value") }
            guard let text = String(validating: output, as: UTF8.self) else { throw malformed("text is not UTF-8") }
            return text
        }

        mutating func reference() throws(Malformed) -> [UInt8] {
            let start = index
            index += 1
            var body = [UInt8]()
            while let byte = peek(), byte != UInt8(ascii: ";") {
                guard body.count < 10 else { throw malformed("an unterminated reference") }
                body.append(byte)
                index += 1
            }
            guard peek() == UInt8(ascii: ";") else { index = start; throw malformed("an unterminated reference") }
            index += 1
            let name = String(decoding: body, as: UTF8.self)
            switch name {
            case "amp": return [UInt8(ascii: "&")]
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var digits = Substring(name)
                guard digits.hasPrefix("#") else { index = start; throw malformed("the entity &\(name); is not defined") }
                digits = digits.dropFirst()
                var radix = 10
                if digits.hasPrefix("x") {
                    digits = digits.dropFirst()
                    radix = 16
                }
                guard !digits.isEmpty, let value = UInt32(digits, radix: radix), let scalar = Unicode.Scalar(value),
                    value == 0x9 || value == 0xA || value == 0xD || value >= 0x20
                else { index = start; throw malformed("&\(name); is not a valid character reference") }
                return Array(String(Character(scalar)).utf8)
            }
        }
    }
}
