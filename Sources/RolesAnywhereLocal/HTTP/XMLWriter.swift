/// Writes the small XML documents AWS's query and REST-XML protocols answer with.
struct XMLWriter {
    private(set) var text: String

    init(declaration: Bool = false) {
        text = declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
    }

    /// `<name xmlns=... attributes>` ... `</name>` around what `body` writes; attribute values
    /// are escaped, in the order given.
    mutating func element(_ name: String, namespace: String? = nil, attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        text += "<\(name)" + (namespace.map { " xmlns=\"\($0)\"" } ?? "")
        for (attribute, value) in attributes { text += " \(attribute)=\"\(Self.escape(value))\"" }
        text += ">"
        body(&self)
        text += "</\(name)>"
    }

    /// `<name>value</name>`, escaped; nothing when `value` is `nil`.
    mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    mutating func element(_ name: String, _ value: Int?) {
        element(name, value.map(String.init))
    }

    mutating func element(_ name: String, _ value: Bool) {
        element(name, value ? "true" : "false")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" {
                    out += "&#\(scalar.value);"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
