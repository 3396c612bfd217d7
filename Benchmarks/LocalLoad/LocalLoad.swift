import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RolesAnywhereKeys
import RolesAnywhereSigning
import RolesAnywhereSupport
import SwiftASN1
import X509

/// `rolesanywhere-local-load`: a load generator for `rolesanywhere-local`. N concurrent clients, each
/// on its own keep-alive connection, send freshly signed (SigV4) requests for a fixed time; it
/// prints requests/s and latency percentiles per operation.
///
///     rolesanywhere-local-load --endpoint http://127.0.0.1:4566 [--concurrency 16] [--seconds 10]
///         [--operation ListBuckets|GetCallerIdentity|CreateSession|PutObject|GetObject]... [--label NAME]
///         [--bucket NAME --key KEY --size BYTES [--keys N]]    (PutObject and GetObject; 1 MiB by default)
///         [--certificate cert.pem --private-key key.pem --trust-anchor-arn ARN --profile-arn ARN --role-arn ARN]
///
/// CreateSession requests are signed with the certificate's key (SigV4-X509), as the helper signs them.
@main
struct LocalLoad {
    struct Options {
        var endpoint = "http://127.0.0.1:4566"
        var concurrency = 16
        var seconds = 10.0
        var warmup = 2.0
        var operations: [Operation] = []
        var accessKeyID = "AKIAIOSFODNN7EXAMPLE"
        var secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        var region = "us-east-1"
        var label: String?
        var certificate: String?
        var privateKey: String?
        var trustAnchorArn: String?
        var profileArn: String?
        var roleArn: String?
        /// Write a wrk script sending the first operation's request, signed now, instead of running.
        var wrkScript: String?
        var object = ObjectTarget()
    }

    /// The object PutObject writes (a body of `size` printable bytes) and GetObject reads.
    struct ObjectTarget: Sendable {
        var bucket = "bench"
        var key = "object.bin"
        var size = 1 << 20
        /// PutObject's wrk script: spread the writes over this many keys (`KEY-1` ... `KEY-N`), each
        /// wrk thread its own and in turn, so that no two writes in flight are to one key (moto's
        /// server fails concurrent writes to one key with 500s).
        var keys = 1

        /// The same bytes every time, so a wrk script can carry them as text.
        var body: [UInt8] { (0..<size).map { UInt8(0x41 + $0 % 26) } }
    }

    /// What CreateSession needs: who signs, and the ARNs.
    struct SessionTarget: Sendable {
        var identity: SigningIdentity
        var query: String
    }

    enum Operation: String, CaseIterable {
        case listBuckets = "ListBuckets"
        case getCallerIdentity = "GetCallerIdentity"
        case createSession = "CreateSession"
        case putObject = "PutObject"
        case getObject = "GetObject"

        var service: String {
            switch self {
            case .listBuckets, .putObject, .getObject: "s3"
            case .getCallerIdentity: "sts"
            case .createSession: "rolesanywhere"
            }
        }

        /// A wrk (Lua) script that sends the request, signed now, on every connection: the server
        /// still checks every copy (the signature stays valid for five minutes).
        func wrkScript(signer: SigV4Signer, session: SessionTarget?, object: ObjectTarget, host: String) throws -> String {
            func lua(_ text: String) -> String {
                "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            if self == .putObject, object.keys > 1 {
                // One body, a signed path and headers per key, taken in turn.
                var script = "local body = \(lua(String(decoding: object.body, as: UTF8.self)))\nlocal requests = {}\n"
                for index in 1...object.keys {
                    var target = object
                    target.key = "\(object.key)-\(index)"
                    let signed = try signedRequest(signer: signer, session: session, object: target, host: host)
                    var headers = [String]()
                    for header in signed.headers where header.name.lowercased() != "host" {
                        headers.append("[\(lua(header.name))] = \(lua(header.value))")
                    }
                    script += "requests[\(index)] = {path = \(lua(signed.path)), headers = {\(headers.joined(separator: ", "))}}\n"
                }
                // wrk threads (up to 8) take disjoint keys: thread T the keys T+1, T+9, T+17, ...
                script += "local count = 0\nsetup = function(thread)\n  thread:set(\"id\", count)\n  count = count + 1\nend\n"
                script += "local next = nil\nrequest = function()\n  next = next and next + 8 or id + 1\n"
                script += "  if next > #requests then next = id + 1 end\n"
                // Each request is formatted once per thread and then reused: formatting a 1 MiB request in
                // Lua on every send cost the client about 0.8 ms per request, CPU the server shares on a
                // small machine (a thread keeps the formatted copies of its keys, one in eight of them).
                script += "  local r = requests[next]\n  r.formatted = r.formatted or wrk.format(\"PUT\", r.path, r.headers, body)\n"
                script += "  return r.formatted\nend\n"
                return script
            }
            let signed = try signedRequest(signer: signer, session: session, object: object, host: host)
            var script = "wrk.method = \(lua(signed.method))\n"
            script += "wrk.path = \(lua(signed.query.isEmpty ? signed.path : signed.path + "?" + signed.query))\n"
            script += "wrk.body = \(lua(String(decoding: signed.body, as: UTF8.self)))\n"
            for header in signed.headers where header.name.lowercased() != "host" {
                script += "wrk.headers[\(lua(header.name))] = \(lua(header.value))\n"
            }
            return script
        }

        /// The request, signed now.
        func request(signer: SigV4Signer, session: SessionTarget?, object: ObjectTarget, host: String, endpoint: String) throws -> HTTPClientRequest {
            let signed = try signedRequest(signer: signer, session: session, object: object, host: host)
            let target = signed.query.isEmpty ? signed.path : signed.path + "?" + signed.query
            var request = HTTPClientRequest(url: endpoint + target)
            request.method = HTTPMethod(rawValue: signed.method)
            for header in signed.headers where header.name.lowercased() != "host" {
                request.headers.add(name: header.name, value: header.value)
            }
            if !signed.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: signed.body)) }
            return request
        }

        /// The operation's request, signed now (SigV4, or SigV4-X509 for CreateSession).
        func signedRequest(signer: SigV4Signer, session: SessionTarget?, object: ObjectTarget, host: String) throws -> SignableRequest {
            var signable: SignableRequest
            let signed: SignableRequest
            switch self {
            case .listBuckets:
                signable = SignableRequest(method: "GET", path: "/", headers: [HTTPHeaderField(name: "Host", value: host)])
            case .getCallerIdentity:
                signable = SignableRequest(
                    method: "POST", path: "/",
                    headers: [
                        HTTPHeaderField(name: "Host", value: host),
                        HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
                    ],
                    body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)
                )
            case .putObject:
                signable = SignableRequest(
                    method: "PUT", path: "/\(object.bucket)/\(URIEncoding.encode(object.key, keepSlash: true))",
                    headers: [HTTPHeaderField(name: "Host", value: host), HTTPHeaderField(name: "Content-Type", value: "application/octet-stream")],
                    body: object.body
                )
            case .getObject:
                signable = SignableRequest(
                    method: "GET", path: "/\(object.bucket)/\(URIEncoding.encode(object.key, keepSlash: true))", headers: [HTTPHeaderField(name: "Host", value: host)]
                )
            case .createSession:
                guard let session else { throw UsageError("CreateSession needs --certificate, --private-key and the three ARNs") }
                signable = SignableRequest(
                    method: "POST", path: "/sessions", query: session.query,
                    headers: [HTTPHeaderField(name: "Host", value: host), HTTPHeaderField(name: "Content-Type", value: "application/json")],
                    body: Array(#"{"durationSeconds":900}"#.utf8)
                )
            }
            if self == .createSession, let session {
                signed = try X509RequestSigner(identity: session.identity, region: signer.region).sign(signable, date: .now).request
            } else {
                signed = try signer.sign(signable, date: .now).request
            }
            return signed
        }
    }

    struct Result {
        var count = 0
        var errors = 0
        var firstError: String?
        var latencies: [Double] = []
    }

    static func main() async throws {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("rolesanywhere-local-load: \(error)\n".utf8))
            exit(2)
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.concurrency
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var failed = false
        let session: SessionTarget?
        do {
            session = try sessionTarget(options)
        } catch {
            FileHandle.standardError.write(Data("rolesanywhere-local-load: \(error)\n".utf8))
            exit(2)
        }
        let defaults: [Operation] = session == nil ? [.listBuckets, .getCallerIdentity] : [.listBuckets, .getCallerIdentity, .createSession]
        if let path = options.wrkScript {
            let operation = options.operations.first ?? defaults[0]
            let credentials = SigV4Credentials(accessKeyId: options.accessKeyID, secretAccessKey: options.secretAccessKey)
            let signer = SigV4Signer(credentials: credentials, region: options.region, service: operation.service)
            let host = String(options.endpoint.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? "")
            let script = try operation.wrkScript(signer: signer, session: session, object: options.object, host: host)
            try Data(script.utf8).write(to: URL(fileURLWithPath: path))
            try await client.shutdown()
            return
        }
        for operation in options.operations.isEmpty ? defaults : options.operations {
            _ = try await run(operation, options: options, session: session, client: client, seconds: options.warmup)
            let result = try await run(operation, options: options, session: session, client: client, seconds: options.seconds)
            let sorted = result.latencies.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
            }
            let rate = Double(result.count) / options.seconds
            let name = (operation == .createSession ? options.label.map { "\(operation.rawValue) (\($0))" } ?? operation.rawValue : operation.rawValue)
                .padding(toLength: 30, withPad: " ", startingAt: 0)
            print(
                name + String(format: "%8.0f req/s", rate)
                    + "  (\(result.count) requests in \(options.seconds) s, \(options.concurrency) clients;"
                    + " latency p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms; errors \(result.errors))"
            )
            if let firstError = result.firstError {
                print("  first error: \(firstError)")
                failed = true
            }
        }
        try await client.shutdown()
        if failed { exit(1) }
    }

    /// The CreateSession identity and ARNs, when given.
    static func sessionTarget(_ options: Options) throws -> SessionTarget? {
        guard let certificatePath = options.certificate else { return nil }
        guard let keyPath = options.privateKey, let anchor = options.trustAnchorArn, let profile = options.profileArn, let role = options.roleArn else {
            throw UsageError("--certificate needs --private-key, --trust-anchor-arn, --profile-arn and --role-arn")
        }
        // Any key the helper reads: RSA, EC or ML-DSA (PKCS#8 in every RFC 9881 form).
        let certificate = try CertificateParser.certificates(file: certificatePath, role: "certificate")[0]
        let keyBlocks = try PEMBlock.parseAll(String(contentsOfFile: keyPath, encoding: .utf8))
        guard let keyBlock = keyBlocks.first(where: { PrivateKeyParser.keyBlockTypes.contains($0.type) }) else {
            throw UsageError("--private-key '\(keyPath)' holds no PEM private key block")
        }
        let key = try PrivateKeyParser.privateKey(from: keyBlock, password: .none)
        let query = [("profileArn", profile), ("roleArn", role), ("trustAnchorArn", anchor)]
            .map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        return SessionTarget(identity: try SigningIdentity(certificate: certificate, key: key), query: query)
    }

    static func run(_ operation: Operation, options: Options, session: SessionTarget?, client: HTTPClient, seconds: Double) async throws -> Result {
        let credentials = SigV4Credentials(accessKeyId: options.accessKeyID, secretAccessKey: options.secretAccessKey)
        let signer = SigV4Signer(credentials: credentials, region: options.region, service: operation.service)
        let host = String(options.endpoint.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? "")
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<options.concurrency {
                group.addTask {
                    var result = Result()
                    result.latencies.reserveCapacity(100_000)
                    // A certificate signature (RSA especially) costs the client more than the server's
                    // check, so CreateSession requests are signed once a second per client and sent
                    // as many times as the second allows: the server still verifies every one.
                    var signedThisSecond: (second: Int64, request: HTTPClientRequest)?
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        do {
                            let request: HTTPClientRequest
                            let second = AmzDate.now.secondsSince1970
                            if operation == .createSession, let cached = signedThisSecond, cached.second == second {
                                request = cached.request
                            } else {
                                request = try operation.request(signer: signer, session: session, object: options.object, host: host, endpoint: options.endpoint)
                                if operation == .createSession { signedThisSecond = (second, request) }
                            }
                            let response = try await client.execute(request, timeout: .seconds(30))
                            let body = try await response.body.collect(upTo: max(1 << 20, options.object.size + 4096))
                            if response.status == .ok || response.status == .created {
                                result.count += 1
                            } else {
                                result.errors += 1
                                if result.firstError == nil { result.firstError = "HTTP \(response.status.code): \(String(buffer: body))" }
                            }
                        } catch {
                            result.errors += 1
                            if result.firstError == nil { result.firstError = "\(error)" }
                        }
                        let elapsed = ContinuousClock.now - start
                        result.latencies.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                    }
                    return result
                }
            }
            var total = Result()
            for try await part in group {
                total.count += part.count
                total.errors += part.errors
                total.firstError = total.firstError ?? part.firstError
                total.latencies += part.latencies
            }
            return total
        }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let next = iterator.next() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        while let argument = iterator.next() {
            switch argument {
            case "--endpoint": options.endpoint = try value(argument)
            case "--concurrency":
                guard let count = Int(try value(argument)), count > 0 else { throw UsageError("--concurrency must be a positive number") }
                options.concurrency = count
            case "--seconds":
                guard let seconds = Double(try value(argument)), seconds > 0 else { throw UsageError("--seconds must be a positive number") }
                options.seconds = seconds
            case "--warmup":
                guard let seconds = Double(try value(argument)), seconds >= 0 else { throw UsageError("--warmup must not be negative") }
                options.warmup = seconds
            case "--operation":
                let name = try value(argument)
                guard let operation = Operation(rawValue: name) else {
                    throw UsageError("unknown operation \(name); use one of \(Operation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.operations.append(operation)
            case "--access-key-id": options.accessKeyID = try value(argument)
            case "--secret-access-key": options.secretAccessKey = try value(argument)
            case "--region": options.region = try value(argument)
            case "--label": options.label = try value(argument)
            case "--certificate": options.certificate = try value(argument)
            case "--private-key": options.privateKey = try value(argument)
            case "--trust-anchor-arn": options.trustAnchorArn = try value(argument)
            case "--profile-arn": options.profileArn = try value(argument)
            case "--role-arn": options.roleArn = try value(argument)
            case "--wrk-script": options.wrkScript = try value(argument)
            case "--bucket": options.object.bucket = try value(argument)
            case "--key": options.object.key = try value(argument)
            case "--keys":
                guard let keys = Int(try value(argument)), (1...10_000).contains(keys) else { throw UsageError("--keys must be between 1 and 10000") }
                options.object.keys = keys
            case "--size":
                guard let size = Int(try value(argument)), size >= 0, size <= 64 << 20 else { throw UsageError("--size must be between 0 and 64 MiB") }
                options.object.size = size
            default: throw UsageError("unknown argument \(argument)")
            }
        }
        return options
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
