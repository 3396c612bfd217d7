/// Puts temporary credentials into the text of a shared credentials file (`~/.aws/credentials`)
/// and changes nothing else: every other profile, key, comment, blank line and line ending is kept
/// byte for byte, including a last line without a newline.
///
/// In the target profile the three keys `aws_access_key_id`, `aws_secret_access_key` and
/// `aws_session_token` are replaced where they are (with any indented continuation lines of their
/// old values); keys the profile lacks are added right after its `[name]` line. A profile that does
/// not exist is appended at the end.
public enum CredentialsFileEditor {
    /// The keys `update` writes, in the order it writes them.
    public static let keys = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]

    /// The new file contents.
    public static func merge(_ existing: [UInt8], profile: String, credentials: SessionCredentials) -> [UInt8] {
        let values = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]
        var lines = Line.split(existing)
        let newline: [UInt8] = lines.first(where: { !$0.terminator.isEmpty })?.terminator ?? [0x0A]

        guard let header = lines.firstIndex(where: { $0.sectionName == profile }) else {
            var output = existing
            if !output.isEmpty {
                if output.last != 0x0A { output += newline }
                if !(lines.last?.isBlank ?? true) { output += newline }
            }
            output += Array("[\(profile)]".utf8) + newline
            for (key, value) in zip(keys, values) {
                output += Array("\(key) = \(value)".utf8) + newline
            }
            return output
        }
        let end = lines[(header + 1)...].firstIndex(where: { $0.sectionName != nil }) ?? lines.count

        var found = Set<String>()
        var rewritten = [Line]()
        var index = header + 1
        while index < end {
            let line = lines[index]
            if let key = line.key, let position = keys.firstIndex(of: key) {
                rewritten.append(Line(content: Array("\(keys[position]) = \(values[position])".utf8), terminator: line.terminator))
                found.insert(key)
                index += 1
                // Drop the indented continuation lines of the old value.
                while index < end, lines[index].isContinuation {
                    if rewritten[rewritten.count - 1].terminator.isEmpty { rewritten[rewritten.count - 1].terminator = lines[index].terminator }
                    index += 1
                }
                continue
            }
            rewritten.append(line)
            index += 1
        }
        var added = [Line]()
        for (key, value) in zip(keys, values) where !found.contains(key) {
            added.append(Line(content: Array("\(key) = \(value)".utf8), terminator: newline))
        }
        if !added.isEmpty, lines[header].terminator.isEmpty {
            lines[header].terminator = newline
            if rewritten.isEmpty { added[added.count - 1].terminator = [] }
        }
        let result = Array(lines[..<header]) + [lines[header]] + added + rewritten + Array(lines[end...])
        return result.flatMap { $0.content + $0.terminator }
    }

    /// One line of the file: its text and its line ending (empty for a last line without one).
    struct Line {
        var content: [UInt8]
        var terminator: [UInt8]

        static func split(_ bytes: [UInt8]) -> [Line] {
            var lines = [Line]()
            var start = 0
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x0A {
                    let hasCR = index > start && bytes[index - 1] == 0x0D
                    let contentEnd = hasCR ? index - 1 : index
                    lines.append(Line(content: Array(bytes[start..<contentEnd]), terminator: hasCR ? [0x0D, 0x0A] : [0x0A]))
                    start = index + 1
                }
                index += 1
            }
            if start < bytes.count {
                lines.append(Line(content: Array(bytes[start...]), terminator: []))
            }
            return lines
        }

        private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

        var trimmed: ArraySlice<UInt8> {
            var slice = content[...]
            while let first = slice.first, Self.isSpace(first) { slice = slice.dropFirst() }
            while let last = slice.last, Self.isSpace(last) || last == 0x0D { slice = slice.dropLast() }
            return slice
        }

        var isBlank: Bool { trimmed.isEmpty }

        var isComment: Bool { trimmed.first == UInt8(ascii: "#") || trimmed.first == UInt8(ascii: ";") }

        /// An indented, non-blank line: a continuation of the previous value for INI parsers.
        var isContinuation: Bool { !isBlank && !isComment && content.first.map(Self.isSpace) == true }

        /// The name of a `[name]` header line (a header starts in the first column, as Python's
        /// configparser, which the AWS CLI uses, requires).
        var sectionName: String? {
            guard content.first == UInt8(ascii: "[") else { return nil }
            var text = trimmed
            // `[name] # comment` is still the header of `name`.
            if let close = text.firstIndex(of: UInt8(ascii: "]")) {
                let rest = text[(close + 1)...].drop(while: Self.isSpace)
                guard rest.isEmpty || rest.first == UInt8(ascii: "#") || rest.first == UInt8(ascii: ";") else { return nil }
                text = text[...close]
            } else {
                return nil
            }
            return String(decoding: text.dropFirst().dropLast(), as: UTF8.self)
        }

        /// The key of a `key = value` line, lower-cased (INI keys are case-insensitive).
        var key: String? {
            guard !isBlank, !isComment, !isContinuation, sectionName == nil,
                let equals = content.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") })
            else { return nil }
            var name = content[..<equals]
            while let last = name.last, Self.isSpace(last) { name = name.dropLast() }
            return String(decoding: name, as: UTF8.self).lowercased()
        }
    }
}
