import Foundation
import NIOHTTP1
import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

/// Leniencies that let a request do more than AWS allows, each reproduced with the input that
/// showed it.
@Suite("Authorisation and authentication leniency")
struct AuthorizationHardeningTests {
    @Test("a session outlives its role: a new role of the same name gives the old session nothing")
    func sessionBoundToRoleID() async throws {
        let local = try LocalServerProcess()
        try local.awsOK(["iam", "create-role", "--role-name", "reborn", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "reborn", "--policy-name", "list", "--policy-document", Policies.listAllMyBuckets])
        let old = try await local.mintSession(roleName: "reborn")
        try local.awsOK(["s3", "ls"], as: old)
        try local.awsOK(["iam", "delete-role-policy", "--role-name", "reborn", "--policy-name", "list"])
        try local.awsOK(["iam", "delete-role", "--role-name", "reborn"])
        try local.awsOK(["iam", "create-role", "--role-name", "reborn", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        try local.awsOK([
            "iam", "put-role-policy", "--role-name", "reborn", "--policy-name", "all",
            "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ])
        let denied = try local.aws(["s3", "ls"], as: old)
        #expect(denied.status != 0)
        #expect(denied.stderrText.contains("AccessDenied"), "\(denied.stderrText)")
        let fresh = try await local.mintSession(roleName: "reborn")
        try local.awsOK(["s3", "ls"], as: fresh)
    }

    @Test("S3 refuses x-amz-* headers that are not signed, and two session tokens anywhere")
    func unsignedHeaders() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/signed-headers")).status == 200)

        var metadata = try client.signed(service: "s3", method: "PUT", path: "/signed-headers/object", body: Array("data".utf8))
        metadata.headers.append(HTTPHeaderField(name: "x-amz-meta-owner", value: "mallory"))
        let refused = try await client.send(metadata)
        #expect(refused.status == 403)
        #expect(refused.element("Code") == "AccessDenied")
        #expect(refused.body.contains("x-amz-meta-owner"))
        #expect(try await client.send(try client.signed(service: "s3", method: "GET", path: "/signed-headers/object")).status == 404, "nothing was stored")

        var token = try client.signed(service: "s3", method: "GET", path: "/signed-headers")
        token.headers.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: "unsigned"))
        #expect(try await client.send(token).status == 403)

        try local.awsOK(["iam", "create-role", "--role-name", "tokens", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let session = try await local.mintSession(roleName: "tokens")
        // Both tokens signed, the real one first: the signature holds, so only the rule refuses it.
        let keys = SigV4Credentials(accessKeyId: session.accessKeyID, secretAccessKey: session.secretAccessKey)
        let tokens = [HTTPHeaderField(name: "X-Amz-Security-Token", value: try #require(session.sessionToken)), HTTPHeaderField(name: "X-Amz-Security-Token", value: "other")]
        for service in ["s3", "sts"] {
            let twice = service == "s3"
                ? try client.signed(service: "s3", method: "GET", path: "/", headers: tokens, credentials: keys)
                : try client.signed(
                    service: "sts", headers: tokens + [HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
                    body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8), credentials: keys
                )
            let answer = try await client.send(twice)
            #expect([400, 403].contains(answer.status), "\(service): \(answer.status) \(answer.body)")
            #expect(answer.body.contains("more than one X-Amz-Security-Token"))
        }
    }

    /// An S3 request signed by the administrator, handled in process (the path reaches the service
    /// byte for byte, whatever an HTTP client library would make of it).
    static func s3(_ local: InProcessLocal, _ method: String, _ path: String, query: String = "", body: [UInt8] = []) async throws -> LocalResponse {
        let unsigned = SignableRequest(method: method, path: path, query: query, headers: [HTTPHeaderField(name: "Host", value: "127.0.0.1")], body: body)
        let signed = try SigV4Signer(credentials: InProcessLocal.admin, region: "us-east-1", service: "s3").sign(unsigned, date: AmzDate(Date())).request
        return await local.service.handle(LocalRequest(method: method, path: path, query: query, headers: signed.headers, body: body))
    }

    @Test("invalid UTF-8 in an S3 key is InvalidURI: %FF and %FE are not one object")
    func invalidUTF8Keys() async throws {
        let local = try InProcessLocal()
        #expect(try await Self.s3(local, "PUT", "/utf8-keys").status == 200)
        for key in ["%FF", "%FE", "a%C3", "%ED%A0%80", "%ff"] {
            let answer = try await Self.s3(local, "PUT", "/utf8-keys/\(key)", body: Array(key.utf8))
            #expect(answer.status == 400, "\(key)")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("<Code>InvalidURI</Code>"))
        }
        #expect(try await Self.s3(local, "PUT", "/utf8-keys/caf%C3%A9", body: [1]).status == 200, "valid UTF-8 is a key")
        #expect(try await local.store.objects(bucket: "utf8-keys", prefix: "", after: nil, limit: 10).map(\.key) == ["caf\u{E9}"])
    }

    @Test("IAM's size quotas: 2,048 for a trust policy, 10,240 for a role's inline policies together, 6,144 for a managed policy")
    func policySizeQuotas() throws {
        let local = try LocalServerProcess()
        func statements(_ count: Int) -> String {
            let one = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-with-a-long-name/some/prefix/*"}"#
            return #"{"Version":"2012-10-17","Statement":["# + Array(repeating: one, count: count).joined(separator: ",") + "]}"
        }
        let trust = #"{"Version":"2012-10-17","Statement":["# + Array(
            repeating: #"{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}"#, count: 25
        ).joined(separator: ",") + "]}"
        let bigTrust = try local.aws(["iam", "create-role", "--role-name", "big", "--assume-role-policy-document", trust])
        #expect(bigTrust.status != 0)
        #expect(bigTrust.stderrText.contains("LimitExceeded"), "\(bigTrust.stderrText)")
        #expect(bigTrust.stderrText.contains("ACLSizePerRole: 2048"))

        try local.awsOK(["iam", "create-role", "--role-name", "sized", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let updated = try local.aws(["iam", "update-assume-role-policy", "--role-name", "sized", "--policy-document", trust])
        #expect(updated.stderrText.contains("LimitExceeded"), "\(updated.stderrText)")
        // White space does not count: a pretty-printed policy under the quota is accepted.
        let pretty = statements(8).replacingOccurrences(of: ",", with: ",\n        ")
        try local.awsOK(["iam", "put-role-policy", "--role-name", "sized", "--policy-name", "one", "--policy-document", pretty])
        try local.awsOK(["iam", "put-role-policy", "--role-name", "sized", "--policy-name", "two", "--policy-document", statements(50)])
        let third = try local.aws(["iam", "put-role-policy", "--role-name", "sized", "--policy-name", "three", "--policy-document", statements(50)])
        #expect(third.stderrText.contains("LimitExceeded"), "\(third.stderrText)")
        #expect(third.stderrText.contains("10240"))
        // Replacing a policy counts its new text, not the old one too.
        try local.awsOK(["iam", "put-role-policy", "--role-name", "sized", "--policy-name", "two", "--policy-document", statements(60)])

        try local.awsOK(["iam", "create-policy", "--policy-name", "fits", "--policy-document", statements(40)])
        let managed = try local.aws(["iam", "create-policy", "--policy-name", "too-big", "--policy-document", statements(60)])
        #expect(managed.stderrText.contains("LimitExceeded"), "\(managed.stderrText)")
        #expect(managed.stderrText.contains("PolicySize: 6144"))
    }
}
