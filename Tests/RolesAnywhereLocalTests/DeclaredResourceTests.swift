import Foundation
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import Testing

@testable import RolesAnywhereLocal

/// Each operation declares, in the tables generated from AWS's models, the resource its action is
/// authorised on; the pipeline authorises it before the handler runs.
@Suite("Operations declare the resources they are authorised on")
struct DeclaredResourceTests {
    static let account = "123456789012"

    /// A request as it arrives (resolution and the declared resource need no signature).
    static func request(_ method: String, _ path: String, query: String = "", body: String = "", form: Bool = false) -> LocalRequest {
        let type = form ? "application/x-www-form-urlencoded; charset=utf-8" : "application/json"
        return LocalRequest(method: method, path: path, query: query, headers: [HTTPHeaderField(name: "Content-Type", value: type)], body: Array(body.utf8))
    }

    /// The operation `request` resolves to, and the ARN its declared resource names.
    static func declared(_ local: InProcessLocal, _ request: LocalRequest, _ service: AWSService) async throws -> (String, AuthorizationMode, String) {
        let (resolved, parameters) = try LocalService.resolve(request, service: service)
        let members = RequestMembers(resolved: resolved, request: request, parameters: parameters)
        return (resolved.model.name, resolved.model.authorization, try await local.service.authorizer.resourceARN(resolved.model.resource, members: members))
    }

    @Test("each operation's declared resource is the ARN IAM's policies are matched against")
    func declaredResources() async throws {
        let local = try InProcessLocal()
        let created = try await local.iam([
            ("Action", "CreateRole"), ("RoleName", "builder"), ("Path", "/team/"), ("AssumeRolePolicyDocument", Policies.trustRolesAnywhere),
        ])
        #expect(created.status == 200, "\(created.body)")
        let id = "0f6a4b0e-4e0b-4a51-9a57-6c1d7b2f0b11"
        let anchor = "arn:aws:rolesanywhere:us-east-1:\(Self.account):trust-anchor/\(id)"
        let policy = "arn:aws:iam::\(Self.account):policy/p"
        let cases: [(LocalRequest, AWSService, String, AuthorizationMode, String)] = [
            (Self.request("GET", "/"), .s3, "ListBuckets", .identityPolicies, "arn:aws:s3:::*"),
            (Self.request("GET", "/b", query: "list-type=2&prefix=a/"), .s3, "ListObjectsV2", .identityPolicies, "arn:aws:s3:::b"),
            (Self.request("GET", "/b/dir/key.txt"), .s3, "GetObject", .identityPolicies, "arn:aws:s3:::b/dir/key.txt"),
            (Self.request("GET", "/b", query: "publicAccessBlock"), .s3, "GetPublicAccessBlock", .identityPolicies, "arn:aws:s3:::b"),
            (Self.request("POST", "/b", query: "delete"), .s3, "DeleteObjects", .eachItem, "arn:aws:s3:::b"),
            (Self.request("POST", "/", body: "Action=GetRole&RoleName=builder&Version=2010-05-08", form: true), .iam, "GetRole", .identityPolicies,
             "arn:aws:iam::\(Self.account):role/team/builder"),
            (Self.request("POST", "/", body: "Action=GetRole&RoleName=absent&Version=2010-05-08", form: true), .iam, "GetRole", .identityPolicies,
             "arn:aws:iam::\(Self.account):role/absent"),
            (Self.request("POST", "/", body: "Action=CreateRole&RoleName=new&Path=%2Fops%2F&Version=2010-05-08", form: true), .iam, "CreateRole",
             .identityPolicies, "arn:aws:iam::\(Self.account):role/ops/new"),
            (Self.request("POST", "/", body: "Action=ListRoles&PathPrefix=%2Fteam%2F&Version=2010-05-08", form: true), .iam, "ListRoles",
             .identityPolicies, "arn:aws:iam::\(Self.account):role/team/*"),
            (Self.request("POST", "/", body: "Action=AttachRolePolicy&RoleName=builder&PolicyArn=\(URIEncoding.encode(policy))&Version=2010-05-08", form: true),
             .iam, "AttachRolePolicy", .identityPolicies, "arn:aws:iam::\(Self.account):role/team/builder"),
            (Self.request("POST", "/", body: "Action=GetPolicy&PolicyArn=\(URIEncoding.encode(policy))&Version=2010-05-08", form: true), .iam, "GetPolicy",
             .identityPolicies, policy),
            (Self.request("POST", "/", body: "Action=GetInstanceProfile&InstanceProfileName=web&Version=2010-05-08", form: true), .iam,
             "GetInstanceProfile", .identityPolicies, "arn:aws:iam::\(Self.account):instance-profile/web"),
            (Self.request("GET", "/trustanchor/\(id)"), .rolesAnywhere, "GetTrustAnchor", .identityPolicies, anchor),
            (Self.request("GET", "/trustanchors"), .rolesAnywhere, "ListTrustAnchors", .identityPolicies, "*"),
            (Self.request("PATCH", "/put-notifications-settings", body: #"{"trustAnchorId":"\#(id)"}"#), .rolesAnywhere, "PutNotificationSettings",
             .identityPolicies, anchor),
            (Self.request("POST", "/TagResource", body: #"{"resourceArn":"\#(anchor)","tags":[]}"#), .rolesAnywhere, "TagResource", .identityPolicies, anchor),
            (Self.request("GET", "/ListTagsForResource", query: "resourceArn=\(URIEncoding.encode(anchor))"), .rolesAnywhere, "ListTagsForResource",
             .identityPolicies, anchor),
            (LocalRequest(method: "POST", path: "/sessions", query: "roleArn=r", headers: [HTTPHeaderField(name: "X-Amz-X509", value: "MII")], body: []),
             .rolesAnywhere, "CreateSession", .withResourcePolicy, "r"),
            (Self.request("POST", "/", body: "Action=GetCallerIdentity&Version=2011-06-15", form: true), .sts, "GetCallerIdentity", .never, "*"),
            (Self.request("POST", "/", body: "Action=AssumeRole&RoleArn=\(URIEncoding.encode("arn:aws:iam::\(Self.account):role/x"))&Version=2011-06-15", form: true),
             .sts, "AssumeRole", .withResourcePolicy, "arn:aws:iam::\(Self.account):role/x"),
        ]
        for (request, service, operation, mode, resource) in cases {
            let (name, authorization, arn) = try await Self.declared(local, request, service)
            #expect(name == operation)
            #expect(authorization == mode, "\(operation)")
            #expect(arn == resource, "\(operation)")
        }
    }

    /// A request signed with `credentials` (a session's, with its token), handled in process.
    static func call(
        _ local: InProcessLocal, _ credentials: SigV4Credentials, service: String, _ method: String, _ path: String, query: String = "", body: String = ""
    ) async throws -> InProcessLocal.Answer {
        let type = service == "iam" || service == "sts" ? "application/x-www-form-urlencoded; charset=utf-8" : "application/json"
        let unsigned = SignableRequest(
            method: method, path: path, query: query,
            headers: [HTTPHeaderField(name: "Host", value: "127.0.0.1"), HTTPHeaderField(name: "Content-Type", value: type)], body: Array(body.utf8)
        )
        let signed = try SigV4Signer(credentials: credentials, region: "us-east-1", service: service).sign(unsigned, date: AmzDate(Date())).request
        return InProcessLocal.answer(
            await local.service.handle(LocalRequest(method: method, path: path, query: query, headers: signed.headers, body: signed.body))
        )
    }

    @Test("the pipeline authorises the declared resource before the handler: what the policy names is served, the rest refused and unchanged")
    func pipelineAuthorizesDeclaredResources() async throws {
        let local = try InProcessLocal()
        let root = try TestPKI.makeRoot(commonName: "Declared CA", key: .p256)
        let allowed = try await local.createTrustAnchor(root.certificatePEM)
        let other = try await local.createTrustAnchor(root.certificatePEM)
        let admin = InProcessLocal.admin
        for (method, path, body) in [("PUT", "/scoped", ""), ("PUT", "/scoped/allowed/a.txt", "open"), ("PUT", "/scoped/secret/b.txt", "closed")] {
            #expect(try await Self.call(local, admin, service: "s3", method, path, body: body).status == 200, "\(method) \(path)")
        }
        let permissions = """
            {"Version":"2012-10-17","Statement":[\
            {"Effect":"Allow","Action":"rolesanywhere:GetTrustAnchor","Resource":"\(allowed)"},\
            {"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::scoped/allowed/*"},\
            {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::scoped","Condition":{"StringLike":{"s3:prefix":"allowed/*"}}},\
            {"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::\(Self.account):role/team/*"}]}
            """
        let created = try await local.iam([
            ("Action", "CreateRole"), ("RoleName", "scoped"), ("Path", "/team/"), ("AssumeRolePolicyDocument", Policies.trustRolesAnywhere),
        ])
        #expect(created.status == 200, "\(created.body)")
        #expect(try await local.iam([("Action", "PutRolePolicy"), ("RoleName", "scoped"), ("PolicyName", "p"), ("PolicyDocument", permissions)]).status == 200)
        try await local.createRole("elsewhere", permissions: nil)
        let role = try #require(try await local.store.role(named: "scoped"))
        let session = try await local.service.minter.mint(SessionMinter.Request(role: role, sessionName: "declared", duration: 900))
        let keys = SigV4Credentials(accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken)
        func id(_ arn: String) -> String { String(arn.split(separator: "/").last ?? "") }

        #expect(try await Self.call(local, keys, service: "rolesanywhere", "GET", "/trustanchor/\(id(allowed))").status == 200)
        let refused = try await Self.call(local, keys, service: "rolesanywhere", "GET", "/trustanchor/\(id(other))")
        #expect(refused.status == 403)
        #expect(refused.errorType?.hasPrefix("AccessDeniedException") == true, "\(refused.body)")
        #expect(refused.message?.contains("trust-anchor/\(id(other))") == true, "\(refused.body)")
        // Refused before the handler looks: an unknown anchor is not told apart from a forbidden one.
        let unknown = try await Self.call(local, keys, service: "rolesanywhere", "GET", "/trustanchor/0f6a4b0e-4e0b-4a51-9a57-6c1d7b2f0b11")
        #expect(unknown.status == 403, "\(unknown.body)")

        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped/allowed/a.txt").body == "open")
        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped/secret/b.txt").status == 403)
        #expect(try await Self.call(local, keys, service: "s3", "DELETE", "/scoped/secret/b.txt").status == 403)
        #expect(try await Self.call(local, admin, service: "s3", "GET", "/scoped/secret/b.txt").body == "closed", "a refused delete deletes nothing")
        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped", query: "list-type=2&prefix=allowed%2F").status == 200)
        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped", query: "list-type=2&prefix=secret%2F").status == 403)
        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped", query: "list-type=2").status == 403)
        // A repeated key is authorised as the handler reads it (the last one), not as the first says.
        #expect(try await Self.call(local, keys, service: "s3", "GET", "/scoped", query: "list-type=2&prefix=allowed%2F&prefix=secret%2F").status == 403)

        let version = "&Version=2010-05-08"
        #expect(try await Self.call(local, keys, service: "iam", "POST", "/", body: "Action=GetRole&RoleName=scoped" + version).status == 200)
        let otherRole = try await Self.call(local, keys, service: "iam", "POST", "/", body: "Action=GetRole&RoleName=elsewhere" + version)
        #expect(otherRole.status == 403)
        #expect(otherRole.body.contains("<Code>AccessDenied</Code>"), "\(otherRole.body)")
        #expect(try await Self.call(local, keys, service: "sts", "POST", "/", body: "Action=GetCallerIdentity&Version=2011-06-15").status == 200)
    }
}
