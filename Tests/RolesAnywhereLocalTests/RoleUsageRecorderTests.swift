import Foundation
import Logging
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// RoleLastUsed's throttle, on the requests' clock: one write a minute per role.
@Suite("RoleLastUsed recorder")
struct RoleUsageRecorderTests {
    @Test("a role session's request is written at once, then at most once a minute; a clock that goes back writes again; other callers write nothing")
    func throttle() async throws {
        let store = MemoryStore()
        let role = StoreConformanceTests.role("worker")
        try await store.createRole(role)
        let recorder = RoleUsageRecorder(store: store, region: "eu-west-1", logger: Logger(label: "test"))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let session = SessionRecord(
            accessKeyId: "ASIAEXAMPLE000000001", secretAccessKey: "s", sessionToken: "t", roleArn: role.arn, roleName: role.name, roleId: role.id,
            sessionName: "s", sourceIdentity: nil, tags: [:], sessionPolicy: nil, sessionPolicyArns: [], issuedAt: start, expiration: start + 3600
        )
        func lastUsed() async throws -> Date? { try await store.role(named: "worker")?.lastUsed?.date }

        await recorder.noteRequest(by: .administrator(accountID: "123456789012"), at: start)
        #expect(try await lastUsed() == nil, "the administrator is no role session")
        await recorder.noteRequest(by: .session(session), at: start)
        #expect(try await lastUsed() == start)
        #expect(try await store.role(named: "worker")?.lastUsed?.region == "eu-west-1")
        await recorder.noteRequest(by: .session(session), at: start + 59)
        #expect(try await lastUsed() == start, "within the minute: no write")
        await recorder.noteRequest(by: .session(session), at: start + 60)
        #expect(try await lastUsed() == start + 60)
        await recorder.noteRequest(by: .session(session), at: start + 10)
        #expect(try await lastUsed() == start + 10, "a clock that went back is written, not held off for a minute")
    }
}
