import Foundation
@testable import RolesAnywhereLocal
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import SwiftASN1
import X509

/// The checked-in CreateSession vectors (`Tests/Fixtures/createsession`, signed the way the official
/// helper signs) sent to `LocalService` with the clock pinned at their signing time,
/// 2026-12-01T12:00:00Z: they are accepted, with the derived values the vectors give.
@Suite("CreateSession vectors, clock pinned")
struct CreateSessionVectorTests {
    static let signingTime = Date(timeIntervalSince1970: 1_796_126_400)  // 2026-12-01T12:00:00Z
    static let anchorID = "61f50cd4-45b9-4259-b049-d0a53682fa4b"
    static let profileID = "0ace5b12-24b9-427e-a483-c55884852fbf"

    struct Vector {
        var request: LocalRequest
        var principalTags: [String: String]
        var sourceIdentity: String
        var sessionName: String
    }

    static func vector(_ name: String, receivedAt: Date = signingTime) throws -> Vector {
        let json = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes("createsession/createsession_vectors.json")))
        let vector = try #require((json as? [String: Any])?[name] as? [String: Any])
        let request = try #require(vector["request"] as? [String: Any])
        let headers = try #require(request["headers"] as? [String: String])
        let target = try #require(request["target"] as? String)
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let derived = try #require(vector["derived"] as? [String: Any])
        return Vector(
            request: LocalRequest(
                method: try #require(request["method"] as? String), path: parts[0], query: parts.count > 1 ? parts[1] : "",
                headers: headers.map { HTTPHeaderField(name: $0.key, value: $0.value) }, body: Array(try #require(request["body"] as? String).utf8),
                receivedAt: receivedAt
            ),
            principalTags: try #require(derived["principalTags"] as? [String: String]),
            sourceIdentity: try #require(derived["sourceIdentity"] as? String),
            sessionName: try #require(derived["defaultRoleSessionName"] as? String)
        )
    }

    /// The resources the vectors name, with their IDs: an anchor holding `anchorPEM`, a profile for
    /// `roles-anywhere-s3`, and that role, trusting any certificate of the anchor.
    static func endpoint(anchor anchorFile: String = "createsession/ca.pem") async throws -> InProcessLocal {
        let local = try InProcessLocal()
        try await local.createRole("roles-anywhere-s3", trust: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}"#)
        let anchorArn = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/\(anchorID)"
        try await local.store.saveResource(
            TrustAnchorRecord(
                trustAnchorId: anchorID, trustAnchorArn: anchorArn, name: "vectors",
                source: TrustAnchorSource(sourceType: "CERTIFICATE_BUNDLE", sourceData: .init(x509CertificateData: try Fixtures.string(anchorFile))),
                enabled: true, createdAt: signingTime, updatedAt: signingTime, notificationSettings: NotificationSettingDetail.defaults
            )
        )
        try await local.store.saveResource(
            ProfileRecord(
                profileId: profileID, profileArn: "arn:aws:rolesanywhere:us-east-1:123456789012:profile/\(profileID)", name: "vectors",
                requireInstanceProperties: false, enabled: true, createdBy: "arn:aws:iam::123456789012:root", sessionPolicy: nil,
                roleArns: ["arn:aws:iam::123456789012:role/roles-anywhere-s3"], managedPolicyArns: [], createdAt: signingTime, updatedAt: signingTime,
                durationSeconds: 3600, acceptRoleSessionName: false, attributeMappings: AttributeMapping.defaults
            )
        )
        return local
    }

    @Test("the EC and RSA vectors get credentials with the vectors' tags, source identity and session name", arguments: ["ec", "rsa"])
    func vectorsAreAccepted(_ name: String) async throws {
        let local = try await Self.endpoint()
        let vector = try Self.vector(name)
        let answer = InProcessLocal.answer(await local.service.handle(vector.request))
        #expect(answer.status == 201, "\(answer.body)")
        let set = try #require((answer.json?["credentialSet"] as? [[String: Any]])?.first)
        let user = try #require(set["assumedRoleUser"] as? [String: Any])
        #expect(user["arn"] as? String == "arn:aws:sts::123456789012:assumed-role/roles-anywhere-s3/\(vector.sessionName)")
        #expect((user["assumedRoleId"] as? String)?.hasSuffix(":\(vector.sessionName)") == true)
        #expect(set["sourceIdentity"] as? String == vector.sourceIdentity)
        #expect(set["roleArn"] as? String == "arn:aws:iam::123456789012:role/roles-anywhere-s3")
        let credentials = try #require(set["credentials"] as? [String: Any])
        #expect(credentials["expiration"] as? String == "2026-12-01T13:00:00Z")
        #expect((credentials["accessKeyId"] as? String)?.hasPrefix("ASIA") == true)
        #expect((answer.json?["subjectArn"] as? String)?.hasPrefix("arn:aws:rolesanywhere:us-east-1:123456789012:subject/") == true)

        let session = try #require(try await local.session(of: answer))
        #expect(session.tags == vector.principalTags)
        #expect(session.sourceIdentity == vector.sourceIdentity)
        #expect(session.sessionName == vector.sessionName)
    }

    @Test("a vector with its date or body changed after signing is refused: Invalid signature")
    func tamperedVectors() async throws {
        let local = try await Self.endpoint()
        var dated = try Self.vector("rsa").request
        dated.headers.replace(named: "X-Amz-Date", with: "20261201T120001Z")
        var bodied = try Self.vector("ec").request
        bodied.body = Array(#"{"durationSeconds":900}"#.utf8)
        for request in [dated, bodied] {
            let answer = InProcessLocal.answer(await local.service.handle(request))
            #expect(answer.status == 403)
            #expect(answer.errorType == "AccessDeniedException")
            #expect(answer.message == "Invalid signature")
        }
    }

    @Test("an anchor holding only an unrelated CA gives Untrusted Signing Certificate")
    func otherAnchor() async throws {
        let local = try await Self.endpoint(anchor: "createsession/other-ca.pem")
        let answer = InProcessLocal.answer(await local.service.handle(try Self.vector("ec").request))
        #expect(answer.status == 403)
        #expect(answer.errorType == "AccessDeniedException")
        #expect(answer.message == "Untrusted Signing Certificate")
    }

    @Test("the vector signed ten minutes before the server clock is refused; one day after, the same")
    func pinnedClock() async throws {
        let local = try await Self.endpoint()
        for offset in [600.0, -600, 86_400] {
            let answer = InProcessLocal.answer(await local.service.handle(try Self.vector("rsa", receivedAt: Self.signingTime.addingTimeInterval(offset)).request))
            #expect(answer.status == 403)
            #expect(answer.message?.hasPrefix("Signature expired") == true, "\(answer.body)")
        }
    }

    @Test("crl.pem revokes the RSA leaf (serial 0123) while enabled; the EC leaf is unaffected")
    func revocation() async throws {
        let local = try await Self.endpoint()
        let anchor = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/\(Self.anchorID)"
        let crl = try await local.importCRL(try Fixtures.string("createsession/crl.pem"), anchor: anchor, enabled: true)
        let revoked = InProcessLocal.answer(await local.service.handle(try Self.vector("rsa").request))
        #expect(revoked.status == 403)
        #expect(revoked.message?.hasPrefix("Untrusted Signing Certificate") == true)
        #expect(revoked.message?.contains("revoked") == true, "\(revoked.body)")
        #expect(InProcessLocal.answer(await local.service.handle(try Self.vector("ec").request)).status == 201)
        // Disabled, the CRL no longer counts.
        #expect(try await local.control("POST", "/crl/\(crl)/disable").status == 200)
        #expect(InProcessLocal.answer(await local.service.handle(try Self.vector("rsa").request)).status == 201)
    }

    @Test("the vectors' path cases: a chain through int.pem, int.pem as the anchor, bare.pem")
    func pathValidation() async throws {
        func facts(_ name: String) throws -> CertificateFacts {
            CertificateFacts(try EncodedCertificate(Certificate(pemEncoded: Fixtures.string("createsession/\(name).pem"))))
        }
        let (root, intermediate, l2, bare) = (try facts("ca"), try facts("int"), try facts("l2"), try facts("bare"))
        let at = Self.signingTime
        #expect(await CertificatePathValidator.validate(leaf: l2, intermediates: [intermediate], anchors: [root], at: at).isTrusted)
        let withoutChain = await CertificatePathValidator.validate(leaf: l2, intermediates: [], anchors: [root], at: at)
        #expect(!withoutChain.isTrusted)
        #expect(withoutChain.problems.first?.kind == .noPath)
        #expect(await CertificatePathValidator.validate(leaf: l2, intermediates: [], anchors: [intermediate], at: at).isTrusted)
        #expect(await CertificatePathValidator.validate(leaf: bare, intermediates: [], anchors: [root], at: at).isTrusted)
        #expect(await !CertificatePathValidator.validate(leaf: bare, intermediates: [], anchors: [try facts("other-ca")], at: at).isTrusted)
    }

    @Test("bare.pem (no SAN, no EKU) gets credentials, with only subject and issuer tags")
    func bareCertificate() async throws {
        let local = try await Self.endpoint()
        let identity = try SigningIdentity(
            certificate: EncodedCertificate(Certificate(pemEncoded: Fixtures.string("createsession/bare.pem"))),
            privateKey: Certificate.PrivateKey(pemEncoded: Fixtures.string("createsession/bare.key"))
        )
        let answer = try await local.createSession(
            .init(
                identity: identity, trustAnchorArn: "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/\(Self.anchorID)",
                profileArn: "arn:aws:rolesanywhere:us-east-1:123456789012:profile/\(Self.profileID)",
                roleArn: "arn:aws:iam::123456789012:role/roles-anywhere-s3", signedAt: Self.signingTime
            )
        )
        #expect(answer.status == 201, "\(answer.body)")
        let session = try #require(try await local.session(of: answer))
        #expect(session.tags["x509Subject/CN"] == "bare")
        #expect(session.tags.keys.allSatisfy { !$0.hasPrefix("x509SAN") })
        #expect(session.sourceIdentity == "CN=bare")
        #expect(session.sessionName == "07")
    }
}
