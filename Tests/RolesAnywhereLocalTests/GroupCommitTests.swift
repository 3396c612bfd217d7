import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Synchronization
import Testing

/// Concurrent writes share a transaction, and each still succeeds or fails on its own.
@Suite("Group commit")
struct GroupCommitTests {
    static func session(_ accessKeyId: String) -> SessionRecord {
        SessionRecord(
            accessKeyId: accessKeyId, secretAccessKey: "secret", sessionToken: "token", roleArn: "arn:aws:iam::123456789012:role/r",
            roleName: "r", roleId: "AROAEXAMPLE", sessionName: "s", sourceIdentity: nil, tags: ["k": "v"], sessionPolicy: nil,
            sessionPolicyArns: [], issuedAt: Date(timeIntervalSince1970: 1_700_000_000), expiration: Date().addingTimeInterval(3600)
        )
    }

    /// A write that holds the writer queue until released, so that the writes after it queue up.
    final class Blocker: Sendable {
        private let running = Mutex(false)
        private let release = DispatchSemaphore(value: 0)
        private let task = Mutex<Task<Void, any Error>?>(nil)

        /// Starts the write and returns once it runs on the writer queue.
        init(_ store: SQLiteStore) async throws {
            let started = Task { [self] in
                try await store.commits.write { _ in
                    self.running.withLock { $0 = true }
                    self.release.wait()
                }
            }
            task.withLock { $0 = started }
            while !running.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        }

        /// Lets the writer queue go on, and waits for the held write to commit.
        func finish() async throws {
            release.signal()
            try await task.withLock { $0 }?.value
        }
    }

    @Test("writes queued behind a running transaction commit together; a failing one gets its own error and the others commit")
    func batch() async throws {
        let directory = try TemporaryDirectory(prefix: "group-commit")
        let path = directory.path("state.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.insertSession(Self.session("ASIAEXISTING0000"))

        let blocker = try await Blocker(store)
        let keys = (0..<20).map { String(format: "ASIABATCH%07d", $0) }
        let writes = keys.map { key in Task { try await store.insertSession(Self.session(key)) } }
        let duplicate = Task { try await store.insertSession(Self.session("ASIAEXISTING0000")) }
        while store.commits.queued < keys.count + 1 { try await Task.sleep(for: .milliseconds(2)) }
        try await blocker.finish()

        for write in writes { try await write.value }
        await #expect(throws: (any Error).self) { try await duplicate.value }
        #expect(store.commits.queued == 0)

        // Committed, not merely cached: a second store on the file reads every row from disk.
        let reopened = try SQLiteStore(path: path)
        for key in keys { #expect(try await reopened.session(accessKeyId: key)?.tags == ["k": "v"]) }
    }

    @Test("a write that throws rolls back its own changes only")
    func rollbackOwnChanges() async throws {
        struct Refused: Error {}
        let store = try SQLiteStore(path: ":memory:")
        let blocker = try await Blocker(store)
        let failing = Task {
            try await store.commits.write { db in
                try SQLiteStore.insert(Self.session("ASIAROLLEDBACK00"), in: db)
                throw Refused()
            }
        }
        let kept = Task { try await store.insertSession(Self.session("ASIAKEPT00000000")) }
        while store.commits.queued < 2 { try await Task.sleep(for: .milliseconds(2)) }
        try await blocker.finish()

        await #expect(throws: Refused.self) { try await failing.value }
        try await kept.value
        #expect(try await store.session(accessKeyId: "ASIAROLLEDBACK00") == nil)
        #expect(try await store.session(accessKeyId: "ASIAKEPT00000000") != nil)
    }
}
