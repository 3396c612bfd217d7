#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

/// The IAM Roles Anywhere control plane over REST-JSON: trust anchors, profiles, CRLs, subjects,
/// attribute mappings, notification settings and tags, with the model's paths, status codes,
/// shapes and validation. (CreateSession, signed with a certificate, is ``CreateSessionHandler``.)
struct RolesAnywhereService: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer

    func handle(_ request: LocalRequest, caller: Caller) async throws(AWSError) -> LocalResponse {
        let call = RolesAnywhereCall(service: self, request: request, caller: caller)
        do {
            return try await call.route()
        } catch let error as AWSError {
            // The policy engine's refusal, in this service's error type.
            if error.code == "AccessDenied" { throw AWSError.accessDeniedException(error.message) }
            throw error
        } catch let error as StoreError {
            throw error.kind == .notFound ? AWSError.resourceNotFound(error.message) : AWSError.rolesAnywhereValidation(error.message)
        } catch {
            throw AWSError.internalFailure("\(error)")
        }
    }
}

/// One control-plane request being served.
struct RolesAnywhereCall {
    let service: RolesAnywhereService
    let request: LocalRequest
    let caller: Caller
    /// The request time, to the microsecond (`createdAt`, `updatedAt`).
    let now: Date
    /// The decoded path segments: `["trustanchor", "<id>", "enable"]`.
    let segments: [String]

    init(service: RolesAnywhereService, request: LocalRequest, caller: Caller) {
        self.service = service
        self.request = request
        self.caller = caller
        now = RolesAnywhereJSON.now(request.receivedAt)
        segments = request.path.split(separator: "/").map { URIEncoding.decode($0) ?? String($0) }
    }

    var configuration: LocalConfiguration { service.configuration }
    var store: any Store { service.store }

    func route() async throws -> LocalResponse {
        switch (request.method, segments.count, segments.first ?? "") {
        case ("POST", 1, "trustanchors"): return try await createTrustAnchor()
        case ("GET", 1, "trustanchors"): return try await listTrustAnchors()
        case ("GET", 2, "trustanchor"): return try await getTrustAnchor(segments[1])
        case ("PATCH", 2, "trustanchor"): return try await updateTrustAnchor(segments[1])
        case ("DELETE", 2, "trustanchor"): return try await deleteTrustAnchor(segments[1])
        case ("POST", 3, "trustanchor") where segments[2] == "enable": return try await setTrustAnchor(segments[1], enabled: true)
        case ("POST", 3, "trustanchor") where segments[2] == "disable": return try await setTrustAnchor(segments[1], enabled: false)
        case ("POST", 1, "profiles"): return try await createProfile()
        case ("GET", 1, "profiles"): return try await listProfiles()
        case ("GET", 2, "profile"): return try await getProfile(segments[1])
        case ("PATCH", 2, "profile"): return try await updateProfile(segments[1])
        case ("DELETE", 2, "profile"): return try await deleteProfile(segments[1])
        case ("POST", 3, "profile") where segments[2] == "enable": return try await setProfile(segments[1], enabled: true)
        case ("POST", 3, "profile") where segments[2] == "disable": return try await setProfile(segments[1], enabled: false)
        case ("PUT", 3, "profiles") where segments[2] == "mappings": return try await putAttributeMapping(segments[1])
        case ("DELETE", 3, "profiles") where segments[2] == "mappings": return try await deleteAttributeMapping(segments[1])
        case ("POST", 1, "crls"): return try await importCRL()
        case ("GET", 1, "crls"): return try await listCRLs()
        case ("GET", 2, "crl"): return try await getCRL(segments[1])
        case ("PATCH", 2, "crl"): return try await updateCRL(segments[1])
        case ("DELETE", 2, "crl"): return try await deleteCRL(segments[1])
        case ("POST", 3, "crl") where segments[2] == "enable": return try await setCRL(segments[1], enabled: true)
        case ("POST", 3, "crl") where segments[2] == "disable": return try await setCRL(segments[1], enabled: false)
        case ("GET", 1, "subjects"): return try await listSubjects()
        case ("GET", 2, "subject"): return try await getSubject(segments[1])
        case ("POST", 1, "TagResource"): return try await tagResource()
        case ("POST", 1, "UntagResource"): return try await untagResource()
        case ("GET", 1, "ListTagsForResource"): return try await listTagsForResource()
        case ("PATCH", 1, "put-notifications-settings"): return try await putNotificationSettings()
        case ("PATCH", 1, "reset-notifications-settings"): return try await resetNotificationSettings()
        default:
            throw AWSError("UnknownOperationException", status: 404, "rolesanywhere-local has no IAM Roles Anywhere operation at \(request.method) \(request.path).")
        }
    }

    // MARK: - Shared pieces

    func body() throws(AWSError) -> JSONBody {
        try JSONBody(request.body)
    }

    /// Authorises `action` (`rolesanywhere:CreateProfile`) on `resource`; the administrator may do anything.
    func authorize(_ action: String, _ resource: String = "*") async throws(AWSError) {
        try await service.authorizer.authorize(caller, action: "rolesanywhere:\(action)", resource: resource, request: request)
    }

    func arn(_ kind: String, _ id: String) -> String {
        "arn:aws:rolesanywhere:\(configuration.region):\(configuration.accountID):\(kind)/\(id)"
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    /// A path ID, checked as the model checks `Uuid` members.
    func checkID(_ id: String, member: String) throws(AWSError) {
        var errors = ValidationErrors()
        errors.check(id, member, length: 36...36, pattern: RolesAnywherePatterns.uuid)
        try errors.validate()
    }

    /// The resource with `id`, or ResourceNotFoundException.
    func existing<Resource: RolesAnywhereResource>(_ type: Resource.Type, _ id: String, member: String, name: String) async throws -> Resource {
        try checkID(id, member: member)
        guard let resource = try await store.resource(Resource.self, id: id) else {
            throw AWSError.resourceNotFound("The \(name) \(id) does not exist in account \(configuration.accountID), region \(configuration.region).")
        }
        return resource
    }

    /// The query parameters, decoded.
    var query: [String: [String]] {
        request.queryParameters.reduce(into: [:]) { $0[$1.name, default: []].append($1.value) }
    }

    /// One page of `items` for `nextToken` and `pageSize`, with the token of the next page.
    func page<T>(_ items: [T]) throws(AWSError) -> (items: [T], nextToken: String?) {
        let parameters = query
        var errors = ValidationErrors()
        var size = 50
        if let text = parameters["pageSize"]?.last {
            if let value = Int(text) {
                size = value
                if value < 1 { errors.add(text, "pageSize", "Member must have value greater than or equal to 1") }
            } else {
                errors.add(text, "pageSize", "Member must be an integer")
            }
        }
        var start = 0
        if let token = parameters["nextToken"]?.last {
            if let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("offset:"),
                let offset = Int(text.dropFirst("offset:".count)), offset >= 0, offset <= items.count
            {
                start = offset
            } else {
                errors.add(token, "nextToken", "Member must be a token returned by a previous call")
            }
        }
        try errors.validate()
        let end = min(items.count, start + max(size, 1))
        let next = end < items.count ? Data("offset:\(end)".utf8).base64EncodedString() : nil
        return (Array(items[start..<end]), next)
    }
}
