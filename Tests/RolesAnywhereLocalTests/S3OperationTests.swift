import Crypto
import Foundation
import Logging
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
@testable import RolesAnywhereLocal

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
    static func send(_ service: LocalService, _ method: String, _ target: String, headers extra: [(String, String)] = [], body: [UInt8] = []) async throws -> LocalResponse {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        var headers = [HTTPHeaderField(name: "Host", value: "127.0.0.1")]
        for (name, value) in extra { headers.append(HTTPHeaderField(name: name, value: value)) }
        // A declared payload hash (STREAMING-..., UNSIGNED-PAYLOAD) is signed as it is.
        let declared = extra.first { $0.0.lowercased() == "x-amz-content-sha256" }?.1
        let signed = try SigV4Signer(credentials: InProcessLocal.admin, region: "us-east-1", service: "s3")
            .sign(SignableRequest(method: method, path: path, query: query, headers: headers, body: body), date: AmzDate(Date()), declaredPayloadHash: declared).request
        return await service.handle(LocalRequest(method: method, path: path, query: query, headers: signed.headers, body: signed.body))
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

@Suite("S3 objects: additional checksums (x-amz-checksum-*)")
struct S3ChecksumTests {
    @Test("the CRCs and hashes match their published check values for \"123456789\"")
    func checkValues() {
        let input = Array("123456789".utf8)
        #expect(CRCTable.crc32.checksum(input) == 0xCBF4_3926)
        #expect(CRCTable.crc32c.checksum(input) == 0xE306_9283)
        #expect(CRCTable.crc64nvme.checksum(input) == 0xAE8B_1486_0A79_9888)
        #expect(S3Checksum.crc32.value(of: input) == Data([0xCB, 0xF4, 0x39, 0x26]).base64EncodedString())
        #expect(S3Checksum.sha256.value(of: input) == "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=")
    }

    @Test("a header checksum that holds is echoed; one that does not is 400 BadDigest and stores nothing")
    func headerChecksums() async throws {
        let service = try S3BucketTests.service(region: "us-east-1")
        #expect(try await S3ConditionalRequestTests.send(service, "PUT", "/checksums").status == 200)
        let body = Array("hello".utf8)
        for algorithm in S3Checksum.allCases {
            let good = try await S3ConditionalRequestTests.send(service, "PUT", "/checksums/\(algorithm.rawValue)", headers: [(algorithm.headerName, algorithm.value(of: body))], body: body)
            #expect(good.status == 200, "\(algorithm): \(String(decoding: good.body, as: UTF8.self))")
            #expect(good.headers.contains { $0.0 == algorithm.headerName && $0.1 == algorithm.value(of: body) })
            let bad = try await S3ConditionalRequestTests.send(
                service, "PUT", "/checksums/bad-\(algorithm.rawValue)", headers: [(algorithm.headerName, algorithm.value(of: Array("other".utf8)))], body: body
            )
            #expect(bad.status == 400)
            #expect(String(decoding: bad.body, as: UTF8.self).contains("<Code>BadDigest</Code>"), "\(algorithm)")
            #expect(try await S3ConditionalRequestTests.send(service, "HEAD", "/checksums/bad-\(algorithm.rawValue)").status == 404)
        }
        let two = try await S3ConditionalRequestTests.send(
            service, "PUT", "/checksums/two", headers: [("x-amz-checksum-crc32", S3Checksum.crc32.value(of: body)), ("x-amz-checksum-sha1", S3Checksum.sha1.value(of: body))], body: body
        )
        #expect(two.status == 400)
        #expect(String(decoding: two.body, as: UTF8.self).contains("<Code>InvalidRequest</Code>"))
    }

    @Test("an aws-chunked trailer checksum is checked like a header one")
    func trailerChecksums() async throws {
        let service = try S3BucketTests.service(region: "us-east-1")
        #expect(try await S3ConditionalRequestTests.send(service, "PUT", "/trailers").status == 200)
        func upload(_ key: String, checksum: String?, declared: String? = "x-amz-checksum-crc32") async throws -> LocalResponse {
            let trailer = checksum.map { "x-amz-checksum-crc32:\($0)\r\n" } ?? ""
            let chunked = Array("5\r\nhello\r\n0\r\n\(trailer)\r\n".utf8)
            var headers = [
                ("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"), ("Content-Encoding", "aws-chunked"), ("X-Amz-Decoded-Content-Length", "5"),
            ]
            if let declared { headers.append(("X-Amz-Trailer", declared)) }
            return try await S3ConditionalRequestTests.send(service, "PUT", "/trailers/\(key)", headers: headers, body: chunked)
        }
        let good = try await upload("good", checksum: S3Checksum.crc32.value(of: Array("hello".utf8)))
        #expect(good.status == 200, "\(String(decoding: good.body, as: UTF8.self))")
        #expect(good.headers.contains { $0.0 == "x-amz-checksum-crc32" })
        let bad = try await upload("bad", checksum: "AAAAAA==")
        #expect(bad.status == 400)
        #expect(String(decoding: bad.body, as: UTF8.self).contains("The CRC32 you specified did not match the calculated checksum."))
        // The trailers must be the ones X-Amz-Trailer declares: a declared one missing, or one not
        // declared, is MalformedTrailerError, and nothing is stored.
        let crc = S3Checksum.crc32.value(of: Array("hello".utf8))
        for (key, checksum, declared) in [("missing", nil, "x-amz-checksum-crc32"), ("undeclared", crc, nil), ("other", crc, "x-amz-checksum-sha256")] as [(String, String?, String?)] {
            let answer = try await upload(key, checksum: checksum, declared: declared)
            #expect(answer.status == 400, "\(key)")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("<Code>MalformedTrailerError</Code>"), "\(key)")
            #expect(try await S3ConditionalRequestTests.send(service, "HEAD", "/trailers/\(key)").status == 404, "\(key) stored")
        }
        // No trailer declared and none sent: the body alone.
        #expect(try await upload("plain", checksum: nil, declared: nil).status == 200)
    }
}

@Suite("The XML reader for request bodies")
struct XMLTreeTests {
    @Test("elements, attributes, text, references, CDATA and comments")
    func wellFormed() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/" a='1'><Object><Key>a&amp;b&lt;c&#x263A;&#233;</Key></Object><Object><Key><![CDATA[x<y]]></Key><!-- in --></Object><Quiet/></Delete>
            """
        let tree = try XMLTree(parsing: Array(text.utf8))
        #expect(tree.root.name == "Delete")
        #expect(tree.root.attributes == ["xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "a": "1"])
        #expect(tree.root.children(named: "Object").map { $0.child(named: "Key")?.text } == ["a&b<c\u{263A}\u{E9}", "x<y"])
        #expect(tree.root.child(named: "Quiet")?.text == "")
        #expect(try XMLTree(parsing: Array("<s3:Delete><s3:Key>k</s3:Key></s3:Delete>".utf8)).root.child(named: "Key")?.text == "k")
    }

    @Test("what is refused: a DOCTYPE, unknown entities, mismatched tags, trailing content, deep nesting, bad UTF-8")
    func refused() {
        let bad = [
            "<!DOCTYPE d [<!ENTITY x \"y\">]><d>&x;</d>", "<d>&x;</d>", "<d>&#0;</d>", "<d>&#xD800;</d>", "<d>&#99999999999;</d>", "<d>&amp</d>",
            "<a></b>", "<a>", "<a/><b/>", "<a x='1' x='2'/>", "<a x=1/>", "<a>text<", "", "just text", "<a><!-- open</a>", "<a><![CDATA[open</a>",
            String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
        ]
        for text in bad {
            #expect(throws: XMLTree.Malformed.self, "\(text.prefix(40))") { try XMLTree(parsing: Array(text.utf8)) }
        }
        #expect(throws: XMLTree.Malformed.self) { try XMLTree(parsing: Array("<a>".utf8) + [0xFF] + Array("</a>".utf8)) }
    }
}

@Suite("S3 DeleteObjects")
struct S3DeleteObjectsTests {
    static func deleteObjects(_ service: LocalService, _ bucket: String, _ xml: String, md5: Bool = true) async throws -> (status: Int, body: String) {
        let body = Array(xml.utf8)
        var headers = [("Content-Type", "application/xml")]
        if md5 { headers.append(("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString())) }
        let response = try await S3ConditionalRequestTests.send(service, "POST", "/\(bucket)?delete", headers: headers, body: body)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test("deletes every key it is given, missing ones included; Quiet leaves out what was deleted")
    func deletes() async throws {
        let service = try S3BucketTests.service(region: "us-east-1")
        #expect(try await S3ConditionalRequestTests.send(service, "PUT", "/many").status == 200)
        for key in ["a", "b", "c&d"] {
            #expect(try await S3ConditionalRequestTests.send(service, "PUT", "/many/\(URIEncoding.encode(key))", body: [1]).status == 200)
        }
        let answer = try await Self.deleteObjects(service, "many", "<Delete><Object><Key>a</Key></Object><Object><Key>c&amp;d</Key></Object><Object><Key>never</Key></Object></Delete>")
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.body.contains("<Deleted><Key>a</Key></Deleted>"))
        #expect(answer.body.contains("<Deleted><Key>c&amp;d</Key></Deleted>"))
        #expect(answer.body.contains("<Deleted><Key>never</Key></Deleted>"))
        #expect(try await S3ConditionalRequestTests.send(service, "HEAD", "/many/a").status == 404)
        #expect(try await S3ConditionalRequestTests.send(service, "HEAD", "/many/b").status == 200)
        let quiet = try await Self.deleteObjects(service, "many", "<Delete><Object><Key>b</Key></Object><Quiet>true</Quiet></Delete>")
        #expect(quiet.status == 200)
        #expect(!quiet.body.contains("<Deleted>"))
        #expect(try await S3ConditionalRequestTests.send(service, "HEAD", "/many/b").status == 404)
    }

    @Test("refusals: no Content-MD5 or checksum, malformed XML, no keys, more than 1,000, a missing bucket")
    func refusals() async throws {
        let service = try S3BucketTests.service(region: "us-east-1")
        #expect(try await S3ConditionalRequestTests.send(service, "PUT", "/refusals").status == 200)
        let one = "<Delete><Object><Key>a</Key></Object></Delete>"
        let unsigned = try await Self.deleteObjects(service, "refusals", one, md5: false)
        #expect(unsigned.status == 400)
        #expect(unsigned.body.contains("<Code>InvalidRequest</Code>"))
        for xml in ["<Delete>", "<Delete></Delete>", "<Other><Object><Key>a</Key></Object></Other>", "<Delete><Object><Key></Key></Object></Delete>",
            "<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>",
            "<Delete>" + String(repeating: "<Object><Key>k</Key></Object>", count: 1001) + "</Delete>"]
        {
            let answer = try await Self.deleteObjects(service, "refusals", xml)
            #expect(answer.status == 400, "\(xml.prefix(60))")
            #expect(answer.body.contains("<Code>MalformedXML</Code>"), "\(xml.prefix(60))")
        }
        let missing = try await Self.deleteObjects(service, "no-such-bucket", one)
        #expect(missing.status == 404)
        #expect(missing.body.contains("<Code>NoSuchBucket</Code>"))
        let wrongDigest = try await S3ConditionalRequestTests.send(
            service, "POST", "/refusals?delete", headers: [("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")], body: Array(one.utf8)
        )
        #expect(wrongDigest.status == 400)
        #expect(String(decoding: wrongDigest.body, as: UTF8.self).contains("<Code>BadDigest</Code>"))
    }
}

extension S3DeleteObjectsTests {
    @Test("each key is authorised on its own: a key the session may not delete is an AccessDenied entry and stays")
    func perKeyAuthorisation() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["s3", "mb", "s3://per-key"])
        let file = try local.directory.write("one.txt", "1")
        for key in ["allowed/a", "kept/b"] { try local.awsOK(["s3", "cp", file, "s3://per-key/\(key)"]) }
        try local.awsOK(["iam", "create-role", "--role-name", "deleter", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK([
            "iam", "put-role-policy", "--role-name", "deleter", "--policy-name", "delete-allowed",
            "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::per-key/allowed/*"}]}"#,
        ])
        let session = try await local.mintSession(roleName: "deleter")
        let answer = try local.awsOK(["s3api", "delete-objects", "--bucket", "per-key", "--delete", #"{"Objects":[{"Key":"allowed/a"},{"Key":"kept/b"}]}"#], as: session)
        #expect(((answer?["Deleted"] as? [[String: Any]]) ?? []).compactMap { $0["Key"] as? String } == ["allowed/a"], "\(String(describing: answer))")
        let errors = (answer?["Errors"] as? [[String: Any]]) ?? []
        #expect(errors.count == 1)
        #expect(errors.first?["Key"] as? String == "kept/b")
        #expect(errors.first?["Code"] as? String == "AccessDenied")
        let listing = try local.aws(["s3", "ls", "--recursive", "s3://per-key"]).stdoutText
        #expect(listing.contains("kept/b") && !listing.contains("allowed/a"), "\(listing)")
    }
}
