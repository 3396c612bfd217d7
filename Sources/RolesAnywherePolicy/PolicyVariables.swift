import RolesAnywhereSupport
/// Policy variables in `Resource` and condition values: `${aws:username}`,
/// `${aws:PrincipalTag/team}`, `${key, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`.
enum PolicyVariables {
    /// `text` as a pattern with its variables replaced by the request's values (which, like the
    /// escapes, are literal), or `nil` when a variable has no value: the element then matches nothing.
    static func pattern(_ text: String, context: RequestContext, substitute: Bool) -> Wildcard? {
        guard substitute, text.contains("${") else { return Wildcard(text) }
        var tokens = [Wildcard.Token]()
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            tokens += Wildcard(rest[..<start.lowerBound]).tokens
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else {
                tokens += Wildcard.literal("${").tokens + Wildcard(rest).tokens
                return Wildcard(tokens: tokens)
            }
            let body = rest[..<end].trimmingSpaces()
            rest = rest[rest.index(after: end)...]
            if body == "*" || body == "?" || body == "$" {
                tokens += Wildcard.literal(body).tokens
                continue
            }
            var name = body
            var fallback: Substring?
            if let comma = body.firstIndex(of: ",") {
                name = body[..<comma].trimmingSpaces()
                let defaultPart = body[body.index(after: comma)...].trimmingSpaces()
                if defaultPart.count >= 2, defaultPart.hasPrefix("'"), defaultPart.hasSuffix("'") {
                    fallback = defaultPart.dropFirst().dropLast()
                }
            }
            if let value = context.values(String(name))?.first {
                tokens += Wildcard.literal(value).tokens
            } else if let fallback {
                tokens += Wildcard.literal(fallback).tokens
            } else {
                return nil
            }
        }
        tokens += Wildcard(rest).tokens
        return Wildcard(tokens: tokens)
    }

    /// `text` with its variables replaced, for exact comparisons; `nil` when one has no value.
    static func text(_ text: String, context: RequestContext, substitute: Bool) -> String? {
        guard let pattern = pattern(text, context: context, substitute: substitute) else { return nil }
        var result = String.UnicodeScalarView()
        for token in pattern.tokens {
            switch token {
            case .character(let c): result.append(c)
            case .anyRun: result.append("*")
            case .anyOne: result.append("?")
            }
        }
        return String(result)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
