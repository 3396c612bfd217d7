import Foundation
import RolesAnywhereLocal
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509
import RolesAnywhereSupport
import RolesAnywhereCredentials
import RolesAnywhereKeys

/// Every refusal of CreateSession (service spec §2.8), each with a real bad input made in the test,
/// and the code and message the client sees. The happy path is checked alongside, so that each
/// refusal is caused by the one thing the test changes.
@Suite("CreateSession refusals")
struct CreateSessionRejectionTests {
    /// A root CA, an intermediate, a `myContainer` leaf under each, the walkthrough's role, and an
    /// anchor and profile for them.
    struct Setup {
        let local: InProcessLocal
        let root: TestPKI.Issued
        let intermediate: TestPKI.Issued
        let leaf: TestPKI.Issued
        let anchor: String
        let profile: String
        let role: String

        init(rootKey: TestPKI.KeyKind = .rsa2048, profileExtra: [String: Any] = [:], roleMaximum: Int = 3600, region: String = "us-east-1") async throws {
            local = try InProcessLocal(region: region)
            root = try TestPKI.makeRoot(commonName: "Walkthrough CA", key: rootKey)
            intermediate = try TestPKI.makeIntermediate(issuer: root)
            leaf = try TestPKI.makeLeaf(issuer: root, commonName: "myContainer", key: .p256)
            role = try await local.createRole("bucket-lister", maxSessionDuration: roleMaximum)
            anchor = try await local.createTrustAnchor(root.certificatePEM)
            profile = try await local.createProfile(roleArns: [role], extra: profileExtra)
        }

        func call(_ identity: SigningIdentity? = nil, body: [String: Any] = ["durationSeconds": 3600]) throws -> InProcessLocal.SessionCall {
            InProcessLocal.SessionCall(identity: try identity ?? leaf.identity(), trustAnchorArn: anchor, profileArn: profile, roleArn: role, body: body)
        }

        func send(_ call: InProcessLocal.SessionCall) async throws -> InProcessLocal.Answer {
            try await local.createSession(call)
        }
    }

    static func expectDenied(_ answer: InProcessLocal.Answer, _ message: String, exact: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == 403, "\(answer.body)", sourceLocation: sourceLocation)
        #expect(answer.errorType == "AccessDeniedException", sourceLocation: sourceLocation)
        if exact {
            #expect(answer.message == message, sourceLocation: sourceLocation)
        } else {
            #expect(answer.message?.contains(message) == true, "\(answer.message ?? answer.body)", sourceLocation: sourceLocation)
        }
    }

    @Test("in a China region every ARN is in aws-cn: resources, the session, and ARNs of another partition are refused")
    func partitionOfTheRegion() async throws {
        let setup = try await Setup(region: "cn-north-1")
        #expect(setup.role == "arn:aws-cn:iam::123456789012:role/bucket-lister")
        #expect(setup.anchor.hasPrefix("arn:aws-cn:rolesanywhere:cn-north-1:123456789012:trust-anchor/"), "\(setup.anchor)")
        #expect(setup.profile.hasPrefix("arn:aws-cn:rolesanywhere:cn-north-1:123456789012:profile/"), "\(setup.profile)")
        let role = try await setup.local.iam([("Action", "GetRole"), ("RoleName", "bucket-lister")])
        #expect(role.body.contains("<Arn>arn:aws-cn:iam::123456789012:role/bucket-lister</Arn>"), "\(role.body)")

        let answer = try await setup.send(try setup.call())
        #expect(answer.status == 201, "\(answer.body)")
        let session = try #require(try await setup.local.session(of: answer))
        #expect(session.assumedRoleArn == "arn:aws-cn:sts::123456789012:assumed-role/bucket-lister/\(session.sessionName)")
        #expect(answer.body.contains("arn:aws-cn:sts::123456789012:assumed-role/bucket-lister/"), "\(answer.body)")

        // The same resources named in the aws partition do not exist here.
        var call = try setup.call()
        call.trustAnchorArn = setup.anchor.replacingOccurrences(of: "arn:aws-cn:", with: "arn:aws:")
        Self.expectDenied(try await setup.send(call), "does not exist in account", exact: false)
        call = try setup.call()
        call.roleArn = "arn:aws:iam::123456789012:role/bucket-lister"
        let wrongRole = try await setup.send(call)
        #expect(wrongRole.status == 403, "\(wrongRole.body)")
    }

    @Test("the walkthrough's certificate gets credentials (the baseline of every refusal below)")
    func baseline() async throws {
        let setup = try await Setup()
        let answer = try await setup.send(try setup.call())
        #expect(answer.status == 201, "\(answer.body)")
        let session = try #require(try await setup.local.session(of: answer))
        #expect(session.tags["x509Subject/CN"] == "myContainer")
        #expect(session.tags["x509Issuer/CN"] == "Walkthrough CA")
        #expect(session.sourceIdentity == "CN=myContainer")
    }

    @Test("a tampered body or date: Invalid signature")
    func tampered() async throws {
        let setup = try await Setup()
        var body = try setup.call()
        body.tamper = { $0.body = Array(#"{"durationSeconds":43200}"#.utf8) }
        Self.expectDenied(try await setup.send(body), "Invalid signature")
        var date = try setup.call()
        date.tamper = { $0.headers.replace(named: "X-Amz-Date", with: AmzDate(Date().addingTimeInterval(-1)).amzDateTime) }
        Self.expectDenied(try await setup.send(date), "Invalid signature")
        var certificate = try setup.call()
        let other = try TestPKI.makeLeaf(issuer: setup.root, key: .p256)
        certificate.tamper = { $0.headers.replace(named: "X-Amz-X509", with: Data(other.certificateDER).base64EncodedString()) }
        Self.expectDenied(try await setup.send(certificate), "Invalid signature", exact: false)
    }

    @Test("a certificate of another CA: Untrusted Signing Certificate")
    func wrongAnchor() async throws {
        let setup = try await Setup()
        let stranger = try TestPKI.makeLeaf(issuer: try TestPKI.makeRoot(commonName: "Walkthrough CA"), commonName: "myContainer")
        Self.expectDenied(try await setup.send(try setup.call(try stranger.identity())), "Untrusted Signing Certificate")
    }

    @Test("a leaf under an intermediate: refused without X-Amz-X509-Chain, accepted with it")
    func missingChain() async throws {
        let setup = try await Setup()
        let leaf = try TestPKI.makeLeaf(issuer: setup.intermediate, commonName: "myContainer")
        Self.expectDenied(try await setup.send(try setup.call(try leaf.identity())), "Untrusted Signing Certificate")
        #expect(try await setup.send(try setup.call(try leaf.identity(chain: [setup.intermediate]))).status == 201)
    }

    @Test("more than five certificates in X-Amz-X509-Chain: ValidationException")
    func longChain() async throws {
        let setup = try await Setup()
        let chain = Array(repeating: setup.intermediate, count: 6)
        let answer = try await setup.send(try setup.call(try setup.leaf.identity(chain: chain)))
        #expect(answer.status == 400)
        #expect(answer.errorType == "ValidationException")
        #expect(answer.message?.contains("at most 5") == true)
    }

    @Test("an expired leaf, and one not yet valid: Untrusted Signing Certificate, saying why")
    func validity() async throws {
        let setup = try await Setup()
        let expired = try TestPKI.makeLeaf(issuer: setup.root, notValidBefore: Date().addingTimeInterval(-7200), notValidAfter: Date().addingTimeInterval(-60))
        Self.expectDenied(try await setup.send(try setup.call(try expired.identity())), "Untrusted Signing Certificate: the end-entity certificate: ", exact: false)
        let future = try TestPKI.makeLeaf(issuer: setup.root, notValidBefore: Date().addingTimeInterval(3600), notValidAfter: Date().addingTimeInterval(7200))
        Self.expectDenied(try await setup.send(try setup.call(try future.identity())), "not valid until", exact: false)
    }

    @Test("a revoked serial: refused while the CRL is enabled")
    func revoked() async throws {
        let setup = try await Setup()
        let authority = try CertificateAuthority(certificate: EncodedCertificate(setup.root.certificate), privateKey: setup.root.privateKey)
        let crl = try CertificateRevocationList.make(
            authority: authority, entries: [.init(serialNumber: Array(setup.leaf.certificate.serialNumber.bytes), revocationDate: Date().addingTimeInterval(-60))],
            thisUpdate: Date().addingTimeInterval(-60), nextUpdate: Date().addingTimeInterval(86_400), crlNumber: 1
        )
        let id = try await setup.local.importCRL(crl.pemString, anchor: setup.anchor, enabled: false)
        #expect(try await setup.send(try setup.call()).status == 201)
        #expect(try await setup.local.control("POST", "/crl/\(id)/enable").status == 200)
        Self.expectDenied(try await setup.send(try setup.call()), "revoked", exact: false)
        // Another leaf of the same CA is not revoked.
        let other = try TestPKI.makeLeaf(issuer: setup.root)
        #expect(try await setup.send(try setup.call(try other.identity())).status == 201)
    }

    @Test("a CRL signed by another key is refused at import")
    func forgedCRL() async throws {
        let setup = try await Setup()
        // Same name as the anchor, different key.
        let impostor = try TestPKI.makeRoot(commonName: "Walkthrough CA", key: .rsa2048)
        let authority = try CertificateAuthority(certificate: EncodedCertificate(impostor.certificate), privateKey: impostor.privateKey)
        let crl = try CertificateRevocationList.make(authority: authority, entries: [], thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(3600), crlNumber: 1)
        let answer = try await setup.local.control("POST", "/crls", json: [
            "name": "forged", "crlData": Data(crl.pemString.utf8).base64EncodedString(), "trustAnchorArn": setup.anchor,
        ])
        #expect(answer.status == 400)
        #expect(answer.errorType == "ValidationException")
    }

    @Test("a disabled trust anchor, a disabled profile: refused, and accepted again once enabled")
    func disabled() async throws {
        let setup = try await Setup()
        let anchorID = String(setup.anchor.split(separator: "/").last!)
        let profileID = String(setup.profile.split(separator: "/").last!)
        #expect(try await setup.local.control("POST", "/trustanchor/\(anchorID)/disable").status == 200)
        Self.expectDenied(try await setup.send(try setup.call()), "is disabled", exact: false)
        #expect(try await setup.local.control("POST", "/trustanchor/\(anchorID)/enable").status == 200)
        #expect(try await setup.local.control("POST", "/profile/\(profileID)/disable").status == 200)
        Self.expectDenied(try await setup.send(try setup.call()), "is disabled", exact: false)
        #expect(try await setup.local.control("POST", "/profile/\(profileID)/enable").status == 200)
        #expect(try await setup.send(try setup.call()).status == 201)
    }

    @Test("unknown, other-region and other-account ARNs are refused")
    func unknownResources() async throws {
        let setup = try await Setup()
        var call = try setup.call()
        call.trustAnchorArn = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-000000000000"
        Self.expectDenied(try await setup.send(call), "does not exist", exact: false)
        call = try setup.call()
        call.profileArn = setup.profile.replacingOccurrences(of: "us-east-1", with: "eu-west-1")
        Self.expectDenied(try await setup.send(call), "does not exist", exact: false)
        call = try setup.call()
        call.roleArn = "arn:aws:iam::123456789012:role/no-such-role"
        let profileID = String(setup.profile.split(separator: "/").last!)
        #expect(try await setup.local.control("PATCH", "/profile/\(profileID)", json: ["roleArns": [setup.role, call.roleArn]]).status == 200)
        Self.expectDenied(try await setup.send(call), "does not exist", exact: false)
    }

    @Test("a role the profile does not list: AWS's message")
    func roleNotInProfile() async throws {
        let setup = try await Setup()
        var call = try setup.call()
        call.roleArn = try await setup.local.createRole("other-role")
        Self.expectDenied(try await setup.send(call), "Requested Role isn't one of those listed in the Profile.")
    }

    @Test("a CN the trust policy does not allow: refused; the CN it allows: accepted")
    func trustPolicyCondition() async throws {
        let setup = try await Setup()
        let other = try TestPKI.makeLeaf(issuer: setup.root, commonName: "otherContainer")
        Self.expectDenied(try await setup.send(try setup.call(try other.identity())), "does not allow rolesanywhere.amazonaws.com to perform sts:AssumeRole", exact: false)
    }

    @Test("a trust policy that does not allow sts:TagSession or sts:SetSourceIdentity refuses the session")
    func trustPolicyActions() async throws {
        let local = try InProcessLocal()
        let root = try TestPKI.makeRoot()
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}"#
        let role = try await local.createRole("no-tags", trust: trust)
        let call = InProcessLocal.SessionCall(
            identity: try TestPKI.makeLeaf(issuer: root).identity(), trustAnchorArn: try await local.createTrustAnchor(root.certificatePEM),
            profileArn: try await local.createProfile(roleArns: [role]), roleArn: role
        )
        Self.expectDenied(try await local.createSession(call), "sts:TagSession", exact: false)
    }

    @Test("the anchor must be the source: aws:SourceArn conditions see the trust anchor ARN")
    func sourceArnCondition() async throws {
        let local = try InProcessLocal()
        let root = try TestPKI.makeRoot()
        let anchor = try await local.createTrustAnchor(root.certificatePEM)
        let otherAnchor = try await local.createTrustAnchor(root.certificatePEM)
        let trust = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},\
            "Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"ArnEquals":{"aws:SourceArn":"\(anchor)"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}
            """
        let role = try await local.createRole("anchored", trust: trust)
        let profile = try await local.createProfile(roleArns: [role])
        let identity = try TestPKI.makeLeaf(issuer: root).identity()
        #expect(try await local.createSession(.init(identity: identity, trustAnchorArn: anchor, profileArn: profile, roleArn: role)).status == 201)
        Self.expectDenied(try await local.createSession(.init(identity: identity, trustAnchorArn: otherAnchor, profileArn: profile, roleArn: role)), "does not allow", exact: false)
    }

    @Test("a duration above the role's maximum: ValidationException; a shorter request wins over the profile")
    func duration() async throws {
        let setup = try await Setup(profileExtra: ["durationSeconds": 7200])
        let answer = try await setup.send(try setup.call(body: [:]))
        #expect(answer.status == 400)
        #expect(answer.errorType == "ValidationException")
        #expect(answer.message == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        let shorter = try await setup.send(try setup.call(body: ["durationSeconds": 900]))
        #expect(shorter.status == 201)
        let session = try #require(try await setup.local.session(of: shorter))
        #expect(session.expiration.timeIntervalSince(session.issuedAt) == 900)
        let outOfRange = try await setup.send(try setup.call(body: ["durationSeconds": 60]))
        #expect(outOfRange.errorType == "ValidationException")
        #expect(outOfRange.message == "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")
    }

    @Test("a skewed clock: Signature expired")
    func skew() async throws {
        let setup = try await Setup()
        var call = try setup.call()
        call.signedAt = Date().addingTimeInterval(-400)
        call.receivedAt = Date()
        Self.expectDenied(try await setup.send(call), "Signature expired", exact: false)
        call.signedAt = Date().addingTimeInterval(-200)
        #expect(try await setup.send(call).status == 201)
    }

    @Test("roleSessionName: refused unless the profile accepts it, then used as the session name")
    func roleSessionName() async throws {
        let setup = try await Setup()
        Self.expectDenied(try await setup.send(try setup.call(body: ["roleSessionName": "my-session"])), "Not authorized to set roleSessionName.")
        let accepting = try await Setup(profileExtra: ["acceptRoleSessionName": true])
        let answer = try await accepting.send(try accepting.call(body: ["roleSessionName": "my-session"]))
        #expect(answer.status == 201, "\(answer.body)")
        #expect(try await accepting.local.session(of: answer)?.sessionName == "my-session")
        let invalid = try await accepting.send(try accepting.call(body: ["roleSessionName": "no spaces"]))
        #expect(invalid.errorType == "ValidationException")
    }

    @Test("ARNs in the JSON body (the awslabs Python client's way) and x-amz-json-1.0 are accepted")
    func bodyParameters() async throws {
        let setup = try await Setup()
        let body: [String: Any] = ["profileArn": setup.profile, "roleArn": setup.role, "trustAnchorArn": setup.anchor, "durationSeconds": 900]
        let request = SignableRequest(
            method: "POST", path: "/sessions",
            headers: [HTTPHeaderField(name: "Host", value: InProcessLocal.host), HTTPHeaderField(name: "Content-Type", value: "application/x-amz-json-1.0")],
            body: Array(try JSONSerialization.data(withJSONObject: body))
        )
        let signed = try X509RequestSigner(identity: try setup.leaf.identity(), region: "us-east-1").sign(request, date: .now).request
        let answer = InProcessLocal.answer(await setup.local.service.handle(LocalRequest(method: "POST", path: "/sessions", query: "", headers: signed.headers, body: signed.body)))
        #expect(answer.status == 201, "\(answer.body)")
    }

    @Test("missing ARNs and a body that is not JSON: ValidationException")
    func badParameters() async throws {
        let setup = try await Setup()
        var call = try setup.call()
        call.body = ["durationSeconds": 3600]
        call.tamper = nil
        let missing = try await setup.local.createSession(call)
        #expect(missing.status == 201)  // sanity: the query carries the ARNs
        let request = SignableRequest(
            method: "POST", path: "/sessions",
            headers: [HTTPHeaderField(name: "Host", value: InProcessLocal.host), HTTPHeaderField(name: "Content-Type", value: "application/json")],
            body: Array("{not json".utf8)
        )
        let signed = try X509RequestSigner(identity: try setup.leaf.identity(), region: "us-east-1").sign(request, date: .now).request
        let answer = InProcessLocal.answer(await setup.local.service.handle(LocalRequest(method: "POST", path: "/sessions", query: "", headers: signed.headers, body: signed.body)))
        #expect(answer.status == 400)
        #expect(answer.errorType == "ValidationException")
        let empty = SignableRequest(
            method: "POST", path: "/sessions", headers: [HTTPHeaderField(name: "Host", value: InProcessLocal.host), HTTPHeaderField(name: "Content-Type", value: "application/json")],
            body: Array("{}".utf8)
        )
        let signedEmpty = try X509RequestSigner(identity: try setup.leaf.identity(), region: "us-east-1").sign(empty, date: .now).request
        let noARNs = InProcessLocal.answer(await setup.local.service.handle(LocalRequest(method: "POST", path: "/sessions", query: "", headers: signedEmpty.headers, body: signedEmpty.body)))
        #expect(noARNs.errorType == "ValidationException")
        #expect(noARNs.message?.hasPrefix("3 validation errors detected") == true, "\(noARNs.body)")
    }

    @Test("attribute mappings decide the tags: without CN in the subject mapping, a CN condition fails")
    func attributeMappings() async throws {
        let setup = try await Setup()
        let profileID = String(setup.profile.split(separator: "/").last!)
        let removed = try await setup.local.control("DELETE", "/profiles/\(profileID)/mappings", query: "certificateField=x509Subject&specifiers=%2A")
        #expect(removed.status == 200, "\(removed.body)")
        Self.expectDenied(try await setup.send(try setup.call()), "does not allow", exact: false)
        let added = try await setup.local.control("PUT", "/profiles/\(profileID)/mappings", json: ["certificateField": "x509Subject", "mappingRules": [["specifier": "CN"]]])
        #expect(added.status == 200, "\(added.body)")
        let answer = try await setup.send(try setup.call())
        #expect(answer.status == 201)
        #expect(try await setup.local.session(of: answer)?.tags["x509Subject/CN"] == "myContainer")
    }

    @Test("a mapped attribute that cannot be a session tag fails CreateSession, naming it, until the mapping drops it")
    func unmappableAttributes() async throws {
        let setup = try await Setup()
        // A CN with `&` (not in STS's tag alphabet), mapped by the default x509Subject `*` rule.
        let ampersand = try TestPKI.makeLeaf(issuer: setup.root, commonName: "my&Container")
        Self.expectDenied(
            try await setup.send(try setup.call(try ampersand.identity())),
            "Unable to assume role for \(setup.role). Some attributes failed to be mapped into session tags. Issuer: [  ]; Subject: [ CN ]; SAN: [  ]"
        )
        // A wildcard as the second DNS name: `*` is not a tag character either.
        let wildcard = try TestPKI.makeLeaf(issuer: setup.root, dnsNames: ["ok.example.com", "*.example.com"])
        Self.expectDenied(
            try await setup.send(try setup.call(try wildcard.identity())),
            "Unable to assume role for \(setup.role). Some attributes failed to be mapped into session tags. Issuer: [  ]; Subject: [  ]; SAN: [ DNS/2 ]"
        )
        // Once the profile stops mapping DNS names, the same certificate gets credentials.
        let profileID = String(setup.profile.split(separator: "/").last!)
        let removed = try await setup.local.control("DELETE", "/profiles/\(profileID)/mappings", query: "certificateField=x509SAN&specifiers=DNS")
        #expect(removed.status == 200, "\(removed.body)")
        let answer = try await setup.send(try setup.call(try wildcard.identity()))
        #expect(answer.status == 201, "\(answer.body)")
        let session = try #require(try await setup.local.session(of: answer))
        #expect(session.tags["x509SAN/DNS"] == nil)
        #expect(session.tags["x509Subject/CN"] == "myContainer")
    }

    @Test("the profile's session policies are attached to the session")
    func sessionPolicies() async throws {
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#
        let setup = try await Setup(profileExtra: ["sessionPolicy": policy, "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]])
        let answer = try await setup.send(try setup.call())
        #expect(answer.status == 201)
        let session = try #require(try await setup.local.session(of: answer))
        #expect(session.sessionPolicy == policy)
        #expect(session.sessionPolicyArns == ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    }

    @Test("subjects record each certificate, failed attempts included")
    func subjects() async throws {
        let setup = try await Setup()
        #expect(try await setup.send(try setup.call()).status == 201)
        var failing = try setup.call()
        failing.roleArn = try await setup.local.createRole("not-listed")
        _ = try await setup.send(failing)
        let list = try await setup.local.control("GET", "/subjects")
        let subjects = try #require(list.json?["subjects"] as? [[String: Any]])
        #expect(subjects.count == 1)
        let id = try #require(subjects.first?["subjectId"] as? String)
        #expect(subjects.first?["x509Subject"] as? String == "CN=myContainer")
        let detail = try #require(try await setup.local.control("GET", "/subject/\(id)").json?["subject"] as? [String: Any])
        let credentials = try #require(detail["credentials"] as? [[String: Any]])
        #expect(credentials.count == 1)
        #expect(credentials.first?["failed"] as? Bool == true)
        #expect((credentials.first?["x509CertificateData"] as? String)?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
    }

    @Test("instanceProperties sent to CreateSession are recorded on the subject, failed calls included, and bounded as the API is")
    func instanceProperties() async throws {
        let setup = try await Setup()
        let properties = ["hostname": "build-7", "rack": "r12"]
        #expect(try await setup.send(try setup.call(body: ["durationSeconds": 3600, "instanceProperties": properties])).status == 201)
        var failing = try setup.call(body: ["durationSeconds": 3600, "instanceProperties": ["hostname": "build-8"]])
        failing.roleArn = try await setup.local.createRole("not-listed")
        #expect(try await setup.send(failing).status == 403)
        let id = try #require((try await setup.local.control("GET", "/subjects").json?["subjects"] as? [[String: Any]])?.first?["subjectId"] as? String)
        let detail = try #require(try await setup.local.control("GET", "/subject/\(id)").json?["subject"] as? [String: Any])
        let recorded = try #require(detail["instanceProperties"] as? [[String: Any]])
        #expect(recorded.count == 2, "\(recorded)")
        #expect(recorded.first?["properties"] as? [String: String] == properties)
        #expect(recorded.first?["failed"] as? Bool == false)
        #expect(recorded.first?["seenAt"] as? String != nil)
        #expect(recorded.last?["properties"] as? [String: String] == ["hostname": "build-8"])
        #expect(recorded.last?["failed"] as? Bool == true)

        let tooMany = Dictionary(uniqueKeysWithValues: (0...50).map { ("p\($0)", "v") })
        let refused = try await setup.send(try setup.call(body: ["durationSeconds": 3600, "instanceProperties": tooMany]))
        #expect(refused.status == 400)
        #expect(refused.errorType == "ValidationException", "\(refused.body)")
        let notStrings = try await setup.send(try setup.call(body: ["durationSeconds": 3600, "instanceProperties": ["n": 1]]))
        #expect(notStrings.errorType == "ValidationException", "\(notStrings.body)")
    }

    /// An extension no one processes, marked critical: RFC 5280 §6.1 requires the path to be rejected.
    static let unknownCritical = Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 55555, 1], critical: true, value: [0x05, 0x00])

    @Test("an unknown critical extension on the leaf or an intermediate: Untrusted Signing Certificate; not critical, it is ignored")
    func unknownCriticalExtensions() async throws {
        let setup = try await Setup()
        let leaf = try TestPKI.makeLeaf(issuer: setup.root, extraExtensions: [Self.unknownCritical])
        Self.expectDenied(try await setup.send(try setup.call(try leaf.identity())), "critical extension 1.3.6.1.4.1.55555.1", exact: false)

        var harmless = Self.unknownCritical
        harmless.critical = false
        let plain = try TestPKI.makeLeaf(issuer: setup.root, extraExtensions: [harmless])
        #expect(try await setup.send(try setup.call(try plain.identity())).status == 201)

        let intermediate = try TestPKI.makeIntermediate(issuer: setup.root, commonName: "Odd Intermediate", extraExtensions: [Self.unknownCritical])
        let below = try TestPKI.makeLeaf(issuer: intermediate)
        let answer = try await setup.send(try setup.call(try below.identity(chain: [intermediate])))
        Self.expectDenied(answer, "the intermediate", exact: false)
        Self.expectDenied(answer, "critical extension 1.3.6.1.4.1.55555.1", exact: false)
        // No subject is recorded for a certificate refused on its path.
        let subjects = try await setup.local.store.resources(SubjectRecord.self)
        #expect(subjects.allSatisfy { $0.credentials.allSatisfy { $0.failed == false } })
    }

    /// An in-process server with `root` as a trust anchor, a role and a profile, and how to call
    /// CreateSession with a leaf through them.
    static func anchored(_ root: TestPKI.Issued) async throws -> (InProcessLocal, (TestPKI.Issued) throws -> InProcessLocal.SessionCall) {
        let local = try InProcessLocal()
        let role = try await local.createRole("bucket-lister")
        let anchor = try await local.createTrustAnchor(root.certificatePEM)
        let profile = try await local.createProfile(roleArns: [role])
        return (local, { leaf in InProcessLocal.SessionCall(identity: try leaf.identity(), trustAnchorArn: anchor, profileArn: profile, roleArn: role) })
    }

    @Test("a trust anchor's directory-name constraints: a leaf of another organisation is refused, one inside is accepted")
    func directoryNameConstraints() async throws {
        let constraints = NameConstraints(permittedSubtrees: [.directoryName(try DistinguishedName { OrganizationName("Permitted Org") })])
        let root = try TestPKI.makeRoot(commonName: "Constrained CA", key: .rsa2048, nameConstraints: constraints)
        let (local, call) = try await Self.anchored(root)
        let inside = try TestPKI.makeLeaf(issuer: root, organization: "Permitted Org")
        let accepted = try await local.createSession(try call(inside))
        #expect(accepted.status == 201, "\(accepted.body)")
        let outside = try TestPKI.makeLeaf(issuer: root, organization: "Other")
        Self.expectDenied(try await local.createSession(try call(outside)), "outside the name constraints", exact: false)
        let caseOnly = try TestPKI.makeLeaf(issuer: root, organization: "PERMITTED  org")
        #expect(try await local.createSession(try call(caseOnly)).status == 201, "case and white space do not count")
    }

    @Test("a trust anchor's DNS-name constraints, by swift-certificates' RFC 5280 verifier: a SAN outside is refused")
    func dnsNameConstraints() async throws {
        let root = try TestPKI.makeRoot(commonName: "DNS Constrained CA", key: .rsa2048, nameConstraints: NameConstraints(permittedDNSDomains: ["example.com"]))
        let (local, call) = try await Self.anchored(root)
        let inside = try TestPKI.makeLeaf(issuer: root, dnsNames: ["host.example.com"])
        let accepted = try await local.createSession(try call(inside))
        #expect(accepted.status == 201, "\(accepted.body)")
        let outside = try TestPKI.makeLeaf(issuer: root, dnsNames: ["host.example.net"])
        Self.expectDenied(try await local.createSession(try call(outside)), "RFC 5280 path validation: Unable to validate permitted subtree", exact: false)
    }

    @Test("DNS constraints: an excluded subtree is refused, a name beside it accepted")
    func excludedDNSNames() async throws {
        let root = try TestPKI.makeRoot(commonName: "Excluding CA", key: .p256, nameConstraints: NameConstraints(excludedDNSDomains: ["internal.example.com"]))
        let (local, call) = try await Self.anchored(root)
        #expect(try await local.createSession(try call(try TestPKI.makeLeaf(issuer: root, dnsNames: ["web.example.com"]))).status == 201)
        let excluded = try TestPKI.makeLeaf(issuer: root, dnsNames: ["db.internal.example.com"])
        Self.expectDenied(try await local.createSession(try call(excluded)), "RFC 5280 path validation", exact: false)
    }

    @Test("directory-name and DNS constraints on one CA: inside the directory subtree without SANs is accepted, with SANs refused (fail closed)")
    func mixedNameConstraints() async throws {
        let constraints = NameConstraints(
            permittedSubtrees: [.directoryName(try DistinguishedName { OrganizationName("Permitted Org") }), .dnsName("example.com")]
        )
        let root = try TestPKI.makeRoot(commonName: "Mixed CA", key: .p256, nameConstraints: constraints)
        let (local, call) = try await Self.anchored(root)
        let plain = try TestPKI.makeLeaf(issuer: root, organization: "Permitted Org")
        let accepted = try await local.createSession(try call(plain))
        #expect(accepted.status == 201, "\(accepted.body)")
        let withNames = try TestPKI.makeLeaf(issuer: root, dnsNames: ["host.example.com"], organization: "Permitted Org")
        Self.expectDenied(try await local.createSession(try call(withNames)), "constrains directory names together with other name forms", exact: false)
        let outside = try TestPKI.makeLeaf(issuer: root, organization: "Other")
        Self.expectDenied(try await local.createSession(try call(outside)), "outside the name constraints", exact: false)
    }

    @Test("an anchor's own unknown critical extension is not processed (RFC 5280 §6.1): its leaves get credentials")
    func anchorsOwnCriticalExtension() async throws {
        let root = try TestPKI.makeRoot(commonName: "Odd Root", key: .p256, extraExtensions: [Self.unknownCritical])
        let (local, call) = try await Self.anchored(root)
        let answer = try await local.createSession(try call(try TestPKI.makeLeaf(issuer: root)))
        #expect(answer.status == 201, "\(answer.body)")
    }
}
