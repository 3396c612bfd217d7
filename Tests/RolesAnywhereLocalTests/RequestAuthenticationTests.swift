import Foundation
import NIOHTTP1
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// Requests built by hand: tampered after signing, skewed, unsigned, malformed. Each must get AWS's
/// error in the service's own format, and the server must keep serving.
@Suite("Request authentication and bad input")
struct RequestAuthenticationTests {
    @Test("a tampered signature, body or signed header is SignatureDoesNotMatch, in each protocol's format")
    func tampering() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)

        let s3 = try await client.send(try client.signed(service: "s3", method: "GET").withTamperedSignature())
        #expect(s3.status == 403)
        #expect(s3.element("Code") == "SignatureDoesNotMatch")
        #expect(s3.headers.first(name: "content-type") == "application/xml")

        let iam = try await client.send(try client.query(service: "iam", "Action=ListRoles&Version=2010-05-08").withTamperedSignature())
        #expect(iam.status == 403)
        #expect(iam.body.contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"))
        #expect(iam.element("Code") == "SignatureDoesNotMatch")
        #expect(iam.element("Type") == "Sender")

        // The body changed after signing: the role must not be created.
        var body = try client.query(service: "iam", "Action=CreateRole&Version=2010-05-08&RoleName=signed&AssumeRolePolicyDocument=" + URIEncoding.encode(Policies.trustRolesAnywhere))
        body.body = Array(String(decoding: body.body, as: UTF8.self).replacingOccurrences(of: "RoleName=signed", with: "RoleName=swapped").utf8)
        let swapped = try await client.send(body)
        #expect(swapped.element("Code") == "SignatureDoesNotMatch")
        #expect(try local.aws(["iam", "get-role", "--role-name", "swapped"]).stderrText.contains("NoSuchEntity"))

        // A signed header changed after signing.
        var dated = try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15")
        let original = try #require(dated.headers.first(named: "x-amz-date"))
        dated.headers.replace(named: "X-Amz-Date", with: String(original.dropLast(3)) + (original.hasSuffix("00Z") ? "01Z" : "00Z"))
        let redated = try await client.send(dated)
        #expect(redated.status == 403)
        #expect(redated.body.contains("https://sts.amazonaws.com/doc/2011-06-15/"))
        #expect(redated.element("Code") == "SignatureDoesNotMatch")

        // An S3 payload that is not the one whose hash was signed.
        var object = try client.signed(service: "s3", method: "PUT", path: "/no-such-bucket/key", body: Array("original".utf8))
        object.body = Array("replaced".utf8)
        let mismatched = try await client.send(object)
        #expect(mismatched.status == 400)
        #expect(mismatched.element("Code") == "XAmzContentSHA256Mismatch")
    }

    @Test("a request more than five minutes from the server clock is refused")
    func clockSkew() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        let old = Date().addingTimeInterval(-600)
        let s3 = try await client.send(try client.signed(service: "s3", method: "GET", date: old))
        #expect(s3.status == 403)
        #expect(s3.element("Code") == "RequestTimeTooSkewed")
        let sts = try await client.send(try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15", date: Date().addingTimeInterval(400)))
        #expect(sts.status == 400)
        #expect(sts.element("Code") == "RequestExpired")
        // Four minutes is within the allowed skew.
        let recent = try await client.send(try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15", date: Date().addingTimeInterval(-240)))
        #expect(recent.status == 200, "\(recent.body)")
    }

    @Test("--max-clock-skew changes the allowed skew")
    func configurableSkew() async throws {
        let local = try LocalServerProcess(arguments: ["--max-clock-skew", "30"])
        let client = SignedHTTPClient(port: local.port)
        let sts = try await client.send(try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15", date: Date().addingTimeInterval(-90)))
        #expect(sts.element("Code") == "RequestExpired")
    }

    @Test("unsigned, malformed and unknown requests get AWS-shaped errors and the server keeps serving")
    func badInput() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        let host = HTTPHeaderField(name: "Host", value: "127.0.0.1:\(local.port)")
        let form = HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")

        let unsignedIAM = try await client.send(SignableRequest(method: "POST", path: "/", headers: [host, form], body: Array("Action=ListRoles&Version=2010-05-08".utf8)))
        #expect(unsignedIAM.status == 403)
        #expect(unsignedIAM.element("Code") == "MissingAuthenticationToken")

        let unsignedS3 = try await client.send(SignableRequest(method: "GET", path: "/", headers: [host]))
        #expect(unsignedS3.status == 403)
        #expect(unsignedS3.element("Code") == "AccessDenied")

        let garbage = try await client.send(SignableRequest(method: "POST", path: "/", headers: [host, form, HTTPHeaderField(name: "Authorization", value: "AWS4-HMAC-SHA256 garbage")], body: Array("Action=ListRoles".utf8)))
        #expect(garbage.status == 400)
        #expect(garbage.element("Code") == "IncompleteSignature")

        let badDate = try await client.send(SignableRequest(
            method: "GET", path: "/",
            headers: [host, HTTPHeaderField(name: "X-Amz-Date", value: "yesterday"), HTTPHeaderField(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")]
        ))
        #expect(badDate.status == 400)
        #expect(badDate.element("Code") == "AuthorizationHeaderMalformed")

        let unknownAction = try await client.send(try client.query(service: "iam", "Action=LaunchRockets&Version=2010-05-08"))
        #expect(unknownAction.status == 400)
        #expect(unknownAction.element("Code") == "InvalidAction")

        let missingParameter = try await client.send(try client.query(service: "iam", "Action=CreateRole&Version=2010-05-08&RoleName=%ZZ"))
        #expect(missingParameter.status == 400)
        #expect(missingParameter.element("Code") == "ValidationError" || missingParameter.element("Code") == "MissingParameter")

        let oversize = try await client.send(try client.query(service: "iam", "Action=ListRoles&Version=2010-05-08&Padding=" + String(repeating: "x", count: 1_100_000)))
        #expect(oversize.status == 413)

        let unknownService = try await client.send(try client.query(service: "ec2", "Action=DescribeInstances&Version=2016-11-15"))
        #expect(unknownService.status == 400)
        #expect(unknownService.body.contains("UnrecognizedClientException") || unknownService.body.contains("rolesanywhere-local does not emulate"))

        let badBucketXML = try await client.send(try client.signed(service: "s3", method: "PUT", path: "/xml-bucket", body: Array("<CreateBucketConfiguration><LocationConstraint>".utf8)))
        #expect(badBucketXML.status == 400)
        #expect(badBucketXML.element("Code") == "MalformedXML")

        let badBucketName = try await client.send(try client.signed(service: "s3", method: "PUT", path: "/Not_A_Bucket"))
        #expect(badBucketName.status == 400)
        #expect(badBucketName.element("Code") == "InvalidBucketName")

        // Not HTTP at all, then a truncated request: the connection is dropped or answered 400.
        let raw = try ChildProcess.run("python3", ["-c", """
            import socket, sys
            for payload in (b"\\x16\\x03\\x01garbage\\r\\n\\r\\n", b"GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 50\\r\\n\\r\\nshort"):
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
                s.sendall(payload); s.shutdown(socket.SHUT_WR)
                try: print(s.recv(100)[:12])
                except Exception as e: print(type(e).__name__)
                s.close()
            """, String(local.port)])
        #expect(raw.status == 0, "\(raw.stderrText)")

        // Still serving.
        let identity = try await client.send(try client.query(service: "sts", "Action=GetCallerIdentity&Version=2011-06-15"))
        #expect(identity.status == 200)
        #expect(identity.element("Arn") == "arn:aws:iam::123456789012:root")
    }

    @Test("concurrent writers: every acknowledged object is stored, one of two racing CreateRole calls wins")
    func concurrency() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        let created = try await client.send(try client.signed(service: "s3", method: "PUT", path: "/race"))
        #expect(created.status == 200)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<64 {
                group.addTask {
                    try await client.send(try client.signed(service: "s3", method: "PUT", path: "/race/object-\(index)", body: Array("payload \(index)".utf8))).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        let listing = try await client.send(try client.signed(service: "s3", method: "GET", path: "/race", query: "list-type=2&max-keys=1000"))
        #expect(listing.element("KeyCount") == "64")

        let document = URIEncoding.encode(Policies.trustRolesAnywhere)
        let roles = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await client.send(try client.query(service: "iam", "Action=CreateRole&Version=2010-05-08&RoleName=racer&AssumeRolePolicyDocument=\(document)")).element("Code") ?? "OK"
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(roles.filter { $0 == "OK" }.count == 1)
        #expect(roles.filter { $0 == "EntityAlreadyExists" }.count == 7)
    }
}
