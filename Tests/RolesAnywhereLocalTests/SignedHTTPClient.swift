import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RolesAnywhereSigning

/// Raw HTTP to `rolesanywhere-local` over loopback, signed with our SigV4 signer (itself checked
/// against botocore), so tests can tamper with a request after signing or send what no SDK sends.
struct SignedHTTPClient {
    let endpoint: String
    let port: Int

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    static let admin = SigV4Credentials(accessKeyId: LocalServerProcess.admin.accessKeyID, secretAccessKey: LocalServerProcess.admin.secretAccessKey)

    init(port: Int) {
        self.port = port
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// A request signed for `service` as of `date`, before any tampering.
    func signed(
        service: String, method: String = "POST", path: String = "/", query: String = "", headers: [HTTPHeaderField] = [], body: [UInt8] = [],
        credentials: SigV4Credentials = Self.admin, date: Date = Date(), payloadHash: String? = nil
    ) throws -> SignableRequest {
        let request = SignableRequest(method: method, path: path, query: query, headers: [HTTPHeaderField(name: "Host", value: "127.0.0.1:\(port)")] + headers, body: body)
        return try SigV4Signer(credentials: credentials, region: "us-east-1", service: service).sign(request, date: AmzDate(date), declaredPayloadHash: payloadHash).request
    }

    /// A form-encoded query-protocol call (IAM or STS), signed.
    func query(service: String, _ body: String, credentials: SigV4Credentials = Self.admin, date: Date = Date()) throws -> SignableRequest {
        try signed(
            service: service, headers: [HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(body.utf8), credentials: credentials, date: date
        )
    }

    /// Sends `request` as it is.
    func send(_ request: SignableRequest) async throws -> Response {
        var outgoing = HTTPClientRequest(url: endpoint + request.path + (request.query.isEmpty ? "" : "?" + request.query))
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers where header.name.lowercased() != "host" {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Response(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }
}

extension SignableRequest {
    /// The request with the last hex digit of its signature changed.
    func withTamperedSignature() -> SignableRequest {
        var copy = self
        guard let authorization = copy.headers.first(named: "authorization") else { return copy }
        let last = authorization.last == "0" ? "1" : "0"
        copy.headers.replace(named: "Authorization", with: String(authorization.dropLast()) + last)
        return copy
    }
}

extension SignedHTTPClient.Response {
    /// The text of the first `<name>` element.
    func element(_ name: String) -> String? {
        guard let start = body.range(of: "<\(name)>"), let end = body.range(of: "</\(name)>", range: start.upperBound..<body.endIndex) else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }
}
