import Foundation
import NIOHTTP1
import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// Requests that once crashed the server with an arithmetic trap on a value taken from them. Each
/// gets AWS's error, and the server keeps serving.
@Suite("Hostile requests: values that overflow")
struct HostileRequestTests {
    @Test("an aws-chunked body whose chunk size is 7fffffffffffffff: IncompleteBody, and the server lives")
    func hugeChunkSize() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/chunks")).status == 200)
        for size in ["7fffffffffffffff", "ffffffffffffffff", "8000000000000000", "10"] {
            let body = Array("\(size)\r\nabc\r\n0\r\n\r\n".utf8)
            let request = try client.signed(
                service: "s3", method: "PUT", path: "/chunks/object", headers: [HTTPHeaderField(name: "Content-Encoding", value: "aws-chunked")],
                body: body, payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
            )
            let answer = try await client.send(request)
            #expect(answer.status == 400, "chunk size \(size): \(answer.body)")
            #expect(answer.element("Code") == "IncompleteBody")
        }
        #expect(try await client.send(try client.signed(service: "s3", method: "HEAD", path: "/chunks")).status == 200)
        #expect(try await client.send(try client.signed(service: "s3", method: "GET", path: "/chunks/object")).status == 404, "nothing was stored")
    }

    @Test("list-trust-anchors with pageSize Int.max and a starting token: the rest of the list")
    func hugePageSize() async throws {
        let local = try InProcessLocal()
        for _ in 0..<3 { _ = try await local.createTrustAnchor(try TestPKI.makeRoot().certificatePEM) }
        let token = Data("offset:1".utf8).base64EncodedString()
        let answer = try await local.control("GET", "/trustanchors", query: "nextToken=\(URIEncoding.encode(token))&pageSize=9223372036854775807")
        #expect(answer.status == 200, "\(answer.body)")
        #expect((answer.json?["trustAnchors"] as? [Any])?.count == 2)
        let huge = try await local.control("GET", "/trustanchors", query: "pageSize=99999999999999999999999")
        #expect(huge.status == 400, "not an integer: \(huge.body)")
    }

    @Test("slow headers, unsigned and badly signed huge bodies, stalled bodies: bounded by the head, the idle and the body timeouts")
    func slowAndHugeClients() throws {
        let local = try LocalServerProcess(arguments: ["--idle-timeout", "2", "--body-timeout", "2", "--max-connections", "100"])
        let output = try local.python("slow_clients.py", ["2", "2"])
        #expect(output.status == 0, "\(output.stdoutText)\n\(output.stderrText)")
        #expect(output.stdoutText.contains("5 passed, 0 failed"))
    }

    /// Found by FuzzS3Body (FuzzTesting/Regressions/FuzzS3Body/create-bucket-configuration-unclosed-tag):
    /// an opening tag that runs into the closing one trapped on an inverted range.
    @Test("a CreateBucketConfiguration whose opening tag runs into the closing one: MalformedXML, no crash")
    func unclosedCreateBucketTag() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        let regression = Fixtures.packageRoot.appendingPathComponent("FuzzTesting/Regressions/FuzzS3Body/create-bucket-configuration-unclosed-tag")
        let body = Array(try Data(contentsOf: regression).dropFirst())
        let answer = try await client.send(try client.signed(service: "s3", method: "PUT", path: "/xml-crash", body: body))
        #expect(answer.status == 400)
        #expect(answer.element("Code") == "MalformedXML")
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/xml-crash")).status == 200, "the server lives")
    }
}
