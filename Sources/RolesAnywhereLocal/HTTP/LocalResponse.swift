import RolesAnywhereSupport

/// An answer: status, headers and body.
public struct LocalResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func xml(_ text: String, status: Int = 200, contentType: String = "text/xml") -> LocalResponse {
        LocalResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    static func json(_ text: String, status: Int = 200) -> LocalResponse {
        LocalResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }

    /// The value of a header (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

extension AWSError {
    /// The error in `protocol`'s shape.
    func response(protocol wireProtocol: AWSProtocol, requestID: String, isHead: Bool = false) -> LocalResponse {
        switch wireProtocol {
        case .query(let namespace, _):
            var writer = XMLWriter()
            writer.element("ErrorResponse", namespace: namespace) { xml in
                xml.element("Error") { error in
                    error.element("Type", isSenderFault ? "Sender" : "Receiver")
                    error.element("Code", code)
                    error.element("Message", message)
                }
                xml.element("RequestId", requestID)
            }
            var response = LocalResponse.xml(writer.text, status: status)
            response.headers.append(("x-amzn-RequestId", requestID))
            return response
        case .restXML:
            var writer = XMLWriter(declaration: true)
            writer.element("Error") { xml in
                xml.element("Code", code)
                xml.element("Message", message)
                for detail in details { xml.element(detail.name, detail.value) }
                xml.element("RequestId", requestID)
                xml.element("HostId", requestID)
            }
            var response = LocalResponse.xml(writer.text, status: status, contentType: "application/xml")
            if isHead { response.body = [] }
            response.headers.append(("x-amz-request-id", requestID))
            for header in headers { response.headers.append((header.name, header.value)) }
            return response
        case .restJSON:
            var response = LocalResponse.json(#"{"message":\#(JSONText.string(message))}"#, status: status)
            response.headers.append(("x-amzn-ErrorType", code))
            response.headers.append(("x-amzn-RequestId", requestID))
            return response
        case .json:
            var response = LocalResponse.json(#"{"__type":\#(JSONText.string(code)),"message":\#(JSONText.string(message))}"#, status: status)
            response.headers[0].1 = "application/x-amz-json-1.1"
            response.headers.append(("x-amzn-RequestId", requestID))
            return response
        }
    }
}

extension LocalResponse {
    /// Adds the request ID header the protocol's clients read (`ResponseMetadata.RequestId`), unless
    /// the handler wrote one.
    mutating func addRequestID(_ requestID: String, protocol wireProtocol: AWSProtocol) {
        let name: String
        switch wireProtocol {
        case .restXML: name = "x-amz-request-id"
        case .query, .restJSON, .json: name = "x-amzn-RequestId"
        }
        guard header(name) == nil else { return }
        headers.append((name, requestID))
        if wireProtocol == .restXML, header("x-amz-id-2") == nil { headers.append(("x-amz-id-2", requestID)) }
    }
}
