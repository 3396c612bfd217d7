/// Glob patterns as IAM reads them: `*` any run of characters (including none), `?` exactly one.
/// A pattern is a list of tokens so that `*` and `?` coming from policy variables or the `${*}`
/// escapes stay literal characters.
struct Wildcard: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case character(Unicode.Scalar)
        case anyRun
        case anyOne
    }

    var tokens: [Token]

    /// A pattern in which `*` and `?` are wildcards.
    init(_ pattern: some StringProtocol) {
        tokens = pattern.unicodeScalars.map { scalar in
            switch scalar {
            case "*": .anyRun
            case "?": .anyOne
            default: .character(scalar)
            }
        }
    }

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// A pattern that matches `text` literally.
    static func literal(_ text: some StringProtocol) -> Wildcard {
        Wildcard(tokens: text.unicodeScalars.map { .character($0) })
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: some StringProtocol, ignoringCase: Bool = false) -> Bool {
        let t = Array((ignoringCase ? text.lowercased() : String(text)).unicodeScalars)
        let p = ignoringCase ? tokens.map(Self.lowercased) : tokens
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, Self.matchesOne(p[pi], t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == .anyRun {
                star = pi
                mark = ti
                pi += 1
            } else if star != -1 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == .anyRun { pi += 1 }
        return pi == p.count
    }

    /// The pattern split at literal colons, at most `maxParts` parts (the last keeps the rest).
    func split(maxParts: Int) -> [Wildcard] {
        var parts = [[Token]()]
        for token in tokens {
            if token == .character(":"), parts.count < maxParts {
                parts.append([])
            } else {
                parts[parts.count - 1].append(token)
            }
        }
        return parts.map(Wildcard.init(tokens:))
    }

    var isMatchAll: Bool { tokens == [.anyRun] }

    private static func matchesOne(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
        switch token {
        case .character(let c): c == scalar
        case .anyOne: true
        case .anyRun: false
        }
    }

    private static func lowercased(_ token: Token) -> Token {
        guard case .character(let c) = token else { return token }
        let lowered = String(c).lowercased().unicodeScalars
        return lowered.count == 1 ? .character(lowered.first!) : token
    }
}

/// ARN matching: each of the six colon-separated parts is matched on its own, so `*` does not cross
/// a colon except in the resource part, where it spans `/` and `:` alike.
enum ARNPattern {
    static func matches(_ pattern: Wildcard, _ value: String) -> Bool {
        if pattern.isMatchAll { return true }
        let patternParts = pattern.split(maxParts: 6)
        // Split at code points, not characters: a colon followed by a combining mark is still a colon.
        let valueParts = value.unicodeScalars.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        guard patternParts.count == 6, valueParts.count == 6 else {
            // An ARN pattern with fewer than six parts matches no ARN; anything else is a plain glob.
            if patternParts.count > 1 || valueParts.count > 1 { return false }
            return pattern.matches(value)
        }
        for index in 0..<6 where !patternParts[index].matches(valueParts[index]) {
            return false
        }
        return true
    }
}

extension PolicyDocument {
    /// Whether `value` matches the glob `pattern` as IAM reads one (`*` any run, `?` one character).
    public static func globMatches(_ pattern: some StringProtocol, _ value: some StringProtocol) -> Bool {
        Wildcard(pattern).matches(value)
    }
}
