import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RolesAnywhereSigning

/// `rolesanywhere-local-load`: a load generator for `rolesanywhere-local`. N concurrent clients, each
/// on its own keep-alive connection, send freshly signed (SigV4) requests for a fixed time; it
/// prints requests/s and latency percentiles per operation.
///
///     rolesanywhere-local-load --endpoint http://127.0.0.1:4566 [--concurrency 16] [--seconds 10]
///         [--operation ListBuckets|GetCallerIdentity]...
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
    }

    enum Operation: String, CaseIterable {
        case listBuckets = "ListBuckets"
        case getCallerIdentity = "GetCallerIdentity"

        var service: String { self == .listBuckets ? "s3" : "sts" }

        /// The request, signed now.
        func request(signer: SigV4Signer, host: String, endpoint: String) throws -> HTTPClientRequest {
            var signable: SignableRequest
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
            }
            let signed = try signer.sign(signable, date: .now).request
            var request = HTTPClientRequest(url: endpoint + signed.path)
            request.method = HTTPMethod(rawValue: signed.method)
            for header in signed.headers where header.name.lowercased() != "host" {
                request.headers.add(name: header.name, value: header.value)
            }
            if !signed.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: signed.body)) }
            return request
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
        for operation in options.operations.isEmpty ? Operation.allCases : options.operations {
            _ = try await run(operation, options: options, client: client, seconds: options.warmup)
            let result = try await run(operation, options: options, client: client, seconds: options.seconds)
            let sorted = result.latencies.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
            }
            let rate = Double(result.count) / options.seconds
            let name = operation.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
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

    static func run(_ operation: Operation, options: Options, client: HTTPClient, seconds: Double) async throws -> Result {
        let credentials = SigV4Credentials(accessKeyId: options.accessKeyID, secretAccessKey: options.secretAccessKey)
        let signer = SigV4Signer(credentials: credentials, region: options.region, service: operation.service)
        let host = String(options.endpoint.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? "")
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<options.concurrency {
                group.addTask {
                    var result = Result()
                    result.latencies.reserveCapacity(100_000)
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        do {
                            let request = try operation.request(signer: signer, host: host, endpoint: options.endpoint)
                            let response = try await client.execute(request, timeout: .seconds(30))
                            let body = try await response.body.collect(upTo: 1 << 20)
                            if response.status == .ok {
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
