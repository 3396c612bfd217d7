import Foundation
import Logging
import RolesAnywhereLocal
import RolesAnywhereSigning
import Testing

@Suite("S3 buckets: what CreateBucket answers for a bucket that exists")
struct S3BucketTests {
    static func createBucket(_ service: LocalService, region: String, _ name: String, body: String = "") async throws -> (status: Int, body: String) {
        let unsigned = SignableRequest(method: "PUT", path: "/\(name)", headers: [HTTPHeaderField(name: "Host", value: "127.0.0.1")], body: Array(body.utf8))
        let signed = try SigV4Signer(credentials: InProcessLocal.admin, region: region, service: "s3").sign(unsigned, date: AmzDate(Date())).request
        let response = await service.handle(LocalRequest(method: "PUT", path: "/\(name)", query: "", headers: signed.headers, body: signed.body))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    static func service(region: String) throws -> LocalService {
        LocalService(
            configuration: LocalConfiguration(region: region), store: try SQLiteStore(path: ":memory:"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    @Test("us-east-1: re-creating your own bucket is 200 OK (S3's legacy behaviour there)")
    func northVirginia() async throws {
        let service = try Self.service(region: "us-east-1")
        #expect(try await Self.createBucket(service, region: "us-east-1", "owned-twice").status == 200)
        let again = try await Self.createBucket(service, region: "us-east-1", "owned-twice")
        #expect(again.status == 200, "\(again.body)")
    }

    @Test("every other region: BucketAlreadyOwnedByYou, 409")
    func otherRegions() async throws {
        let service = try Self.service(region: "eu-west-1")
        let constraint = "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"
        let first = try await Self.createBucket(service, region: "eu-west-1", "owned-twice", body: constraint)
        #expect(first.status == 200, "\(first.body)")
        let again = try await Self.createBucket(service, region: "eu-west-1", "owned-twice", body: constraint)
        #expect(again.status == 409)
        #expect(again.body.contains("<Code>BucketAlreadyOwnedByYou</Code>"), "\(again.body)")
    }
}

@Suite("S3 objects: conditional GET and HEAD")
struct S3ConditionalRequestTests {
    static func send(_ service: LocalService, _ method: String, _ path: String, headers extra: [(String, String)] = [], body: [UInt8] = []) async throws -> LocalResponse {
        var headers = [HTTPHeaderField(name: "Host", value: "127.0.0.1")]
        for (name, value) in extra { headers.append(HTTPHeaderField(name: name, value: value)) }
        let signed = try SigV4Signer(credentials: InProcessLocal.admin, region: "us-east-1", service: "s3")
            .sign(SignableRequest(method: method, path: path, headers: headers, body: body), date: AmzDate(Date())).request
        return await service.handle(LocalRequest(method: method, path: path, query: "", headers: signed.headers, body: signed.body))
    }

    @Test("If-None-Match and If-Modified-Since give 304; If-Match and If-Unmodified-Since give 412; otherwise 200")
    func preconditions() async throws {
        let service = try S3BucketTests.service(region: "us-east-1")
        #expect(try await Self.send(service, "PUT", "/conditional").status == 200)
        #expect(try await Self.send(service, "PUT", "/conditional/key.txt", body: Array("hello".utf8)).status == 200)
        let etag = "\"5d41402abc4b2a76b9719d911017c592\""
        let past = "Mon, 01 Jan 2024 00:00:00 GMT"
        let future = "Fri, 01 Jan 2100 00:00:00 GMT"
        let cases: [([(String, String)], Int)] = [
            ([], 200),
            ([("If-None-Match", etag)], 304),
            ([("If-None-Match", "\"other\", \(etag)")], 304),
            ([("If-None-Match", "*")], 304),
            ([("If-None-Match", "\"other\"")], 200),
            ([("If-Modified-Since", future)], 304),
            ([("If-Modified-Since", past)], 200),
            ([("If-None-Match", "\"other\""), ("If-Modified-Since", future)], 200),
            ([("If-Match", etag)], 200),
            ([("If-Match", "\"other\"")], 412),
            ([("If-Unmodified-Since", past)], 412),
            ([("If-Unmodified-Since", future)], 200),
            ([("If-Match", etag), ("If-Unmodified-Since", past)], 200),
            ([("If-Modified-Since", "not a date")], 200),
        ]
        for method in ["GET", "HEAD"] {
            for (headers, status) in cases {
                let response = try await Self.send(service, method, "/conditional/key.txt", headers: headers)
                #expect(response.status == status, "\(method) \(headers): \(String(decoding: response.body, as: UTF8.self))")
                if status == 304 {
                    #expect(response.body.isEmpty)
                    #expect(response.headers.contains { $0.0 == "ETag" && $0.1 == etag })
                }
                if status == 412, method == "GET" {
                    #expect(String(decoding: response.body, as: UTF8.self).contains("<Code>PreconditionFailed</Code>"))
                }
            }
        }
    }
}
