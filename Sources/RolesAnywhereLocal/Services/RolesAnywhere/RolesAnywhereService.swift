#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning
import RolesAnywhereSupport

/// The IAM Roles Anywhere control plane over REST-JSON: trust anchors, profiles, CRLs, subjects,
/// attribute mappings, notification settings and tags, with the model's paths, status codes,
/// shapes and validation. (CreateSession, signed with a certificate, is ``CreateSessionHandler``.)
struct RolesAnywhereService: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer

    func handle(
        _ operation: RolesAnywhereOperation, resolved: ResolvedOperation, request: LocalRequest, caller: Caller
    ) async throws(AWSError) -> LocalResponse {
        let call = RolesAnywhereCall(service: self, request: request, caller: caller, resolved: resolved)
        do {
            return try await call.route(operation)
        } catch let error as AWSError {
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
    /// The operation and its path labels (`trustAnchorId`, `profileId`, `crlId`, `subjectId`).
    let resolved: ResolvedOperation

    init(service: RolesAnywhereService, request: LocalRequest, caller: Caller, resolved: ResolvedOperation) {
        self.service = service
        self.request = request
        self.caller = caller
        self.resolved = resolved
        now = RolesAnywhereJSON.now(request.receivedAt)
    }

    var configuration: LocalConfiguration { service.configuration }
    var store: any Store { service.store }

    func route(_ operation: RolesAnywhereOperation) async throws -> LocalResponse {
        let trustAnchorId = resolved.label("trustAnchorId")
        let profileId = resolved.label("profileId")
        let crlId = resolved.label("crlId")
        switch operation {
        case .createTrustAnchor: return try await createTrustAnchor()
        case .listTrustAnchors: return try await listTrustAnchors()
        case .getTrustAnchor: return try await getTrustAnchor(trustAnchorId)
        case .updateTrustAnchor: return try await updateTrustAnchor(trustAnchorId)
        case .deleteTrustAnchor: return try await deleteTrustAnchor(trustAnchorId)
        case .enableTrustAnchor: return try await setTrustAnchor(trustAnchorId, enabled: true)
        case .disableTrustAnchor: return try await setTrustAnchor(trustAnchorId, enabled: false)
        case .createProfile: return try await createProfile()
        case .listProfiles: return try await listProfiles()
        case .getProfile: return try await getProfile(profileId)
        case .updateProfile: return try await updateProfile(profileId)
        case .deleteProfile: return try await deleteProfile(profileId)
        case .enableProfile: return try await setProfile(profileId, enabled: true)
        case .disableProfile: return try await setProfile(profileId, enabled: false)
        case .putAttributeMapping: return try await putAttributeMapping(profileId)
        case .deleteAttributeMapping: return try await deleteAttributeMapping(profileId)
        case .importCrl: return try await importCRL()
        case .listCrls: return try await listCRLs()
        case .getCrl: return try await getCRL(crlId)
        case .updateCrl: return try await updateCRL(crlId)
        case .deleteCrl: return try await deleteCRL(crlId)
        case .enableCrl: return try await setCRL(crlId, enabled: true)
        case .disableCrl: return try await setCRL(crlId, enabled: false)
        case .listSubjects: return try await listSubjects()
        case .getSubject: return try await getSubject(resolved.label("subjectId"))
        case .tagResource: return try await tagResource()
        case .untagResource: return try await untagResource()
        case .listTagsForResource: return try await listTagsForResource()
        case .putNotificationSettings: return try await putNotificationSettings()
        case .resetNotificationSettings: return try await resetNotificationSettings()
        case .createSession:
            // Reached only with access keys, which LocalService refuses before this.
            throw AWSError.accessDeniedException("CreateSession is signed with a certificate (AWS4-X509-*).")
        }
    }

    // MARK: - Shared pieces

    func body() throws(AWSError) -> JSONBody {
        try JSONBody(request.body)
    }

    func arn(_ kind: String, _ id: String) -> String {
        configuration.rolesAnywhereARN(type: kind, id: id).description
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
        // pageSize comes from the client: bound it by what is left instead of adding to it.
        let end = start + min(max(size, 1), items.count - start)
        let next = end < items.count ? Data("offset:\(end)".utf8).base64EncodedString() : nil
        return (Array(items[start..<end]), next)
    }
}
