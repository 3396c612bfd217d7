import Foundation
import NIOHTTP1
@testable import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import Testing

/// The operation layer: every request is exactly one operation of AWS's models, or refused with
/// the protocol's unknown-operation error; modelled operations without a handler answer
/// NotImplemented and change nothing.
@Suite("Operations resolved from AWS's models")
struct OperationLayerTests {
    static func resolve(
        _ service: AWSService, _ method: String, _ path: String, _ query: String = "", headers: Set<String> = []
    ) -> Result<ResolvedOperation, ResolutionFailure> {
        let items = QueryItem.parse(query) ?? []
        return OperationResolver.of(service).resolve(method: method, path: path, query: items) { headers.contains($0) }
    }

    static func name(
        _ service: AWSService, _ method: String, _ path: String, _ query: String = "", headers: Set<String> = []
    ) -> String? {
        try? resolve(service, method, path, query, headers: headers).get().model.name
    }

    @Test("S3 requests resolve as AWS chooses: sub-resource keys, required query keys and headers, most specific first")
    func s3Resolution() throws {
        #expect(Self.name(.s3, "GET", "/") == "ListBuckets")
        #expect(Self.name(.s3, "GET", "/", "max-directory-buckets=5") == "ListDirectoryBuckets")
        #expect(Self.name(.s3, "GET", "/b") == "ListObjects")
        #expect(Self.name(.s3, "GET", "/b/") == "ListObjects")
        #expect(Self.name(.s3, "GET", "/b", "list-type=2&prefix=&delimiter=%2F&encoding-type=url") == "ListObjectsV2")
        #expect(Self.name(.s3, "GET", "/b", "publicAccessBlock") == "GetPublicAccessBlock")
        #expect(Self.name(.s3, "DELETE", "/b", "publicAccessBlock") == "DeletePublicAccessBlock")
        #expect(Self.name(.s3, "DELETE", "/b", "ownershipControls") == "DeleteBucketOwnershipControls")
        #expect(Self.name(.s3, "DELETE", "/b") == "DeleteBucket")
        #expect(Self.name(.s3, "GET", "/b", "lifecycle") == "GetBucketLifecycleConfiguration", "the deprecated twin loses")
        #expect(Self.name(.s3, "GET", "/b", "analytics") == "ListBucketAnalyticsConfigurations")
        #expect(Self.name(.s3, "GET", "/b", "analytics&id=a") == "GetBucketAnalyticsConfiguration")
        #expect(Self.name(.s3, "PUT", "/b/dst", "renameObject", headers: ["x-amz-rename-source"]) == "RenameObject")
        #expect(Self.name(.s3, "GET", "/b/k", "attributes", headers: ["x-amz-object-attributes"]) == "GetObjectAttributes")
        #expect(Self.name(.s3, "PUT", "/b/k") == "PutObject")
        #expect(Self.name(.s3, "PUT", "/b/k", headers: ["x-amz-copy-source"]) == "CopyObject")
        #expect(Self.name(.s3, "PUT", "/b/k", "partNumber=1&uploadId=u") == "UploadPart")
        #expect(Self.name(.s3, "PUT", "/b/k", "partNumber=1&uploadId=u", headers: ["x-amz-copy-source"]) == "UploadPartCopy")
        #expect(Self.name(.s3, "POST", "/b/k", "uploads") == "CreateMultipartUpload")
        #expect(Self.name(.s3, "POST", "/b/k", "uploadId=u") == "CompleteMultipartUpload")
        #expect(Self.name(.s3, "GET", "/b/k", "uploadId=u") == "ListParts")
        #expect(Self.name(.s3, "DELETE", "/b/k", "uploadId=u") == "AbortMultipartUpload")
        #expect(Self.name(.s3, "POST", "/b", "delete") == "DeleteObjects")
        #expect(Self.name(.s3, "GET", "/b/k", "x-id=GetObject") == "GetObject")

        let resolved = try Self.resolve(.s3, "GET", "/my-bucket/a%20b/c%2Fd//e/").get()
        #expect(resolved.model.name == "GetObject")
        #expect(resolved.labels == ["Bucket": "my-bucket", "Key": "a b/c/d//e/"])
    }

    @Test("requests that are no operation are refused, never answered as another")
    func s3Refusals() {
        #expect(throws: ResolutionFailure.noOperation(method: "PATCH", path: "/b")) { try Self.resolve(.s3, "PATCH", "/b").get() }
        #expect(throws: ResolutionFailure.noOperation(method: "POST", path: "/b/k")) { try Self.resolve(.s3, "POST", "/b/k").get() }
        #expect(throws: ResolutionFailure.noOperation(method: "PUT", path: "/")) { try Self.resolve(.s3, "PUT", "/").get() }
        // A sub-resource nobody knows, or a key that selects another operation, is not ignored.
        #expect(throws: ResolutionFailure.unknownSubresource("madeUp", operation: "DeleteBucket")) { try Self.resolve(.s3, "DELETE", "/b", "madeUp").get() }
        #expect(throws: ResolutionFailure.unknownSubresource("renameObject", operation: "PutObject")) { try Self.resolve(.s3, "PUT", "/b/k", "renameObject").get() }
        #expect(throws: ResolutionFailure.unknownSubresource("uploads", operation: "DeleteObject")) { try Self.resolve(.s3, "DELETE", "/b/k", "uploads").get() }
        // x-id names the operation: a request that is not that operation matches none.
        #expect(throws: ResolutionFailure.noOperation(method: "GET", path: "/b/k")) { try Self.resolve(.s3, "GET", "/b/k", "x-id=PutObject").get() }
        #expect(throws: ResolutionFailure.malformedPath) { try Self.resolve(.s3, "GET", "/b/%ff").get() }
        // Unknown parameters with values are ignored, as S3 ignores them.
        #expect(Self.name(.s3, "GET", "/b/k", "cache-buster=1") == "GetObject")
    }

    @Test("Roles Anywhere, IAM and STS resolve by path and by Action")
    func otherServices() throws {
        let anchor = try Self.resolve(.rolesAnywhere, "POST", "/trustanchor/0d1f0b64-7a44-4a4e-9d4a-5e8c2f7c3b01/enable").get()
        #expect(anchor.model.name == "EnableTrustAnchor")
        #expect(anchor.label("trustAnchorId") == "0d1f0b64-7a44-4a4e-9d4a-5e8c2f7c3b01")
        #expect(Self.name(.rolesAnywhere, "GET", "/trustanchors") == "ListTrustAnchors")
        #expect(Self.name(.rolesAnywhere, "PUT", "/profiles/p/mappings") == "PutAttributeMapping")
        #expect(Self.name(.rolesAnywhere, "DELETE", "/profiles/p/mappings", "certificateField=x509Subject") == "DeleteAttributeMapping")
        #expect(Self.name(.rolesAnywhere, "DELETE", "/profiles/p/mappings") == nil, "certificateField is required")
        #expect(Self.name(.rolesAnywhere, "POST", "/sessions", headers: ["x-amz-x509"]) == "CreateSession")
        #expect(Self.name(.rolesAnywhere, "GET", "/ListTagsForResource", "resourceArn=a") == "ListTagsForResource")
        #expect(throws: ResolutionFailure.noOperation(method: "GET", path: "/trustanchor")) { try Self.resolve(.rolesAnywhere, "GET", "/trustanchor").get() }
        #expect(throws: ResolutionFailure.noOperation(method: "GET", path: "/nothing/here")) { try Self.resolve(.rolesAnywhere, "GET", "/nothing/here").get() }

        #expect(try OperationResolver.of(.iam).resolve(action: "CreateRole").get().model.action == "iam:CreateRole")
        #expect(try OperationResolver.of(.sts).resolve(action: "GetCallerIdentity").get().operation == .sts(.getCallerIdentity))
        #expect(throws: ResolutionFailure.unknownAction("DoSomething")) { try OperationResolver.of(.iam).resolve(action: "DoSomething").get() }
        #expect(throws: ResolutionFailure.unknownAction(nil)) { try OperationResolver.of(.sts).resolve(action: nil).get() }
        // IAM actions come from the model and the S3 table: HeadObject needs s3:GetObject.
        #expect(try Self.resolve(.s3, "HEAD", "/b/k").get().model.action == "s3:GetObject")
        #expect(try Self.resolve(.s3, "DELETE", "/b", "publicAccessBlock").get().model.action == "s3:PutBucketPublicAccessBlock")
    }

    @Test("every REST operation of every model is reached by a request of its own shape, and by no other's")
    func everyOperationReachable() throws {
        for service in AWSService.allCases where service.wireProtocol == .restXML || service.wireProtocol == .restJSON {
            for model in service.operations {
                var path = ""
                for segment in model.path {
                    switch segment {
                    case .literal(let text): path += "/" + text
                    case .label: path += "/label"
                    case .greedyLabel: path += "/greedy/key"
                    }
                }
                var query = model.selectors.map { selector in selector.value.map { "\(selector.key)=\($0)" } ?? selector.key }
                query += model.requiredQuery.map { "\($0)=value" }
                let resolved = try Self.resolve(service, model.method, path.isEmpty ? "/" : path, query.joined(separator: "&"), headers: Set(model.requiredHeaders)).get()
                #expect(resolved.model.name == (model.aliasOf ?? model.name), "\(service) \(model.name) resolved as \(resolved.model.name)")
            }
        }
    }

    @Test("botocore's census: every operation of the five models gets its own answer or NotImplemented, and nothing changes")
    func census() throws {
        let local = try LocalServerProcess()
        let generated = Fixtures.packageRoot.appendingPathComponent("Sources/RolesAnywhereLocal/Operations/Generated").path
        let output = try local.python("operation_census.py", [generated])
        #expect(output.status == 0, "\(output.stdoutText)\n\(output.stderrText)")
        #expect(output.stdoutText.contains(" passed, 0 failed"))
        #expect(output.stdoutText.contains("acm-pca CreatePermission: 501 NotImplemented"), "\(output.stdoutText.suffix(3000))")
    }

    @Test("AWS Private CA: each call resolves by its X-Amz-Target and is authorised as its acm-pca action on the CA's ARN; an operation without a handler answers NotImplemented in JSON 1.1; an unknown target is UnknownOperationException")
    func privateCAIsModelled() async throws {
        let local = try LocalServerProcess()
        // The AWS CLI: NotImplemented, naming the operation.
        let listed = try local.aws(["acm-pca", "list-permissions", "--certificate-authority-arn", "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-4333-8444-555555555555"])
        #expect(listed.status != 0 && listed.stderrText.contains("NotImplemented") && listed.stderrText.contains("ListPermissions"), "\(listed.stderrText)")
        // A caller without acm-pca permissions is refused first, as AWS would, naming the action and the CA.
        try local.awsOK(["iam", "create-role", "--role-name", "nothing", "--assume-role-policy-document", Policies.trustRolesAnywhere])
        let nothing = try await local.mintSession(roleName: "nothing")
        let ca = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-4333-8444-555555555555"
        let denied = try local.aws(["acm-pca", "get-certificate-authority-certificate", "--certificate-authority-arn", ca], as: nothing)
        #expect(denied.stderrText.contains("AccessDeniedException") && denied.stderrText.contains("acm-pca:GetCertificateAuthorityCertificate"), "\(denied.stderrText)")
        #expect(denied.stderrText.contains(ca), "\(denied.stderrText)")

        // On the wire: JSON 1.1 errors with __type, and a request ID.
        let client = SignedHTTPClient(port: local.port)
        func call(_ target: String?) async throws -> SignedHTTPClient.Response {
            var headers = [HTTPHeaderField(name: "Content-Type", value: "application/x-amz-json-1.1")]
            if let target { headers.append(HTTPHeaderField(name: "X-Amz-Target", value: target)) }
            return try await client.send(try client.signed(service: "acm-pca", headers: headers, body: Array(#"{"CertificateAuthorityArn":"\#(ca)"}"#.utf8)))
        }
        let describe = try await call("ACMPrivateCA.CreateCertificateAuthorityAuditReport")
        #expect(describe.status == 501, "\(describe.body)")
        let error = try #require(try JSONSerialization.jsonObject(with: Data(describe.body.utf8)) as? [String: Any])
        #expect((error["__type"] as? String)?.hasSuffix("NotImplemented") == true, "\(describe.body)")
        #expect((error["message"] as? String ?? error["Message"] as? String)?.contains("CreateCertificateAuthorityAuditReport") == true, "\(describe.body)")
        #expect(describe.headers.first(name: "x-amzn-RequestId") != nil)
        for target in ["ACMPrivateCA.MintMeACertificate", "CertificateManager.IssueCertificate", nil] {
            let unknown = try await call(target)
            #expect(unknown.status == 400 && unknown.body.contains("UnknownOperationException"), "\(target ?? "no target"): \(unknown.body)")
        }
    }

    @Test("the misrouted calls of the past: NotImplemented, and the bucket and object are untouched")
    func misroutedCalls() async throws {
        let local = try LocalServerProcess()
        let client = SignedHTTPClient(port: local.port)
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/empty-bucket")).status == 200)
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/full-bucket")).status == 200)
        #expect(try await client.send(try client.signed(service: "s3", method: "PUT", path: "/full-bucket/dst", body: Array("keep me".utf8))).status == 200)

        for subresource in ["intelligent-tiering&id=a", "metrics&id=a", "analytics&id=a", "inventory&id=a"] {
            let deleted = try await client.send(try client.signed(service: "s3", method: "DELETE", path: "/empty-bucket", query: subresource))
            #expect(deleted.status == 501, "DELETE ?\(subresource)")
            #expect(deleted.element("Code") == "NotImplemented")
            #expect(try await client.send(try client.signed(service: "s3", method: "HEAD", path: "/empty-bucket")).status == 200, "the bucket survives ?\(subresource)")
        }
        // GetPublicAccessBlock answers what S3 sets on every new bucket, never a listing.
        let get = try await client.send(try client.signed(service: "s3", method: "GET", path: "/full-bucket", query: "publicAccessBlock"))
        #expect(get.status == 200)
        #expect(get.body.contains("<PublicAccessBlockConfiguration"))
        #expect(get.element("BlockPublicAcls") == "true")
        #expect(!get.body.contains("ListBucketResult"))
        // Deleting Block Public Access or the ownership controls removes that configuration, not the bucket.
        for subresource in ["publicAccessBlock", "ownershipControls"] {
            let deleted = try await client.send(try client.signed(service: "s3", method: "DELETE", path: "/empty-bucket", query: subresource))
            #expect(deleted.status == 204, "DELETE ?\(subresource)")
            #expect(try await client.send(try client.signed(service: "s3", method: "HEAD", path: "/empty-bucket")).status == 200, "the bucket survives ?\(subresource)")
        }
        let removed = try await client.send(try client.signed(service: "s3", method: "GET", path: "/empty-bucket", query: "publicAccessBlock"))
        #expect(removed.status == 404)
        #expect(removed.element("Code") == "NoSuchPublicAccessBlockConfiguration")

        let rename = try await client.send(
            try client.signed(service: "s3", method: "PUT", path: "/full-bucket/dst", query: "renameObject", headers: [HTTPHeaderField(name: "x-amz-rename-source", value: "/full-bucket/src")])
        )
        #expect(rename.status == 501)
        let kept = try await client.send(try client.signed(service: "s3", method: "GET", path: "/full-bucket/dst"))
        #expect(kept.body == "keep me")

        let attributes = try await client.send(
            try client.signed(service: "s3", method: "GET", path: "/full-bucket/dst", query: "attributes", headers: [HTTPHeaderField(name: "x-amz-object-attributes", value: "ETag")])
        )
        #expect(attributes.status == 501)
        #expect(attributes.element("Code") == "NotImplemented")

        let putConfiguration = try await client.send(try client.signed(service: "s3", method: "PUT", path: "/full-bucket", query: "accelerate", body: Array("<AccelerateConfiguration/>".utf8)))
        #expect(putConfiguration.status == 501)

        let iam = try await client.send(try client.query(service: "iam", "Action=ListSSHPublicKeys&Version=2010-05-08"))
        #expect(iam.status == 501)
        #expect(iam.element("Code") == "NotImplemented")
        let unknown = try await client.send(try client.query(service: "iam", "Action=MakeMeAdmin&Version=2010-05-08"))
        #expect(unknown.status == 400)
        #expect(unknown.element("Code") == "InvalidAction")
        let rolesAnywhere = try await client.send(try client.signed(service: "rolesanywhere", method: "GET", path: "/no-such-thing"))
        #expect(rolesAnywhere.status == 404)
        #expect(rolesAnywhere.headers.first(name: "x-amzn-ErrorType") == "UnknownOperationException")
    }

    @Test("every answer carries a request ID botocore reads, Roles Anywhere successes included")
    func requestIDs() async throws {
        let local = try InProcessLocal()
        let listed = try await local.service.handle(Self.signedControl("GET", "/trustanchors"))
        #expect(listed.status == 200)
        #expect(listed.headers.contains { $0.0.lowercased() == "x-amzn-requestid" && !$0.1.isEmpty })
    }

    static func signedControl(_ method: String, _ path: String) throws -> LocalRequest {
        let headers = [HTTPHeaderField(name: "Host", value: InProcessLocal.host)]
        let signed = try SigV4Signer(credentials: InProcessLocal.admin, region: "us-east-1", service: "rolesanywhere")
            .sign(SignableRequest(method: method, path: path, query: "", headers: headers, body: []), date: AmzDate(Date())).request
        return LocalRequest(method: method, path: path, query: "", headers: signed.headers, body: [])
    }
}

/// The byte-level readers of query strings against their definitions (the character-level code
/// they replaced), over hand-picked and random input.
struct QueryStringReaderTests {
    static func referenceForm(_ text: String, plusIsSpace: Bool) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let text = plusIsSpace ? String(part).replacingOccurrences(of: "+", with: " ") : String(part)
                return URIEncoding.decode(text) ?? text
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func queries() -> [String] {
        var queries = ["", "a", "a=", "=b", "a=b=c", "&&a=1&&", "q=a+b%2Bc", "k=%e2%82%ac", "k=%ff", "k=%4", "k=%zz+", "Action=ListRoles&Version=2010-05-08", "x-id=GetObject&uploads"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let pieces = ["a", "Z", "0", "-", "%", "+", "=", "&", "é", "%41", "%2B", "%e2%82%ac", "%ff", "%zz", "%4", "Signature", "X-Amz-Algorithm"]
        for _ in 0..<5_000 {
            queries.append((0..<Int(next() % 12)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined())
        }
        return queries
    }

    @Test("FormEncoding.parse decodes as before: '+' as a space only in forms, malformed parts kept as sent")
    func formEncoding() {
        for query in Self.queries() {
            for plus in [false, true] {
                let actual = FormEncoding.parse(query, plusIsSpace: plus)
                let expected = Self.referenceForm(query, plusIsSpace: plus)
                #expect(actual.map(\.name) == expected.map(\.name) && actual.map(\.value) == expected.map(\.value), "\(query.debugDescription) plus=\(plus)")
            }
        }
    }

    @Test("QueryItem.parse and the presigned-URL check read every query as the character-level code did")
    func queryItemsAndPresignedCheck() {
        for query in Self.queries() {
            var expected: [QueryItem]? = []
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                if let equals = pair.firstIndex(of: "=") {
                    guard let name = URIEncoding.decode(pair[..<equals]), let value = URIEncoding.decode(pair[pair.index(after: equals)...]) else { expected = nil; break }
                    expected?.append(QueryItem(name: name, value: value))
                } else {
                    guard let name = URIEncoding.decode(pair) else { expected = nil; break }
                    expected?.append(QueryItem(name: name, value: nil))
                }
            }
            #expect(QueryItem.parse(query) == expected, "\(query.debugDescription)")
            #expect(LocalRequest.contains(query, "Signature") == query.contains("Signature"), "\(query.debugDescription)")
            #expect(LocalRequest.contains(query, "X-Amz-Algorithm") == query.contains("X-Amz-Algorithm"), "\(query.debugDescription)")
        }
    }

    @Test("ARNs and the model's ARN patterns read every input as the character-level code did")
    func arns() {
        var state: UInt64 = 0x5DEE_CE66_D1CE_4E5B
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let pieces = ["arn", ":", ":", "aws", "aws-cn", "aws-", "iam", "rolesanywhere", "us-east-1", "123456789012", "role", "/", "profile", "x", "é", ""]
        var inputs = ["arn:aws:iam::123456789012:role/path/name", "arn:aws:rolesanywhere:us-east-1:1:profile/p", "arn:aws-x:iam:::role/a:b", "arn:aws:iam::1:role", "arn::iam::1:role/x"]
        for _ in 0..<5_000 {
            inputs.append((0..<Int(next() % 14)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined())
        }
        for text in inputs {
            // ARN.init, as it split on characters.
            let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            let valid = parts.count == 6 && parts[0] == "arn" && ARN.Partition(rawValue: String(parts[1])) != nil && !parts[2].isEmpty && !parts[5].isEmpty
            let arn = ARN(text)
            #expect((arn != nil) == valid, "\(text.debugDescription)")
            if let arn, valid {
                #expect(arn.service == parts[2] && arn.region == parts[3] && arn.accountID == parts[4] && arn.resource == parts[5], "\(text.debugDescription)")
                let resource = String(parts[5])
                let type = String(resource.prefix(while: { $0 != "/" && $0 != ":" }))
                #expect(arn.resourceType == type && arn.resourceID == String(resource.dropFirst(type.count + 1)), "\(text.debugDescription)")
                #expect(arn.resourceName == String(resource.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(resource)), "\(text.debugDescription)")
            }
            // RolesAnywherePatterns.isARN, as it split on characters.
            for (service, resource) in [("iam", "role/"), ("rolesanywhere", "profile/")] {
                let all = text.split(separator: ":", omittingEmptySubsequences: false)
                let expected = all.count >= 6 && all[0] == "arn" && (all[1] == "aws" || (all[1].hasPrefix("aws-") && all[1].count > 4)) && all[2] == service
                    && all[5...].contains { $0.hasPrefix(resource) }
                #expect(RolesAnywherePatterns.isARN(text, service: service, resource: resource) == expected, "\(text.debugDescription) \(service)")
            }
        }
    }
}
