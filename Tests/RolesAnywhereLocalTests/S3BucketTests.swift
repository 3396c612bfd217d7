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
