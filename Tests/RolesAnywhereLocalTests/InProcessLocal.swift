import Foundation
import Logging
import RolesAnywhereLocal
import RolesAnywhereSigning
import RolesAnywhereSupport
import RolesAnywhereTesting
import X509

/// `LocalService` in the test process, on an in-memory store, called request by request with the
/// clock of each request chosen by the test (the certificates of the checked-in vectors only hold
/// at their signing time). Resources are created through the control plane, signed with the
/// administrator keys, as a client would.
struct InProcessLocal {
    let service: LocalService
    let store: SQLiteStore
    static let host = "rolesanywhere.us-east-1.amazonaws.com"
    var region: String { service.configuration.region }
    static let admin = SigV4Credentials(accessKeyId: LocalServerProcess.admin.accessKeyID, secretAccessKey: LocalServerProcess.admin.secretAccessKey)

    init(maximumClockSkew: Duration = .seconds(300), region: String = "us-east-1") throws {
        store = try SQLiteStore(path: ":memory:")
        service = LocalService(
            configuration: LocalConfiguration(region: region, maximumClockSkew: maximumClockSkew),
            store: store,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    struct Answer {
        var status: Int
        var body: String
        var errorType: String?

        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        var message: String? { json?["message"] as? String }
    }

    static func answer(_ response: LocalResponse) -> Answer {
        Answer(
            status: response.status, body: String(decoding: response.body, as: UTF8.self),
            errorType: response.headers.first { $0.0.lowercased() == "x-amzn-errortype" }?.1
        )
    }

    /// A control-plane call signed by the administrator at `date`.
    func control(_ method: String, _ path: String, query: String = "", json: Any? = nil, service name: String = "rolesanywhere", date: Date = Date()) async throws -> Answer {
        var headers = [HTTPHeaderField(name: "Host", value: Self.host)]
        var body = [UInt8]()
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json))
            headers.append(HTTPHeaderField(name: "Content-Type", value: "application/json"))
        }
        let signed = try SigV4Signer(credentials: Self.admin, region: region, service: name)
            .sign(SignableRequest(method: method, path: path, query: query, headers: headers, body: body), date: AmzDate(date)).request
        return Self.answer(await service.handle(LocalRequest(method: method, path: path, query: query, headers: signed.headers, body: signed.body, receivedAt: date)))
    }

    /// An IAM query call signed by the administrator.
    func iam(_ parameters: [(String, String)]) async throws -> Answer {
        let body = (parameters + [("Version", "2010-05-08")]).map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let headers = [
            HTTPHeaderField(name: "Host", value: "iam.amazonaws.com"),
            HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        ]
        let signed = try SigV4Signer(credentials: Self.admin, region: "us-east-1", service: "iam")
            .sign(SignableRequest(method: "POST", path: "/", headers: headers, body: Array(body.utf8)), date: .now).request
        return Self.answer(await service.handle(LocalRequest(method: "POST", path: "/", query: "", headers: signed.headers, body: signed.body)))
    }

    /// Creates a role and returns its ARN.
    @discardableResult
    func createRole(_ name: String, trust: String = Policies.trustRolesAnywhere, maxSessionDuration: Int = 3600, permissions: String? = Policies.listAllMyBuckets) async throws -> String {
        let created = try await iam([
            ("Action", "CreateRole"), ("RoleName", name), ("AssumeRolePolicyDocument", trust), ("MaxSessionDuration", String(maxSessionDuration)),
        ])
        guard created.status == 200 else { throw TestFailure("CreateRole: \(created.body)") }
        if let permissions {
            let put = try await iam([("Action", "PutRolePolicy"), ("RoleName", name), ("PolicyName", "permissions"), ("PolicyDocument", permissions)])
            guard put.status == 200 else { throw TestFailure("PutRolePolicy: \(put.body)") }
        }
        return "arn:\(service.configuration.partition.rawValue):iam::123456789012:role/\(name)"
    }

    /// Creates a trust anchor from PEM and returns its ARN.
    func createTrustAnchor(_ pem: String, enabled: Bool = true) async throws -> String {
        let answer = try await control("POST", "/trustanchors", json: [
            "name": "anchor", "enabled": enabled,
            "source": ["sourceType": "CERTIFICATE_BUNDLE", "sourceData": ["x509CertificateData": pem]],
        ])
        guard answer.status == 201, let arn = (answer.json?["trustAnchor"] as? [String: Any])?["trustAnchorArn"] as? String else {
            throw TestFailure("CreateTrustAnchor: \(answer.status) \(answer.body)")
        }
        return arn
    }

    /// Creates a profile and returns its ARN.
    func createProfile(roleArns: [String], enabled: Bool = true, extra: [String: Any] = [:]) async throws -> String {
        var json: [String: Any] = ["name": "profile", "roleArns": roleArns, "enabled": enabled]
        json.merge(extra) { $1 }
        let answer = try await control("POST", "/profiles", json: json)
        guard answer.status == 201, let arn = (answer.json?["profile"] as? [String: Any])?["profileArn"] as? String else {
            throw TestFailure("CreateProfile: \(answer.status) \(answer.body)")
        }
        return arn
    }

    /// Imports a CRL (PEM) for an anchor and returns its ID.
    func importCRL(_ pem: String, anchor: String, enabled: Bool = true) async throws -> String {
        let answer = try await control("POST", "/crls", json: [
            "name": "crl", "crlData": Data(pem.utf8).base64EncodedString(), "trustAnchorArn": anchor, "enabled": enabled,
        ])
        guard answer.status == 201, let id = (answer.json?["crl"] as? [String: Any])?["crlId"] as? String else {
            throw TestFailure("ImportCrl: \(answer.status) \(answer.body)")
        }
        return id
    }

    /// What a CreateSession call is made of.
    struct SessionCall {
        var identity: SigningIdentity
        var trustAnchorArn: String
        var profileArn: String
        var roleArn: String
        var body: [String: Any] = ["durationSeconds": 3600]
        var signedAt = Date()
        var receivedAt: Date?
        /// Changes to the request after it was signed.
        var tamper: ((inout SignableRequest) -> Void)?
    }

    /// A CreateSession request signed as the official helper signs it (ARNs in the query string).
    func createSession(_ call: SessionCall) async throws -> Answer {
        let query = [("profileArn", call.profileArn), ("roleArn", call.roleArn), ("trustAnchorArn", call.trustAnchorArn)]
            .map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let request = SignableRequest(
            method: "POST", path: "/sessions", query: query,
            headers: [HTTPHeaderField(name: "Host", value: Self.host), HTTPHeaderField(name: "Content-Type", value: "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: call.body))
        )
        var signed = try X509RequestSigner(identity: call.identity, region: region).sign(request, date: AmzDate(call.signedAt)).request
        call.tamper?(&signed)
        let local = LocalRequest(
            method: signed.method, path: signed.path, query: signed.query, headers: signed.headers, body: signed.body,
            receivedAt: call.receivedAt ?? call.signedAt
        )
        return Self.answer(await service.handle(local))
    }

    /// The session minted for an answer of CreateSession.
    func session(of answer: Answer) async throws -> SessionRecord? {
        guard let set = (answer.json?["credentialSet"] as? [[String: Any]])?.first,
            let key = (set["credentials"] as? [String: Any])?["accessKeyId"] as? String
        else { return nil }
        return try await store.session(accessKeyId: key)
    }
}

extension TestPKI.Issued {
    /// The issued certificate and key as a signing identity, with `chain` sent as intermediates.
    func identity(chain: [TestPKI.Issued] = []) throws -> SigningIdentity {
        try SigningIdentity(
            certificate: EncodedCertificate(certificate),
            certificateChain: try chain.map { try EncodedCertificate($0.certificate) },
            privateKey: privateKey
        )
    }
}
