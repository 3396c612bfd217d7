/// The parameters of a query-protocol request (IAM, STS): the form body of a POST, or the query
/// string of a GET.
struct QueryRequest: Sendable {
    var parameters: [String: String]

    init(_ request: LocalRequest) throws(AWSError) {
        var parameters = [String: String]()
        for (name, value) in request.queryParameters { parameters[name] = value }
        if request.method == "POST" {
            let contentType = request.header("content-type")?.lowercased() ?? ""
            guard contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") else {
                throw AWSError("InvalidParameterValue", status: 400, "The request body must be application/x-www-form-urlencoded, not \(contentType).")
            }
            guard let text = String(validating: request.body, as: UTF8.self) else {
                throw AWSError("MalformedQueryString", status: 400, "The request body is not valid UTF-8.")
            }
            for (name, value) in FormEncoding.parse(text, plusIsSpace: true) { parameters[name] = value }
        }
        self.parameters = parameters
    }

    var action: String? { parameters["Action"] }

    subscript(_ name: String) -> String? { parameters[name] }

    /// A required parameter, or IAM's validation error naming it.
    func required(_ name: String) throws(AWSError) -> String {
        guard let value = parameters[name] else {
            let member = name.prefix(1).lowercased() + name.dropFirst()
            throw AWSError("ValidationError", status: 400, "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
        }
        return value
    }

    /// An optional integer parameter.
    func integer(_ name: String) throws(AWSError) -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text) else {
            throw AWSError("ValidationError", status: 400, "Value '\(text)' for parameter \(name) is not a valid integer.")
        }
        return value
    }

    /// An optional boolean parameter (`true` or `false`, as botocore sends them).
    func boolean(_ name: String) throws(AWSError) -> Bool? {
        guard let text = parameters[name] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw AWSError("ValidationError", status: 400, "Value '\(text)' for parameter \(name) is not a valid boolean.")
        }
    }

    /// `Name.member.N` values, in order.
    func list(_ name: String) -> [String] {
        var values = [(Int, String)]()
        let prefix = name + ".member."
        for (key, value) in parameters where key.hasPrefix(prefix) {
            if let index = Int(key.dropFirst(prefix.count)) { values.append((index, value)) }
        }
        return values.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// `Name.member.N.Key` / `.Value` tags.
    func tags(_ name: String = "Tags") -> [Tag] {
        var keys = [Int: String]()
        var values = [Int: String]()
        let prefix = name + ".member."
        for (key, value) in parameters where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count).split(separator: ".")
            guard rest.count == 2, let index = Int(rest[0]) else { continue }
            if rest[1] == "Key" { keys[index] = value } else if rest[1] == "Value" { values[index] = value }
        }
        return keys.keys.sorted().map { Tag(key: keys[$0]!, value: values[$0] ?? "") }
    }
}

extension LocalResponse {
    /// A query-protocol success: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`.
    static func query(
        action: String, namespace: String, requestID: String, result: ((inout XMLWriter) -> Void)?
    ) -> LocalResponse {
        var writer = XMLWriter()
        writer.element("\(action)Response", namespace: namespace) { xml in
            if let result {
                xml.element("\(action)Result", result)
            }
            xml.element("ResponseMetadata") { $0.element("RequestId", requestID) }
        }
        var response = LocalResponse.xml(writer.text)
        response.headers.append(("x-amzn-RequestId", requestID))
        return response
    }
}
