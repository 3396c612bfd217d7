#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Keeps GetRole's `RoleLastUsed`: when a session of a role last made an authorised request, and
/// in which region. AWS reports it with a delay of hours; here it is written at most once a
/// minute per role, so thousands of requests a second cost a write a minute, not one each.
struct RoleUsageRecorder: Sendable {
    /// The least time between two writes for one role.
    static let interval: TimeInterval = 60

    let store: any Store
    let region: String
    let logger: Logger
    /// When each role (by unique ID) was last written, on the requests' clock.
    private let written = BoundedCache<String, TimeInterval>(capacity: 10_000)

    init(store: any Store, region: String, logger: Logger) {
        self.store = store
        self.region = region
        self.logger = logger
    }

    /// Notes a request of `caller` made at `date`; only role sessions count. A failed write is
    /// logged, never the request's failure.
    func noteRequest(by caller: Caller, at date: Date) async {
        guard case .session(let session) = caller, session.kind == .role else { return }
        let now = date.timeIntervalSince1970.rounded(.down)
        if let last = written.value(forKey: session.roleId), now >= last, now - last < Self.interval { return }
        written.set(now, forKey: session.roleId)
        do {
            try await store.recordRoleUse(roleName: session.roleName, roleId: session.roleId, RoleLastUsed(date: Date(timeIntervalSince1970: now), region: region))
        } catch {
            logger.warning("RoleLastUsed not recorded", metadata: ["role": "\(session.roleArn)", "error": "\(error)"])
        }
    }
}
