#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RolesAnywhereSigning
import RolesAnywhereSupport

/// The emulator behind `rolesanywhere-local --upstream`: the HTTP client that forwards every
/// request that is not Roles Anywhere's, and the two calls CreateSession makes there
/// (`iam:GetRole`, `sts:AssumeRole`, signed with the upstream's keys).
///
/// Its connections are pooled; ``shutdown()`` must be called before it is dropped.
public final class UpstreamGateway: Sendable {
    public let configuration: UpstreamConfiguration
    let client: HTTPClient
    let logger: Logger

    init(configuration: UpstreamConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var settings = HTTPClient.Configuration()
        settings.timeout = HTTPClient.Configuration.Timeout(
            connect: .nanoseconds(LocalServer.nanoseconds(configuration.connectTimeout)),
            read: .nanoseconds(LocalServer.nanoseconds(configuration.timeout))
        )
        // Answers are passed on as they come: not decompressed, redirects not followed.
        settings.decompression = .disabled
        settings.redirectConfiguration = .disallow
        settings.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: settings)
    }

    /// Closes the pooled connections.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Whether a request stays here (Roles Anywhere: SigV4-X509, or SigV4 scoped to
    /// `rolesanywhere`) or goes upstream (everything else, unsigned requests included). Decided
    /// from the head alone, so that bodies are streamed.
    static func staysLocal(_ head: LocalRequest) -> Bool {
        if let authorization = head.header("authorization") {
            if authorization.hasPrefix("AWS4-X509-") { return true }
            return (try? SigV4Authorization(parsing: authorization).scope.service) == "rolesanywhere"
        }
        if let credential = head.queryParameters.first(where: { $0.name == "X-Amz-Credential" })?.value,
            let slash = credential.firstIndex(of: "/"), let scope = CredentialScope(credential[credential.index(after: slash)...])
        {
            return scope.service == "rolesanywhere"
        }
        return false
    }

    // MARK: - CreateSession's calls

    /// The role named by `arn` at the upstream (`iam:GetRole`), or nil when it has none by that
    /// name or it is another role of that name.
    func role(arn: String, name: String) async throws(UpstreamFailure) -> RoleRecord? {
        let answer = try await call(service: "iam", version: "2010-05-08", action: "GetRole", parameters: [("RoleName", name)])
        if answer.errorCode == "NoSuchEntity" { return nil }
        let result = try answer.result()
        guard let role = result.child(named: "Role"),
            let returnedArn = role.child(named: "Arn")?.text, let roleName = role.child(named: "RoleName")?.text,
            let id = role.child(named: "RoleId")?.text, let document = role.child(named: "AssumeRolePolicyDocument")?.text
        else {
            throw .malformed("its GetRole answer has no Role with Arn, RoleName, RoleId and AssumeRolePolicyDocument")
        }
        guard returnedArn == arn else { return nil }
        let maximum = role.child(named: "MaxSessionDuration").flatMap { Int($0.text) } ?? 3600
        return RoleRecord(
            name: roleName, id: id, arn: returnedArn, path: role.child(named: "Path")?.text ?? "/",
            description: role.child(named: "Description")?.text,
            assumeRolePolicyDocument: Self.policyDocument(document),
            maxSessionDuration: maximum, createDate: Date(), tags: []
        )
    }

    /// A session of `role` minted by the upstream (`sts:AssumeRole` with the upstream's keys).
    func assumeRole(_ request: SessionMinter.Request, now: Date) async throws(UpstreamFailure) -> SessionRecord {
        var parameters: [(String, String)] = [
            ("RoleArn", request.role.arn), ("RoleSessionName", request.sessionName),
            ("DurationSeconds", String(Int(request.duration))),
        ]
        if let source = request.sourceIdentity { parameters.append(("SourceIdentity", source)) }
        for (index, tag) in request.tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.append(("Tags.member.\(index + 1).Key", tag.key))
            parameters.append(("Tags.member.\(index + 1).Value", tag.value))
        }
        if let policy = request.sessionPolicy { parameters.append(("Policy", policy)) }
        for (index, arn) in request.sessionPolicyArns.enumerated() {
            parameters.append(("PolicyArns.member.\(index + 1).arn", arn))
        }
        let answer = try await call(service: "sts", version: "2011-06-15", action: "AssumeRole", parameters: parameters)
        let result = try answer.result()
        guard let credentials = result.child(named: "Credentials"),
            let accessKeyId = credentials.child(named: "AccessKeyId")?.text,
            let secret = credentials.child(named: "SecretAccessKey")?.text,
            let token = credentials.child(named: "SessionToken")?.text,
            let expirationText = credentials.child(named: "Expiration")?.text,
            let expiration = Self.date(expirationText)
        else {
            throw .malformed("its AssumeRole answer has no Credentials with AccessKeyId, SecretAccessKey, SessionToken and Expiration")
        }
        let assumedRoleID = result.child(named: "AssumedRoleUser")?.child(named: "AssumedRoleId")?.text
        let roleID = assumedRoleID.flatMap { $0.split(separator: ":", maxSplits: 1).first.map(String.init) } ?? request.role.id
        return SessionRecord(
            accessKeyId: accessKeyId, secretAccessKey: secret, sessionToken: token, roleArn: request.role.arn, roleName: request.role.name,
            roleId: roleID, sessionName: request.sessionName, sourceIdentity: result.child(named: "SourceIdentity")?.text ?? request.sourceIdentity,
            tags: request.tags, sessionPolicy: request.sessionPolicy, sessionPolicyArns: request.sessionPolicyArns,
            issuedAt: now, expiration: expiration
        )
    }

    /// A query-protocol answer: the `...Result` element, or the error's code and message.
    struct QueryAnswer {
        var status: Int
        var root: XMLTree.Element?
        var errorCode: String?
        var errorMessage: String?
        var action: String

        func result() throws(UpstreamFailure) -> XMLTree.Element {
            if let errorCode {
                throw .refused(action: action, status: status, code: errorCode, message: errorMessage ?? "")
            }
            guard let result = root?.child(named: "\(action)Result") else {
                throw .malformed("its \(action) answer (HTTP \(status)) has no \(action)Result")
            }
            return result
        }
    }

    /// One signed query-protocol call (form-encoded POST to `/`).
    private func call(service: String, version: String, action: String, parameters: [(String, String)]) async throws(UpstreamFailure) -> QueryAnswer {
        let body = CanonicalRequest.canonicalQueryString(
            parameters: [(name: "Action", value: action), (name: "Version", value: version)] + parameters.map { (name: $0.0, value: $0.1) }
        )
        let hostHeader = configuration.port == (configuration.scheme == .https ? 443 : 80) ? configuration.host : "\(configuration.host):\(configuration.port)"
        let unsigned = SignableRequest(
            method: "POST", path: "/",
            headers: [
                HTTPHeaderField(name: "Host", value: hostHeader),
                HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            body: Array(body.utf8)
        )
        let signed: SignableRequest
        do {
            signed = try SigV4Signer(
                credentials: SigV4Credentials(accessKeyId: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey),
                region: configuration.region, service: service
            ).sign(unsigned, date: AmzDate(Date())).request
        } catch {
            throw .malformed("the \(action) request could not be signed: \(error.message)")
        }
        var request = HTTPClientRequest(url: configuration.origin + "/")
        request.method = .POST
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: signed.body))
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(LocalServer.nanoseconds(configuration.timeout)))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw .unreachable(action: action, reason: Self.describe(error))
        }
        let root = try? XMLTree(parsing: Array(bytes.readableBytesView)).root
        if (200..<300).contains(status) {
            return QueryAnswer(status: status, root: root, action: action)
        }
        let error = root?.child(named: "Error") ?? root
        let code = error?.child(named: "Code")?.text
        return QueryAnswer(
            status: status, root: root, errorCode: code ?? "HTTP \(status)",
            errorMessage: error?.child(named: "Message")?.text ?? String(decoding: bytes.readableBytesView.prefix(200), as: UTF8.self), action: action
        )
    }

    /// IAM returns policy documents URL-encoded (RFC 3986); a document that is already JSON is
    /// kept as it is.
    static func policyDocument(_ text: String) -> String {
        let trimmed = text.trimmedHTTPWhitespace
        if trimmed.hasPrefix("{") { return trimmed }
        return URIEncoding.decode(trimmed) ?? trimmed
    }

    /// An ISO 8601 time as STS writes it (`Z`, or `+00:00`, with or without fractions).
    static func date(_ text: String) -> Date? {
        var value = text.trimmedHTTPWhitespace
        if value.hasSuffix("+00:00") { value = String(value.dropLast(6)) + "Z" }
        return AmzDate(iso8601: value)?.date
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .readTimeout, .deadlineExceeded: return "it did not answer in time"
            case .remoteConnectionClosed: return "it closed the connection"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error)
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmedHTTPWhitespace: String {
        func isSpace(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\r" || character == "\n" }
        let start = drop(while: isSpace)
        var end = start.endIndex
        while end > start.startIndex, isSpace(start[start.index(before: end)]) { end = start.index(before: end) }
        return String(start[..<end])
    }
}

/// Why the upstream did not do what CreateSession asked of it.
enum UpstreamFailure: Error, CustomStringConvertible, Sendable {
    /// No HTTP answer: refused, timed out, closed.
    case unreachable(action: String, reason: String)
    /// An error answer other than the role not existing.
    case refused(action: String, status: Int, code: String, message: String)
    /// An answer that is not what the model says.
    case malformed(String)

    var description: String {
        switch self {
        case .unreachable(let action, let reason): "\(action) got no answer: \(reason)"
        case .refused(let action, let status, let code, let message): "\(action) was refused with HTTP \(status) \(code): \(message)"
        case .malformed(let reason): reason
        }
    }
}
